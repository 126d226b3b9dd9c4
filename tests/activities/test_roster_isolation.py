"""Organization isolation: another organization's activity, group, session or participant does
not exist on any roster page or API endpoint (404), and nothing is changed by trying."""

from dataclasses import dataclass

import pytest
from sqlalchemy import func
from sqlmodel import select

from activities.roster import attendance, groups
from activities.roster.models import ActivityGroup, Attendance, GroupMember
from tests.activities.activity_factories import make_activity
from tests.activities.roster_factories import cohort, past_sessions
from tests.factories import api_token, csrf, login, make_org, make_user


@dataclass
class World:
    activity: int
    session: int
    group: int
    participant: int
    # The stranger's own activity and session, to try the victim's ids through them.
    own_activity: int
    own_session: int


@pytest.fixture
def world(db):
    org = make_org(db)
    organizer = make_user(db, org)
    activity = make_activity(db, organizer, title="Their activity")
    people = cohort(db, org, activity, migrants=2, locals_=2)
    meeting = past_sessions(db, organizer, activity, 1)[0]
    saved = groups.save_proposal(
        session=db,
        actor=organizer,
        activity_id=activity.id,
        request=groups.GroupRequest(n_groups=2),
    )
    attendance.all_present(
        session=db, actor=organizer, activity_id=activity.id, session_id=meeting.id
    )
    stranger_org = make_org(db)
    stranger = make_user(db, stranger_org)
    own = make_activity(db, stranger, title="Own activity")
    cohort(db, stranger_org, own, migrants=2, locals_=2)
    own_meeting = past_sessions(db, stranger, own, 1)[0]
    return World(
        activity=activity.id,
        session=meeting.id,
        group=saved.groups[1].id or 0,
        participant=people[0].id,
        own_activity=own.id,
        own_session=own_meeting.id,
    ), stranger


def counts(db) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    return tuple(  # type: ignore[return-value]
        db.exec(select(func.count()).select_from(model)).one()
        for model in (ActivityGroup, GroupMember, Attendance)
    )


def page_requests(w: World) -> list[tuple[str, str, dict]]:
    a, s, p, g = w.activity, w.session, w.participant, w.group
    sheet = f"/activities/{a}/sessions/{s}/attendance"
    return [
        ("GET", f"/activities/{a}/enrolment", {}),
        ("GET", f"/activities/{a}/enrolment/search?q=a", {}),
        ("POST", f"/activities/{a}/enrolment", {"participant": str(p)}),
        ("GET", f"/activities/{a}/enrolment/remove?participant={p}", {}),
        ("POST", f"/activities/{a}/enrolment/remove", {"participant": str(p)}),
        ("GET", f"/activities/{a}/groups", {}),
        ("GET", f"/activities/{a}/groups/proposal?mode=count&n_groups=2", {}),
        ("POST", f"/activities/{a}/groups", {"mode": "count", "n_groups": "2"}),
        ("POST", f"/activities/{a}/groups/move", {"participant_id": str(p), "group_id": str(g)}),
        ("GET", f"/activities/{a}/attendance", {}),
        ("GET", sheet, {}),
        ("POST", sheet, {"present": str(p)}),
        ("POST", f"{sheet}/all-present", {}),
        ("POST", f"{sheet}/{p}", {"present": str(p)}),
        # The victim's objects through the stranger's own activity and session.
        ("POST", f"/activities/{w.own_activity}/enrolment", {"participant": str(p)}),
        (
            "POST",
            f"/activities/{w.own_activity}/groups/move",
            {"participant_id": str(p), "group_id": str(g)},
        ),
        ("GET", f"/activities/{w.own_activity}/sessions/{s}/attendance", {}),
        ("POST", f"/activities/{w.own_activity}/sessions/{w.own_session}/attendance/{p}", {}),
    ]


def api_requests(w: World) -> list[tuple[str, str, dict | None]]:
    a, s, p, g = w.activity, w.session, w.participant, w.group
    base = f"/api/v1/activities/{a}"
    sheet = f"{base}/sessions/{s}/attendance"
    own = f"/api/v1/activities/{w.own_activity}"
    return [
        ("GET", f"{base}/enrollment-balance", None),
        ("GET", f"{base}/groups", None),
        ("POST", f"{base}/groups/proposal", {"n_groups": 2}),
        ("POST", f"{base}/groups", {"n_groups": 2}),
        ("PUT", f"{base}/groups", {"groups": [{"participant_ids": [p]}, {"participant_ids": [p]}]}),
        ("PUT", f"{base}/groups/members/{p}", {"group_id": g}),
        ("GET", f"{base}/attendance", None),
        ("GET", sheet, None),
        ("PUT", sheet, {"present": [p]}),
        ("POST", f"{sheet}/all-present", None),
        ("PUT", f"{sheet}/{p}", {"present": False}),
        ("PUT", f"{own}/groups/members/{p}", {"group_id": g}),
        ("GET", f"{own}/sessions/{s}/attendance", None),
        ("PUT", f"{own}/sessions/{w.own_session}/attendance/{p}", {"present": True}),
    ]


def test_every_roster_page_answers_404_to_another_organization(client, db, world):
    w, stranger = world
    before = counts(db)
    login(client, stranger)
    token = csrf(client)
    for method, url, data in page_requests(w):
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrftoken": token, **data})
        assert response.status_code == 404, (method, url, response.status_code)
    assert counts(db) == before


def test_every_roster_api_endpoint_answers_404_to_another_organization(client, db, world):
    w, stranger = world
    before = counts(db)
    headers = api_token(client, stranger)
    for method, url, body in api_requests(w):
        response = client.request(method, url, json=body, headers=headers)
        assert response.status_code == 404, (method, url, response.status_code, response.text)
    # Someone else's participant in one's own groups is simply not enrolled there.
    response = client.put(
        f"/api/v1/activities/{w.own_activity}/groups",
        json={"groups": [{"participant_ids": [w.participant]}, {"participant_ids": [0]}]},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json() == {"detail": "Every group member must be enrolled in the activity."}
    assert counts(db) == before


def test_roster_endpoints_need_a_signed_in_staff_member(client, world):
    w, _stranger = world
    assert client.get(f"/api/v1/activities/{w.activity}/groups").status_code == 401
    page = client.get(f"/activities/{w.activity}/groups")
    assert page.status_code == 303 and "/login" in page.headers["location"]
