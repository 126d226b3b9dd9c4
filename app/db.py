"""Database engine and the request-scoped session.

SQLite: WAL, foreign keys and a busy timeout on every connection, and a small pool because SQLite
has one writer at a time (waiting writers in a large pool pushed p99 above a second).
PostgreSQL: psycopg 3 with pre-ping so a restarted database is picked up without a restart.
"""

import asyncio
from collections.abc import AsyncIterator
from functools import lru_cache
from typing import Annotated, Any
from weakref import WeakKeyDictionary

import anyio
from fastapi import Depends
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session, create_engine

from app.settings import DATA_DIR, get_settings


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, open transactions: pysqlite's implicit BEGIN would otherwise
    # ignore SAVEPOINTs and nested transactions (SQLAlchemy's documented pysqlite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def make_engine(url: str, *, pool_size: int | None = None) -> Engine:
    """Build an engine with the per-backend settings this project relies on."""
    if url.startswith("sqlite"):
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        size = pool_size or get_settings().sqlite_pool_size
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 10},
            pool_size=size,
            max_overflow=0,
            pool_timeout=30,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # connect_timeout: a database host that stops answering gives 503s in seconds, not a hang
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        connect_args={"connect_timeout": 5},
    )


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


_TURNS: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = WeakKeyDictionary()


async def database_turn() -> AsyncIterator[None]:
    """Admit at most as many requests to the database as the pool has connections, waiting on
    the event loop.

    A request waiting for a pooled connection in a worker thread holds one of the thread pool's
    40 tokens, while a request holding a connection may need a token to finish (FastAPI validates
    a `def` endpoint's response in the thread pool): with more clients than tokens, every token
    waited on the pool and nothing moved until `pool_timeout` (seen in tests/fault and bench/).
    """
    loop = asyncio.get_running_loop()
    turn = _TURNS.get(loop)
    pool: Any = get_engine().pool  # QueuePool: pool_size + max_overflow connections
    if turn is None:
        turn = _TURNS[loop] = asyncio.Semaphore(pool.size() + max(0, pool._max_overflow))
    try:
        with anyio.fail_after(pool.timeout()):  # as long as the pool itself would wait, then 503
            await turn.acquire()
    except TimeoutError:
        raise PoolTimeout("every database connection stayed busy; try again") from None
    try:
        yield
    finally:
        turn.release()


async def get_session(
    _turn: Annotated[None, Depends(database_turn, scope="function")],
) -> AsyncIterator[Session]:
    """One session per request; the request owns the transaction.

    Made on the event loop (a session connects at its first query, in the endpoint's thread) and
    closed there when no transaction is open (the endpoint committed, or never queried): closing
    then does no I/O. An open transaction (a read-only page, an error) is closed in a worker
    thread, shielded from cancellation so the connection always goes back to the pool, because
    its ROLLBACK talks to the database. A sync generator here cost two more thread hand-offs per
    request (open and close), each waiting for the busy event loop while this request held one of
    the pool's few connections (SQLite: the only one): measured in bench/, see bench/README.md.
    """
    session = Session(get_engine(), expire_on_commit=False)
    try:
        yield session
    finally:
        if session.in_transaction():
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(session.close)
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
