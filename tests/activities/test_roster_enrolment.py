"""Enrolment: an organizer finds people of the organization, ticks several, enrols them, removes
some after confirming, and watches the activity's migrant / local balance against its targets."""

import pytest
from sqlmodel import select

from activities import service
from activities.participants.models import Enrollment
from activities.roster import enrolment, groups
from activities.roster.models import GroupMember
from app.errors import Conflict, Invalid, NotFound
from tests.activities.activity_factories import make_activity
from tests.activities.participant_factories import make_participant
from tests.activities.roster_factories import cohort
from tests.factories import api_token, csrf, login, make_org, make_user, post_form

HX = {"HX-Request": "true"}


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def organizer(db, org):
    return make_user(db, org)


@pytest.fixture
def activity(db, organizer):
    activity = make_activity(db, organizer, title="Coro del barrio")
    fields = service.ActivityFields(
        title=activity.title, kind=activity.kind, target_migrants=4, target_locals=5
    )
    return service.update_activity(
        session=db, actor=organizer, activity_id=activity.id, fields=fields
    )


def enrolled_ids(db, activity) -> set[int]:  # type: ignore[no-untyped-def]
    query = select(Enrollment.participant_id).where(Enrollment.activity_id == activity.id)
    return set(db.exec(query).all())


# --- services -----------------------------------------------------------------------------------


def test_balance_counts_each_group_against_the_targets(db, org, organizer, activity):
    cohort(db, org, activity, migrants=3, locals_=5, others=1)
    cohort(db, org, None, migrants=4)  # registered, not enrolled
    balance = enrolment.balance(session=db, actor=organizer, activity_id=activity.id)
    assert (balance.migrants, balance.locals, balance.others, balance.total) == (3, 5, 1, 9)
    assert (balance.target_migrants, balance.target_locals) == (4, 5)
    assert balance.progress(balance.migrants, balance.target_migrants) == 75
    assert balance.progress(balance.locals, balance.target_locals) == 100
    assert balance.progress(3, 0) == 100 and balance.progress(0, 0) == 0
    assert balance.percent(balance.locals) == 56


def test_search_finds_people_not_yet_enrolled_by_code_name_and_group(db, org, organizer, activity):
    inside = cohort(db, org, activity, migrants=2)
    amina = make_participant(db, org, name="Amina Ejemplo", group="migrant")
    lucia = make_participant(db, org, name="Lucía Ejemplo", group="host")
    make_participant(db, make_org(db), name="Amina Stranger")  # another organization's

    def found(**filters) -> list[int]:  # type: ignore[no-untyped-def]
        page = enrolment.search_candidates(
            session=db, actor=organizer, activity_id=activity.id, **filters
        )
        return [p.id for p in page.rows]

    assert set(found()) == {amina.id, lucia.id}
    assert found(q="amina") == [amina.id]
    assert found(q="ejemplo", group="host") == [lucia.id]
    spaced = amina.code[:3].lower() + " " + amina.code[3:]
    assert found(q=spaced) == [amina.id]
    assert inside[0].id not in found(q=inside[0].code)
    with pytest.raises(Invalid):
        found(group="refugee")


def test_search_pages_through_many_people(db, org, organizer, activity):
    cohort(db, org, None, locals_=7)
    page = enrolment.search_candidates(
        session=db, actor=organizer, activity_id=activity.id, per_page=5, page=2
    )
    assert (page.total, page.pages, page.page, len(page.rows)) == (7, 2, 2, 2)


def test_enrolling_and_unenrolling_several_at_once(db, org, organizer, activity):
    people = cohort(db, org, None, migrants=2, locals_=2)
    ids = [p.id for p in people]
    assert (
        enrolment.enrol_selected(
            session=db, actor=organizer, activity_id=activity.id, participant_ids=ids + ids[:1]
        )
        == 4
    )
    assert enrolled_ids(db, activity) == set(ids)
    assert (
        enrolment.unenrol_selected(
            session=db, actor=organizer, activity_id=activity.id, participant_ids=ids[:2]
        )
        == 2
    )
    assert enrolled_ids(db, activity) == set(ids[2:])
    with pytest.raises(Invalid, match="at least one"):
        enrolment.enrol_selected(
            session=db, actor=organizer, activity_id=activity.id, participant_ids=[]
        )


def test_unenrolling_checks_everyone_first(db, org, organizer, activity):
    people = cohort(db, org, activity, migrants=2)
    outsider = make_participant(db, org)
    with pytest.raises(NotFound, match="not enrolled"):
        enrolment.unenrol_selected(
            session=db,
            actor=organizer,
            activity_id=activity.id,
            participant_ids=[people[0].id, outsider.id],
        )
    assert enrolled_ids(db, activity) == {p.id for p in people}


def test_another_organizations_participant_cannot_be_enrolled(db, organizer, activity):
    stranger = make_participant(db, make_org(db))
    with pytest.raises(NotFound):
        enrolment.enrol_selected(
            session=db, actor=organizer, activity_id=activity.id, participant_ids=[stranger.id]
        )
    assert enrolled_ids(db, activity) == set()


def test_an_archived_activity_takes_no_new_people(db, org, organizer, activity):
    person = make_participant(db, org)
    service.change_status(session=db, actor=organizer, activity_id=activity.id, status="archived")
    with pytest.raises(Conflict, match="archived"):
        enrolment.enrol_selected(
            session=db, actor=organizer, activity_id=activity.id, participant_ids=[person.id]
        )


def test_unenrolled_people_leave_their_group(db, org, organizer, activity):
    people = cohort(db, org, activity, migrants=2, locals_=3)
    groups.save_proposal(
        session=db,
        actor=organizer,
        activity_id=activity.id,
        request=groups.GroupRequest(n_groups=2),
    )
    enrolment.unenrol_selected(
        session=db, actor=organizer, activity_id=activity.id, participant_ids=[people[0].id]
    )
    left = db.exec(select(GroupMember).where(GroupMember.activity_id == activity.id)).all()
    assert people[0].id not in {m.participant_id for m in left} and len(left) == 4


# --- pages --------------------------------------------------------------------------------------


def test_organizer_searches_ticks_and_enrols(client, db, org, organizer, activity):
    cohort(db, org, activity, migrants=1)
    amina = make_participant(db, org, name="Amina Ejemplo", group="migrant")
    lucia = make_participant(db, org, name="Lucía Ejemplo", group="host")
    login(client, organizer)
    page = client.get(f"/activities/{activity.id}/enrolment")
    assert page.status_code == 200
    assert "Migrant / local balance" in page.text and "1 of 4 targeted" in page.text
    assert 'role="img"' in page.text

    live = client.get(
        f"/activities/{activity.id}/enrolment/search", params={"q": "lucía"}, headers=HX
    )
    assert live.status_code == 200
    assert "<html" not in live.text and live.text.lstrip().startswith('<form id="candidates"')
    assert "Lucía Ejemplo" in live.text and "Amina Ejemplo" not in live.text

    no_js = client.get(f"/activities/{activity.id}/enrolment/search", params={"group": "host"})
    assert "<html" in no_js.text and "Lucía Ejemplo" in no_js.text

    response = post_form(
        client,
        f"/activities/{activity.id}/enrolment",
        {"participant": [str(amina.id), str(lucia.id)]},
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "Enrolled: 2." in page.text and "2 of 4 targeted" in page.text
    assert {amina.id, lucia.id} <= enrolled_ids(db, activity)


def test_removing_people_asks_for_confirmation_first(client, db, org, organizer, activity):
    people = cohort(db, org, activity, migrants=2)
    login(client, organizer)
    confirm = client.get(
        f"/activities/{activity.id}/enrolment/remove", params={"participant": [people[0].id]}
    )
    assert confirm.status_code == 200
    assert "Remove 1 person from Coro del barrio?" in confirm.text
    assert enrolled_ids(db, activity) == {p.id for p in people}  # nothing removed by asking

    nobody = client.get(f"/activities/{activity.id}/enrolment/remove")
    assert nobody.status_code == 303

    removed = post_form(
        client, f"/activities/{activity.id}/enrolment/remove", {"participant": str(people[0].id)}
    )
    assert removed.status_code == 303
    assert enrolled_ids(db, activity) == {people[1].id}


def test_enrolling_another_organizations_participant_on_the_page_is_refused(
    client, db, organizer, activity
):
    stranger = make_participant(db, make_org(db))
    login(client, organizer)
    response = post_form(
        client, f"/activities/{activity.id}/enrolment", {"participant": str(stranger.id)}
    )
    assert response.status_code == 404
    assert enrolled_ids(db, activity) == set()


def test_enrolling_nobody_shows_a_message(client, db, organizer, activity):
    login(client, organizer)
    response = client.post(f"/activities/{activity.id}/enrolment", data={"csrftoken": csrf(client)})
    assert response.status_code == 422
    assert "Tick at least one participant." in response.text


def test_api_balance_and_the_participants_enrolment_endpoints(client, db, org, organizer, activity):
    people = cohort(db, org, None, migrants=2, locals_=1)
    headers = api_token(client, organizer)
    added = client.post(
        f"/api/v1/activities/{activity.id}/enrollments",
        json={"participant_ids": [p.id for p in people]},
        headers=headers,
    )
    assert added.status_code == 201
    balance = client.get(f"/api/v1/activities/{activity.id}/enrollment-balance", headers=headers)
    assert balance.json() == {
        "migrants": 2,
        "locals": 1,
        "others": 0,
        "total": 3,
        "target_migrants": 4,
        "target_locals": 5,
    }
