"""Roster tables: an activity's mixed groups, their members, and attendance per session.

No ORM relationships: the service layer queries explicitly (one query per list). A participant is
in at most one group of an activity: `group_member` repeats the group's `activity_id` so that a
unique constraint can say so, and a composite foreign key keeps that copy equal to the group's.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKeyConstraint, UniqueConstraint, delete, event
from sqlalchemy.engine import Connection
from sqlmodel import Field, SQLModel

from activities.participants.models import Enrollment
from app.accounts.models import utcnow


class ActivityGroup(SQLModel, table=True):
    """One mixed group of an activity, numbered from 1 as organizers count them."""

    __tablename__ = "activity_group"
    __table_args__ = (
        UniqueConstraint("activity_id", "number"),
        UniqueConstraint("id", "activity_id"),  # the target of group_member's composite key
    )

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    number: int
    name: str = Field(default="", max_length=60)
    # True when the mixing tool proposed the groups; moving people by hand afterwards keeps it.
    formed_with_tool: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")


class GroupMember(SQLModel, table=True):
    """A participant's place in one group of an activity (at most one per activity)."""

    __tablename__ = "group_member"
    __table_args__ = (
        UniqueConstraint("activity_id", "participant_id"),
        ForeignKeyConstraint(
            ["group_id", "activity_id"], ["activity_group.id", "activity_group.activity_id"]
        ),
    )

    group_id: int = Field(primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", primary_key=True, index=True)
    activity_id: int  # the group's activity (see the composite key); indexed by the unique key


class Attendance(SQLModel, table=True):
    """Whether a participant came to one session; one row per session and participant."""

    __table_args__ = (UniqueConstraint("session_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="activity_session.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    present: bool
    recorded_at: datetime = Field(default_factory=utcnow)
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")


@event.listens_for(Enrollment, "after_delete")
def _leave_group(_mapper: Any, connection: Connection, enrollment: Enrollment) -> None:
    """Whoever leaves an activity leaves its group too (attendance already taken is kept).

    Enrolments are removed by `activities.participants.service.unenrol`, which this package must
    not change; the ORM event runs in the same transaction. Reads join `enrollment` as well, so
    bulk deletes (which skip ORM events) cannot show a former participant in a group either.
    """
    connection.execute(
        delete(GroupMember).where(
            GroupMember.activity_id == enrollment.activity_id,  # type: ignore[arg-type]
            GroupMember.participant_id == enrollment.participant_id,  # type: ignore[arg-type]
        )
    )
