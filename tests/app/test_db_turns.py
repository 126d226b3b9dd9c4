"""Requests wait for a database turn on the event loop, but not forever: a 503, never a hang."""

import asyncio
import contextlib

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app import db


def test_a_request_that_never_gets_a_turn_fails_after_the_pool_timeout(monkeypatch, tmp_path):
    engine = create_engine(
        f"sqlite:///{tmp_path / 'turns.db'}", pool_size=1, max_overflow=0, pool_timeout=0.2
    )
    monkeypatch.setattr(db, "get_engine", lambda: engine)

    async def scenario() -> None:
        holder = contextlib.asynccontextmanager(db.database_turn)
        async with holder():  # the pool's only connection is busy for the whole wait below
            with pytest.raises(PoolTimeout):
                async with holder():
                    pass
        async with holder():  # the turn came back: the next request goes through
            pass

    asyncio.run(asyncio.wait_for(scenario(), timeout=5))
