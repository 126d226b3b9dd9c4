"""What the roster holds about one participant, for their personal data export.

Registered with `activities.participants.rights` when this package is imported. Erasure needs no
hook: `group_member` and `attendance` rows refer to `participant.id`, and erasure deletes every
such row.
"""

from typing import Any

from sqlmodel import Session, col, select

from activities.models import Activity, ActivitySession
from activities.participants import rights
from activities.participants.models import Participant
from activities.roster.models import ActivityGroup, Attendance, GroupMember


def roster_of(session: Session, participant: Participant) -> dict[str, list[dict[str, Any]]]:
    """The participant's groups and attendance, as JSON-ready rows."""
    groups = session.exec(
        select(col(Activity.title), col(ActivityGroup.number), col(ActivityGroup.name))
        .select_from(GroupMember)
        .join(ActivityGroup, col(ActivityGroup.id) == GroupMember.group_id)
        .join(Activity, col(Activity.id) == ActivityGroup.activity_id)
        .where(GroupMember.participant_id == participant.id)
        .order_by(col(Activity.title))
    ).all()
    attendance = session.exec(
        select(col(Activity.title), col(ActivitySession.date), col(Attendance.present))
        .select_from(Attendance)
        .join(ActivitySession, col(ActivitySession.id) == Attendance.session_id)
        .join(Activity, col(Activity.id) == ActivitySession.activity_id)
        .where(Attendance.participant_id == participant.id)
        .order_by(col(ActivitySession.date), col(Activity.title))
    ).all()
    return {
        "groups": [{"activity": t, "group": n, "name": name} for t, n, name in groups],
        "attendance": [
            {"activity": t, "session_date": day.isoformat(), "present": present}
            for t, day, present in attendance
        ],
    }


if all(name != "roster" for name, _section in rights.EXPORT_SECTIONS):
    rights.EXPORT_SECTIONS.append(("roster", roster_of))
