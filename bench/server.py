"""A real server for benchmarks and fault tests: a fresh database, uvicorn in its own process group.

Used by `bench/` and `tests/fault/`. Everything listens on 127.0.0.1 only. A PostgreSQL database is
private (created next to the admin URL's database, dropped afterwards); a SQLite database is a file
in a temporary folder. The server runs in a new session, so SIGKILL of its process group takes the
uvicorn supervisor and every worker down at once, like a crash or an OOM kill of the container.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SECRET_KEY = os.environ.get("SECRET_KEY") or "bench-and-fault-secret-not-for-production"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_admin_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or POSTGRES_ADMIN_DEFAULT


def postgres_available(url: str | None = None) -> bool:
    try:
        engine = create_engine(url or postgres_admin_url(), connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception:  # noqa: BLE001 - any failure means "not available here"
        return False
    return True


def _admin(admin_url: str, statement: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


@dataclass
class Database:
    """A fresh, migrated database; `drop()` removes it (file or PostgreSQL database)."""

    backend: str
    url: str
    folder: Path
    _pg_name: str = ""
    _admin_url: str = ""

    @classmethod
    def create(cls, backend: str, *, migrate: bool = True, prefix: str = "encuentro") -> Database:
        folder = Path(tempfile.mkdtemp(prefix=f"{prefix}-"))
        if backend == "sqlite":
            database = cls(backend, f"sqlite:///{folder / 'app.db'}", folder)
        else:
            admin = postgres_admin_url()
            name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            _admin(admin, f'CREATE DATABASE "{name}"')
            url = make_url(admin).set(database=name).render_as_string(hide_password=False)
            database = cls(backend, url, folder, name, admin)
        if migrate:
            from app.migrate import upgrade

            upgrade(database.url)
        return database

    def url_via(self, host: str, port: int) -> str:
        """The same database reached through another address (a proxy in front of PostgreSQL)."""
        return make_url(self.url).set(host=host, port=port).render_as_string(hide_password=False)

    def drop(self) -> None:
        if self._pg_name:
            _admin(self._admin_url, f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')
        shutil.rmtree(self.folder, ignore_errors=True)


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ENCUENTRO_ENV": "test",
        "SECRET_KEY": SECRET_KEY,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("TEST_DATABASE_URL", None)
    env.update(extra)
    return env


@dataclass
class Server:
    """uvicorn serving `app` (an import string) on a free loopback port, in its own process group.

    `start()` waits until `ready_path` answers (any status below 500 unless `expect_healthy` is
    False, in which case any answer at all); `kill()` is SIGKILL of the whole group; `stop()` is a
    graceful SIGTERM with a SIGKILL fallback.
    """

    database_url: str
    app: str = "app.main:app"
    workers: int = 1
    port: int = field(default_factory=free_port)
    ready_path: str = "/healthz"
    expect_healthy: bool = True
    env_extra: dict[str, str] = field(default_factory=dict)
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            self.app,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ]

    def start(self, *, timeout: float = 60.0) -> Server:
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=server_env(self.database_url, **self.env_extra),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if self.log_path:
            log.close()  # type: ignore[union-attr]
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        delay = 0.05
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}: {self.tail()}")
            try:
                status = httpx.get(self.url + self.ready_path, timeout=5).status_code
                if status < 500 or not self.expect_healthy:
                    if self.workers > 1:
                        self._wait_workers(deadline)
                    return
            except httpx.HTTPError:
                pass
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)
        raise TimeoutError(f"server not ready after {timeout:.0f}s: {self.tail()}")

    def _wait_workers(self, deadline: float) -> None:
        """With several workers, wait until all of them are up (each answers on its own)."""
        while time.monotonic() < deadline and len(self.worker_pids()) < self.workers:
            time.sleep(0.1)

    def tail(self, chars: int = 3000) -> str:
        if self.log_path and self.log_path.exists():
            return self.log_path.read_text(errors="replace")[-chars:]
        return "(no log)"

    def pids(self) -> list[int]:
        """The supervisor and its workers (the whole process group)."""
        if self.process is None:
            return []
        return [self.process.pid, *self.worker_pids()]

    def worker_pids(self) -> list[int]:
        """The supervisor's worker processes (not multiprocessing's resource tracker)."""
        if self.process is None:
            return []
        return [pid for pid in children_of(self.process.pid) if _is_worker(pid)]

    def serving_pids(self) -> list[int]:
        """The processes that run the app: the workers, or the only process with one worker."""
        if self.workers > 1:
            return self.worker_pids()
        return [self.process.pid] if self.process else []

    def kill(self) -> None:
        """SIGKILL the process group: no shutdown, no flush, like a crash."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def restart(self, *, timeout: float = 60.0) -> Server:
        self.kill()
        return self.start(timeout=timeout)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name may contain spaces: the parent pid comes after the closing bracket
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _is_worker(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"python" in cmdline and b"resource_tracker" not in cmdline


def memory_kb(pid: int, key: str = "VmHWM") -> int | None:
    """A /proc/<pid>/status figure in kB (VmHWM: the peak resident set size)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time the process has used so far (from /proc/<pid>/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> tuple[float, float, float]:
    one, five, fifteen = os.getloadavg()
    return round(one, 2), round(five, 2), round(fifteen, 2)
