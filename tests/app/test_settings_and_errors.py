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


def test_an_error_page_after_a_rollback_still_shows_who_is_signed_in(app, db):
    """Error pages render after the request's session closed, maybe after a rollback expired the
    signed-in user: the page must still render (it once raised DetachedInstanceError: a 500)."""
    from starlette.requests import Request

    from app.accounts.models import User
    from app.deps import _remember
    from app.templating import render
    from tests.factories import make_org, make_user

    user = make_user(db, make_org(db, "Org of the error page"))
    email = user.email
    request = Request(
        {
            "type": "http",
            "app": app,
            "router": app.router,
            "method": "GET",
            "path": "/",
            "headers": [],
            "query_string": b"",
            "server": ("testserver", 80),
            "scheme": "http",
            "root_path": "",
            "session": {},
        }
    )
    loaded = db.get(User, user.id)
    _remember(request, loaded)
    db.expire(loaded)
    db.expunge(loaded)  # what a rollback and the end of the request leave behind
    page = render(
        request, "errors/error.html", {"status": 404, "message": "Not here"}, status_code=404
    )
    assert page.status_code == 404
    assert email in bytes(page.body).decode()
