"""Activity services: design, sessions, the rubric fed with platform facts, history, isolation."""

from datetime import date, time, timedelta

import pytest

from activities import service
from activities.models import ActivityStatus
from activities.scheduling import Frequency, Recurrence
from app.accounts.models import Organization, Role
from app.errors import Conflict, Invalid, NotFound
from tests.activities.activity_factories import MONDAY, make_activity, schedule, score, weekly
from tests.factories import make_org, make_territory, make_user


@pytest.fixture
def organizer(db):
    return make_user(db, make_org(db))


def fields(**overrides):
    values = {"title": "Garden", "kind": "gardening"} | overrides
    return service.ActivityFields(**values)


# --- creating and editing -----------------------------------------------------------------------


def test_organizer_creates_a_draft_activity_in_their_organization(db, organizer):
    town = make_territory(db)
    activity = service.create_activity(
        session=db,
        actor=organizer,
        fields=fields(
            title="  Huerto Común  ",
            shared_goal="Grow and share a harvest",
            territory_id=town.id,
            start_date=date(2027, 3, 1),
            end_date=date(2027, 6, 30),
            target_migrants=8,
            target_locals=8,
        ),
        facilitators=[(organizer.id, True)],
        partners=[("Town hall", "local_government", "land")],
    )
    assert activity.organization_id == organizer.organization_id
    assert activity.title == "Huerto Común" and activity.status == ActivityStatus.DRAFT
    detail = service.activity_detail(session=db, actor=organizer, activity_id=activity.id)
    assert [(f.user.id, f.trained) for f in detail.facilitators] == [(organizer.id, True)]
    assert [(p.name, p.type) for p in detail.partners] == [("Town hall", "local_government")]
    assert detail.territory == town


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "  "}, "needs a title"),
        ({"kind": "bungee"}, "Unknown kind"),
        ({"start_date": date(2027, 5, 1), "end_date": date(2027, 4, 1)}, "end date is before"),
        ({"target_migrants": -1}, "between 0 and 100000"),
        ({"target_locals": 10**9}, "between 0 and 100000"),
        ({"territory_id": 987654}, "Unknown territory"),
        ({"title": "x" * 161}, "too long"),
    ],
)
def test_bad_activity_input_is_refused_with_a_message(db, organizer, overrides, message):
    with pytest.raises(Invalid, match=message):
        service.create_activity(session=db, actor=organizer, fields=fields(**overrides))


def test_a_template_prefills_description_and_shared_goal(db):
    prefilled = service.template_fields(kind="cooking", lang="es")
    assert prefilled.kind == "cooking" and "menú" in prefilled.shared_goal
    with pytest.raises(Invalid, match="Unknown kind"):
        service.template_fields(kind="nope", lang="en")


def test_status_follows_the_lifecycle_and_refuses_jumps(db, organizer):
    activity = make_activity(db, organizer)
    with pytest.raises(Conflict, match="cannot move"):
        service.change_status(
            session=db, actor=organizer, activity_id=activity.id, status="completed"
        )
    with pytest.raises(Invalid, match="Unknown status"):
        service.change_status(session=db, actor=organizer, activity_id=activity.id, status="lost")
    for status in ("planned", "running", "completed", "archived", "draft"):
        service.change_status(session=db, actor=organizer, activity_id=activity.id, status=status)
        assert activity.status == status


def test_changing_dates_cannot_strand_scheduled_sessions(db, organizer):
    activity = make_activity(db, organizer)
    schedule(db, organizer, activity, weekly(10))
    with pytest.raises(Invalid, match="outside these dates"):
        service.update_activity(
            session=db,
            actor=organizer,
            activity_id=activity.id,
            fields=fields(start_date=MONDAY, end_date=MONDAY + timedelta(weeks=4)),
        )


# --- facilitators and partners ------------------------------------------------------------------


def test_a_facilitator_must_be_active_staff_of_the_same_organization(db, organizer):
    activity = make_activity(db, organizer)
    outsider = make_user(db, make_org(db))
    viewer = make_user(db, role=Role.GOVERNMENT_VIEWER, territory=make_territory(db))
    retired = make_user(db, db.get(Organization, organizer.organization_id))
    retired.is_active = False
    db.add(retired)
    db.flush()
    for person in (outsider, viewer, retired):
        with pytest.raises(Invalid, match="active staff member of your organization"):
            service.add_facilitator(
                session=db,
                actor=organizer,
                activity_id=activity.id,
                user_id=person.id,
                trained=True,
            )
    with pytest.raises(Invalid, match="active staff member"):
        service.add_facilitator(
            session=db, actor=organizer, activity_id=activity.id, user_id=999999, trained=True
        )


def test_facilitator_training_can_be_updated_and_the_facilitator_removed(db, organizer):
    activity = make_activity(db, organizer)
    before = score(db, organizer, activity, 5)
    service.add_facilitator(
        session=db, actor=organizer, activity_id=activity.id, user_id=organizer.id, trained=False
    )
    assert score(db, organizer, activity, 5) == before
    service.add_facilitator(
        session=db, actor=organizer, activity_id=activity.id, user_id=organizer.id, trained=True
    )
    assert score(db, organizer, activity, 5) > before  # a trained facilitator raises principle 5
    service.remove_facilitator(
        session=db, actor=organizer, activity_id=activity.id, user_id=organizer.id
    )
    assert score(db, organizer, activity, 5) == before
    with pytest.raises(NotFound):
        service.remove_facilitator(
            session=db, actor=organizer, activity_id=activity.id, user_id=organizer.id
        )


def test_partners_raise_principle_seven(db, organizer):
    activity = make_activity(db, organizer)
    assert score(db, organizer, activity, 7) == 0
    service.add_partner(
        session=db,
        actor=organizer,
        activity_id=activity.id,
        name="Town hall",
        type="local_government",
    )
    one = score(db, organizer, activity, 7)
    service.add_partner(
        session=db, actor=organizer, activity_id=activity.id, name="Radio Sur", type="media"
    )
    partner = service.add_partner(
        session=db, actor=organizer, activity_id=activity.id, name="School", type="school"
    )
    three = score(db, organizer, activity, 7)
    assert 0 < one < three
    service.remove_partner(
        session=db, actor=organizer, activity_id=activity.id, partner_id=partner.id
    )
    assert one < score(db, organizer, activity, 7) < three
    with pytest.raises(Invalid, match="Unknown type"):
        service.add_partner(
            session=db, actor=organizer, activity_id=activity.id, name="X", type="church"
        )


# --- sessions and principle 6 -------------------------------------------------------------------


def test_adding_ten_weekly_sessions_raises_principle_six(db, organizer):
    activity = make_activity(db, organizer)
    before = score(db, organizer, activity, 6)
    schedule(db, organizer, activity, weekly(10))
    after = score(db, organizer, activity, 6)
    assert before == 0 and after > 50
    facts = service.current_design(session=db, actor=organizer, activity_id=activity.id).facts
    assert facts.session_count == 10 and facts.total_hours == 20 and facts.regular
    assert facts.span_weeks == 9 and facts.sessions_per_month == pytest.approx(4.35, abs=0.01)


def test_a_one_off_event_scores_lower_on_principle_six_than_a_series(db, organizer):
    one_off, series = make_activity(db, organizer), make_activity(db, organizer, title="League")
    schedule(db, organizer, one_off, weekly(1, frequency=Frequency.ONCE, weekday=None))
    schedule(db, organizer, series, weekly(12))
    assert score(db, organizer, one_off, 6) < 20 < score(db, organizer, series, 6)


def test_single_sessions_added_by_hand_are_not_regular(db, organizer):
    activity = make_activity(db, organizer)
    for offset in (0, 3, 17):
        schedule(
            db,
            organizer,
            activity,
            weekly(1, start=MONDAY + timedelta(days=offset), frequency=Frequency.ONCE),
        )
    facts = service.current_design(session=db, actor=organizer, activity_id=activity.id).facts
    assert facts.session_count == 3 and facts.regular is False


def test_sessions_must_fall_inside_the_activity_dates(db, organizer):
    activity = make_activity(db, organizer, start=MONDAY, end=MONDAY + timedelta(weeks=4))
    with pytest.raises(Invalid, match="past the activity's end date"):
        schedule(db, organizer, activity, weekly(10))
    with pytest.raises(Invalid, match="before the activity's start date"):
        schedule(db, organizer, activity, weekly(1, start=MONDAY - timedelta(days=1), weekday=None))
    schedule(db, organizer, activity, weekly(4))
    assert len(service.list_sessions(session=db, actor=organizer, activity_id=activity.id)) == 4


@pytest.mark.parametrize("count", [0, 500])
def test_zero_or_five_hundred_sessions_are_refused(db, organizer, count):
    activity = make_activity(db, organizer)
    with pytest.raises(Invalid, match="between 1 and 200"):
        schedule(db, organizer, activity, weekly(count))


def test_an_activity_holds_at_most_five_hundred_sessions(db, organizer):
    activity = make_activity(db, organizer)
    schedule(db, organizer, activity, weekly(200))
    schedule(db, organizer, activity, weekly(200, start=MONDAY + timedelta(weeks=210)))
    with pytest.raises(Invalid, match="at most 500 sessions"):
        schedule(db, organizer, activity, weekly(101, start=MONDAY + timedelta(weeks=420)))


def test_editing_and_cancelling_a_session(db, organizer):
    activity = make_activity(db, organizer)
    schedule(db, organizer, activity, weekly(3))
    first, second, _third = service.list_sessions(
        session=db, actor=organizer, activity_id=activity.id
    )
    moved = service.update_session(
        session=db,
        actor=organizer,
        activity_id=activity.id,
        session_id=first.id,
        day=date(2027, 1, 8),
        start_time=time(10, 30),
        duration_minutes=60,
        location="Park",
    )
    assert (moved.date, moved.start_time, moved.location) == (
        date(2027, 1, 8),
        time(10, 30),
        "Park",
    )
    with pytest.raises(Invalid, match="between 1 minute and 12 hours"):
        service.update_session(
            session=db,
            actor=organizer,
            activity_id=activity.id,
            session_id=first.id,
            day=date(2027, 1, 8),
            start_time=time(10, 30),
            duration_minutes=0,
        )
    service.cancel_session(
        session=db, actor=organizer, activity_id=activity.id, session_id=second.id
    )
    facts = service.current_design(session=db, actor=organizer, activity_id=activity.id).facts
    assert facts.session_count == 2 and facts.total_hours == 3
    with pytest.raises(Conflict, match="already cancelled"):
        service.cancel_session(
            session=db, actor=organizer, activity_id=activity.id, session_id=second.id
        )


# --- assessment and history ---------------------------------------------------------------------


def test_preview_scores_answers_without_saving(db, organizer):
    activity = make_activity(db, organizer)
    preview = service.preview_design(
        session=db,
        actor=organizer,
        activity_id=activity.id,
        answers={"p1_enjoyable": "yes", "p1_interdependence": "yes", "p6_commitment": ""},
    )
    assert preview.result.score(1) > 0 and preview.answers == {
        "p1_enjoyable": "yes",
        "p1_interdependence": "yes",
    }
    assert service.design_history(session=db, actor=organizer, activity_id=activity.id) == []
    assert activity.design_score is None


def test_answers_the_rubric_does_not_accept_are_refused(db, organizer):
    activity = make_activity(db, organizer)
    with pytest.raises(Invalid, match="yes, partly or no"):
        service.save_design(
            session=db, actor=organizer, activity_id=activity.id, answers={"p1_enjoyable": "maybe"}
        )
    with pytest.raises(Invalid, match="from 0 to 100"):
        service.preview_design(
            session=db, actor=organizer, activity_id=activity.id, answers={"p6_commitment": "250"}
        )


def test_each_saved_assessment_is_kept_with_its_facts_and_scores(db, organizer):
    activity = make_activity(db, organizer, shared_goal="Cook a shared menu for the neighbourhood")
    first = service.save_design(
        session=db, actor=organizer, activity_id=activity.id, answers={"p1_enjoyable": "no"}
    )
    schedule(db, organizer, activity, weekly(10))
    second = service.save_design(
        session=db,
        actor=organizer,
        activity_id=activity.id,
        answers={"p1_enjoyable": "yes", "p6_commitment": 90},
    )
    history = service.design_history(session=db, actor=organizer, activity_id=activity.id)
    assert [h.id for h in history] == [second.id, first.id]
    assert first.answers == {"p1_enjoyable": "no"} and first.facts["session_count"] == 0
    assert second.facts["session_count"] == 10 and second.derived["p6_sessions"] == 10
    assert set(second.scores) == {str(n) for n in range(1, 8)}
    assert second.scores["6"] > first.scores["6"] and second.overall > first.overall
    assert second.created_by_id == organizer.id and second.created_at.tzinfo is not None
    assert activity.design_score == second.overall


def test_the_design_score_follows_sessions_added_after_the_last_save(db, organizer):
    activity = make_activity(db, organizer)
    service.save_design(
        session=db, actor=organizer, activity_id=activity.id, answers={"p1_enjoyable": "yes"}
    )
    saved = activity.design_score
    schedule(db, organizer, activity, weekly(12))
    assert activity.design_score is not None and saved is not None
    assert activity.design_score > saved
    assert len(service.design_history(session=db, actor=organizer, activity_id=activity.id)) == 1


# --- isolation and listing ----------------------------------------------------------------------


def test_another_organizations_activity_does_not_exist_for_the_organizer(db, organizer):
    theirs = make_activity(db, make_user(db, make_org(db)))
    calls = [
        lambda: service.scoped_activity(session=db, actor=organizer, activity_id=theirs.id),
        lambda: service.update_activity(
            session=db, actor=organizer, activity_id=theirs.id, fields=fields()
        ),
        lambda: service.change_status(
            session=db, actor=organizer, activity_id=theirs.id, status="planned"
        ),
        lambda: service.list_sessions(session=db, actor=organizer, activity_id=theirs.id),
        lambda: schedule(db, organizer, theirs, weekly(2)),
        lambda: service.add_partner(
            session=db, actor=organizer, activity_id=theirs.id, name="X", type="media"
        ),
        lambda: service.current_design(session=db, actor=organizer, activity_id=theirs.id),
        lambda: service.save_design(session=db, actor=organizer, activity_id=theirs.id, answers={}),
        lambda: service.design_history(session=db, actor=organizer, activity_id=theirs.id),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    page = service.list_activities(
        session=db, actor=organizer, filters=service.ActivityFilters(status="all")
    )
    assert page.rows == [] and page.total == 0


def test_the_list_filters_sorts_and_paginates(db, organizer):
    garden = make_activity(
        db, organizer, title="b garden", kind="gardening", start=date(2027, 5, 1)
    )
    cooking = make_activity(
        db, organizer, title="A cooking", start=date(2027, 1, 1), end=date(2027, 2, 1)
    )
    league = make_activity(db, organizer, title="c league", kind="sports")
    service.add_facilitator(
        session=db, actor=organizer, activity_id=league.id, user_id=organizer.id, trained=True
    )
    service.save_design(
        session=db, actor=organizer, activity_id=garden.id, answers={"p1_enjoyable": "yes"}
    )
    service.change_status(session=db, actor=organizer, activity_id=cooking.id, status="archived")

    def titles(**kwargs):
        filters = service.ActivityFilters(**kwargs)
        page = service.list_activities(session=db, actor=organizer, filters=filters)
        return [row.activity.title for row in page.rows]

    assert titles() == ["b garden", "c league"]  # archived hidden; undated last
    assert titles(status="all", sort="title") == ["A cooking", "b garden", "c league"]
    assert titles(status="archived") == ["A cooking"]
    assert titles(kind="sports") == ["c league"]
    assert titles(facilitator_id=organizer.id) == ["c league"]
    assert titles(status="all", date_from=date(2027, 1, 15), date_to=date(2027, 3, 1)) == [
        "A cooking"
    ]
    assert titles(status="all", sort="score_desc")[0] == "b garden"
    assert titles(status="all", sort="start_asc") == ["A cooking", "b garden", "c league"]
    with pytest.raises(Invalid, match="Unknown sort"):
        titles(sort="price")
    with pytest.raises(Invalid, match="before its start"):
        titles(date_from=date(2027, 2, 1), date_to=date(2027, 1, 1))


def test_pages_of_twenty_with_session_counts(db, organizer):
    for n in range(23):
        make_activity(db, organizer, title=f"Activity {n:02d}")
    first = make_activity(db, organizer, title="Activity with sessions")
    schedule(db, organizer, first, weekly(5))
    filters = service.ActivityFilters(sort="title", page=2)
    page = service.list_activities(session=db, actor=organizer, filters=filters)
    assert (page.total, page.pages, page.page, len(page.rows)) == (24, 2, 2, 4)
    assert page.rows[-1].activity.title == "Activity with sessions"
    assert page.rows[-1].session_count == 5
    too_far = service.list_activities(
        session=db, actor=organizer, filters=service.ActivityFilters(page=99)
    )
    assert too_far.page == 2


def test_sessions_of_an_activity_are_counted_without_cancelled_ones(db, organizer):
    activity = make_activity(db, organizer)
    schedule(
        db,
        organizer,
        activity,
        Recurrence(Frequency.BIWEEKLY, MONDAY, time(9), duration_minutes=60, count=4),
    )
    one = service.list_sessions(session=db, actor=organizer, activity_id=activity.id)[0]
    service.cancel_session(session=db, actor=organizer, activity_id=activity.id, session_id=one.id)
    page = service.list_activities(session=db, actor=organizer, filters=service.ActivityFilters())
    assert page.rows[0].session_count == 3


def test_a_facilitator_listed_twice_is_one_facilitator(db, organizer):
    activity = service.create_activity(
        session=db,
        actor=organizer,
        fields=fields(),
        facilitators=[(organizer.id, False), (organizer.id, True)],
    )
    detail = service.activity_detail(session=db, actor=organizer, activity_id=activity.id)
    assert [(f.user.id, f.trained) for f in detail.facilitators] == [(organizer.id, True)]
