"""Fault tests: a real uvicorn server on a fresh database, on SQLite and, when TEST_DATABASE_URL is
set, on PostgreSQL, killed and restarted while simulated participants answer, and cut off from its
database.

One migrated database and one service (`tests.fault.service`) per backend and test process, shared
by the tests of this folder: each test builds its own activity and survey (or account) in it, so
they never count each other's rows, and leaves the service up. Both are removed at the end.
"""

import os
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db import make_engine
from bench.server import Database
from tests.fault.service import Service

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session", params=BACKENDS)
def live_database(request: pytest.FixtureRequest) -> Iterator[Database]:
    database = Database.create(request.param, prefix="encuentro_fault")
    yield database
    database.drop()


@pytest.fixture(scope="session")
def live_engine(live_database: Database) -> Iterator[Engine]:
    engine = make_engine(live_database.url, pool_size=2)
    yield engine
    engine.dispose()


@pytest.fixture
def live_db(live_engine: Engine) -> Iterator[Session]:
    """A session on the live database whose commits are real (the server must see them)."""
    with Session(live_engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture(scope="session")
def live_service(
    live_database: Database, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    service = Service.create(live_database, tmp_path_factory.mktemp(live_database.backend))
    yield service
    service.close()


@pytest.fixture
def service(live_service: Service) -> Service:
    """The shared service, up and reachable when the test starts."""
    live_service.ensure_up()
    return live_service
