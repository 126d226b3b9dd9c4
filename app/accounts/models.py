"""Account tables: who works where, and which territory may see which organization's aggregates.

Enums are stored as plain strings, so adding a value needs no database enum migration.
"""

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(StrEnum):
    ORG_ADMIN = "org_admin"
    ORGANIZER = "organizer"
    GOVERNMENT_VIEWER = "government_viewer"


class TerritoryKind(StrEnum):
    MUNICIPALITY = "municipality"
    REGION = "region"


class Territory(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    kind: TerritoryKind = Field(default=TerritoryKind.MUNICIPALITY, sa_type=String(20))
    created_at: datetime = Field(default_factory=utcnow)


class Organization(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=160, unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class User(SQLModel, table=True):
    """A staff account. Organizers and org admins belong to an organization; government viewers
    to a territory."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    full_name: str = Field(default="", max_length=120)
    password_hash: str = Field(max_length=255)
    role: Role = Field(sa_type=String(30))
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    territory_id: int | None = Field(default=None, foreign_key="territory.id", index=True)
    is_active: bool = True
    language: str = Field(default="en", max_length=5)
    # Bumped on password change or deactivation: invalidates older cookies and API tokens.
    auth_version: int = 1
    created_at: datetime = Field(default_factory=utcnow)


class DataSharing(SQLModel, table=True):
    """An organization's agreement to let a territory's government viewers see its aggregates."""

    __table_args__ = (UniqueConstraint("organization_id", "territory_id"),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    territory_id: int = Field(foreign_key="territory.id", index=True)
    granted_by_id: int | None = Field(default=None, foreign_key="user.id")
    granted_at: datetime = Field(default_factory=utcnow)


class LoginAttempt(SQLModel, table=True):
    """Failed logins, kept in the database so throttling holds across workers and hosts."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    ip: str = Field(default="", max_length=64)
    at: datetime = Field(default_factory=utcnow, index=True)
