"""Demo surveys: pre and post answers for every demo activity, scored like real submissions.

Each demo activity gets a survey with the default scales (`service.create_survey`) and personal
links for both waves (`links.issue_links`, which applies the consent rules). The answers are then
written in bulk — responses, answers and stored scores, a few statements per wave — because the
one-response-at-a-time submission path would make the demo take minutes to load; the values are
checked by `responses.validate` and scored by `scoring.compute_scores`, exactly as a submission.

The three current activities have a closed pre wave and an open post wave (their links work
today); the completed ones had theirs before the first and after the last session.

Answers come from a model with a fixed seed (numpy): every person has a stable attitude; each
scale adds its own deviation and each item its own noise, so items of a scale correlate (alpha
mostly above 0.6). Post answers move the attitude by the activity's effect — larger for better
designs, with noise, none for the weakest — times the person's dose of contact relative to the
activity's average (dose-response). About 90% answer the pre survey, a few only start it; those
who came less often are likelier to skip the post survey (10-25% attrition).

Idempotent: an activity that already has a survey is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import insert
from sqlmodel import Session, col, select

from activities.demo import CURRENT_TITLES, HISTORY
from activities.models import Activity
from activities.participants.models import Participant
from activities.roster.facts import doses
from surveys import instruments, links, responses, scoring, service
from surveys.instruments import ItemDef
from surveys.models import Answer, Response, ResponseScore, ResponseSource, Survey, Wave

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.demo import Demo

SEED = 5_2026
PRE_RATE, PARTIAL_RATE = 0.9, 0.08
WEAKEST = "Villaverde Sports Day"  # the demo's "no change" activity, whatever the noise says
# Ordinal cut points on the latent item value for the five points of a Likert item.
LIKERT_CUTS = np.array([-1.5, -0.5, 0.4, 1.4])


def design_effect(score: float | None, noise: float) -> float:
    """Latent change for an activity: grows with the design score (0-100), plus noise, >= 0."""
    return max(0.0, 0.55 * ((score or 0.0) - 20.0) / 75.0 + noise)


@dataclass
class Respondent:
    participant: Participant
    link_id: int
    attitude: float


# --- answers -------------------------------------------------------------------------------------


def _flips(items: tuple[ItemDef, ...]) -> np.ndarray:
    """True where a higher raw value is the unfavourable end (reverse-coded XOR a 'bad' scale)."""
    bank = instruments.bank()
    return np.array(
        [
            one.reverse != (one.scale in bank and not bank[one.scale].higher_is_better)
            for one in items
        ]
    )


def latent_answers(
    items: tuple[ItemDef, ...], attitudes: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Latent favourability per person and item: attitude + scale deviation + item noise."""
    scales = sorted({one.scale for one in items})
    scale_dev = rng.normal(0, 0.3, (len(attitudes), len(scales)))
    column = np.array([scales.index(one.scale) for one in items])
    noise = rng.normal(0, 0.75, (len(attitudes), len(items)))
    return 1.2 * (attitudes[:, None] + scale_dev[:, column]) + noise


def _raw_value(one: ItemDef, latent: float, flip: bool, child: bool) -> float:
    """The latent favourability as a value on the item's own scale and direction."""
    if one.format == "yesno":
        favourable = latent > 0.0
        return float(favourable != flip)
    if one.format == "thermometer":
        step = 25.0 if child else 10.0
        share = 1 / (1 + np.exp(-0.8 * latent))
        share = 1 - share if flip else share
        return float(round(share * 100 / step) * step)
    level = int(np.searchsorted(LIKERT_CUTS, latent))  # 0..4, favourable upwards
    points = one.max_value - one.min_value
    level = round(level * points / 4)
    return float(one.max_value - level if flip else one.min_value + level)


def answer_rows(
    items: tuple[ItemDef, ...], latent: np.ndarray, children: list[bool]
) -> list[dict[str, float]]:
    """One {item id: value} per person, validated like a submission."""
    flips = _flips(items)
    rows = []
    for person, child in zip(latent, children, strict=True):
        values = {
            one.id: _raw_value(one, float(x), bool(f), child)
            for one, x, f in zip(items, person, flips, strict=True)
        }
        rows.append(responses.validate(items, values))
    return rows


# --- writing -------------------------------------------------------------------------------------


def _moment(day: date, rng: np.random.Generator) -> datetime:
    when = datetime.combine(day, time(int(rng.integers(9, 21)), int(rng.integers(60))), UTC)
    return min(when, datetime.now(UTC))


def _write_wave(
    session: Session,
    survey: Survey,
    wave: Wave,
    people: list[Respondent],
    complete: list[bool],
    rng: np.random.Generator,
) -> None:
    """Bulk-insert the wave's responses (complete, or stopped after the first page)."""
    if not people:
        return
    version = service.current_version(session=session, survey=survey)
    items = service.version_items(version)
    pages = scoring.pages(items)
    children = [responses.is_child(r.participant, survey, on=wave.opens_on) for r in people]
    latent = latent_answers(items, np.array([r.attitude for r in people]), rng)
    values = answer_rows(items, latent, children)
    last = min(wave.closes_on, date.today())
    span = max(1, min(7, (last - wave.opens_on).days + 1))
    moments = [
        _moment(wave.opens_on + timedelta(days=int(rng.integers(span))), rng) for _ in people
    ]
    session.execute(
        insert(Response),
        [
            {
                "wave_id": wave.id,
                "instrument_version_id": version.id,
                "link_id": r.link_id,
                "participant_id": r.participant.id,
                "respondent_group": str(r.participant.group),
                "language": r.participant.preferred_language,
                "child_mode": child,
                "page": len(pages) if done else 1,
                "source": ResponseSource.WEB.value,
                "started_at": when - timedelta(minutes=int(rng.integers(3, 9))),
                "updated_at": when,
                "submitted_at": when if done else None,
            }
            for r, child, done, when in zip(people, children, complete, moments, strict=True)
        ],
    )
    ids = dict(
        session.exec(select(Response.link_id, Response.id).where(Response.wave_id == wave.id)).all()
    )
    answers: list[dict[str, Any]] = []
    scores: list[dict[str, Any]] = []
    first_page = {one.id for one in pages[0]}
    for r, given, done, when in zip(people, values, complete, moments, strict=True):
        rid = ids[r.link_id]
        assert rid is not None  # just inserted
        kept = given if done else {k: v for k, v in given.items() if k in first_page}
        answers += [
            {"response_id": rid, "item_id": k, "value": v, "answered_at": when}
            for k, v in kept.items()
        ]
        if done:
            scores += [row.record(rid) for row in scoring.compute_scores(items, kept)]
    session.execute(insert(Answer), answers)
    if scores:
        session.execute(insert(ResponseScore), scores)


# --- one activity --------------------------------------------------------------------------------


def _wave_dates(activity: Activity, today: date, current: bool) -> dict[str, tuple[date, date]]:
    if current or activity.start_date is None or activity.end_date is None:
        return {
            "pre": (today - timedelta(days=75), today - timedelta(days=55)),
            "post": (today - timedelta(days=6), today + timedelta(days=21)),
        }
    start, end = activity.start_date, activity.end_date
    return {
        "pre": (start - timedelta(days=14), start - timedelta(days=1)),
        "post": (end + timedelta(days=1), end + timedelta(days=21)),
    }


def _linked(session: Session, actor: User, wave: Wave) -> dict[int, tuple[Participant, int]]:
    assert wave.id is not None
    sheet = links.issue_links(session=session, actor=actor, wave_id=wave.id)
    return {
        row.participant.id: (row.participant, row.link.id or 0)
        for row in sheet.rows
        if row.participant is not None and row.participant.id is not None
    }


def _seed_activity(
    session: Session,
    actor: User,
    activity: Activity,
    effect: float,
    current: bool,
    rng: np.random.Generator,
) -> None:
    assert activity.id is not None
    survey = service.create_survey(session=session, actor=actor, activity_id=activity.id)
    waves = {str(w.kind): w for w in service.list_waves(session=session, survey=survey)}
    for kind, (opens, closes) in _wave_dates(activity, service.today(), current).items():
        waves[kind].opens_on, waves[kind].closes_on = opens, closes
    session.add_all(waves.values())
    session.commit()
    pre, post = _linked(session, actor, waves["pre"]), _linked(session, actor, waves["post"])
    ids = sorted(pre)
    base = rng.normal(0.1, 0.25)
    attitude = {
        pid: base + (0.2 if pre[pid][0].group == "migrant" else 0.0) + rng.normal(0, 0.75)
        for pid in ids
    }
    dose = doses(session=session, activity_id=activity.id)
    mean_dose = np.mean([dose.get(pid, 0) for pid in ids]) if dose else 0.0
    top = max(dose.values(), default=0)
    answered = [pid for pid in ids if rng.random() < PRE_RATE]
    partial = [pid for pid in ids if pid not in answered][: max(1, round(len(ids) * PARTIAL_RATE))]
    people = [Respondent(pre[p][0], pre[p][1], attitude[p]) for p in answered + partial]
    done = [True] * len(answered) + [False] * len(partial)
    _write_wave(session, survey, waves["pre"], people, done, rng)
    stayed = []
    for pid in answered:
        rate = dose.get(pid, 0) / top if top else 0.8
        if pid in post and rng.random() < 0.6 + 0.35 * rate:
            relative = dose.get(pid, 0) / mean_dose if mean_dose else 1.0
            change = effect * min(relative, 2.0) + rng.normal(0, 0.45)
            stayed.append(Respondent(post[pid][0], post[pid][1], float(attitude[pid] + change)))
    _write_wave(session, survey, waves["post"], stayed, [True] * len(stayed), rng)
    session.commit()


def seed(session: Session, demo: Demo) -> list[Survey]:
    """Create (once) a survey with pre and post answers for each demo activity."""
    owner: dict[int | None, User] = {o.organization.id: o.organizer for o in demo.orgs.values()}
    history = {h.title for h in HISTORY}
    activities = session.exec(
        select(Activity)
        .where(
            col(Activity.organization_id).in_(list(owner)),
            col(Activity.title).in_(list(history | set(CURRENT_TITLES))),
        )
        .order_by(col(Activity.id))
    ).all()
    with_survey = set(session.exec(select(Survey.activity_id)).all())
    titles = [*CURRENT_TITLES, *(h.title for h in HISTORY)]
    for activity in activities:
        # one stream per activity (by its title), so the demo is the same on every database
        rng = np.random.default_rng([SEED, titles.index(activity.title)])
        noise = 0.0 if activity.title == WEAKEST else float(rng.normal(0, 0.1))
        effect = 0.0 if activity.title == WEAKEST else design_effect(activity.design_score, noise)
        if activity.id not in with_survey:
            actor = owner[activity.organization_id]
            _seed_activity(session, actor, activity, effect, activity.title not in history, rng)
    return list(session.exec(select(Survey).where(col(Survey.organization_id).in_(list(owner)))))
