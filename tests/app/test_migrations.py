"""Migrations build the schema the models describe, from an empty database, on every backend."""

import tempfile
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.db import make_engine
from app.migrate import alembic_config, upgrade
from app.models import metadata
from tests.conftest import BACKENDS, POSTGRES_URL


def _empty_database(backend: str) -> tuple[str, str | None]:
    """A new empty database URL and, for PostgreSQL, the database name to drop afterwards."""
    if backend == "sqlite":
        return f"sqlite:///{tempfile.mkstemp(suffix='.db')[1]}", None
    name = f"encuentro_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False), name


def _drop(name: str | None) -> None:
    if name:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_from_empty_matches_the_models_and_downgrades_cleanly(backend):
    url, name = _empty_database(backend)
    try:
        upgrade(url)
        engine = make_engine(url, pool_size=1)
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        from alembic import command

        command.downgrade(alembic_config(url), "base")
        upgrade(url)
        engine.dispose()
    finally:
        _drop(name)
