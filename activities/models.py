"""Activity tables: the activity, its facilitators, partners, sessions and design assessments.

Enum-like fields are plain strings (no database enum types), like the account tables. Facilitators,
partners and sessions are queried explicitly by the service layer; there are no ORM relationships
to load lazily by accident.
"""

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String, Text
from sqlmodel import Field, SQLModel

from app.accounts.models import utcnow


class ActivityStatus(StrEnum):
    DRAFT = "draft"
    PLANNED = "planned"
    RUNNING = "running"
    COMPLETED = "completed"
    ARCHIVED = "archived"


# Forward along draft → planned → running → completed → archived; a plan can go back to draft, and
# an archived activity can be restored as a draft (archiving by mistake must not be final).
STATUS_TRANSITIONS: dict[ActivityStatus, tuple[ActivityStatus, ...]] = {
    ActivityStatus.DRAFT: (ActivityStatus.PLANNED, ActivityStatus.ARCHIVED),
    ActivityStatus.PLANNED: (ActivityStatus.RUNNING, ActivityStatus.DRAFT, ActivityStatus.ARCHIVED),
    ActivityStatus.RUNNING: (ActivityStatus.COMPLETED, ActivityStatus.ARCHIVED),
    ActivityStatus.COMPLETED: (ActivityStatus.ARCHIVED,),
    ActivityStatus.ARCHIVED: (ActivityStatus.DRAFT,),
}


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Activity(SQLModel, table=True):
    """A social-mixing activity of one organization (a cooking club, a sports league, …)."""

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    title: str = Field(max_length=160)
    kind: str = Field(sa_type=String(30))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    shared_goal: str = Field(default="", max_length=1000)
    location: str = Field(default="", max_length=200)
    territory_id: int | None = Field(default=None, foreign_key="territory.id", index=True)
    start_date: date | None = None
    end_date: date | None = None
    target_migrants: int = 0
    target_locals: int = 0
    status: ActivityStatus = Field(default=ActivityStatus.DRAFT, sa_type=String(20), index=True)
    # The current overall design score (latest saved answers + current sessions, partners and
    # facilitators), kept up to date by the service so the list can sort and badge in one query.
    design_score: float | None = None
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ActivityFacilitator(SQLModel, table=True):
    """A staff member who facilitates the activity, and whether they are trained for it."""

    __tablename__ = "activity_facilitator"

    activity_id: int = Field(foreign_key="activity.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True, index=True)
    trained: bool = False


class ActivityPartner(SQLModel, table=True):
    """An institution that supports the activity (principle 7)."""

    __tablename__ = "activity_partner"

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    name: str = Field(max_length=160)
    type: str = Field(sa_type=String(30))
    role: str = Field(default="", max_length=300)


class ActivitySession(SQLModel, table=True):
    """One meeting of an activity; sessions generated together share a `series_id`."""

    __tablename__ = "activity_session"

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    date: date
    start_time: time
    duration_minutes: int
    location: str = Field(default="", max_length=200)
    status: SessionStatus = Field(default=SessionStatus.SCHEDULED, sa_type=String(20))
    series_id: str | None = Field(default=None, max_length=32, index=True)
    frequency: str | None = Field(default=None, sa_type=String(20))
    created_at: datetime = Field(default_factory=utcnow)


class PrincipleAssessment(SQLModel, table=True):
    """One saved design assessment: the answers, the platform facts then, and the scores.

    Rows are never updated, so the design at any date (e.g. the post survey) can be recovered.
    """

    __tablename__ = "principle_assessment"

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    answers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    derived: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    facts: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    scores: dict[str, float] = Field(default_factory=dict, sa_type=JSON)
    overall: float
