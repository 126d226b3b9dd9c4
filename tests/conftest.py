"""Test set-up: every database test runs on SQLite and, when TEST_DATABASE_URL is set, PostgreSQL.

Each backend gets a throwaway database migrated with `alembic upgrade head` (so migrations are
tested); each test runs inside a transaction that is rolled back (services' commits become
savepoints), so tests never see each other's data and never touch the development database.
"""

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="encuentro-tests-"))
os.environ["DATABASE_URL"] = f"sqlite:///{_TMP / 'app.db'}"
os.environ["ENCUENTRO_ENV"] = "test"
os.environ["SECRET_KEY"] = "test-secret-key-not-for-production"

import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app import db as app_db  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.migrate import upgrade  # noqa: E402

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
_CREATED_DATABASES: list[str] = []


def _postgres_admin(statement: str) -> None:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(statement))
    admin.dispose()


def fresh_database_url(backend: str) -> str:
    """An empty database of the backend, migrated to head.

    On PostgreSQL each test session creates its own database next to TEST_DATABASE_URL's, so
    concurrent runs (two developers, CI) never drop each other's tables.
    """
    if backend == "sqlite":
        url = f"sqlite:///{tempfile.mkstemp(suffix='.db', dir=_TMP)[1]}"
    else:
        name = f"encuentro_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        _postgres_admin(f'CREATE DATABASE "{name}"')
        _CREATED_DATABASES.append(name)
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    return url


def pytest_sessionfinish(session, exitstatus):  # type: ignore[no-untyped-def]
    for name in _CREATED_DATABASES:
        _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=BACKENDS)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    engine = make_engine(fresh_database_url(request.param), pool_size=2)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def app(db: Session, engine: Engine, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from app.main import app as fastapi_app

    fastapi_app.dependency_overrides[app_db.get_session] = lambda: db
    monkeypatch.setattr("app.main.get_engine", lambda: engine)
    yield fastapi_app
    fastapi_app.dependency_overrides.clear()


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as test_client:
        yield test_client


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    if not POSTGRES_URL:
        terminalreporter.write_line(
            "NOTE: the PostgreSQL leg was NOT run (set TEST_DATABASE_URL to run every database "
            "test on PostgreSQL too).",
            yellow=True,
        )
