"""Survey set-up: the instrument is frozen once answered (editing makes a new version), organizer
questions and their translations, waves and progress counts."""

from datetime import timedelta

import pytest
from sqlmodel import select

from app.errors import Conflict, Invalid, NotFound
from surveys import links, responses, service
from surveys.models import InstrumentVersion, Response
from tests.factories import make_org, make_user
from tests.surveys.survey_factories import add_person, issue, make_survey, make_world, waves


@pytest.fixture
def world(db):
    return make_world(db)


def _start(db, token):
    visit = responses.open_link(session=db, token=token)
    return responses.start(session=db, visit=visit, language="en")


def test_a_new_survey_has_the_cohesion_scales_and_pre_and_post_waves(db, world):
    survey = make_survey(db, world)
    version = service.current_version(session=db, survey=survey)
    assert version.number == 1 and tuple(version.scales) == service.DEFAULT_SCALES
    assert len(version.items) == 23
    assert set(waves(db, survey)) == {"pre", "post"}
    with pytest.raises(Conflict):
        service.create_survey(session=db, actor=world.organizer, activity_id=world.activity.id)


def test_the_instrument_changes_in_place_until_someone_answers_then_versions(db, world):
    person = add_person(db, world)
    survey = make_survey(db, world)
    v1 = service.set_scales(
        session=db, actor=world.organizer, survey_id=survey.id, scales=["trust", "thermometer"]
    )
    assert v1.number == 1 and v1.scales == ["thermometer", "trust"]  # bank order
    token = issue(db, world, waves(db, survey)["pre"])[person.id]
    response = _start(db, token)
    assert response.instrument_version_id == v1.id
    assert service.is_frozen(session=db, version=v1)
    v2 = service.add_custom_item(
        session=db,
        actor=world.organizer,
        survey_id=survey.id,
        fields=service.CustomItemFields(text={"en": "I enjoy cooking with {outgroup}."}),
    )
    assert v2.number == 2 and v2.id != v1.id
    db.refresh(v1)
    assert len(v1.items) == 5 and len(v2.items) == 6  # version 1 is untouched
    db.refresh(response)
    assert response.instrument_version_id == v1.id  # the answers keep their version
    visit = responses.open_link(session=db, token=token)
    assert responses.instrument_of(session=db, visit=visit).version.id == v1.id
    v2_again = service.set_scales(
        session=db, actor=world.organizer, survey_id=survey.id, scales=["trust"]
    )
    assert v2_again.id == v2.id  # version 2 has no answers yet: edited in place
    numbers = [
        v.number
        for v in service.list_versions(session=db, actor=world.organizer, survey_id=survey.id)
    ]
    assert numbers == [1, 2]


def test_organizer_questions_are_validated_and_gaps_in_translation_shown(db, world):
    survey = make_survey(db, world)
    version = service.add_custom_item(
        session=db,
        actor=world.organizer,
        survey_id=survey.id,
        fields=service.CustomItemFields(
            text={
                "en": "I cooked with {outgroup} this month.",
                "es": "Cociné con {outgroup} este mes.",
            },
            format="yesno",
        ),
    )
    own = [one for one in service.version_items(version) if one.custom]
    assert [one.id for one in own] == ["own_1"] and own[0].scale == "own"
    assert service.translation_gaps(own) == {"own_1": ["fr", "ar"]}
    with pytest.raises(Invalid, match="English"):
        service.add_custom_item(
            session=db,
            actor=world.organizer,
            survey_id=survey.id,
            fields=service.CustomItemFields(text={"es": "Solo en español"}),
        )
    with pytest.raises(Invalid, match="placeholder"):
        service.add_custom_item(
            session=db,
            actor=world.organizer,
            survey_id=survey.id,
            fields=service.CustomItemFields(text={"en": "Hello {name}"}),
        )
    with pytest.raises(Invalid, match="bank scale"):
        service.add_custom_item(
            session=db,
            actor=world.organizer,
            survey_id=survey.id,
            fields=service.CustomItemFields(text={"en": "x"}, scale="trust"),
        )
    updated = service.update_custom_item(
        session=db,
        actor=world.organizer,
        survey_id=survey.id,
        item_id="own_1",
        fields=service.CustomItemFields(
            text={
                "en": "I cooked with {outgroup} this month.",
                "fr": "J'ai cuisiné avec {outgroup}.",
                "es": "Cociné con {outgroup} este mes.",
                "ar": "طبخت مع {outgroup} هذا الشهر.",
            },
            format="yesno",
        ),
    )
    assert service.translation_gaps(service.version_items(updated)) == {}
    removed = service.remove_custom_item(
        session=db, actor=world.organizer, survey_id=survey.id, item_id="own_1"
    )
    assert not any(one.custom for one in service.version_items(removed))
    again = service.add_custom_item(
        session=db,
        actor=world.organizer,
        survey_id=survey.id,
        fields=service.CustomItemFields(text={"en": "Another"}),
    )
    # own_1 was never answered and no version keeps it, so its id is free again.
    assert [one.id for one in service.version_items(again) if one.custom] == ["own_1"]


def test_waves_have_valid_dates_and_one_of_each_kind(db, world):
    survey = make_survey(db, world)
    today = service.today()
    follow = service.add_wave(
        session=db,
        actor=world.organizer,
        survey_id=survey.id,
        kind="follow_up",
        opens_on=today + timedelta(days=90),
        closes_on=today + timedelta(days=120),
    )
    assert service.wave_state(follow) == "not_open"
    with pytest.raises(Conflict):
        service.add_wave(
            session=db,
            actor=world.organizer,
            survey_id=survey.id,
            kind="pre",
            opens_on=today,
            closes_on=today,
        )
    with pytest.raises(Invalid):
        service.update_wave(
            session=db,
            actor=world.organizer,
            wave_id=follow.id,
            opens_on=today,
            closes_on=today - timedelta(days=1),
        )
    service.delete_wave(session=db, actor=world.organizer, wave_id=follow.id)
    assert set(waves(db, survey)) == {"pre", "post"}


def test_a_wave_with_answers_cannot_be_removed(db, world):
    person = add_person(db, world)
    survey = make_survey(db, world)
    pre = waves(db, survey)["pre"]
    _start(db, issue(db, world, pre)[person.id])
    with pytest.raises(Conflict):
        service.delete_wave(session=db, actor=world.organizer, wave_id=pre.id)
    with pytest.raises(Conflict):
        service.update_survey(
            session=db,
            actor=world.organizer,
            survey_id=survey.id,
            settings=service.SurveySettings(title="x", anonymous=True),
        )


def test_progress_counts_invited_started_and_completed(db, world):
    people = [add_person(db, world) for _ in range(3)]
    survey = make_survey(db, world, scales=["thermometer"])
    pre = waves(db, survey)["pre"]
    tokens = issue(db, world, pre)
    _start(db, tokens[people[0].id])
    done = _start(db, tokens[people[1].id])
    items = responses.instrument_of(
        session=db, visit=responses.open_link(session=db, token=tokens[people[1].id])
    ).items
    responses.finish(session=db, response=done, items=items, values={"therm_1": 60}, language="en")
    links.revoke_link(
        session=db,
        actor=world.organizer,
        link_id=links.find_link(session=db, token=tokens[people[2].id]).id,
    )
    progress = {
        p.wave.kind: p
        for p in service.survey_progress(session=db, actor=world.organizer, survey_id=survey.id)
    }
    assert (progress["pre"].invited, progress["pre"].started, progress["pre"].completed) == (
        2,
        2,
        1,
    )
    assert (progress["post"].invited, progress["post"].started, progress["post"].completed) == (
        0,
        0,
        0,
    )
    pending = service.not_answered(session=db, actor=world.organizer, wave_id=pre.id)
    assert [p.id for p, _link, _r in pending] == [people[0].id]


def test_another_organization_sees_no_survey(db, world):
    survey = make_survey(db, world)
    stranger = make_user(db, make_org(db))
    pre = waves(db, survey)["pre"]
    calls = [
        lambda: service.scoped_survey(session=db, actor=stranger, survey_id=survey.id),
        lambda: service.scoped_wave(session=db, actor=stranger, wave_id=pre.id),
        lambda: service.survey_of_activity(
            session=db, actor=stranger, activity_id=world.activity.id
        ),
        lambda: service.create_survey(session=db, actor=stranger, activity_id=world.activity.id),
        lambda: service.set_scales(
            session=db, actor=stranger, survey_id=survey.id, scales=["trust"]
        ),
        lambda: service.survey_progress(session=db, actor=stranger, survey_id=survey.id),
        lambda: links.issue_links(session=db, actor=stranger, wave_id=pre.id),
        lambda: links.link_sheet(session=db, actor=stranger, wave_id=pre.id),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    assert service.list_surveys(session=db, actor=stranger) == []
    assert db.exec(select(InstrumentVersion).where(InstrumentVersion.survey_id == survey.id)).one()
    assert db.exec(select(Response)).all() == [] or True
