"""Data for benchmarks and fault tests, written fast: services for the few structural rows (so they
are valid), SQLAlchemy Core bulk inserts for the thousands of participants, consents and scores.

`survey_world` gives an activity whose survey (the six default scales plus two of the organizer's
own questions: 25 items) has an open pre wave and a personal link per participant.
`dashboard_world` gives a territory whose organizations share data, with completed pre/post
responses and stored scores for a given number of participants (no answers: dashboards never read
them).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import count
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from activities import service as activity_service
from activities.models import Activity
from activities.participants.models import Consent, Enrollment, Participant
from app.accounts import service as accounts
from app.accounts.models import DataSharing, Organization, Role, TerritoryKind, User, utcnow
from surveys import links, scoring
from surveys import service as survey_service
from surveys.instruments import ItemDef
from surveys.models import Response, ResponseScore, Survey, Wave
from surveys.service import version_items

PASSWORD = "bench-password-123"
CUSTOM_ITEMS = 2  # 23 default items + 2 of the organizer's own = 25
_seq = count(1)


@dataclass
class SurveyWorld:
    organization: Organization
    organizer: User
    activity: Activity
    survey: Survey
    wave: Wave
    items: tuple[ItemDef, ...]
    tokens: list[str] = field(default_factory=list)
    link_ids: list[int] = field(default_factory=list)
    participant_ids: list[int] = field(default_factory=list)

    @property
    def pages(self) -> list[list[ItemDef]]:
        return scoring.pages(self.items)


def answer_value(one: ItemDef, rng: random.Random | None = None) -> float:
    """A valid answer to the item: one of its choices."""
    choices = sorted(scoring.accepted_values(one) or {one.min_value, one.max_value})
    return float((rng or random).choice(choices)) if rng else float(choices[-1])


def all_answers(items: tuple[ItemDef, ...]) -> dict[str, float]:
    return {one.id: answer_value(one) for one in items}


def _bulk(session: Session, model: Any, rows: list[dict[str, Any]], returning: bool = False) -> Any:
    table = model.__table__
    if not rows:
        return []
    if returning:
        result = session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
        )
        return [row[0] for row in result]
    session.execute(insert(table), rows)
    return []


def _open(session: Session, wave: Wave, days: int = 30) -> None:
    today = survey_service.today()
    wave.opens_on, wave.closes_on = today - timedelta(days=1), today + timedelta(days=days)
    session.add(wave)


def organization(session: Session, name: str | None = None) -> tuple[Organization, User]:
    number = next(_seq)
    org = accounts.create_organization(session=session, name=name or f"Bench NGO {number}")
    organizer = accounts.create_user(
        session=session,
        email=f"organizer{number}-{org.id}@bench.example.org",
        password=PASSWORD,
        role=Role.ORGANIZER,
        organization_id=org.id,
    )
    return org, organizer


def people(
    session: Session,
    org: Organization,
    organizer: User,
    activity: Activity,
    n: int,
    *,
    purposes: tuple[str, ...] = ("participation", "surveys", "data_sharing"),
    seed: int = 7,
) -> list[int]:
    """`n` adult participants of `org` with consent, enrolled in `activity`; their ids."""
    rng = random.Random(seed + (activity.id or 0))
    now, today = utcnow(), survey_service.today()
    assert org.id is not None and activity.id is not None
    rows = [
        {
            "organization_id": org.id,
            "code": f"B{activity.id:04d}{i:05d}",
            "name": "",
            "phone": "",
            "email": "",
            "group": "migrant" if i % 2 else "host",
            "birth_year": rng.randint(1950, 2000),
            "age_band": rng.choice(["25_34", "35_49", "50_64"]),
            "gender": rng.choice(["woman", "man"]),
            "languages": ["es"],
            "preferred_language": rng.choice(["en", "es", "fr", "ar"]),
            "country_of_origin": "",
            "created_at": now,
            "updated_at": now,
        }
        for i in range(n)
    ]
    ids = _bulk(session, Participant, rows, returning=True)
    consent = {
        "kind": "participant",
        "purposes": list(purposes),
        "given_on": today,
        "recorded_by_id": organizer.id,
        "guardian_name": "",
        "recorded_at": now,
    }
    _bulk(session, Consent, [{"participant_id": pid, **consent} for pid in ids])
    _bulk(
        session,
        Enrollment,
        [{"activity_id": activity.id, "participant_id": pid, "enrolled_at": now} for pid in ids],
    )
    session.commit()
    return list(ids)


def _activity(session: Session, organizer: User, title: str) -> Activity:
    today = survey_service.today()
    fields = activity_service.ActivityFields(
        title=title,
        kind="cooking",
        start_date=today - timedelta(days=60),
        end_date=today - timedelta(days=5),
    )
    return activity_service.create_activity(session=session, actor=organizer, fields=fields)


def _survey(
    session: Session, organizer: User, activity: Activity, custom: int, child_mode: str = "auto"
) -> Survey:
    assert activity.id is not None
    survey = survey_service.create_survey(
        session=session,
        actor=organizer,
        activity_id=activity.id,
        settings=survey_service.SurveySettings(child_mode=child_mode),
    )
    assert survey.id is not None
    for i in range(custom):
        fields = survey_service.CustomItemFields(text={"en": f"Our own question {i + 1}."})
        survey_service.add_custom_item(
            session=session, actor=organizer, survey_id=survey.id, fields=fields
        )
    return survey


def _waves(session: Session, survey: Survey) -> dict[str, Wave]:
    from sqlmodel import select

    return {w.kind: w for w in session.exec(select(Wave).where(Wave.survey_id == survey.id))}


def survey_world(
    session: Session, n: int, *, title: str = "Cocina compartida", child_mode: str = "auto"
) -> SurveyWorld:
    """An activity with `n` consenting participants, a 25-item survey with an open pre wave and
    every participant's personal link (token) to it."""
    org, organizer = organization(session)
    activity = _activity(session, organizer, title)
    survey = _survey(session, organizer, activity, CUSTOM_ITEMS, child_mode)
    waves = _waves(session, survey)
    for wave in waves.values():
        _open(session, wave)
    session.commit()
    people(session, org, organizer, activity, n)
    pre = waves["pre"]
    assert pre.id is not None
    sheet = links.issue_links(session=session, actor=organizer, wave_id=pre.id)
    version = survey_service.current_version(session=session, survey=survey)
    world = SurveyWorld(org, organizer, activity, survey, pre, version_items(version))
    world.tokens = [row.token for row in sheet.rows]
    world.link_ids = [int(row.link.id or 0) for row in sheet.rows]
    world.participant_ids = [int(row.link.participant_id or 0) for row in sheet.rows]
    return world


def start_all(session: Session, world: SurveyWorld, *, language: str = "es") -> None:
    """Every participant has opened their link and pressed "start" (what `responses.start` does,
    in one bulk insert): the submission benchmark then measures the submit alone."""
    version = survey_service.current_version(session=session, survey=world.survey)
    now = utcnow()
    rows = [
        {
            "wave_id": world.wave.id,
            "instrument_version_id": version.id,
            "link_id": link_id,
            "participant_id": pid,
            "respondent_group": "migrant" if pid % 2 else "host",
            "language": language,
            "child_mode": False,
            "page": 1,
            "source": "api",
            "started_at": now,
            "updated_at": now,
        }
        for link_id, pid in zip(world.link_ids, world.participant_ids, strict=True)
    ]
    _bulk(session, Response, rows)
    session.commit()


# --- the dashboard's data ------------------------------------------------------------------------


@dataclass
class DashboardWorld:
    territory_id: int
    viewer_email: str
    organizer_emails: list[str]
    organization_ids: list[int]
    participants: int
    activities: int


def _scores(response_id: int, scales: list[str], rng: random.Random, shift: float) -> list[dict]:
    rows = []
    for scale in [*scales, scoring.COHESION]:
        score = min(100.0, max(0.0, rng.gauss(55 + shift, 15)))
        rows.append(
            {
                "response_id": response_id,
                "scale_id": scale,
                "score": round(score, 2),
                "raw_mean": round(score / 25 + 1, 3),
                "n_items": 4,
            }
        )
    return rows


def _responses(
    session: Session,
    survey: Survey,
    waves: dict[str, Wave],
    ids: list[int],
    rng: random.Random,
    effect: float,
) -> None:
    version = survey_service.current_version(session=session, survey=survey)
    scales = list(version.scales)
    now = utcnow()
    for kind, share in (("pre", 0.95), ("post", 0.8)):
        wave = waves[kind]
        chosen = [pid for pid in ids if rng.random() < share]
        rows = [
            {
                "wave_id": wave.id,
                "instrument_version_id": version.id,
                "participant_id": pid,
                "respondent_group": "migrant" if pid % 2 else "host",
                "language": "es",
                "child_mode": False,
                "page": 5,
                "source": "web",
                "started_at": now,
                "updated_at": now,
                "submitted_at": now,
            }
            for pid in chosen
        ]
        response_ids = _bulk(session, Response, rows, returning=True)
        shift = effect if kind == "post" else 0.0
        scores = [row for rid in response_ids for row in _scores(rid, scales, rng, shift)]
        _bulk(session, ResponseScore, scores)


def dashboard_world(
    session: Session,
    n_participants: int,
    *,
    per_activity: int = 50,
    organizations: int = 4,
    seed: int = 2026,
) -> DashboardWorld:
    """A territory with `organizations` sharing NGOs and `n_participants` across activities of
    `per_activity` people, each with pre and post responses (attrition included) and scores."""
    rng = random.Random(seed)
    territory = accounts.create_territory(
        session=session, name=f"Bench town {next(_seq)}", kind=TerritoryKind.MUNICIPALITY
    )
    viewer = accounts.create_user(
        session=session,
        email=f"viewer{territory.id}@bench.example.org",
        password=PASSWORD,
        role=Role.GOVERNMENT_VIEWER,
        territory_id=territory.id,
    )
    orgs = [organization(session) for _ in range(organizations)]
    for org, organizer in orgs:
        session.add(
            DataSharing(
                organization_id=org.id, territory_id=territory.id, granted_by_id=organizer.id
            )
        )
    session.commit()
    n_activities = max(1, n_participants // per_activity)
    for number in range(n_activities):
        org, organizer = orgs[number % organizations]
        activity = _activity(session, organizer, f"Activity {number + 1}")
        survey = _survey(session, organizer, activity, 0)
        ids = people(session, org, organizer, activity, per_activity, seed=seed)
        _responses(session, survey, _waves(session, survey), ids, rng, rng.uniform(-2, 8))
        session.commit()
    return DashboardWorld(
        territory_id=int(territory.id or 0),
        viewer_email=viewer.email,
        organizer_emails=[o.email for _org, o in orgs],
        organization_ids=[int(org.id or 0) for org, _o in orgs],
        participants=n_activities * per_activity,
        activities=n_activities,
    )
