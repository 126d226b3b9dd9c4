"""Audit log: who created, changed, viewed restricted fields of, exported or erased whose data.

Rows name the participant by id and pseudonymous code only (never a name), so the log itself holds
no identifying data; after erasure the id no longer resolves to anyone.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, Session, SQLModel, col, func, select

from app.accounts.models import User, utcnow


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    VIEW_RESTRICTED = "view_restricted"
    EXPORT = "export"
    ERASE = "erase"
    IMPORT = "import"
    CONSENT = "consent"
    WITHDRAW_CONSENT = "withdraw_consent"


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    actor_email: str = Field(default="", max_length=254)
    action: AuditAction = Field(sa_type=String(30))
    subject_type: str = Field(default="participant", max_length=40)
    subject_id: int | None = Field(default=None, index=True)
    subject_code: str = Field(default="", max_length=20)
    detail: str = Field(default="", max_length=500)
    at: datetime = Field(default_factory=utcnow, index=True)


def record(
    *,
    session: Session,
    actor: User,
    action: AuditAction,
    subject_id: int | None = None,
    subject_code: str = "",
    subject_type: str = "participant",
    detail: str = "",
) -> AuditEntry:
    """Add an entry to the caller's transaction; it commits with the change it describes."""
    assert actor.organization_id is not None
    entry = AuditEntry(
        organization_id=actor.organization_id,
        actor_id=actor.id,
        actor_email=actor.email,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_code=subject_code,
        detail=detail[:500],
    )
    session.add(entry)
    return entry


def list_entries(
    *,
    session: Session,
    organization_id: int,
    page: int = 1,
    per_page: int = 50,
    subject_id: int | None = None,
) -> tuple[list[AuditEntry], int]:
    """One page of the organization's log, newest first, and the total count."""
    query = select(AuditEntry).where(AuditEntry.organization_id == organization_id)
    if subject_id is not None:
        query = query.where(AuditEntry.subject_id == subject_id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return list(rows), int(total)
