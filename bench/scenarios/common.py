"""What every scenario reports: rows of the results table, and small timing helpers."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db import make_engine
from bench.load import LoadResult
from bench.server import Database


@dataclass
class Row:
    """One line of the table: what was measured against which target, and what limits it."""

    benchmark: str
    backend: str
    measured: str
    target: str
    ratio: float | None
    ok: bool | None  # None: not measurable yet
    limit: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def median_seconds(function: Callable[[], Any], *, repeat: int = 3, warmup: int = 1) -> float:
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


@contextmanager
def fresh(backend: str, prefix: str = "encuentro_bench") -> Iterator[tuple[Database, Engine]]:
    """A fresh migrated database and an engine on it; both gone afterwards."""
    database = Database.create(backend, prefix=prefix)
    engine = make_engine(database.url, pool_size=2)
    try:
        yield database, engine
    finally:
        engine.dispose()
        database.drop()


def session_on(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)


def bare_database(backend: str) -> Database:
    """An empty database for the bare app (it creates its own two tables)."""
    return Database.create(backend, migrate=False, prefix="encuentro_bare")


def throughput_ratio(ours: LoadResult, bare: LoadResult) -> tuple[float | None, str]:
    """Encuentro's requests/s ÷ the bare app's, and a note. With the Python load generator, which
    (not the server) limits requests/s on 2 cores, the bare app's server CPU per request ÷ ours."""
    if ours.tool == "wrk" or not (ours.server_cpu_ms and bare.server_cpu_ms):
        return (round(ours.rps / bare.rps, 2) if bare.rps else None), ""
    note = " (ratio of server CPU per request: the Python load generator limits requests/s)"
    return round(bare.server_cpu_ms / ours.server_cpu_ms, 2), note
