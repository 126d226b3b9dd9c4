"""Participant tables: the pseudonymous registry, support notes, consents, enrolments and drafts.

Data minimisation is the design rule: a participant is a code plus the few attributes used for
mixing and disaggregation. Immigration or legal status is never recorded, and no column may be
added for it (a test checks column names). Only a birth year or an age band is kept, never a date
of birth. The support note lives in its own table so that no list query can load it by accident.
Enum-like columns are plain strings, like the rest of the schema.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, LargeBinary, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.accounts.models import utcnow


class ParticipantGroup(StrEnum):
    """Self-identified group: the two sides of the contact, and "other"."""

    MIGRANT = "migrant"
    HOST = "host"
    OTHER = "other"


class Gender(StrEnum):
    WOMAN = "woman"
    MAN = "man"
    NON_BINARY = "non_binary"
    OTHER = "other"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


class ConsentKind(StrEnum):
    PARTICIPANT = "participant"  # an adult's own consent
    GUARDIAN = "guardian"  # a parent's or legal guardian's consent for a minor
    ASSENT = "assent"  # a minor's own agreement, needed besides the guardian's consent


class ConsentPurpose(StrEnum):
    PARTICIPATION = "participation"
    SURVEYS = "surveys"
    DATA_SHARING = "data_sharing"  # sharing in aggregate (never rows) with local government


class Participant(SQLModel, table=True):
    """A person taking part in an organization's activities, known everywhere by `code`."""

    __table_args__ = (UniqueConstraint("organization_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    code: str = Field(max_length=12)
    # Optional and never leave the organization (not in government exports or dashboards).
    name: str = Field(default="", max_length=120)
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=254)
    group: ParticipantGroup = Field(sa_type=String(10))
    birth_year: int | None = None
    age_band: str = Field(sa_type=String(10))
    gender: Gender = Field(default=Gender.PREFER_NOT_TO_SAY, sa_type=String(20))
    languages: list[str] = Field(default_factory=list, sa_type=JSON)
    preferred_language: str = Field(default="en", sa_type=String(2))
    country_of_origin: str = Field(default="", max_length=60)
    # activities.importing.fingerprint_of(name, birth year, email or phone): import dedupe key.
    fingerprint: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SupportNote(SQLModel, table=True):
    """Restricted free text about a participant's support needs (one per participant).

    Readable only by org admins and by facilitators of an activity the participant is enrolled
    in; every read is audit-logged. Never in lists, dashboards or exports for government.
    """

    __tablename__ = "support_note"

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", unique=True)
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")


class Consent(SQLModel, table=True):
    """One recorded consent (or assent): who gave it, for what, when, and whether withdrawn."""

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    kind: ConsentKind = Field(sa_type=String(20))
    purposes: list[str] = Field(default_factory=list, sa_type=JSON)
    given_on: date
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    guardian_name: str = Field(default="", max_length=120)
    recorded_at: datetime = Field(default_factory=utcnow)
    withdrawn_at: datetime | None = None


class Enrollment(SQLModel, table=True):
    """A participant taking part in an activity; both belong to the same organization."""

    __table_args__ = (UniqueConstraint("activity_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    enrolled_at: datetime = Field(default_factory=utcnow)


class ImportDraft(SQLModel, table=True):
    """An uploaded file between preview and confirmation, kept in the database (not in a
    worker's memory) so any worker can confirm it. Deleted on confirmation, or after a day."""

    __tablename__ = "import_draft"

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    filename: str = Field(default="", max_length=255)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)
