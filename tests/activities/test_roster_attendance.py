"""Attendance: a facilitator ticks who came to each session on a phone, and each participant's
dose of contact (sessions attended, attendance rate) follows for the analysis."""

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import select

from activities import service
from activities.participants import rights
from activities.participants import service as participants
from activities.roster import attendance, groups
from activities.roster.facts import doses
from activities.roster.models import Attendance, GroupMember
from app.errors import Conflict, Invalid, NotFound
from tests.activities.activity_factories import make_activity
from tests.activities.participant_factories import make_participant
from tests.activities.roster_factories import cohort, past_sessions, queries
from tests.factories import api_token, login, make_org, make_user, post_form

HX = {"HX-Request": "true"}


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def organizer(db, org):
    return make_user(db, org)


@pytest.fixture
def activity(db, organizer):
    return make_activity(db, organizer, title="Fútbol mixto")


@pytest.fixture
def people(db, org, activity):
    return cohort(db, org, activity, migrants=3, locals_=3)


@pytest.fixture
def meetings(db, organizer, activity):
    return past_sessions(db, organizer, activity, 4)


def rows(db, meeting) -> list[Attendance]:  # type: ignore[no-untyped-def]
    return list(
        db.exec(
            select(Attendance)
            .where(Attendance.session_id == meeting.id)
            .execution_options(populate_existing=True)
        )
    )


def mark(db, actor, activity, meeting, participant, present):  # type: ignore[no-untyped-def]
    return attendance.set_presence(
        session=db,
        actor=actor,
        activity_id=activity.id,
        session_id=meeting.id,
        participant_id=participant.id,
        present=present,
    )


# --- the sheet ----------------------------------------------------------------------------------


def test_a_new_sheet_lists_everyone_enrolled_as_not_recorded(
    db, organizer, activity, people, meetings
):
    sheet = attendance.sheet(
        session=db, actor=organizer, activity_id=activity.id, session_id=meetings[0].id
    )
    assert [r.participant.code for r in sheet.rows] == sorted(p.code for p in people)
    assert {r.present for r in sheet.rows} == {None}
    assert (sheet.present_count, sheet.recorded_count) == (0, 0)


def test_ticking_twice_is_idempotent_and_never_duplicates_a_row(
    db, organizer, activity, people, meetings
):
    meeting, person = meetings[0], people[0]
    mark(db, organizer, activity, meeting, person, True)
    sheet = mark(db, organizer, activity, meeting, person, True)
    assert [(a.participant_id, a.present) for a in rows(db, meeting)] == [(person.id, True)]
    assert sheet.present_count == 1
    mark(db, organizer, activity, meeting, person, False)
    mark(db, organizer, activity, meeting, person, False)
    [row] = rows(db, meeting)
    assert row.present is False and row.recorded_by_id == organizer.id


def test_all_present_marks_everyone_and_the_whole_sheet_saves_absences(
    db, organizer, activity, people, meetings
):
    meeting = meetings[1]
    sheet = attendance.all_present(
        session=db, actor=organizer, activity_id=activity.id, session_id=meeting.id
    )
    assert sheet.present_count == len(people) == sheet.recorded_count
    sheet = attendance.save_sheet(
        session=db,
        actor=organizer,
        activity_id=activity.id,
        session_id=meeting.id,
        present_ids=[people[0].id, people[1].id],
    )
    assert (sheet.present_count, sheet.recorded_count) == (2, len(people))
    assert len(rows(db, meeting)) == len(people)


def test_bad_attendance_requests_are_refused(db, org, organizer, activity, people, meetings):
    outsider = make_participant(db, org)
    with pytest.raises(NotFound, match="not enrolled"):
        mark(db, organizer, activity, meetings[0], outsider, True)
    with pytest.raises(Invalid, match="enrolled"):
        attendance.save_sheet(
            session=db,
            actor=organizer,
            activity_id=activity.id,
            session_id=meetings[0].id,
            present_ids=[outsider.id],
        )
    with pytest.raises(NotFound, match="Session not found"):
        attendance.sheet(session=db, actor=organizer, activity_id=activity.id, session_id=999999)
    other_activity = make_activity(db, organizer, title="Otro")
    with pytest.raises(NotFound, match="Session not found"):
        attendance.sheet(
            session=db, actor=organizer, activity_id=other_activity.id, session_id=meetings[0].id
        )
    stranger = make_user(db, make_org(db))
    with pytest.raises(NotFound):
        attendance.sheet(
            session=db, actor=stranger, activity_id=activity.id, session_id=meetings[0].id
        )
    with pytest.raises(NotFound):
        mark(db, stranger, activity, meetings[0], people[0], True)


def test_a_cancelled_session_takes_no_attendance(db, organizer, activity, people, meetings):
    service.cancel_session(
        session=db, actor=organizer, activity_id=activity.id, session_id=meetings[2].id
    )
    with pytest.raises(Conflict, match="cancelled"):
        mark(db, organizer, activity, meetings[2], people[0], True)
    with pytest.raises(Conflict, match="cancelled"):
        attendance.all_present(
            session=db, actor=organizer, activity_id=activity.id, session_id=meetings[2].id
        )


# --- doses and rates ----------------------------------------------------------------------------


def test_doses_count_sessions_attended_in_one_query(db, organizer, activity, people, meetings):
    first, second, third, _fourth = meetings
    everyone = [p.id for p in people]
    for meeting, present in ((first, everyone), (second, everyone[:3]), (third, everyone[:1])):
        attendance.save_sheet(
            session=db,
            actor=organizer,
            activity_id=activity.id,
            session_id=meeting.id,
            present_ids=present,
        )
    # Attendance at a session later cancelled does not count.
    service.cancel_session(
        session=db, actor=organizer, activity_id=activity.id, session_id=third.id
    )
    with queries(db) as statements:
        result = doses(session=db, activity_id=activity.id)
    assert len(statements) == 1
    assert result == {
        everyone[0]: 2,
        everyone[1]: 2,
        everyone[2]: 2,
        everyone[3]: 1,
        everyone[4]: 1,
        everyone[5]: 1,
    }


def test_doses_include_everyone_enrolled_and_who_left_after_attending(
    db, org, organizer, activity, people, meetings
):
    latecomer = cohort(db, org, activity, locals_=1)[0]
    mark(db, organizer, activity, meetings[0], people[0], True)
    participants.unenrol(
        session=db, actor=organizer, activity_id=activity.id, participant_id=people[0].id
    )
    result = doses(session=db, activity_id=activity.id)
    assert result[latecomer.id] == 0
    assert result[people[0].id] == 1


def test_rates_are_over_sessions_held(db, organizer, activity, people, meetings):
    future = past_sessions(db, organizer, activity, 2, start=date(2099, 5, 4))
    service.cancel_session(
        session=db, actor=organizer, activity_id=activity.id, session_id=meetings[3].id
    )
    # Three past sessions held, one cancelled, one future session marked early (it counts as
    # held), one future session untouched.
    for meeting in (meetings[0], meetings[1], future[0]):
        mark(db, organizer, activity, meeting, people[0], True)
    mark(db, organizer, activity, meetings[0], people[1], True)
    summary = attendance.overview(session=db, actor=organizer, activity_id=activity.id)
    assert summary.held == 4
    by_id = {d.participant.id: d for d in summary.doses}
    assert (by_id[people[0].id].attended, by_id[people[0].id].rate) == (3, 0.75)
    assert (by_id[people[1].id].attended, by_id[people[1].id].rate) == (1, 0.25)
    assert by_id[people[2].id].rate == 0
    held = [r.held for r in summary.sessions]
    assert held == [True, True, True, False, True, False]
    assert summary.suggested == future[0]


def test_overview_without_held_sessions_has_no_rate(db, organizer, activity, people):
    future = past_sessions(db, organizer, activity, 2, start=date(2099, 5, 4))
    summary = attendance.overview(session=db, actor=organizer, activity_id=activity.id)
    assert summary.held == 0
    assert {d.rate for d in summary.doses} == {None}
    assert summary.suggested == future[0]


def test_overview_queries_do_not_grow_with_sessions_or_people(db, org, organizer, activity):
    counts = []
    for extra in (1, 6):
        cohort(db, org, activity, migrants=extra, locals_=extra)
        past_sessions(db, organizer, activity, extra, start=date(2024, 1, 1 + extra))
        db.expunge_all()
        with queries(db) as statements:
            attendance.overview(session=db, actor=organizer, activity_id=activity.id)
        counts.append(len(statements))
    assert counts[0] == counts[1]


# --- rights -------------------------------------------------------------------------------------


def test_export_includes_and_erasure_removes_groups_and_attendance(
    db, org, organizer, activity, people, meetings
):
    admin = make_user(db, org, role="org_admin")
    groups.save_proposal(
        session=db,
        actor=organizer,
        activity_id=activity.id,
        request=groups.GroupRequest(n_groups=2),
    )
    person = people[0]
    mark(db, organizer, activity, meetings[0], person, True)
    data = rights.export_participant(session=db, actor=admin, participant_id=person.id)
    assert data["roster"]["attendance"] == [
        {"activity": "Fútbol mixto", "session_date": meetings[0].date.isoformat(), "present": True}
    ]
    assert data["roster"]["groups"][0]["activity"] == "Fútbol mixto"
    rights.erase_participant(session=db, actor=admin, participant_id=person.id)
    for model in (Attendance, GroupMember):
        left = db.exec(
            select(func.count()).select_from(model).where(model.participant_id == person.id)
        ).one()
        assert left == 0


# --- pages --------------------------------------------------------------------------------------


def test_facilitator_ticks_boxes_with_htmx_and_saves_without_javascript(
    client, db, organizer, activity, people, meetings
):
    login(client, organizer)
    url = f"/activities/{activity.id}/sessions/{meetings[0].id}/attendance"
    page = client.get(url)
    assert page.status_code == 200
    assert page.text.count('type="checkbox" name="present"') == len(people)
    assert "0 present" in page.text

    person = people[0]
    for _ in range(2):
        ticked = post_form(client, f"{url}/{person.id}", {"present": str(person.id)}, headers=HX)
        assert ticked.status_code == 200
        assert f'id="status-{person.id}" hx-swap-oob="true"' in ticked.text
        assert 'id="sheet-count"' in ticked.text and "1 present" in ticked.text
    assert len(rows(db, meetings[0])) == 1

    unticked = post_form(client, f"{url}/{person.id}", {}, headers=HX)
    assert "Absent" in unticked.text and "0 present" in unticked.text

    saved = post_form(client, url, {"present": [str(people[1].id), str(people[2].id)]})
    assert saved.status_code == 303
    page = client.get(saved.headers["location"])
    assert "Attendance saved." in page.text and "2 present" in page.text

    everyone = post_form(client, f"{url}/all-present", {}, headers=HX)
    assert everyone.status_code == 200
    assert 'id="sheet-block"' in everyone.text and f"{len(people)} present" in everyone.text

    overview = client.get(f"/activities/{activity.id}/attendance")
    assert overview.status_code == 200
    assert "Sessions attended per participant" in overview.text


def test_attendance_errors_on_pages_are_clear(client, db, organizer, activity, people, meetings):
    login(client, organizer)
    base = f"/activities/{activity.id}/sessions"
    assert client.get(f"{base}/999999/attendance").status_code == 404
    service.cancel_session(
        session=db, actor=organizer, activity_id=activity.id, session_id=meetings[0].id
    )
    page = client.get(f"{base}/{meetings[0].id}/attendance")
    assert page.status_code == 200 and "was cancelled" in page.text
    refused = post_form(client, f"{base}/{meetings[0].id}/attendance/all-present", {}, headers=HX)
    assert refused.status_code == 409
    assert refused.headers["HX-Retarget"] == "#toasts"


# --- API ----------------------------------------------------------------------------------------


def test_api_sheet_set_bulk_and_doses(client, db, organizer, activity, people, meetings):
    headers = api_token(client, organizer)
    base = f"/api/v1/activities/{activity.id}/sessions/{meetings[0].id}/attendance"
    sheet = client.get(base, headers=headers).json()
    assert [r["present"] for r in sheet["rows"]] == [None] * len(people)

    person = people[0].id
    for _ in range(2):
        response = client.put(f"{base}/{person}", json={"present": True}, headers=headers)
        assert response.status_code == 200
    assert response.json()["present_count"] == 1
    assert len(rows(db, meetings[0])) == 1

    bulk = client.post(f"{base}/all-present", headers=headers)
    assert bulk.json()["present_count"] == len(people)
    whole = client.put(base, json={"present": [person]}, headers=headers)
    assert (whole.json()["present_count"], whole.json()["recorded_count"]) == (1, len(people))

    summary = client.get(f"/api/v1/activities/{activity.id}/attendance", headers=headers).json()
    assert summary["held_sessions"] == 4
    dose = {d["participant_id"]: d for d in summary["participants"]}
    assert (dose[person]["attended"], dose[person]["rate"]) == (1, 0.25)
    assert dose[people[1].id]["attended"] == 0


def test_api_attendance_bad_input(client, db, org, organizer, activity, people, meetings):
    headers = api_token(client, organizer)
    base = f"/api/v1/activities/{activity.id}/sessions"
    assert client.get(f"{base}/999999/attendance", headers=headers).status_code == 404
    outsider = make_participant(db, org)
    not_enrolled = client.put(
        f"{base}/{meetings[0].id}/attendance/{outsider.id}",
        json={"present": True},
        headers=headers,
    )
    assert not_enrolled.status_code == 404
    assert not_enrolled.json() == {"detail": "This participant is not enrolled in the activity."}
    wrong_type = client.put(
        f"{base}/{meetings[0].id}/attendance/{people[0].id}",
        json={"present": "maybe"},
        headers=headers,
    )
    assert wrong_type.status_code == 422
