"""9. Database down: while the database cannot be reached, participant pages, staff pages and the
API answer 503 with a kind message (never a 500 or a stack trace), on every worker, and /healthz
says the database is unreachable; when it is back, the same server processes recover without a
restart.

PostgreSQL: the server's TCP proxy to the database is cut (every pooled connection dies, new ones
are refused) and started again. SQLite: the server is (re)started while the database's volume is
missing, then the volume appears (see `tests.fault.service`).
"""

import socket
import uuid

import httpx
import pytest
from sqlmodel import Session

from app.accounts.models import Role
from app.accounts.service import create_organization, create_user
from bench import world
from tests.fault.participants import form_value
from tests.fault.proxy import TcpProxy
from tests.fault.service import START_TIMEOUT_S, Service, eventually
from tests.fault.workers import on_every_worker

KIND_PAGE = "Your saved answers are safe"  # respond_text "busy_body", English
KIND_STAFF = "Your answers are safe; please try again in a minute."  # app.main database_down
PASSWORD = "a-long-enough-password"
# A 503 must come promptly: a phone that waits half a minute has given up (SQLite's one-connection
# pool once kept concurrent requests waiting 30 s for a slot after a failed connect).
DOWN_ANSWER_S = 10.0


def _kind_page(response: httpx.Response, message: str) -> None:
    assert response.status_code == 503, f"{response.request.url.path}: {response.text[:300]}"
    assert response.headers["content-type"].startswith("text/html")
    assert message in response.text and "Traceback" not in response.text


def _everything_says_down(client: httpx.Client, token: str, page_one: dict[str, str]) -> None:
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json() == {"status": "unavailable", "database": "unreachable"}
    english = {"accept-language": "en"}
    _kind_page(client.get(f"/s/{token}", headers=english), KIND_PAGE)
    _kind_page(client.post(f"/s/{token}/p/1", data=page_one, headers=english), KIND_PAGE)
    api = client.get(f"/api/v1/respond/{token}")
    assert api.status_code == 503 and KIND_STAFF in api.json()["detail"]
    _kind_page(client.get("/activities"), KIND_STAFF)  # signed in: the page needs the database
    toast = client.get("/activities", headers={"HX-Request": "true"})
    assert toast.status_code == 503 and KIND_STAFF in toast.text
    form = {"email": "nobody@example.org", "password": PASSWORD, "csrftoken": page_one["csrftoken"]}
    _kind_page(client.post("/login", data=form), KIND_STAFF)
    token_login = client.post(
        "/api/v1/auth/token", data={"username": "nobody@example.org", "password": PASSWORD}
    )
    assert token_login.status_code == 503 and KIND_STAFF in token_login.json()["detail"]


def _everything_works(client: httpx.Client, token: str) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}
    assert client.get(f"/s/{token}/p/1").status_code == 200
    assert client.get(f"/api/v1/respond/{token}").json()["state"] == "started"
    assert client.get("/activities").status_code == 200


def test_database_down_gives_kind_503s_and_recovers_without_restart(
    service: Service, live_db: Session
) -> None:
    survey = world.survey_world(live_db, 1, title="Café de idiomas")
    token = survey.tokens[0]
    org = create_organization(session=live_db, name=f"Down NGO {uuid.uuid4().hex[:8]}")
    staff = create_user(
        session=live_db,
        email=f"down-{uuid.uuid4().hex[:8]}@example.org",
        password=PASSWORD,
        role=Role.ORGANIZER,
        organization_id=org.id,
    )
    with service.client() as browser:  # a participant half-way and a signed-in organizer
        browser.get(f"/s/{token}").raise_for_status()
        csrf = browser.cookies["csrftoken"]
        assert (
            browser.post(f"/s/{token}", data={"csrftoken": csrf, "lang": "en"}).status_code == 303
        )
        login = {"email": staff.email, "password": PASSWORD, "csrftoken": csrf}
        assert browser.post("/login", data=login).status_code == 303
        cookies = dict(browser.cookies)
    answers = world.all_answers(survey.items)
    page_one = {"csrftoken": csrf} | {
        one.id: form_value(answers[one.id]) for one in survey.pages[0]
    }

    def down(client: httpx.Client) -> httpx.Response:
        client.cookies.update(cookies)
        _everything_says_down(client, token, page_one)
        return client.get("/healthz")

    def up(client: httpx.Client) -> httpx.Response:
        client.cookies.update(cookies)
        _everything_works(client, token)
        return client.get("/healthz")

    server = service.server
    on_every_worker(server, up)
    if service.proxy is not None:
        processes = server.pids()
        service.proxy.stop()
        on_every_worker(server, down, timeout=DOWN_ANSWER_S)
        service.proxy.start()
    else:
        with service.unmounted():
            server.expect_healthy = False
            try:
                server.restart(timeout=START_TIMEOUT_S)
            finally:
                server.expect_healthy = True
            processes = server.pids()
            on_every_worker(server, down, timeout=DOWN_ANSWER_S)
    eventually(service.healthy, within=30, what="the service answers again")
    on_every_worker(server, up)
    assert server.pids() == processes, "the server was restarted: it should have recovered alone"


def _ended(connection: socket.socket) -> bool:
    connection.settimeout(5)
    try:
        return connection.recv(4) == b""
    except ConnectionResetError:
        return True


def test_the_proxy_really_cuts_connections() -> None:
    """The fault injector itself: refused while stopped, forwarding once started, cut when
    stopped with a connection open."""
    with socket.socket() as target:
        target.bind(("127.0.0.1", 0))
        target.listen()
        proxy = TcpProxy(target_host="127.0.0.1", target_port=target.getsockname()[1])
        try:
            proxy.start()
            with socket.create_connection(("127.0.0.1", proxy.listen_port), timeout=5) as near:
                far, _ = target.accept()
                with far:
                    near.sendall(b"ping")
                    assert far.recv(4) == b"ping"
                    proxy.stop()
                    assert _ended(far), "the far side should see the connection end"
            with pytest.raises(OSError):
                socket.create_connection(("127.0.0.1", proxy.listen_port), timeout=5).close()
            proxy.start()
            with socket.create_connection(("127.0.0.1", proxy.listen_port), timeout=5):
                accepted, _ = target.accept()
                accepted.close()
        finally:
            proxy.close()
