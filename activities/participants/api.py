"""Participant endpoints of the JSON API (`/api/v1`): participants, consents, support notes,
import, enrolments, rights (export, erasure) and the audit log.

Everything is scoped to the caller's organization by the service layer: another organization's
participant, consent, draft or activity answers 404. List responses never carry support notes.
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Response, UploadFile, status
from pydantic import BaseModel, Field

from activities import importing
from activities.codes import format_code
from activities.participants import consent, imports, rights, service
from activities.participants.models import (
    Consent,
    ConsentKind,
    ConsentPurpose,
    Gender,
    Participant,
    ParticipantGroup,
)
from app.audit import AuditEntry
from app.db import SessionDep
from app.deps import ApiStaff

router = APIRouter(tags=["participants"])

AgeBand = Literal["under_12", "12_14", "15_17", "18_24", "25_34", "35_49", "50_64", "65_plus"]
SurveyLanguage = Literal["en", "es", "fr", "ar"]


# --- schemas ------------------------------------------------------------------------------------


class ParticipantIn(BaseModel):
    """A participant's attributes. There is no field for immigration or legal status."""

    group: ParticipantGroup
    name: str = Field(default="", max_length=120)
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=254)
    birth_year: int | None = Field(default=None, description="the year only, never a full date")
    age_band: AgeBand | None = Field(default=None, description="derived from birth_year if blank")
    gender: Gender = Gender.PREFER_NOT_TO_SAY
    languages: list[str] = Field(default_factory=list, max_length=20, description="ISO 639-1 codes")
    preferred_language: SurveyLanguage | None = None
    country_of_origin: str = Field(default="", max_length=60)


class ParticipantPatch(BaseModel):
    group: ParticipantGroup | None = None
    name: str | None = Field(default=None, max_length=120)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    birth_year: int | None = None
    age_band: AgeBand | None = None
    gender: Gender | None = None
    languages: list[str] | None = Field(default=None, max_length=20)
    preferred_language: SurveyLanguage | None = None
    country_of_origin: str | None = Field(default=None, max_length=60)


class ConsentStatusOut(BaseModel):
    is_minor: bool
    can_participate: bool
    can_survey: bool
    can_share: bool
    missing: list[str]


class ParticipantOut(BaseModel):
    id: int
    code: str = Field(description="display form, e.g. K7M-4PQ")
    name: str
    phone: str
    email: str
    group: str
    birth_year: int | None
    age_band: str
    gender: str
    languages: list[str]
    preferred_language: str
    country_of_origin: str
    created_at: datetime
    updated_at: datetime


class ParticipantListItem(ParticipantOut):
    consent: ConsentStatusOut


class ParticipantListOut(BaseModel):
    items: list[ParticipantListItem]
    total: int
    page: int
    pages: int
    per_page: int


class EnrollmentOut(BaseModel):
    activity_id: int
    activity_title: str
    enrolled_at: datetime


class ConsentOut(BaseModel):
    id: int
    kind: str
    purposes: list[str]
    given_on: date
    guardian_name: str
    recorded_by_id: int | None
    recorded_at: datetime
    withdrawn_at: datetime | None


class ParticipantDetailOut(ParticipantOut):
    consent: ConsentStatusOut
    consents: list[ConsentOut]
    enrollments: list[EnrollmentOut]
    support_note_visible: bool = Field(
        description="whether the caller may read the support note (org admin or facilitator)"
    )
    support_note: str | None = Field(
        description="only for callers allowed to read it; each read is audit-logged"
    )


class ConsentIn(BaseModel):
    kind: ConsentKind
    purposes: list[ConsentPurpose] = Field(min_length=1, max_length=3)
    given_on: date
    guardian_name: str = Field(default="", max_length=120)


class SupportNoteIn(BaseModel):
    text: str = Field(max_length=4000, description="blank deletes the note")


class SupportNoteOut(BaseModel):
    participant_id: int
    text: str
    updated_at: datetime | None


class ImportRowOut(BaseModel):
    line: int
    action: str
    code: str | None
    errors: list[str]
    values: dict[str, str]


class ImportPreviewOut(BaseModel):
    draft_id: int
    ok: bool
    creatable: int
    updatable: int
    duplicates: int
    error_count: int
    file_errors: list[str]
    warnings: list[str]
    rows: list[ImportRowOut]
    matching_rule: list[str]


class ImportConfirmIn(BaseModel):
    activity_id: int | None = Field(default=None, description="enrol every row in this activity")


class ImportSummaryOut(BaseModel):
    filename: str
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    skipped_duplicates: list[str]
    enrolled: int


class EnrolIn(BaseModel):
    participant_ids: list[int] = Field(min_length=1, max_length=1000)


class EnrolledParticipantOut(BaseModel):
    participant_id: int
    code: str
    group: str
    age_band: str
    gender: str
    enrolled_at: datetime


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor_id: int | None
    actor_email: str
    action: str
    subject_type: str
    subject_id: int | None
    subject_code: str
    detail: str


class AuditListOut(BaseModel):
    items: list[AuditEntryOut]
    total: int
    page: int
    pages: int
    per_page: int


# --- conversions --------------------------------------------------------------------------------


def _participant(participant: Participant) -> dict[str, Any]:
    values = {name: getattr(participant, name) for name in ParticipantOut.model_fields}
    values["code"] = format_code(participant.code)
    return values


def _status(status_: consent.ConsentStatus) -> ConsentStatusOut:
    return ConsentStatusOut(
        is_minor=status_.is_minor,
        can_participate=status_.can_participate,
        can_survey=status_.can_survey,
        can_share=status_.can_share,
        missing=status_.missing,
    )


def _consent(row: Consent) -> ConsentOut:
    return ConsentOut.model_validate(row, from_attributes=True)


def _fields(body: ParticipantIn) -> service.ParticipantFields:
    return service.ParticipantFields(
        group=body.group.value,
        name=body.name,
        phone=body.phone,
        email=body.email,
        birth_year=body.birth_year,
        age_band=body.age_band or "",
        gender=body.gender.value,
        languages=list(body.languages),
        preferred_language=body.preferred_language or "",
        country_of_origin=body.country_of_origin,
    )


def _detail(
    session: SessionDep, user: ApiStaff, participant_id: int, include_note: bool
) -> ParticipantDetailOut:
    participant = service.scoped_participant(
        session=session, actor=user, participant_id=participant_id
    )
    allowed = service.can_read_support_note(session=session, actor=user, participant=participant)
    note = None
    if allowed and include_note:
        found = service.read_support_note(
            session=session, actor=user, participant_id=participant_id, purpose="API"
        )
        note = found.text if found else ""
    enrolled = service.participant_enrollments(
        session=session, actor=user, participant_id=participant_id
    )
    return ParticipantDetailOut(
        **_participant(participant),
        consent=_status(consent.status_of(session=session, participant=participant)),
        consents=[
            _consent(c)
            for c in consent.list_consents(
                session=session, actor=user, participant_id=participant_id
            )
        ],
        enrollments=[
            EnrollmentOut(activity_id=a.id or 0, activity_title=a.title, enrolled_at=e.enrolled_at)
            for e, a in enrolled
        ],
        support_note_visible=allowed,
        support_note=note,
    )


def _preview_out(draft_id: int, preview: importing.ImportPreview) -> ImportPreviewOut:
    return ImportPreviewOut(
        draft_id=draft_id,
        ok=preview.ok,
        creatable=preview.creatable,
        updatable=preview.updatable,
        duplicates=preview.duplicates,
        error_count=preview.error_count,
        file_errors=list(preview.file_errors),
        warnings=list(preview.warnings),
        rows=[
            ImportRowOut(
                line=r.line,
                action=r.action,
                code=format_code(r.row.code) if r.row and r.row.code else None,
                errors=list(r.errors),
                values=r.raw,
            )
            for r in preview.rows
        ],
        matching_rule=list(imports.MATCHING_RULE),
    )


# --- import (declared before /participants/{participant_id}) --------------------------------------


@router.get("/participants/import/template")
def api_import_template(user: ApiStaff, format: Literal["csv", "xlsx"] = "csv") -> Response:
    """The import template (header and two fictional rows)."""
    if format == "xlsx":
        return Response(
            importing.template_xlsx(),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return Response(importing.template_csv(), media_type="text/csv; charset=utf-8")


@router.post("/participants/import", response_model=ImportPreviewOut, status_code=201)
async def api_import_upload(
    session: SessionDep, user: ApiStaff, file: Annotated[UploadFile, File()]
) -> ImportPreviewOut:
    """Upload a CSV or XLSX file: it is kept as a draft and previewed; nothing else is written."""
    data = await file.read(importing.MAX_BYTES + 1)
    draft = imports.create_draft(
        session=session, actor=user, filename=file.filename or "", data=data
    )
    assert draft.id is not None
    preview = imports.preview_draft(session=session, actor=user, draft_id=draft.id)
    return _preview_out(draft.id, preview)


@router.get("/participants/import/{draft_id}", response_model=ImportPreviewOut)
def api_import_preview(session: SessionDep, user: ApiStaff, draft_id: int) -> ImportPreviewOut:
    """The preview of an uploaded draft, validated against the registry as it is now."""
    return _preview_out(
        draft_id, imports.preview_draft(session=session, actor=user, draft_id=draft_id)
    )


@router.post("/participants/import/{draft_id}/confirm", response_model=ImportSummaryOut)
def api_import_confirm(
    session: SessionDep, user: ApiStaff, draft_id: int, body: ImportConfirmIn | None = None
) -> ImportSummaryOut:
    """Write every row in one transaction (422 and nothing written if any row has an error)."""
    summary = imports.confirm_draft(
        session=session,
        actor=user,
        draft_id=draft_id,
        activity_id=body.activity_id if body else None,
    )
    return ImportSummaryOut(
        filename=summary.filename,
        created=[format_code(c) for c in summary.created],
        updated=[format_code(c) for c in summary.updated],
        unchanged=[format_code(c) for c in summary.unchanged],
        skipped_duplicates=[format_code(c) for c in summary.skipped],
        enrolled=summary.enrolled,
    )


# --- participants -------------------------------------------------------------------------------


@router.get("/participants", response_model=ParticipantListOut)
def api_participants(
    session: SessionDep,
    user: ApiStaff,
    q: Annotated[str, Query(max_length=120)] = "",
    group: ParticipantGroup | None = None,
    age_band: AgeBand | None = None,
    activity_id: int | None = None,
    page: int = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = service.PER_PAGE,
) -> ParticipantListOut:
    """The organization's participants, by code. Never includes support notes."""
    filters = service.ParticipantFilters(
        q=q,
        group=group.value if group else "",
        age_band=age_band or "",
        activity_id=activity_id,
        page=page,
    )
    result = service.list_participants(
        session=session, actor=user, filters=filters, per_page=per_page
    )
    statuses = consent.statuses_of(session=session, participants=result.rows)
    return ParticipantListOut(
        items=[
            ParticipantListItem(**_participant(p), consent=_status(statuses[p.id or 0]))
            for p in result.rows
        ],
        total=result.total,
        page=result.page,
        pages=result.pages,
        per_page=result.per_page,
    )


@router.post("/participants", response_model=ParticipantOut, status_code=status.HTTP_201_CREATED)
def api_create_participant(
    session: SessionDep, user: ApiStaff, body: ParticipantIn
) -> ParticipantOut:
    """Register a participant under a new pseudonymous code."""
    participant = service.create_participant(session=session, actor=user, fields=_fields(body))
    return ParticipantOut(**_participant(participant))


@router.get("/participants/{participant_id}", response_model=ParticipantDetailOut)
def api_participant(
    session: SessionDep,
    user: ApiStaff,
    participant_id: int,
    include_support_note: bool = True,
) -> ParticipantDetailOut:
    """One participant with consents and enrolments; the support note only for org admins and
    the participant's facilitators, and each such read is audit-logged (set
    `include_support_note=false` to skip it)."""
    return _detail(session, user, participant_id, include_support_note)


@router.patch("/participants/{participant_id}", response_model=ParticipantOut)
def api_update_participant(
    session: SessionDep, user: ApiStaff, participant_id: int, body: ParticipantPatch
) -> ParticipantOut:
    participant = service.scoped_participant(
        session=session, actor=user, participant_id=participant_id
    )
    current = service.ParticipantFields.of(participant)
    changes = body.model_dump(exclude_unset=True, mode="json")
    fields = service.ParticipantFields(**(vars(current) | changes))
    if "birth_year" in changes and "age_band" not in changes:
        fields.age_band = ""  # derive it again from the new birth year
    updated = service.update_participant(
        session=session, actor=user, participant_id=participant_id, fields=fields
    )
    return ParticipantOut(**_participant(updated))


@router.delete("/participants/{participant_id}", status_code=204)
def api_erase_participant(session: SessionDep, user: ApiStaff, participant_id: int) -> Response:
    """Erase the participant and every row about them (audit-logged by id and code only)."""
    rights.erase_participant(session=session, actor=user, participant_id=participant_id)
    return Response(status_code=204)


@router.get("/participants/{participant_id}/export")
def api_export_participant(
    session: SessionDep, user: ApiStaff, participant_id: int
) -> dict[str, Any]:
    """Everything held about the participant (audit-logged)."""
    return rights.export_participant(session=session, actor=user, participant_id=participant_id)


# --- support note -------------------------------------------------------------------------------


@router.get("/participants/{participant_id}/support-note", response_model=SupportNoteOut)
def api_support_note(session: SessionDep, user: ApiStaff, participant_id: int) -> SupportNoteOut:
    """The restricted note (403 unless org admin or facilitator); each read is audit-logged."""
    note = service.read_support_note(
        session=session, actor=user, participant_id=participant_id, purpose="API"
    )
    return SupportNoteOut(
        participant_id=participant_id,
        text=note.text if note else "",
        updated_at=note.updated_at if note else None,
    )


@router.put("/participants/{participant_id}/support-note", response_model=SupportNoteOut)
def api_put_support_note(
    session: SessionDep, user: ApiStaff, participant_id: int, body: SupportNoteIn
) -> SupportNoteOut:
    note = service.save_support_note(
        session=session, actor=user, participant_id=participant_id, text=body.text
    )
    return SupportNoteOut(
        participant_id=participant_id,
        text=note.text if note else "",
        updated_at=note.updated_at if note else None,
    )


# --- consents -----------------------------------------------------------------------------------


@router.get("/participants/{participant_id}/consents", response_model=list[ConsentOut])
def api_consents(session: SessionDep, user: ApiStaff, participant_id: int) -> list[ConsentOut]:
    rows = consent.list_consents(session=session, actor=user, participant_id=participant_id)
    return [_consent(c) for c in rows]


@router.post("/participants/{participant_id}/consents", response_model=ConsentOut, status_code=201)
def api_add_consent(
    session: SessionDep, user: ApiStaff, participant_id: int, body: ConsentIn
) -> ConsentOut:
    """Record a participant's consent, a guardian's consent or a minor's assent."""
    row = consent.record_consent(
        session=session,
        actor=user,
        participant_id=participant_id,
        kind=body.kind.value,
        purposes=[p.value for p in body.purposes],
        given_on=body.given_on,
        guardian_name=body.guardian_name,
    )
    return _consent(row)


@router.post(
    "/participants/{participant_id}/consents/{consent_id}/withdraw", response_model=ConsentOut
)
def api_withdraw_consent(
    session: SessionDep, user: ApiStaff, participant_id: int, consent_id: int
) -> ConsentOut:
    row = consent.withdraw_consent(
        session=session, actor=user, participant_id=participant_id, consent_id=consent_id
    )
    return _consent(row)


# --- enrolments ---------------------------------------------------------------------------------


@router.get("/activities/{activity_id}/enrollments", response_model=list[EnrolledParticipantOut])
def api_enrollments(
    session: SessionDep, user: ApiStaff, activity_id: int
) -> list[EnrolledParticipantOut]:
    """The activity's participants (codes and mixing attributes only)."""
    rows = service.list_enrollments(session=session, actor=user, activity_id=activity_id)
    return [
        EnrolledParticipantOut(
            participant_id=p.id or 0,
            code=format_code(p.code),
            group=p.group,
            age_band=p.age_band,
            gender=p.gender,
            enrolled_at=e.enrolled_at,
        )
        for e, p in rows
    ]


@router.post(
    "/activities/{activity_id}/enrollments",
    response_model=list[EnrolledParticipantOut],
    status_code=201,
)
def api_enrol(
    session: SessionDep, user: ApiStaff, activity_id: int, body: EnrolIn
) -> list[EnrolledParticipantOut]:
    """Enrol participants (already enrolled ones stay as they are); returns the whole list."""
    service.enrol_many(
        session=session, actor=user, activity_id=activity_id, participant_ids=body.participant_ids
    )
    return api_enrollments(session, user, activity_id)


@router.delete("/activities/{activity_id}/enrollments/{participant_id}", status_code=204)
def api_unenrol(
    session: SessionDep, user: ApiStaff, activity_id: int, participant_id: int
) -> Response:
    service.unenrol(
        session=session, actor=user, activity_id=activity_id, participant_id=participant_id
    )
    return Response(status_code=204)


# --- audit log ----------------------------------------------------------------------------------


@router.get("/audit-log", response_model=AuditListOut)
def api_audit_log(
    session: SessionDep,
    user: ApiStaff,
    page: int = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
    participant_id: int | None = None,
) -> AuditListOut:
    """Who created, changed, viewed restricted fields of, exported or erased participant data.
    Org admins only."""
    result = service.audit_log(
        session=session,
        actor=user,
        page=page,
        per_page=per_page,
        participant_id=participant_id,
    )
    return AuditListOut(
        items=[_audit(e) for e in result.entries],
        total=result.total,
        page=result.page,
        pages=result.pages,
        per_page=result.per_page,
    )


def _audit(entry: AuditEntry) -> AuditEntryOut:
    out = AuditEntryOut.model_validate(entry, from_attributes=True)
    out.subject_code = format_code(entry.subject_code) if entry.subject_code else ""
    return out
