"""Figures about an activity's roster that other packages read: the design rubric (principle 5)
and the analysis (dose-response).

Both take an activity id the caller has already scoped to an organization (like
`activities.assessment`), and import nothing but models, so `activities.assessment` may import
this module without a cycle.
"""

from typing import Any

from sqlalchemy import Integer, case, func, literal, union_all
from sqlmodel import Session, col, select

from activities.models import ActivitySession, SessionStatus
from activities.participants.models import Enrollment
from activities.roster.models import ActivityGroup, Attendance


def mixing_tool_used(*, session: Session, activity_id: int) -> bool | None:
    """Whether the activity's groups were formed with the mixing tool; None while it has none.

    True when the saved groups came from the tool's proposal, even if the organizer moved people
    by hand afterwards: the tool set up the mix and the hand moves only adjust it. False when the
    groups were saved as typed by hand (API `PUT .../groups`).
    """
    query = select(ActivityGroup.formed_with_tool).where(ActivityGroup.activity_id == activity_id)
    flags = set(session.exec(query).all())
    if not flags:
        return None
    return True in flags


def attendance_rows(activity_id: int) -> Any:
    """(participant_id, present 0/1) for every attendance record at a non-cancelled session."""
    return (
        select(
            col(Attendance.participant_id).label("participant_id"),
            case((col(Attendance.present), 1), else_=0).label("present"),
        )
        .join(ActivitySession, col(ActivitySession.id) == Attendance.session_id)
        .where(
            ActivitySession.activity_id == activity_id,
            ActivitySession.status != SessionStatus.CANCELLED,
        )
    )


def doses(*, session: Session, activity_id: int) -> dict[int, int]:
    """Sessions attended per participant (their dose of contact), in one aggregate query.

    Every enrolled participant is a key (0 when they attended nothing), and so is anyone with
    attendance recorded who has since left the activity. Cancelled sessions never count.
    """
    enrolled: Any = select(
        col(Enrollment.participant_id).label("participant_id"),
        literal(0, Integer).label("present"),
    ).where(Enrollment.activity_id == activity_id)
    rows = union_all(enrolled, attendance_rows(activity_id)).subquery()
    query = select(rows.c.participant_id, func.sum(rows.c.present)).group_by(rows.c.participant_id)
    return {int(pid): int(n or 0) for pid, n in session.exec(query).all()}  # type: ignore[call-overload]
