"""Activity pages: an organizer designs, schedules and assesses an activity, without JavaScript."""

import re

import pytest
from sqlalchemy import event
from sqlmodel import select

from activities.models import Activity, ActivitySession, PrincipleAssessment
from app.accounts.models import Role
from tests.activities.activity_factories import make_activity, schedule, weekly
from tests.factories import login, make_org, make_territory, make_user, post_form

HX = {"HX-Request": "true"}


@pytest.fixture
def organizer(db):
    return make_user(db, make_org(db))


@pytest.fixture
def signed_in(client, organizer):
    login(client, organizer)
    return client


def activity_form(**overrides):
    return {
        "title": "Cocina compartida",
        "kind": "cooking",
        "description": "Cook together",
        "shared_goal": "A closing dinner for the neighbourhood",
        "location": "Community kitchen",
        "start_date": "2027-01-04",
        "end_date": "2027-06-30",
        "target_migrants": "10",
        "target_locals": "10",
    } | overrides


def test_empty_list_invites_to_create_the_first_activity(signed_in):
    page = signed_in.get("/activities")
    assert page.status_code == 200
    assert "No activities yet" in page.text and "Create your first activity" in page.text
    assert 'href="http://testserver/activities/new"' in page.text


def test_nav_and_home_link_to_activities(signed_in):
    home = signed_in.get("/")
    assert home.text.count('href="http://testserver/activities"') >= 2  # nav item and home card


def test_create_from_a_template_then_edit(signed_in, db, organizer):
    new = signed_in.get("/activities/new?kind=cooking")
    assert new.status_code == 200
    assert "closing dinner" in new.text  # the cooking template's shared goal
    assert "Suggestions for this kind of activity" in new.text
    assert 'name="csrftoken"' in new.text
    created = post_form(signed_in, "/activities", activity_form())
    assert created.status_code == 303
    activity = db.exec(
        select(Activity).where(
            Activity.title == "Cocina compartida",
            Activity.organization_id == organizer.organization_id,
        )
    ).one()
    assert created.headers["location"].endswith(f"/activities/{activity.id}")
    assert activity.organization_id == organizer.organization_id
    page = signed_in.get(f"/activities/{activity.id}")
    assert "Activity created" in page.text and "Cocina compartida" in page.text
    assert 'data-plotly="design-radar"' in page.text and "plotly-4.1.1.min.js" in page.text
    assert "Where to improve" in page.text
    edited = post_form(
        signed_in, f"/activities/{activity.id}/edit", activity_form(title="Cocina del barrio")
    )
    assert edited.status_code == 303
    db.refresh(activity)
    assert activity.title == "Cocina del barrio"


def test_bad_input_is_shown_next_to_the_form_and_kept(signed_in):
    response = post_form(
        signed_in, "/activities", activity_form(start_date="2027-05-01", end_date="2027-04-01")
    )
    assert response.status_code == 422
    assert "The end date is before the start date." in response.text
    assert 'value="Cocina compartida"' in response.text
    for bad, message in [
        ({"kind": "bungee"}, "Unknown kind of activity."),
        ({"target_locals": "-3"}, "between 0 and 100000"),
        ({"target_locals": "many"}, "must be whole numbers"),
        ({"start_date": "01/02/2027"}, "Enter dates as YYYY-MM-DD."),
    ]:
        response = post_form(signed_in, "/activities", activity_form(**bad))
        assert response.status_code == 422 and message in response.text


def test_status_change_and_archiving_asks_for_confirmation(signed_in, db, organizer):
    activity = make_activity(db, organizer)
    page = signed_in.get(f"/activities/{activity.id}")
    assert f'href="http://testserver/activities/{activity.id}/archive"' in page.text
    assert post_form(signed_in, f"/activities/{activity.id}/status", {"status": "planned"})
    jump = post_form(signed_in, f"/activities/{activity.id}/status", {"status": "completed"})
    assert jump.status_code == 409 and "cannot move to this status" in jump.text
    confirm = signed_in.get(f"/activities/{activity.id}/archive")
    assert "Archive Sopa compartida?" in confirm.text
    archived = post_form(signed_in, f"/activities/{activity.id}/status", {"status": "archived"})
    assert archived.status_code == 303
    assert "Sopa compartida" not in signed_in.get("/activities").text
    assert "Sopa compartida" in signed_in.get("/activities?status=archived").text


def test_facilitators_and_partners_on_the_activity_page(signed_in, db, organizer):
    activity = make_activity(db, organizer)
    added = post_form(
        signed_in,
        f"/activities/{activity.id}/facilitators",
        {"user_id": str(organizer.id), "trained": "on"},
    )
    assert added.status_code == 303
    page = signed_in.get(f"/activities/{activity.id}")
    assert "Trained in intergroup facilitation" in page.text
    stranger = make_user(db, make_org(db))
    refused = post_form(
        signed_in, f"/activities/{activity.id}/facilitators", {"user_id": str(stranger.id)}
    )
    assert refused.status_code == 422 and "active staff member" in refused.text
    partner = post_form(
        signed_in,
        f"/activities/{activity.id}/partners",
        {"name": "Radio Sur", "type": "media", "role": "covers the final"},
    )
    assert partner.status_code == 303
    assert "Radio Sur" in signed_in.get(f"/activities/{activity.id}").text
    bad = post_form(signed_in, f"/activities/{activity.id}/partners", {"name": "", "type": "media"})
    assert bad.status_code == 422 and "needs a name" in bad.text


def test_schedule_weekly_sessions_add_one_edit_and_cancel(signed_in, db, organizer):
    activity = make_activity(db, organizer)
    form = signed_in.get(f"/activities/{activity.id}/sessions")
    assert 'value="10"' in form.text  # the cooking template's suggested number of sessions
    scheduled = post_form(
        signed_in,
        f"/activities/{activity.id}/sessions/schedule",
        {
            "frequency": "weekly",
            "start_date": "2027-01-04",
            "weekday": "3",
            "start_time": "18:00",
            "duration_minutes": "120",
            "count": "10",
            "location": "",
        },
    )
    assert scheduled.status_code == 303
    sessions = db.exec(
        select(ActivitySession).where(ActivitySession.activity_id == activity.id)
    ).all()
    assert len(sessions) == 10 and {s.date.weekday() for s in sessions} == {3}
    listing = signed_in.get(f"/activities/{activity.id}/sessions")
    assert (
        "Sessions scheduled: 10." in listing.text and listing.text.count("<td>Thursday 2027-") == 10
    )
    single = post_form(
        signed_in,
        f"/activities/{activity.id}/sessions",
        {"day": "2027-04-01", "start_time": "11:00", "duration_minutes": "60", "location": "Park"},
    )
    assert single.status_code == 303
    first = min(sessions, key=lambda s: s.date)
    edit = signed_in.get(f"/activities/{activity.id}/sessions/{first.id}/edit")
    assert 'value="2027-01-07"' in edit.text
    saved = post_form(
        signed_in,
        f"/activities/{activity.id}/sessions/{first.id}/edit",
        {"day": "2027-01-08", "start_time": "17:00", "duration_minutes": "90", "location": ""},
    )
    assert saved.status_code == 303
    confirm = signed_in.get(f"/activities/{activity.id}/sessions/{first.id}/cancel")
    assert "Cancel the session of Friday 2027-01-08?" in confirm.text
    cancelled = post_form(signed_in, f"/activities/{activity.id}/sessions/{first.id}/cancel")
    assert cancelled.status_code == 303
    db.refresh(first)
    assert first.status == "cancelled"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"count": "0"}, "between 1 and 200"),
        ({"count": "500"}, "between 1 and 200"),
        ({"start_date": "2027-13-01"}, "Enter dates as YYYY-MM-DD."),
        ({"start_time": "25:99"}, "Enter times as HH:MM."),
        ({"frequency": "hourly"}, "Unknown frequency."),
    ],
)
def test_bad_schedules_are_refused_next_to_the_form(signed_in, db, organizer, changes, message):
    activity = make_activity(db, organizer)
    form = {
        "frequency": "weekly",
        "start_date": "2027-01-04",
        "weekday": "3",
        "start_time": "18:00",
        "duration_minutes": "120",
        "count": "10",
    }
    response = post_form(signed_in, f"/activities/{activity.id}/sessions/schedule", form | changes)
    assert response.status_code == 422
    assert message in response.text and "Schedule recurring sessions" in response.text


def test_design_page_starts_from_the_templates_suggestions(signed_in, db, organizer):
    activity = make_activity(db, organizer)
    page = signed_in.get(f"/activities/{activity.id}/design")
    assert page.status_code == 200
    assert "suggestions from the template" in page.text
    assert re.search(r'name="a.p2_both_cultures" value="yes"\s+checked', page.text)
    assert 'hx-post="http://testserver/activities/' in page.text and "design/preview" in page.text
    assert 'hx-target="#design-scores"' in page.text


def test_live_preview_returns_the_scores_fragment_without_saving(signed_in, db, organizer):
    activity = make_activity(db, organizer)
    url = f"/activities/{activity.id}/design/preview"
    low = post_form(signed_in, url, {"a.p1_enjoyable": "no"}, headers=HX)
    high = post_form(
        signed_in, url, {"a.p1_enjoyable": "yes", "a.p1_interdependence": "yes"}, headers=HX
    )
    assert low.status_code == high.status_code == 200
    assert "<html" not in high.text and "Preview, not saved" in high.text
    assert 'data-plotly="design-radar"' in high.text
    assert 'id="p-score-1" hx-swap-oob="true"' in high.text

    def p1(html):
        return int(re.search(r'data-principle="1">(\d+)<', html).group(1))

    assert p1(low.text) < p1(high.text)
    saved = select(PrincipleAssessment).where(PrincipleAssessment.activity_id == activity.id)
    assert db.exec(saved).all() == []
    no_js = post_form(signed_in, url, {"a.p1_enjoyable": "yes"})
    assert "<html" in no_js.text and "Save assessment" in no_js.text
    bad = post_form(signed_in, url, {"a.p6_commitment": "300"}, headers=HX)
    assert bad.status_code == 422 and bad.headers["HX-Retarget"] == "#toasts"


def test_saving_keeps_the_history(signed_in, db, organizer):
    activity = make_activity(db, organizer)
    for answer in ("no", "yes"):
        saved = post_form(
            signed_in, f"/activities/{activity.id}/design", {"a.p1_enjoyable": answer}
        )
        assert saved.status_code == 303
    rows = db.exec(
        select(PrincipleAssessment).where(PrincipleAssessment.activity_id == activity.id)
    ).all()
    assert len(rows) == 2
    page = signed_in.get(f"/activities/{activity.id}")
    assert "Design assessment saved." in page.text and "Saved 20" in page.text
    history = signed_in.get(f"/activities/{activity.id}/history")
    assert history.text.count("<details>") == 2
    refused = post_form(signed_in, f"/activities/{activity.id}/design", {"a.p1_enjoyable": "hm"})
    assert refused.status_code == 422 and "yes, partly or no" in refused.text
    percent = post_form(signed_in, f"/activities/{activity.id}/design", {"a.p6_commitment": "50%"})
    assert percent.status_code == 422 and "from 0 to 100" in percent.text


def test_list_filters_sort_paginate_and_show_the_score_badge(signed_in, db, organizer):
    for n in range(22):
        make_activity(db, organizer, title=f"Club {n:02d}")
    league = make_activity(db, organizer, title="Mixed league", kind="sports")
    schedule(db, organizer, league, weekly(12))
    from activities import service

    service.save_design(session=db, actor=organizer, activity_id=league.id, answers={})
    first = signed_in.get("/activities?sort=title")
    assert "23 activities" in first.text and "page 1 of 2" in first.text
    assert "Club 00" in first.text and "Mixed league" not in first.text
    assert 'aria-label="Page 2"' in first.text
    second = signed_in.get("/activities?sort=title&page=2")
    assert "Mixed league" in second.text and "Club 00" not in second.text
    by_score = signed_in.get("/activities?sort=score_desc")
    assert by_score.text.index("Mixed league") < by_score.text.index("Club 21")
    assert "Not assessed" in by_score.text
    sports = signed_in.get("/activities?kind=sports", headers=HX)
    assert "<html" not in sports.text and "1 activity" in sports.text
    assert 'id="activity-results"' in sports.text and "Club 00" not in sports.text
    none = signed_in.get("/activities?kind=arts")
    assert "No activity matches these filters." in none.text
    assert signed_in.get("/activities?date_from=yesterday").status_code == 422
    assert signed_in.get("/activities?sort=price").status_code == 422


def test_the_list_page_runs_a_constant_number_of_queries(signed_in, db, organizer, engine):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    def queries_for_list() -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert signed_in.get("/activities?status=all").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    for n in range(2):
        schedule(db, organizer, make_activity(db, organizer, title=f"A{n}"), weekly(3))
    few = queries_for_list()
    for n in range(15):
        schedule(db, organizer, make_activity(db, organizer, title=f"B{n}"), weekly(3))
    many = queries_for_list()
    assert few == many and many <= 8, statements


def test_other_organizations_activity_pages_are_not_found(client, db, organizer):
    mine = make_activity(db, organizer)
    schedule(db, organizer, mine, weekly(2))
    session_id = db.exec(
        select(ActivitySession.id).where(ActivitySession.activity_id == mine.id)
    ).first()
    other = make_user(db, make_org(db))
    login(client, other)
    for url in [
        f"/activities/{mine.id}",
        f"/activities/{mine.id}/edit",
        f"/activities/{mine.id}/sessions",
        f"/activities/{mine.id}/sessions/{session_id}/edit",
        f"/activities/{mine.id}/sessions/{session_id}/cancel",
        f"/activities/{mine.id}/design",
        f"/activities/{mine.id}/history",
        f"/activities/{mine.id}/archive",
    ]:
        assert client.get(url).status_code == 404, url
    for url, data in [
        (f"/activities/{mine.id}/edit", activity_form()),
        (f"/activities/{mine.id}/status", {"status": "planned"}),
        (f"/activities/{mine.id}/partners", {"name": "X", "type": "media"}),
        (f"/activities/{mine.id}/design", {"a.p1_enjoyable": "yes"}),
        (f"/activities/{mine.id}/design/preview", {"a.p1_enjoyable": "yes"}),
        (f"/activities/{mine.id}/sessions/{session_id}/cancel", {}),
    ]:
        assert post_form(client, url, data).status_code == 404, url
    assert "Sopa compartida" not in client.get("/activities?status=all").text


def test_forms_without_csrf_token_are_refused(signed_in, db, organizer):
    activity = make_activity(db, organizer)
    response = signed_in.post(f"/activities/{activity.id}/status", data={"status": "planned"})
    assert response.status_code == 403


def test_government_viewers_do_not_see_activity_pages(client, db):
    viewer = make_user(db, role=Role.GOVERNMENT_VIEWER, territory=make_territory(db))
    login(client, viewer)
    assert client.get("/activities").status_code == 403


def test_pages_speak_spanish(signed_in, db, organizer):
    activity = make_activity(db, organizer)
    post_form(signed_in, "/language", {"language": "es", "next": "/"})
    page = signed_in.get(f"/activities/{activity.id}/design")
    assert "Divertida y con una meta común" in page.text  # the rubric's own Spanish
