"""Data-subject rights: export everything held about one participant, and erase them.

Hook lists. `activities` must not import `surveys` (imports point one way), so packages that keep
rows about participants register themselves here, at import time of their own module:

    from activities.participants import rights

    def _answers(session: Session, participant: Participant) -> list[dict[str, Any]]:
        ...  # JSON-serialisable rows about the participant
    rights.EXPORT_SECTIONS.append(("survey_answers", _answers))

    def _erase_answers(session: Session, participant: Participant) -> int:
        ...  # delete (or irreversibly detach) the rows; no commit; return how many
    rights.ERASERS.append(_erase_answers)

Erasure runs every eraser first (so packages may detach rather than delete, and delete children
before parents), then deletes this package's rows, then - as a safety net - any remaining row of any
table with a foreign key to `participant.id`, then the participant: one transaction, all or nothing.
The audit entry keeps only the participant's id and code.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, SQLModel, col, select

from activities.codes import format_code
from activities.participants import service
from activities.participants.consent import consents_of
from activities.participants.models import Consent, Enrollment, Participant, SupportNote
from app import audit
from app.accounts.models import User, utcnow

ExportSection = Callable[[Session, Participant], Any]
Eraser = Callable[[Session, Participant], int]

# (section name, function) pairs appended by other packages; see the module docstring.
EXPORT_SECTIONS: list[tuple[str, ExportSection]] = []
ERASERS: list[Eraser] = []

ATTRIBUTES = (
    "code",
    "name",
    "phone",
    "email",
    "group",
    "birth_year",
    "age_band",
    "gender",
    "languages",
    "preferred_language",
    "country_of_origin",
    "created_at",
    "updated_at",
)


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _consents(session: Session, participant: Participant) -> list[dict[str, Any]]:
    assert participant.id is not None
    return [
        {
            "kind": c.kind,
            "purposes": list(c.purposes),
            "given_on": c.given_on.isoformat(),
            "guardian_name": c.guardian_name,
            "recorded_at": _iso(c.recorded_at),
            "withdrawn_at": _iso(c.withdrawn_at),
        }
        for c in consents_of(session=session, participant_ids=[participant.id])[participant.id]
    ]


def export_participant(*, session: Session, actor: User, participant_id: int) -> dict[str, Any]:
    """Everything held about the participant, as JSON-ready data; audit-logged.

    The support note is included only for those allowed to read it (and that read is logged too).
    """
    participant = service.scoped_participant(
        session=session, actor=actor, participant_id=participant_id
    )
    data: dict[str, Any] = {
        "exported_at": utcnow().isoformat(),
        "participant": {name: _iso(getattr(participant, name)) for name in ATTRIBUTES},
        "consents": _consents(session, participant),
        "enrollments": [
            {"activity": activity.title, "enrolled_at": _iso(enrollment.enrolled_at)}
            for enrollment, activity in service.participant_enrollments(
                session=session, actor=actor, participant_id=participant_id
            )
        ],
    }
    data["participant"]["code"] = format_code(participant.code)
    note_allowed = service.can_read_support_note(
        session=session, actor=actor, participant=participant
    )
    if note_allowed:
        note = session.exec(
            select(SupportNote).where(SupportNote.participant_id == participant.id)
        ).first()
        data["support_note"] = note.text if note else ""
    for name, section in EXPORT_SECTIONS:
        data[name] = section(session, participant)
    _log_export(session, actor, participant, note_allowed)
    session.commit()
    return data


def _log_export(session: Session, actor: User, participant: Participant, note: bool) -> None:
    audit.record(
        session=session,
        actor=actor,
        action=audit.AuditAction.EXPORT,
        subject_id=participant.id,
        subject_code=participant.code,
        detail="personal data export (JSON)" + (", support note included" if note else ""),
    )
    if note:
        audit.record(
            session=session,
            actor=actor,
            action=audit.AuditAction.VIEW_RESTRICTED,
            subject_id=participant.id,
            subject_code=participant.code,
            detail="support note, in a personal data export",
        )


def _referencing_columns() -> list[Any]:
    """Every column of every table with a foreign key to participant.id (except the registry)."""
    return [
        fk.parent
        for table in SQLModel.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == "participant" and fk.column.name == "id"
    ]


def erase_participant(*, session: Session, actor: User, participant_id: int) -> tuple[int, str]:
    """Delete the participant and every row referring to them, in one transaction.

    Returns (id, code) of the erased participant; the audit entry keeps only those.
    """
    participant = service.scoped_participant(
        session=session, actor=actor, participant_id=participant_id
    )
    assert participant.id is not None
    pid, code = participant.id, participant.code
    for eraser in ERASERS:
        eraser(session, participant)
    for model in (Consent, SupportNote, Enrollment):
        session.exec(delete(model).where(col(model.participant_id) == pid))  # type: ignore[call-overload]
    for column in _referencing_columns():
        session.exec(delete(column.table).where(column == pid))  # type: ignore[call-overload]
    session.delete(participant)
    audit.record(
        session=session,
        actor=actor,
        action=audit.AuditAction.ERASE,
        subject_id=pid,
        subject_code=code,
        detail="participant and all their data erased",
    )
    session.commit()
    return pid, code
