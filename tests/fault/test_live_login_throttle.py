"""Login throttling holds across two workers (issue 7, item 12): failures are counted in the
database, not in a worker's memory, so once an account has had too many wrong passwords, every
worker refuses it, even one that saw fewer failures than the limit (or none), on the API and on
the login page. Which worker answered is read from the kernel (`tests.fault.workers`).
"""

import contextlib
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
from sqlalchemy import func
from sqlmodel import Session, select

from app.accounts import service as accounts
from app.accounts.models import LoginAttempt, Role
from app.settings import get_settings
from bench.server import Server
from tests.fault.service import START_TIMEOUT_S, Service
from tests.fault.workers import answered_by, on_every_worker

PASSWORD = "correct-horse-battery"


@contextlib.contextmanager
def _two_workers(service: Service, log_dir: Path) -> Iterator[Server]:
    """The service's server if it runs two workers (PostgreSQL), else one of two workers on the
    same database (SQLite, whose service runs one)."""
    if service.server.workers == 2:
        yield service.server
        return
    server = Server(service.server.database_url, workers=2, log_path=log_dir / "server.log")
    server.start(timeout=START_TIMEOUT_S)
    try:
        yield server
    finally:
        server.stop()


def test_failed_logins_lock_the_account_on_every_worker(
    service: Service, live_db: Session, tmp_path: Path
) -> None:
    org = accounts.create_organization(session=live_db, name=f"Throttled {uuid.uuid4().hex[:8]}")
    user = accounts.create_user(
        session=live_db,
        email=f"throttled-{uuid.uuid4().hex[:8]}@example.org",
        password=PASSWORD,
        role=Role.ORGANIZER,
        organization_id=org.id,
    )
    limit = get_settings().login_max_failures
    right = {"username": user.email, "password": PASSWORD}
    wrong = right | {"password": "not-the-password"}

    def api_login(client: httpx.Client) -> httpx.Response:
        answer = client.post("/api/v1/auth/token", data=right)
        assert answer.status_code == 429, answer.text[:300]
        return answer

    def page_login(client: httpx.Client) -> httpx.Response:
        client.get("/login").raise_for_status()
        form = {"email": user.email, "password": PASSWORD, "csrftoken": client.cookies["csrftoken"]}
        answer = client.post("/login", data=form)
        assert answer.status_code == 429, answer.text[:300]
        assert "Too many failed attempts" in answer.text
        return answer

    with _two_workers(service, tmp_path) as server:
        on_every_worker(server, lambda client: client.get("/healthz"))  # both are serving
        failed_on: Counter[int | None] = Counter()
        for _ in range(limit):
            with httpx.Client(base_url=server.url, timeout=30) as client:
                answer = client.post("/api/v1/auth/token", data=wrong)
                assert answer.status_code == 401, answer.text[:300]
                failed_on[answered_by(server, answer)] += 1
        # Each worker refuses the right password now, though at most one of them saw all the
        # failures: a count kept in a worker's memory would let the other one through.
        assert set(on_every_worker(server, api_login)) == set(server.worker_pids()), failed_on
        on_every_worker(server, page_login)
    live_db.rollback()
    attempts = select(func.count()).where(LoginAttempt.email == user.email)
    assert live_db.exec(attempts).one() == limit, "refused logins are not counted as failures"
