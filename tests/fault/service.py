"""The service under test: a real uvicorn server (its own process group, 127.0.0.1, a free port)
on a fresh migrated database, with a way to take that database away from it.

PostgreSQL: two workers, reaching the database through a TCP proxy of the test's own (`TcpProxy`),
so "the database is down" is the proxy cut, never the machine's PostgreSQL, which other tests use.
SQLite: one worker (one writer), reaching the file through a "volume", a symlink to the folder,
so "the database is down" is that volume missing when the server starts (an open SQLite
connection keeps working on its file whatever happens to the path, so there is no mid-run cut).

One service per backend and test process: server start-up (importing the app in every worker)
dominates these tests' time. Each test leaves the service up; `ensure_up` checks it between tests.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from bench.server import Database, Server
from tests.fault.proxy import TcpProxy

WORKERS = {"sqlite": 1, "postgresql": 2}  # SQLite has one writer; PostgreSQL runs two workers
START_TIMEOUT_S = 90.0


@dataclass
class Service:
    database: Database
    server: Server
    proxy: TcpProxy | None = None
    volume: Path | None = None

    @property
    def backend(self) -> str:
        return self.database.backend

    @classmethod
    def create(cls, database: Database, log_dir: Path) -> Service:
        proxy, volume, url = None, None, database.url
        if database.backend == "postgresql":
            real = make_url(database.url)
            proxy = TcpProxy(target_host=real.host or "127.0.0.1", target_port=real.port or 5432)
            url = database.url_via("127.0.0.1", proxy.start().listen_port)
        else:
            volume = log_dir / "volume"
            os.symlink(database.folder, volume)
            url = f"sqlite:///{volume / Path(make_url(database.url).database or '').name}"
        server = Server(url, workers=WORKERS[database.backend], log_path=log_dir / "server.log")
        service = cls(database, server, proxy, volume)
        try:
            server.start(timeout=START_TIMEOUT_S)
        except BaseException:
            service.close()
            raise
        return service

    def close(self) -> None:
        self.server.stop()
        if self.proxy is not None:
            self.proxy.close()

    def client(self) -> httpx.Client:
        """A phone or browser: keep-alive shorter than uvicorn's 5 s, so a request never goes out
        on a connection the server is closing at that moment ("Server disconnected")."""
        limits = httpx.Limits(keepalive_expiry=1.0)
        return httpx.Client(base_url=self.server.url, timeout=30, limits=limits)

    def healthy(self) -> bool:
        try:
            return httpx.get(f"{self.server.url}/healthz", timeout=10).status_code == 200
        except httpx.HTTPError:
            return False

    def ensure_up(self) -> None:
        """Database reachable and server answering (a test that failed half-way may have left it
        otherwise): the next test starts from a working service."""
        if self.proxy is not None:
            self.proxy.start()
        if self.volume is not None and not self.volume.exists():
            os.symlink(self.database.folder, self.volume)
        if not self.healthy():
            self.server.expect_healthy = True
            self.server.restart(timeout=START_TIMEOUT_S)

    @contextlib.contextmanager
    def unmounted(self) -> Iterator[None]:
        """SQLite: the database's volume is missing while the block runs."""
        assert self.volume is not None, "only a SQLite service has a volume"
        self.volume.unlink()
        try:
            yield
        finally:
            if not self.volume.exists():
                os.symlink(self.database.folder, self.volume)


def eventually(check: Callable[[], bool], *, within: float = 30.0, what: str = "") -> None:
    """Poll `check` until it holds (readiness, not a fixed sleep); fail after `within` seconds."""
    deadline = time.monotonic() + within
    delay = 0.05
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within:.0f} s: {what}")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)
