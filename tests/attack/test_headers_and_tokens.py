"""Headers and tokens (issue 7, item 12): what a participant's browser is told, what production mode
adds, and what the survey tokens are made of and how they are looked up.
"""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session, select

from app.settings import Settings
from surveys import links
from surveys.models import SurveyLink
from tests.surveys.survey_factories import add_person, issue, make_survey, make_world, waves

TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def _csp(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    policy = response.headers.get("content-security-policy", "")
    directives = (part.strip().split() for part in policy.split(";") if part.strip())
    return {d[0]: d[1:] for d in directives}


@pytest.fixture
def participant_pages(db: Session, client: TestClient) -> dict[str, object]:
    world = make_world(db)
    person = add_person(db, world)
    survey = make_survey(db, world)
    token = issue(db, world, waves(db, survey)["pre"])[person.id]
    intro = client.get(f"/s/{token}")
    csrf = client.cookies["csrftoken"]
    client.post(f"/s/{token}", data={"csrftoken": csrf, "lang": "en"})
    return {
        "intro": intro,
        "question": client.get(f"/s/{token}/p/1"),
        "unknown link": client.get("/s/" + "A" * 43),
    }


def test_participant_pages_allow_no_inline_script_and_no_framing(participant_pages):
    for name, response in participant_pages.items():
        csp = _csp(response)
        assert "'unsafe-inline'" not in csp.get("script-src", []), name
        assert csp.get("frame-ancestors") == ["'none'"], name
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store", name
        scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", response.text)
        assert scripts == [], f"{name} has an inline script"


def test_token_pages_send_no_referrer(participant_pages, client: TestClient):
    """The token is in the URL: no link or asset on the page may carry it away in a Referer."""
    api = client.get("/api/v1/respond/" + "A" * 43)
    for name, response in {**participant_pages, "respond API": api}.items():
        values = response.headers.get_list("referrer-policy")
        assert values == ["no-referrer"], f"{name}: {values}"
    staff_page = client.get("/login")
    assert staff_page.headers.get_list("referrer-policy") == ["same-origin"]


def test_participant_pages_do_not_allow_eval(participant_pages, client: TestClient):
    """Only staff chart pages (plotly.js) may eval; participant pages draw no charts."""
    for name, response in participant_pages.items():
        assert _csp(response)["script-src"] == ["'self'"], name
    assert "'unsafe-eval'" in _csp(client.get("/login"))["script-src"]


def test_staff_pages_cannot_be_framed_either(client: TestClient):
    page = client.get("/login")
    assert _csp(page).get("frame-ancestors") == ["'none'"]
    assert page.headers["x-frame-options"] == "DENY"


def _production_client(monkeypatch: pytest.MonkeyPatch, engine) -> TestClient:  # type: ignore[no-untyped-def]
    from app import main

    settings = Settings(
        encuentro_env="production",
        secret_key="production-secret-for-the-test-only-0123456789",
        database_url=str(engine.url),
    )
    monkeypatch.setattr(main, "get_settings", lambda: settings)
    return TestClient(main.create_app(), base_url="https://testserver", follow_redirects=False)


def test_production_cookies_are_secure(monkeypatch, engine):
    """Both the CSRF cookie and the session cookie (set at sign-in) are Secure in production."""
    with _production_client(monkeypatch, engine) as client:
        page = client.get("/login")
    cookie = page.headers.get("set-cookie", "")
    assert "csrftoken=" in cookie and "Secure" in cookie, cookie
    from app import main

    session_cookie = next(m for m in main.create_app().user_middleware if "Session" in str(m.cls))
    assert session_cookie.kwargs["https_only"] is True


def test_production_sends_hsts_and_development_does_not(monkeypatch, engine, client: TestClient):
    with _production_client(monkeypatch, engine) as production:
        page = production.get("/login")
    hsts = page.headers.get("strict-transport-security", "")
    max_age = int(re.search(r"max-age=(\d+)", hsts)[1])  # type: ignore[index]
    assert max_age >= 180 * 24 * 3600, hsts
    assert "strict-transport-security" not in client.get("/login").headers


def test_survey_tokens_carry_more_than_128_bits_and_are_not_stored(db: Session):
    world = make_world(db)
    people = [add_person(db, world) for _ in range(3)]
    survey = make_survey(db, world)
    tokens = issue(db, world, waves(db, survey)["pre"])
    assert len(tokens) == len(people)
    for token in tokens.values():
        assert TOKEN.match(token), token  # 43 base64url characters: 258 bits
        assert 6 * len(token) >= 128
    assert len(set(tokens.values())) == len(tokens)
    stored = db.exec(select(SurveyLink)).all()
    every_value = {str(v) for row in stored for v in row.model_dump().values()}
    assert not every_value & set(tokens.values()), "a token is stored in clear"
    assert {row.token_hash for row in stored} >= {links.token_hash(t) for t in tokens.values()}


def test_a_token_is_found_only_by_its_exact_hash(db: Session, client: TestClient):
    """Lookup is equality of SHA-256 digests on a unique index (timing says nothing about the
    token); a token one character off, shorter or longer, finds nothing."""
    world = make_world(db)
    person = add_person(db, world)
    survey = make_survey(db, world)
    token = issue(db, world, waves(db, survey)["pre"])[person.id]
    assert links.find_link(session=db, token=token) is not None
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    for wrong in (flipped, token[:-1], token + "A", token.upper(), token[::-1]):
        assert links.find_link(session=db, token=wrong) is None
        assert client.get(f"/s/{wrong}").status_code == 404


def test_the_token_itself_is_never_compared_only_its_digest(db: Session, engine, client):
    """Constant time: the token never meets a stored secret in a string comparison (whose time
    would reveal a matching prefix); the database is asked for SHA-256(token), and an attacker
    cannot steer the digest's prefix. Seen in every statement the participant pages send."""
    world = make_world(db)
    person = add_person(db, world)
    survey = make_survey(db, world)
    token = issue(db, world, waves(db, survey)["pre"])[person.id]
    sent: list[str] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        sent.append(f"{statement} {parameters!r}")

    connection = db.connection()
    event.listen(connection, "before_cursor_execute", record)
    try:
        assert client.get(f"/s/{token}").status_code == 200
        assert links.find_link(session=db, token=token) is not None
    finally:
        event.remove(connection, "before_cursor_execute", record)
    assert any(links.token_hash(token) in statement for statement in sent)
    assert not any(token in statement for statement in sent)
