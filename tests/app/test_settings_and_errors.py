"""Settings refuse unsafe production set-ups; unexpected errors still answer in the site's look."""

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.settings import Settings


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="SECRET_KEY must be set"):
        Settings(encuentro_env="production", _env_file=None)


def test_defaults_match_the_product_rules():
    settings = Settings(_env_file=None)
    assert (settings.k_min, settings.minor_age) == (5, 18)


def test_unexpected_error_renders_the_500_page(app):
    @app.get("/boom-for-test", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("kaput")

    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            response = client.get("/boom-for-test")
        assert response.status_code == 500
        assert "Something went wrong on our side" in response.text
        assert "kaput" not in response.text
    finally:
        app.router.routes.pop()
