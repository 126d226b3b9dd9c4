"""Builders for survey tests: an organizer with an activity, consenting enrolled participants, a
survey whose waves are open, and the participants' personal links."""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from activities.models import Activity
from activities.participants.models import Participant
from app.accounts.models import Organization, User
from surveys import links, service
from surveys.models import Survey, Wave
from tests.activities.activity_factories import make_activity
from tests.activities.participant_factories import enrol, give_consent, make_participant
from tests.factories import make_org, make_user


@dataclass
class World:
    org: Organization
    organizer: User
    activity: Activity
    people: list[Participant] = field(default_factory=list)


def make_world(db: Session, *, title: str = "Cocina compartida") -> World:
    org = make_org(db)
    organizer = make_user(db, org)
    return World(org, organizer, make_activity(db, organizer, title=title))


def add_person(db: Session, world: World, *, consent: bool = True, **attrs: Any) -> Participant:
    """An enrolled participant (an adult migrant reading Arabic by default) with survey consent."""
    person = make_participant(db, world.org, **attrs)
    if consent:
        give_consent(db, person, world.organizer)
        if person.birth_year and service.today().year - person.birth_year < 20:  # maybe a minor
            give_consent(db, person, world.organizer, kind="guardian", guardian_name="A parent")
            give_consent(db, person, world.organizer, kind="assent")
    enrol(db, world.activity, person)
    world.people.append(person)
    return person


def make_survey(db: Session, world: World, **settings: Any) -> Survey:
    """The activity's survey (default scales) with both waves open today."""
    assert world.activity.id is not None
    scales = settings.pop("scales", service.DEFAULT_SCALES)
    survey = service.create_survey(
        session=db,
        actor=world.organizer,
        activity_id=world.activity.id,
        settings=service.SurveySettings(**settings),
        scales=scales,
    )
    for wave in waves(db, survey).values():
        open_wave(db, wave)
    return survey


def waves(db: Session, survey: Survey) -> dict[str, Wave]:
    return {w.kind: w for w in db.exec(select(Wave).where(Wave.survey_id == survey.id))}


def open_wave(db: Session, wave: Wave, *, days: int = 10) -> Wave:
    today = service.today()
    wave.opens_on, wave.closes_on = today - timedelta(days=1), today + timedelta(days=days)
    db.add(wave)
    db.commit()
    return wave


def close_wave(db: Session, wave: Wave) -> Wave:
    today = service.today()
    wave.opens_on, wave.closes_on = today - timedelta(days=20), today - timedelta(days=1)
    db.add(wave)
    db.commit()
    return wave


def issue(db: Session, world: World, wave: Wave) -> dict[int, str]:
    """Participant id -> personal token for every enrolled participant who may be surveyed."""
    assert wave.id is not None
    sheet = links.issue_links(session=db, actor=world.organizer, wave_id=wave.id)
    return {row.link.participant_id: row.token for row in sheet.rows if row.link.participant_id}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrftoken" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def radio_values(html: str, item_id: str) -> list[str]:
    return re.findall(rf'name="{re.escape(item_id)}" value="([^"]+)"', html)


def answer_page(client: TestClient, url: str, **extra: str) -> Any:
    """Open a question page and answer each question with its last choice (plain form post)."""
    page = client.get(url)
    assert page.status_code == 200, page.text
    names = dict.fromkeys(re.findall(r'type="radio" name="([^"]+)"', page.text))
    data = {"csrftoken": csrf_of(page.text), "lang": _lang(page.text)}
    for name in names:
        data[name] = radio_values(page.text, name)[-1]
    data.update(extra)
    action = re.search(r'<form id="qform" method="post" action="([^"]+)"', page.text)
    assert action
    return client.post(action.group(1), data=data)


def _lang(html: str) -> str:
    found = re.search(r'<html lang="(\w+)"', html)
    return found.group(1) if found else "en"
