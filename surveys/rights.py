"""Survey data in a participant's data export and erasure.

Registered into `activities.participants.rights` when the `surveys` package is imported (see
`surveys/__init__.py`): `activities` never imports `surveys`, so the hooks come from this side.
Erasure deletes the participant's responses with their answers and stored scores, and their
links; dashboards recompute from what is left. Anonymous responses name nobody and are untouched.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from activities.participants import rights
from activities.participants.models import Participant
from surveys.models import Answer, Response, ResponseScore, Survey, SurveyLink, Wave


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export_answers(session: Session, participant: Participant) -> list[dict[str, Any]]:
    """Every survey response of the participant with its answers and scores."""
    query = (
        select(Response, Wave, Survey)
        .join(Wave, col(Wave.id) == col(Response.wave_id))
        .join(Survey, col(Survey.id) == col(Wave.survey_id))
        .where(Response.participant_id == participant.id)
        .order_by(col(Response.started_at))
    )
    rows = session.exec(query).all()
    ids = [r.id for r, _w, _s in rows]
    answers: dict[int, dict[str, float]] = {i: {} for i in ids if i is not None}
    scores: dict[int, dict[str, float | None]] = {i: {} for i in ids if i is not None}
    if ids:
        for answer in session.exec(select(Answer).where(col(Answer.response_id).in_(ids))):
            answers[answer.response_id][answer.item_id] = answer.value
        for score in session.exec(
            select(ResponseScore).where(col(ResponseScore.response_id).in_(ids))
        ):
            scores[score.response_id][score.scale_id] = score.score
    return [
        {
            "survey": survey.title,
            "wave": wave.kind,
            "language": response.language,
            "started_at": _iso(response.started_at),
            "submitted_at": _iso(response.submitted_at),
            "answers": answers.get(response.id or 0, {}),
            "scores": scores.get(response.id or 0, {}),
        }
        for response, wave, survey in rows
    ]


def erase_answers(session: Session, participant: Participant) -> int:
    """Delete the participant's responses, answers, scores and links; no commit."""
    ids = list(session.exec(select(Response.id).where(Response.participant_id == participant.id)))
    if ids:
        session.execute(delete(ResponseScore).where(col(ResponseScore.response_id).in_(ids)))
        session.execute(delete(Answer).where(col(Answer.response_id).in_(ids)))
        session.execute(delete(Response).where(col(Response.id).in_(ids)))
    session.execute(delete(SurveyLink).where(col(SurveyLink.participant_id) == participant.id))
    return len(ids)


def register() -> None:
    """Add the hooks once (importing twice must not export or erase twice)."""
    if not any(name == "survey_answers" for name, _ in rights.EXPORT_SECTIONS):
        rights.EXPORT_SECTIONS.append(("survey_answers", export_answers))
    if erase_answers not in rights.ERASERS:
        rights.ERASERS.append(erase_answers)
