"""Participant import: upload → preview → confirm, around the pure `activities.importing`.

The uploaded bytes are kept in an `ImportDraft` row (not in a worker's memory), so the preview and
the confirmation may be served by different workers. Nothing else is written before confirmation.
Confirming validates the file again against the registry as it is *then* and writes every row, the
optional enrolments and the audit entries in one transaction - or nothing, if any row has an error.
Drafts older than `DRAFT_LIFETIME` are deleted whenever someone uploads a new file.

The matching rule is `activities.importing`'s (see `MATCHING_RULE` for the words shown on the page):
re-importing the same file creates nobody twice.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from activities import importing
from activities.participants import service
from activities.participants.models import ImportDraft, Participant
from activities.participants.service import ParticipantFields
from app import audit
from app.accounts.models import User, utcnow
from app.errors import Invalid, NotFound
from app.i18n import _

DRAFT_LIFETIME = timedelta(days=1)
MATCHING_RULE = (
    _(
        "A row with a code updates the participant of your organization with that code "
        "(an unknown code is an error; codes never create anyone)."
    ),
    _(
        "A row without a code whose name, birth year and e-mail (or, without an e-mail, phone) "
        "match a registered participant is skipped as already registered; add their code to "
        "update them."
    ),
    _("Any other row registers a new participant with a new code."),
    _(
        "Two rows of the same file with the same code, or the same name, birth year and "
        "contact, are an error. So importing the same file again creates nobody twice."
    ),
)


@dataclass
class ImportSummary:
    filename: str
    created: list[str] = field(default_factory=list)  # codes
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    enrolled: int = 0
    activity_title: str = ""


def _purge_old_drafts(session: Session) -> None:
    cutoff = utcnow() - DRAFT_LIFETIME
    session.exec(delete(ImportDraft).where(col(ImportDraft.created_at) < cutoff))  # type: ignore[call-overload]


def create_draft(*, session: Session, actor: User, filename: str, data: bytes) -> ImportDraft:
    """Keep an uploaded file until it is confirmed or a day old; old drafts go now."""
    if actor.organization_id is None:
        raise NotFound(_("Organization not found."))
    if not data:
        raise Invalid(_("Choose a CSV or XLSX file to upload."))
    if len(data) > importing.MAX_BYTES:
        raise Invalid(_("The file is larger than 2 MB. Split it into smaller files."))
    _purge_old_drafts(session)
    draft = ImportDraft(
        organization_id=actor.organization_id,
        created_by_id=actor.id,
        filename=(filename or "upload").rsplit("/", 1)[-1][:255],
        data=data,
    )
    session.add(draft)
    session.commit()
    return draft


def scoped_draft(*, session: Session, actor: User, draft_id: int) -> ImportDraft:
    """The organization's draft, else 404 (also when it expired or was confirmed)."""
    draft = session.get(ImportDraft, draft_id)
    if (
        draft is None
        or draft.organization_id != actor.organization_id
        or draft.created_at < utcnow() - DRAFT_LIFETIME
    ):
        raise NotFound(
            _("This import has expired or was already confirmed. Upload the file again.")
        )
    return draft


def _existing(
    session: Session, organization_id: int
) -> tuple[dict[str, Participant], dict[str, str]]:
    """The organization's participants by code, and {fingerprint: code}."""
    query = select(Participant).where(Participant.organization_id == organization_id)
    by_code = {p.code: p for p in session.exec(query)}
    prints = {p.fingerprint: p.code for p in by_code.values() if p.fingerprint}
    return by_code, prints


def _preview(
    session: Session, draft: ImportDraft
) -> tuple[importing.ImportPreview, dict[str, Participant]]:
    by_code, prints = _existing(session, draft.organization_id)
    result = importing.preview(
        draft.data,
        draft.filename,
        existing_codes=by_code.keys(),
        existing_fingerprints=prints,
        today=service.today(),
    )
    return result, by_code


def preview_draft(*, session: Session, actor: User, draft_id: int) -> importing.ImportPreview:
    """What confirming the draft would do, row by row, with every error; writes nothing."""
    draft = scoped_draft(session=session, actor=actor, draft_id=draft_id)
    return _preview(session, draft)[0]


def _fields(row: importing.ParticipantRow) -> ParticipantFields:
    return ParticipantFields(
        group=row.group,
        name=row.name,
        phone=row.phone,
        email=row.email,
        birth_year=row.birth_year,
        age_band=row.age_band,
        gender=row.gender,
        languages=list(row.languages),
        preferred_language=row.preferred_language,
        country_of_origin=row.country_of_origin,
    )


def confirm_draft(
    *, session: Session, actor: User, draft_id: int, activity_id: int | None = None
) -> ImportSummary:
    """Write every row of a valid draft (and enrol them all in the activity, if given)."""
    draft = scoped_draft(session=session, actor=actor, draft_id=draft_id)
    activity = service.scoped_activity_for_enrolment(
        session=session, actor=actor, activity_id=activity_id
    )
    result, by_code = _preview(session, draft)
    if not result.ok:
        raise Invalid(
            _("The file has errors; nothing was imported. Correct them and upload it again.")
        )
    summary = ImportSummary(
        filename=draft.filename, activity_title=activity.title if activity else ""
    )
    codes = set(by_code)
    detail = f"import of {draft.filename}"[:200]
    touched: list[Participant] = []
    for line in result.rows:
        assert line.row is not None
        if line.action == "create":
            participant = service.new_participant(
                session=session, actor=actor, clean=_fields(line.row), codes=codes, detail=detail
            )
            summary.created.append(participant.code)
        elif line.action == "update":
            assert line.row.code is not None
            participant = by_code[line.row.code]
            changed = service.change_participant(
                session=session,
                actor=actor,
                participant=participant,
                clean=_fields(line.row),
                detail=detail,
            )
            (summary.updated if changed else summary.unchanged).append(participant.code)
        else:
            assert line.row.code is not None
            participant = by_code[line.row.code]
            summary.skipped.append(participant.code)
        touched.append(participant)
    if activity is not None:
        for participant in touched:
            service.add_enrollment(session=session, activity=activity, participant=participant)
        summary.enrolled = len({p.id for p in touched})
    audit.record(
        session=session,
        actor=actor,
        action=audit.AuditAction.IMPORT,
        subject_type="import",
        detail=(
            f"{draft.filename}: {len(summary.created)} created, {len(summary.updated)} updated, "
            f"{len(summary.skipped)} already registered"
            + (f", enrolled in activity {activity.id}" if activity else "")
        ),
    )
    session.delete(draft)
    session.commit()
    return summary
