"""Isolation matrix (issue 7, item 11): every route of the app that takes an id, page and API, asked
for one organization's objects by someone who may not see them.

* an organizer (and an org admin) of ANOTHER organization: 404 (403 accepted), never the data;
* a government viewer of the very territory the organization shares its data with: 403/404 on
  everything but that territory's aggregates (which they do get: the control that the matrix is
  not refusing everyone for an unrelated reason);
* nobody signed in: pages send to the login page, the API answers 401.

Routes are found by walking the application, not listed by hand: a new route with an id that is not
checked fails `test_every_id_route_is_covered` until its id has an owner object below, and then the
matrix checks it. Token routes (/s/{token}, /api/v1/respond/{token}) are excluded: the token is
the credential itself (tests/attack/test_headers_and_tokens.py covers it).
Non-GET requests are sent without a body: whatever the status, it must not be a success.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from activities.models import ActivityPartner, ActivitySession
from activities.participants.models import ImportDraft
from app.accounts.models import DataSharing, Role, Territory, User
from surveys import service as survey_service
from surveys.models import SurveyLink
from tests.activities.activity_factories import schedule, weekly
from tests.activities.participant_factories import give_consent
from tests.factories import api_token, login, make_org, make_territory, make_user
from tests.surveys.survey_factories import add_person, make_survey, make_world, waves

PARAM = re.compile(r"{(\w+)(?::\w+)?}")
TOKEN_PARAMS = {"token"}
NOT_IDS = {"fmt", "page", "number"}  # formats and positions, not objects
SUCCESS = range(200, 400)
AGGREGATES = ("/api/v1/territories/{territory_id}/", "/territories/{territory_id}/")


@dataclass(frozen=True)
class Route:
    method: str
    path: str

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def is_aggregate(self) -> bool:
        return self.method == "GET" and self.path.startswith(AGGREGATES)


def all_routes() -> list[Route]:
    from app.main import app

    found = []
    for top in app.routes:
        # included routers expose their routes as contexts; a route added to the app directly
        # (app.add_api_route) is its own context; mounts (static files) have no methods
        if hasattr(top, "effective_route_contexts"):
            contexts = list(top.effective_route_contexts())
        else:
            contexts = [top] if getattr(top, "methods", None) else []
        for context in contexts:
            for method in sorted(context.methods or []):
                if method != "HEAD":
                    found.append(Route(method, context.path))
    return found


def id_routes() -> list[Route]:
    routes = []
    for route in all_routes():
        params = set(PARAM.findall(route.path))
        if params & TOKEN_PARAMS or not params - NOT_IDS:
            continue
        routes.append(route)
    return routes


@pytest.fixture
def owned(db: Session) -> dict[str, str]:
    """Organization A's objects, one of each kind a route can name: param -> value."""
    world = make_world(db, title="Huerto de A")
    person = add_person(db, world)
    consent = give_consent(db, person, world.organizer)
    survey = make_survey(db, world)
    assert survey.id is not None and world.activity.id is not None
    version = survey_service.add_custom_item(
        session=db,
        actor=world.organizer,
        survey_id=survey.id,
        fields=survey_service.CustomItemFields(text={"en": "Our question"}),
    )
    item_id = version.items[-1]["id"]
    wave = waves(db, survey)["pre"]
    from surveys import links

    links.issue_links(session=db, actor=world.organizer, wave_id=wave.id or 0)
    link = db.exec(select(SurveyLink).where(SurveyLink.wave_id == wave.id)).first()
    schedule(db, world.organizer, world.activity, weekly(2))
    activity_session = db.exec(
        select(ActivitySession).where(ActivitySession.activity_id == world.activity.id)
    ).first()
    partner = ActivityPartner(activity_id=world.activity.id, name="Ayuntamiento", type="government")
    staff = make_user(db, world.org)
    territory = make_territory(db)
    draft = ImportDraft(organization_id=world.org.id or 0, filename="people.csv", data=b"name\n")
    db.add_all(
        [partner, draft, DataSharing(organization_id=world.org.id, territory_id=territory.id)]
    )
    world.activity.territory_id = territory.id
    db.add(world.activity)
    db.commit()
    assert link and activity_session
    return {
        "organization_id": str(world.org.id),
        "activity_id": str(world.activity.id),
        "participant_id": str(person.id),
        "consent_id": str(consent.id),
        "survey_id": str(survey.id),
        "wave_id": str(wave.id),
        "link_id": str(link.id),
        "item_id": item_id,
        "session_id": str(activity_session.id),
        "partner_id": str(partner.id),
        "staff_id": str(staff.id),
        "user_id": str(world.organizer.id),
        "territory_id": str(territory.id),
        "draft_id": str(draft.id),
        "fmt": "csv",
        "page": "1",
        "number": "1",
    }


def test_every_id_route_is_covered(owned: dict[str, str]) -> None:
    missing = {p for route in id_routes() for p in PARAM.findall(route.path) if p not in owned}
    assert not missing, f"routes take ids this matrix has no object for: {sorted(missing)}"
    assert len(id_routes()) > 100  # the walk found the application's routes


def _url(route: Route, owned: dict[str, str]) -> str:
    return PARAM.sub(lambda m: owned[m.group(1)], route.path)


@dataclass
class Caller:
    name: str
    client: TestClient
    headers: dict[str, str]
    csrf: str


@pytest.fixture
def callers(app, db: Session, owned: dict[str, str]) -> Iterator[dict[str, Caller]]:  # type: ignore[no-untyped-def]
    other = make_org(db, "Organización B")
    shared_territory = db.get(Territory, int(owned["territory_id"]))
    people = {
        "other organizer": make_user(db, other),
        "other org admin": make_user(db, other, role=Role.ORG_ADMIN),
        "government viewer": make_user(db, role=Role.GOVERNMENT_VIEWER, territory=shared_territory),
    }
    clients = []
    found = {}
    for name, user in people.items():
        client = TestClient(app, base_url="http://testserver", follow_redirects=False)
        clients.append(client)
        headers = api_token(client, user)
        login(client, user)
        found[name] = Caller(name, client, headers, client.cookies["csrftoken"])
    anonymous = TestClient(app, base_url="http://testserver", follow_redirects=False)
    anonymous.get("/login")
    found["anonymous"] = Caller("anonymous", anonymous, {}, anonymous.cookies["csrftoken"])
    yield found
    for client in [*clients, anonymous]:
        client.close()


def _ask(caller: Caller, route: Route, url: str):  # type: ignore[no-untyped-def]
    if route.is_api:
        return caller.client.request(route.method, url, headers=caller.headers)
    if route.method == "GET":
        return caller.client.get(url)
    return caller.client.request(route.method, url, data={"csrftoken": caller.csrf})


def _verdict(caller: Caller, route: Route, status: int, location: str) -> str | None:
    """Why this answer breaks isolation, or None when it is what the matrix expects."""
    if caller.name == "anonymous":
        if route.is_api:
            return None if status == 401 else "API should answer 401"
        return None if status == 303 and "/login" in location else "page should send to login"
    if route.is_aggregate and caller.name == "government viewer":
        return None if status == 200 else "the viewer should see their territory's aggregates"
    if route.method == "GET":
        return None if status in (403, 404) else "should be 404 (or 403)"
    return None if status not in SUCCESS else "a write succeeded"


def _breaches(routes: list[Route], owned, callers) -> list[str]:  # type: ignore[no-untyped-def]
    failures = []
    for route in routes:
        url = _url(route, owned)
        for caller in callers.values():
            response = _ask(caller, route, url)
            location = response.headers.get("location", "")
            problem = _verdict(caller, route, response.status_code, location)
            if problem:
                failures.append(
                    f"{caller.name}: {route.method} {url} -> {response.status_code}: {problem}"
                )
    return failures


def test_nobody_outside_the_organization_reaches_its_objects(owned, callers) -> None:
    failures = _breaches(id_routes(), owned, callers)
    assert not failures, "\n".join(failures[:40]) + f"\n({len(failures)} in all)"
    assert any(route.is_aggregate for route in id_routes())


def test_a_new_route_without_a_check_is_caught(app, owned, callers) -> None:
    """The matrix's own test: routes added without scoping are found by the walk and flagged."""
    from app.deps import ApiUser, PageUser

    def leak(activity_id: int, user: ApiUser) -> dict[str, int]:
        return {"activity": activity_id}  # signed in, but never asks whose activity it is

    def page_leak(activity_id: int, user: PageUser) -> dict[str, int]:
        return {"activity": activity_id}

    before = list(app.router.routes)
    app.add_api_route("/api/v1/activities/{activity_id}/leak", leak)
    app.add_api_route("/activities/{activity_id}/leak", page_leak)
    try:
        found = [route for route in id_routes() if route.path.endswith("/leak")]
        assert len(found) == 2
        failures = _breaches(found, owned, callers)
    finally:
        app.router.routes[:] = before
    leaked_to = {failure.split(":")[0] for failure in failures}
    assert leaked_to == {"other organizer", "other org admin", "government viewer"}, failures
    app.add_api_route("/api/v1/things/{thing_id}", leak)
    try:
        assert any("thing_id" in PARAM.findall(route.path) for route in id_routes())
        with pytest.raises(AssertionError, match="thing_id"):
            test_every_id_route_is_covered(owned)
    finally:
        app.router.routes[:] = before


# The owner's own GET answers that are not a success, and why (a control, below).
OWNER_REFUSED = {
    "/api/v1/participants/{participant_id}/support-note": "support notes: not for organizers",
    "/participants/{participant_id}/support-note": "support notes: not for organizers",
    "/activities/{activity_id}/groups/proposal": "needs the group form's fields (422)",
}


def test_the_owner_reaches_what_the_others_cannot(owned, app, db: Session) -> None:
    """The control: the matrix's 404s come from isolation, not from URLs that fit no object."""
    owner = db.get(User, int(owned["user_id"]))
    assert owner is not None
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        headers = api_token(client, owner)
        login(client, owner)
        refused = set()
        for route in id_routes():
            if route.method == "GET" and not route.is_aggregate:
                response = client.get(_url(route, owned), headers=headers if route.is_api else {})
                if response.status_code not in SUCCESS:
                    refused.add(route.path)
    assert refused <= set(OWNER_REFUSED), sorted(refused - set(OWNER_REFUSED))


def _owner_client(app, db: Session, owned: dict[str, str]) -> Caller:  # type: ignore[no-untyped-def]
    owner = db.get(User, int(owned["user_id"]))
    assert owner is not None
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    headers = api_token(client, owner)
    login(client, owner)
    return Caller("owner", client, headers, client.cookies["csrftoken"])


def test_the_owner_never_meets_a_server_error(app, db: Session, owned) -> None:  # type: ignore[no-untyped-def]
    """Every route, asked by the organization's own organizer with an empty form (page) or no body
    (API), for its real objects and for ids that do not exist: a clear 4xx, never a 500.

    (An error page rendered after a rollback once read the expired signed-in user: 500.)
    """
    owner = _owner_client(app, db, owned)
    missing = {name: "999999" for name in owned if name.endswith("_id")} | {"item_id": "nope"}
    failures = []
    try:
        for route in all_routes():
            params = set(PARAM.findall(route.path))
            if params & TOKEN_PARAMS or route.path in ("/logout", "/api/v1/auth/token"):
                continue
            for values in ({**owned, **missing}, owned):
                url = PARAM.sub(lambda m, v=values: v[m.group(1)], route.path)  # type: ignore[misc]
                status = _ask(owner, route, url).status_code
                if status >= 500:
                    failures.append(f"{route.method} {url} -> {status}")
    finally:
        owner.client.close()
    assert not failures, "\n".join(failures)
