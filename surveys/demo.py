"""Demo surveys: pre and post answers for the demo activities' participants, written through the
submission path (`surveys.responses.start` / `finish`) so their scores are stored like real ones.

Each demo activity gets a named survey with the default scales. The waves are dated so the demo
shows a closed pre wave and an open post wave, whatever the activities' own dates. About 85% of the
participants with survey consent complete the pre wave (a few more only start it); about 70% of
those complete the post wave (realistic attrition). Every person has a stable attitude; their post
answers move it by an amount that grows with the activity's design score — a clear improvement for
the best-designed activity, a small one for the middling, none for the weakest. Answers are drawn
around that attitude with item-level noise, on each item's own scale and direction.

Idempotent: an activity that already has a survey is left alone.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlmodel import Session, col, select

from activities.models import Activity
from app.accounts.models import utcnow
from surveys import instruments, links, responses, service
from surveys.instruments import ItemDef
from surveys.models import Response, Survey, Wave

if TYPE_CHECKING:
    from app.demo import Demo

SEED = 5_2026
PRE_RATE, POST_RATE, PARTIAL_RATE = 0.85, 0.7, 0.06
EFFECTS = (0.9, 0.25, 0.0)  # latent change, by design rank: best, middle, weakest


def _value(one: ItemDef, favourable: float, child: bool, rng: random.Random) -> float:
    """A value on the item's own scale whose favourable share is about `favourable`."""
    scale = instruments.bank().get(one.scale)
    flip = one.reverse != (scale is not None and not scale.higher_is_better)
    share = 1.0 - favourable if flip else favourable
    if one.format == "yesno":
        return 1.0 if rng.random() < share else 0.0
    span = one.max_value - one.min_value
    step: float = 1.0
    if one.format == "thermometer":
        step = 25.0 if child else 10.0
    elif child and one.format != "likert5":
        step = span / 4  # the five faces of a 7-point or 0-10 item
    raw = one.min_value + share * span
    return float(min(one.max_value, max(one.min_value, round(raw / step) * step)))


def _answers(
    items: tuple[ItemDef, ...], attitude: float, child: bool, rng: random.Random
) -> dict[str, float]:
    values = {}
    for one in items:
        favourable = 1 / (1 + math.exp(-(attitude + rng.gauss(0, 0.7))))
        values[one.id] = _value(one, favourable, child, rng)
    return values


def _backdate(session: Session, response: Response, when: datetime) -> None:
    session.execute(
        update(Response)
        .where(col(Response.id) == response.id)
        .values(started_at=when - timedelta(minutes=4), updated_at=when, submitted_at=when)
    )
    session.commit()


def _answer_wave(
    session: Session,
    demo: Demo,
    survey: Survey,
    wave: Wave,
    who: dict[int, float],
    rng: random.Random,
) -> None:
    assert wave.id is not None
    sheet = links.issue_links(session=session, actor=demo.organizer, wave_id=wave.id)
    for row in sheet.rows:
        person = row.participant
        if person is None or person.id not in who:
            continue
        visit = responses.Visit(row.link, wave, survey, person, None)
        response = responses.start(session=session, visit=visit, language=person.preferred_language)
        instrument = responses.instrument_of(session=session, visit=visit)
        values = _answers(instrument.items, who[person.id], response.child_mode, rng)
        responses.finish(
            session=session,
            response=response,
            items=instrument.items,
            values=values,
            language=response.language,
        )
        day = wave.opens_on + timedelta(days=rng.randrange(0, 6))
        moment = datetime(day.year, day.month, day.day, rng.randrange(9, 21), rng.randrange(60))
        _backdate(session, response, min(moment.replace(tzinfo=utcnow().tzinfo), utcnow()))


def _partial(
    session: Session, survey: Survey, wave: Wave, row: links.LinkRow, rng: random.Random
) -> None:
    """Someone who opened the link and answered the first page, then stopped."""
    visit = responses.Visit(row.link, wave, survey, row.participant, None)
    response = responses.start(session=session, visit=visit, language="es")
    instrument = responses.instrument_of(session=session, visit=visit)
    values = _answers(tuple(instrument.pages[0]), 0.0, response.child_mode, rng)
    responses.save(
        session=session, response=response, items=instrument.items, values=values, language="es"
    )


def _seed_activity(
    session: Session, demo: Demo, activity: Activity, effect: float, rng: random.Random
) -> None:
    assert activity.id is not None
    survey = service.create_survey(session=session, actor=demo.organizer, activity_id=activity.id)
    today = service.today()
    by_kind = {str(w.kind): w for w in service.list_waves(session=session, survey=survey)}
    pre, post = by_kind["pre"], by_kind["post"]
    pre.opens_on, pre.closes_on = today - timedelta(days=75), today - timedelta(days=55)
    post.opens_on, post.closes_on = today - timedelta(days=6), today + timedelta(days=21)
    session.add_all([pre, post])
    session.commit()
    assert pre.id is not None
    sheet = links.issue_links(session=session, actor=demo.organizer, wave_id=pre.id)
    attitudes = {
        row.participant.id: rng.gauss(0.2, 0.8)
        for row in sheet.rows
        if row.participant and row.participant.id is not None
    }
    answered = {pid: a for pid, a in attitudes.items() if rng.random() < PRE_RATE}
    _answer_wave(session, demo, survey, pre, answered, rng)
    started_only = [r for r in sheet.rows if r.participant and r.participant.id not in answered]
    for row in started_only[: max(1, int(len(sheet.rows) * PARTIAL_RATE))]:
        _partial(session, survey, pre, row, rng)
    stayed = {pid: a + effect for pid, a in answered.items() if rng.random() < POST_RATE}
    _answer_wave(session, demo, survey, post, stayed, rng)


def seed(session: Session, demo: Demo) -> list[Survey]:
    """Create (once) a survey with pre and post answers for each demo activity."""
    activities = list(
        session.exec(
            select(Activity)
            .where(Activity.organization_id == demo.organization.id)
            .order_by(col(Activity.id))
            .limit(3)
        )
    )
    ranked = sorted(activities, key=lambda a: -(a.design_score or 0.0))
    effects = {a.id: EFFECTS[min(rank, len(EFFECTS) - 1)] for rank, a in enumerate(ranked)}
    with_survey = set(session.exec(select(Survey.activity_id)).all())
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    for activity in activities:
        if activity.id not in with_survey:
            _seed_activity(session, demo, activity, effects[activity.id], rng)
    return list(session.exec(select(Survey).where(Survey.organization_id == demo.organization.id)))
