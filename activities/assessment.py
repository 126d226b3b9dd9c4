"""Design assessment against the seven principles: the platform's facts, scoring, and history.

The rubric itself is pure (`activities.principles`); this module feeds it what the platform
already knows about an activity (`Facts`) and keeps each saved assessment. Functions here take an
activity the service layer has already scoped to the caller's organization.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlmodel import Session, col, select

from activities.models import (
    Activity,
    ActivityFacilitator,
    ActivityPartner,
    ActivitySession,
    PrincipleAssessment,
    SessionStatus,
)
from activities.principles import (
    QUESTIONS,
    Assessment,
    Facts,
    assess,
    derived_answers,
    validate_answers,
)
from activities.roster import facts as roster_facts
from app.accounts.models import User, utcnow
from app.errors import Invalid

ASKED = {q.id for q in QUESTIONS if q.kind != "derived"}
DAYS_PER_MONTH = 365.25 / 12


@dataclass
class Design:
    """An activity's design scored: the organizer's answers, the derived ones, and the result."""

    activity: Activity
    answers: dict[str, str | float]
    derived: dict[str, str | float]
    facts: Facts
    result: Assessment
    saved: PrincipleAssessment | None


def clean_answers(answers: Mapping[str, object]) -> dict[str, str | float]:
    """Keep answered, asked questions and validate them; Invalid (422) with the rubric's message."""
    given = {
        key: value.strip() if isinstance(value, str) else value
        for key, value in answers.items()
        if key in ASKED
    }
    given = {k: v for k, v in given.items() if v is not None and v != ""}
    try:
        return validate_answers(given)
    except ValueError as error:
        raise Invalid(str(error)) from error


def _tolerant(answers: Mapping[str, Any]) -> dict[str, str | float]:
    """Stored answers that still fit the rubric (a later rubric may drop or change questions)."""
    kept: dict[str, str | float] = {}
    for key, value in answers.items():
        if key in ASKED:
            try:
                kept |= validate_answers({key: value})
            except ValueError:
                continue
    return kept


def _regular(series_ids: list[str | None]) -> bool:
    """Regular when at least half of the (two or more) sessions come from a recurring schedule."""
    in_series = sum(1 for s in series_ids if s)
    return len(series_ids) >= 2 and in_series * 2 >= len(series_ids)


def facts_for(*, session: Session, activity: Activity) -> Facts:
    """What the platform knows about the design: sessions, partners, facilitators, shared goal."""
    assert activity.id is not None
    sessions = session.exec(
        select(
            col(ActivitySession.date),
            col(ActivitySession.duration_minutes),
            col(ActivitySession.series_id),
        )
        .where(
            ActivitySession.activity_id == activity.id,
            ActivitySession.status == SessionStatus.SCHEDULED,
        )
        .order_by(col(ActivitySession.date))
    ).all()
    partner_types = session.exec(
        select(ActivityPartner.type).where(ActivityPartner.activity_id == activity.id)
    ).all()
    trained = session.exec(
        select(ActivityFacilitator.trained).where(ActivityFacilitator.activity_id == activity.id)
    ).all()
    days = [s[0] for s in sessions]
    span_days = (days[-1] - days[0]).days if days else 0
    return Facts(
        shared_goal=activity.shared_goal,
        session_count=len(days),
        total_hours=round(sum(s[1] for s in sessions) / 60, 2),
        span_weeks=round(span_days / 7, 2),
        # Sessions per month over the schedule's span: n - 1 intervals in span_days.
        sessions_per_month=round((len(days) - 1) * DAYS_PER_MONTH / span_days, 2)
        if len(days) >= 2 and span_days
        else 0.0,
        regular=_regular([s[2] for s in sessions]),
        partner_types=tuple(sorted(partner_types)),  # one entry per partner
        facilitator_count=len(trained),
        trained_facilitator=any(trained),
        mixing_tool_used=roster_facts.mixing_tool_used(session=session, activity_id=activity.id),
    )


def evaluate(
    *,
    session: Session,
    activity: Activity,
    answers: Mapping[str, Any],
    saved: PrincipleAssessment | None = None,
) -> Design:
    """Score the answers together with the activity's current facts."""
    facts = facts_for(session=session, activity=activity)
    clean = _tolerant(answers)
    return Design(
        activity=activity,
        answers=clean,
        derived=derived_answers(facts),
        facts=facts,
        result=assess(answers=clean, facts=facts),
        saved=saved,
    )


def latest(*, session: Session, activity_id: int) -> PrincipleAssessment | None:
    query = (
        select(PrincipleAssessment)
        .where(PrincipleAssessment.activity_id == activity_id)
        .order_by(col(PrincipleAssessment.created_at).desc(), col(PrincipleAssessment.id).desc())
    )
    return session.exec(query.limit(1)).first()


def history(*, session: Session, activity_id: int) -> list[PrincipleAssessment]:
    query = (
        select(PrincipleAssessment)
        .where(PrincipleAssessment.activity_id == activity_id)
        .order_by(col(PrincipleAssessment.created_at).desc(), col(PrincipleAssessment.id).desc())
    )
    return list(session.exec(query))


def _json_facts(facts: Facts) -> dict[str, Any]:
    data = asdict(facts)
    data["partner_types"] = list(facts.partner_types)
    return data


def record(
    *, session: Session, activity: Activity, actor: User, answers: dict[str, str | float]
) -> PrincipleAssessment:
    """Add an assessment to the history (never updated later) and refresh the activity's score."""
    design = evaluate(session=session, activity=activity, answers=answers)
    assert activity.id is not None
    row = PrincipleAssessment(
        activity_id=activity.id,
        created_by_id=actor.id,
        answers=design.answers,
        derived=design.derived,
        facts=_json_facts(design.facts),
        scores={str(s.number): round(s.score, 1) for s in design.result.scores},
        overall=round(design.result.overall, 1),
    )
    activity.design_score = row.overall
    activity.updated_at = utcnow()
    session.add_all([row, activity])
    session.flush()
    return row


def refresh_design_score(*, session: Session, activity: Activity) -> None:
    """Re-score the latest saved answers after sessions, partners or facilitators changed."""
    saved = latest(session=session, activity_id=activity.id) if activity.id else None
    if saved is None:
        return
    design = evaluate(session=session, activity=activity, answers=saved.answers)
    activity.design_score = round(design.result.overall, 1)
    session.add(activity)
