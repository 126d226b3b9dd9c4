"""Participant pages: registry, form, detail (consents, support note, enrolments, rights), import
and the audit log. Thin: parse the form, call a service, render or redirect with a message."""

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from activities import importing
from activities.codes import format_code, normalise_code
from activities.participants import consent, imports, rights, service
from activities.participants.models import ConsentKind, ConsentPurpose, Participant
from app.accounts.models import User
from app.db import SessionDep
from app.deps import PageStaff
from app.errors import DomainError, Invalid
from app.i18n import _
from app.templating import flash, is_fragment_request, page_links, render

router = APIRouter(include_in_schema=False)

Short = Annotated[str, Form(max_length=300)]
SUMMARY_KEY = "import_summary"
SUMMARY_CODES = 40  # new codes listed on the summary page; the session cookie must stay small


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _int(value: str, message: str) -> int | None:
    try:
        return int(value.strip()) if value.strip() else None
    except ValueError as error:
        raise Invalid(message) from error


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as error:
        raise Invalid(_("Enter the date as YYYY-MM-DD.")) from error


def labels() -> dict[str, dict[str, str]]:
    """Words shown for stored values (translated in the templates)."""
    return {
        "group": {"migrant": _("Migrant"), "host": _("Host community"), "other": _("Other")},
        "gender": {
            "woman": _("Woman"),
            "man": _("Man"),
            "non_binary": _("Non-binary"),
            "other": _("Other"),
            "prefer_not_to_say": _("Prefers not to say"),
        },
        "age_band": {
            "under_12": _("Under 12"),
            "12_14": "12–14",
            "15_17": "15–17",
            "18_24": "18–24",
            "25_34": "25–34",
            "35_49": "35–49",
            "50_64": "50–64",
            "65_plus": _("65 and over"),
        },
        "language": {"en": "English", "es": "Español", "fr": "Français", "ar": "العربية"},
        "kind": {
            "participant": _("Participant's consent"),
            "guardian": _("Guardian's consent"),
            "assent": _("Minor's assent"),
        },
        "purpose": {
            "participation": _("Taking part"),
            "surveys": _("Surveys"),
            "data_sharing": _("Sharing in aggregate"),
        },
        "action": {
            "create": _("Created"),
            "update": _("Changed"),
            "view_restricted": _("Viewed support note"),
            "export": _("Exported"),
            "erase": _("Erased"),
            "import": _("Imported"),
            "consent": _("Recorded consent"),
            "withdraw_consent": _("Withdrew consent"),
        },
        "row_action": {
            "create": _("New"),
            "update": _("Update"),
            "skip_duplicate": _("Already registered"),
            "error": _("Error"),
        },
    }


def _common(**extra: Any) -> dict[str, Any]:
    return {"labels": labels(), "format_code": format_code, **extra}


# --- registry -----------------------------------------------------------------------------------


@router.get("/participants", name="participant_list")
def participant_list(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    q: str = "",
    group: str = "",
    age_band: str = "",
    activity: str = "",
    page: int = 1,
) -> HTMLResponse:
    filters = service.ParticipantFilters(
        q=q[:120],
        group=group,
        age_band=age_band,
        activity_id=_int(activity, _("Unknown activity.")),
        page=page,
    )
    result = service.list_participants(session=session, actor=user, filters=filters)
    query = {"q": q, "group": group, "age_band": age_band, "activity": activity}
    context = _common(
        result=result,
        filters=query,
        filtered=any(query.values()),
        statuses=consent.statuses_of(session=session, participants=result.rows),
        activities=service.organization_activities(session=session, actor=user),
        page_links=page_links(request, "participant_list", query, result.page, result.pages),
    )
    return render(request, "participants/list.html", context)


class ParticipantForm(BaseModel):
    """The participant form as typed (strings), parsed by `parse`."""

    name: str = Field(default="", max_length=300)
    phone: str = Field(default="", max_length=60)
    email: str = Field(default="", max_length=300)
    group: str = Field(default="", max_length=20)
    birth_year: str = Field(default="", max_length=10)
    age_band: str = Field(default="", max_length=20)
    gender: str = Field(default="prefer_not_to_say", max_length=30)
    languages: str = Field(default="", max_length=300)
    preferred_language: str = Field(default="", max_length=10)
    country_of_origin: str = Field(default="", max_length=100)

    @classmethod
    def of(cls, participant: Participant) -> "ParticipantForm":
        return cls(
            name=participant.name,
            phone=participant.phone,
            email=participant.email,
            group=participant.group,
            birth_year="" if participant.birth_year is None else str(participant.birth_year),
            age_band=participant.age_band,
            gender=participant.gender,
            languages=", ".join(participant.languages),
            preferred_language=participant.preferred_language,
            country_of_origin=participant.country_of_origin,
        )

    def parse(self) -> service.ParticipantFields:
        year = self.birth_year.strip()
        if year and not year.isdigit():
            raise service.FieldErrors({"birth_year": _("Birth year: write only the year.")})
        return service.ParticipantFields(
            group=self.group,
            name=self.name,
            phone=self.phone,
            email=self.email,
            birth_year=int(year) if year else None,
            age_band=self.age_band,
            gender=self.gender,
            languages=[self.languages],
            preferred_language=self.preferred_language,
            country_of_origin=self.country_of_origin,
        )


def _form_page(
    request: Request,
    form: ParticipantForm,
    participant: Participant | None = None,
    error: DomainError | None = None,
) -> HTMLResponse:
    errors = error.errors if isinstance(error, service.FieldErrors) else {}
    context = _common(
        form=form,
        participant=participant,
        errors=errors,
        error=error.message if error and not errors else "",
        age_bands=importing.AGE_BANDS,
    )
    status = error.status_code if error else 200
    return render(request, "participants/form.html", context, status_code=status)


@router.get("/participants/new", name="participant_new")
def participant_new(request: Request, user: PageStaff) -> HTMLResponse:
    return _form_page(request, ParticipantForm())


@router.post("/participants", name="participant_create")
def participant_create(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    form: Annotated[ParticipantForm, Form()],
) -> Response:
    try:
        participant = service.create_participant(session=session, actor=user, fields=form.parse())
    except DomainError as error:
        session.rollback()
        return _form_page(request, form, error=error)
    flash(request, _("Participant registered. Next: record their consent."))
    return _see_other(str(request.url_for("participant_page", participant_id=participant.id)))


# --- import (declared before /participants/{participant_id}) -------------------------------------


def _import_context(
    session: Session, user: User, draft_id: int | None = None, **extra: Any
) -> dict[str, Any]:
    preview = None
    if draft_id is not None:
        preview = imports.preview_draft(session=session, actor=user, draft_id=draft_id)
    return _common(
        draft_id=draft_id,
        preview=preview,
        matching_rule=imports.MATCHING_RULE,
        activities=service.organization_activities(session=session, actor=user),
        legal_status_note=True,
        max_rows=importing.MAX_ROWS,
        **extra,
    )


@router.get("/participants/import", name="participant_import")
def participant_import(request: Request, session: SessionDep, user: PageStaff) -> HTMLResponse:
    return render(request, "participants/import.html", _import_context(session, user))


@router.post("/participants/import", name="participant_import_upload")
async def participant_import_upload(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Keep the upload as a draft and show its preview (a fragment for htmx, else a redirect)."""
    data = await file.read(importing.MAX_BYTES + 1) if file is not None else b""
    filename = (file.filename or "") if file is not None else ""
    try:
        draft = imports.create_draft(session=session, actor=user, filename=filename, data=data)
    except DomainError as error:
        session.rollback()
        context = _import_context(session, user, upload_error=error.message)
        block = "preview" if is_fragment_request(request) else "content"
        return render(
            request, "participants/import.html", context, status_code=error.status_code, block=block
        )
    url = str(request.url_for("participant_import_preview", draft_id=draft.id))
    if not is_fragment_request(request):
        return _see_other(url)
    context = _import_context(session, user, draft.id)
    response = render(request, "participants/import.html", context, block="preview")
    response.headers["HX-Push-Url"] = url
    return response


@router.get("/participants/import/{draft_id}", name="participant_import_preview")
def participant_import_preview(
    request: Request, session: SessionDep, user: PageStaff, draft_id: int
) -> HTMLResponse:
    context = _import_context(session, user, draft_id)
    return render(request, "participants/import.html", context)


@router.post("/participants/import/{draft_id}/confirm", name="participant_import_confirm")
def participant_import_confirm(
    request: Request, session: SessionDep, user: PageStaff, draft_id: int, activity: Short = ""
) -> Response:
    try:
        summary = imports.confirm_draft(
            session=session,
            actor=user,
            draft_id=draft_id,
            activity_id=_int(activity, _("Unknown activity.")),
        )
    except DomainError as error:
        session.rollback()
        context = _import_context(session, user, draft_id, confirm_error=error.message)
        return render(request, "participants/import.html", context, status_code=error.status_code)
    # The summary travels in the signed session cookie: no server memory, any worker shows it.
    request.session[SUMMARY_KEY] = {
        "filename": summary.filename,
        "created": summary.created[:SUMMARY_CODES],
        "created_count": len(summary.created),
        "updated": len(summary.updated),
        "unchanged": len(summary.unchanged),
        "skipped": len(summary.skipped),
        "enrolled": summary.enrolled,
        "activity": summary.activity_title,
    }
    return _see_other(str(request.url_for("participant_import_summary")))


@router.get("/participants/import-summary", name="participant_import_summary")
def participant_import_summary(request: Request, user: PageStaff) -> Response:
    summary = request.session.pop(SUMMARY_KEY, None)
    if not summary:
        return _see_other(str(request.url_for("participant_list")))
    return render(request, "participants/import_summary.html", _common(summary=summary))


@router.get("/participants/template.csv", name="participant_template_csv")
def participant_template_csv(user: PageStaff) -> Response:
    return Response(
        importing.template_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="participants-template.csv"'},
    )


@router.get("/participants/template.xlsx", name="participant_template_xlsx")
def participant_template_xlsx(user: PageStaff) -> Response:
    return Response(
        importing.template_xlsx(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="participants-template.xlsx"'},
    )


# --- audit log ----------------------------------------------------------------------------------


@router.get("/audit-log", name="audit_log")
def audit_log_page(
    request: Request, session: SessionDep, user: PageStaff, page: int = 1, participant: str = ""
) -> HTMLResponse:
    participant_id = _int(participant, _("Unknown participant."))
    result = service.audit_log(
        session=session, actor=user, page=page, participant_id=participant_id
    )
    query = {"participant": participant}
    context = _common(
        result=result,
        participant_filter=participant,
        page_links=page_links(request, "audit_log", query, result.page, result.pages),
    )
    return render(request, "participants/audit.html", context)


# --- one participant ----------------------------------------------------------------------------


def _detail_context(
    session: Session, user: User, participant_id: int, **extra: Any
) -> dict[str, Any]:
    participant = service.scoped_participant(
        session=session, actor=user, participant_id=participant_id
    )
    consents = consent.list_consents(session=session, actor=user, participant_id=participant_id)
    status = consent.status_of(session=session, participant=participant)
    enrolled = service.participant_enrollments(
        session=session, actor=user, participant_id=participant_id
    )
    enrolled_ids = {a.id for _, a in enrolled}
    note_allowed = service.can_read_support_note(
        session=session, actor=user, participant=participant
    )
    default_kind = ConsentKind.PARTICIPANT.value
    if status.is_minor:
        default_kind = (
            ConsentKind.GUARDIAN.value
            if not any(c.kind == ConsentKind.GUARDIAN and c.withdrawn_at is None for c in consents)
            else ConsentKind.ASSENT.value
        )
    return _common(
        participant=participant,
        consents=consents,
        status=status,
        withdrawn=any(c.withdrawn_at is not None for c in consents),
        enrollments=enrolled,
        other_activities=[
            a
            for a in service.organization_activities(session=session, actor=user)
            if a.id not in enrolled_ids
        ],
        note_allowed=note_allowed,
        has_note=note_allowed
        and service.has_support_note(session=session, actor=user, participant=participant),
        default_kind=default_kind,
        purposes=[p.value for p in ConsentPurpose],
        today=service.today().isoformat(),
        **extra,
    )


@router.get("/participants/{participant_id}", name="participant_page")
def participant_page(
    request: Request, session: SessionDep, user: PageStaff, participant_id: int
) -> HTMLResponse:
    context = _detail_context(session, user, participant_id)
    return render(request, "participants/detail.html", context)


def _detail_error(
    request: Request, session: Session, user: User, participant_id: int, error: DomainError
) -> HTMLResponse:
    """The participant page again, with the error shown above the forms."""
    session.rollback()
    context = _detail_context(session, user, participant_id, error=error.message)
    return render(request, "participants/detail.html", context, status_code=error.status_code)


def _to_page(request: Request, participant_id: int, anchor: str = "") -> RedirectResponse:
    url = str(request.url_for("participant_page", participant_id=participant_id))
    return _see_other(url + (f"#{anchor}" if anchor else ""))


@router.get("/participants/{participant_id}/edit", name="participant_edit")
def participant_edit(
    request: Request, session: SessionDep, user: PageStaff, participant_id: int
) -> HTMLResponse:
    participant = service.scoped_participant(
        session=session, actor=user, participant_id=participant_id
    )
    return _form_page(request, ParticipantForm.of(participant), participant)


@router.post("/participants/{participant_id}/edit", name="participant_update")
def participant_update(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    participant_id: int,
    form: Annotated[ParticipantForm, Form()],
) -> Response:
    participant = service.scoped_participant(
        session=session, actor=user, participant_id=participant_id
    )
    try:
        service.update_participant(
            session=session, actor=user, participant_id=participant_id, fields=form.parse()
        )
    except DomainError as error:
        session.rollback()
        return _form_page(request, form, participant, error)
    flash(request, _("Participant saved."))
    return _to_page(request, participant_id)


@router.post("/participants/{participant_id}/consents", name="participant_consent_add")
def participant_consent_add(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    participant_id: int,
    kind: Short = "",
    given_on: Short = "",
    guardian_name: Short = "",
    purposes: Annotated[list[str] | None, Form(max_length=3)] = None,
) -> Response:
    try:
        consent.record_consent(
            session=session,
            actor=user,
            participant_id=participant_id,
            kind=kind,
            purposes=purposes or [],
            given_on=_date(given_on),
            guardian_name=guardian_name,
        )
    except DomainError as error:
        return _detail_error(request, session, user, participant_id, error)
    flash(request, _("Consent recorded."))
    return _to_page(request, participant_id, "consents")


@router.post(
    "/participants/{participant_id}/consents/{consent_id}/withdraw",
    name="participant_consent_withdraw",
)
def participant_consent_withdraw(
    request: Request, session: SessionDep, user: PageStaff, participant_id: int, consent_id: int
) -> Response:
    try:
        consent.withdraw_consent(
            session=session, actor=user, participant_id=participant_id, consent_id=consent_id
        )
    except DomainError as error:
        return _detail_error(request, session, user, participant_id, error)
    flash(
        request,
        _(
            "Consent withdrawn. If the person also wants their data deleted, "
            "use “Erase all their data” below."
        ),
    )
    return _to_page(request, participant_id, "rights")


@router.get("/participants/{participant_id}/support-note", name="participant_note")
def participant_note(
    request: Request, session: SessionDep, user: PageStaff, participant_id: int
) -> HTMLResponse:
    """Reveal the support note (audit-logged): a fragment for htmx, else a page."""
    participant = service.scoped_participant(
        session=session, actor=user, participant_id=participant_id
    )
    note = service.read_support_note(session=session, actor=user, participant_id=participant_id)
    context = _common(participant=participant, note=note)
    block = "note" if is_fragment_request(request) else "content"
    return render(request, "participants/support_note.html", context, block=block)


@router.post("/participants/{participant_id}/support-note", name="participant_note_save")
def participant_note_save(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    participant_id: int,
    text: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    try:
        service.save_support_note(
            session=session, actor=user, participant_id=participant_id, text=text
        )
    except DomainError as error:
        if error.status_code == 403:
            raise
        return _detail_error(request, session, user, participant_id, error)
    flash(request, _("Support note saved."))
    return _to_page(request, participant_id, "support")


@router.post("/participants/{participant_id}/enrolments", name="participant_enrol")
def participant_enrol(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    participant_id: int,
    activity: Short = "",
) -> Response:
    try:
        activity_id = _int(activity, _("Unknown activity."))
        if activity_id is None:
            raise Invalid(_("Choose an activity."))
        service.enrol(
            session=session, actor=user, activity_id=activity_id, participant_id=participant_id
        )
    except DomainError as error:
        return _detail_error(request, session, user, participant_id, error)
    flash(request, _("Enrolled."))
    return _to_page(request, participant_id, "enrolments")


@router.post(
    "/participants/{participant_id}/enrolments/{activity_id}/remove", name="participant_unenrol"
)
def participant_unenrol(
    request: Request, session: SessionDep, user: PageStaff, participant_id: int, activity_id: int
) -> Response:
    service.unenrol(
        session=session, actor=user, activity_id=activity_id, participant_id=participant_id
    )
    flash(request, _("Removed from the activity."))
    return _to_page(request, participant_id, "enrolments")


@router.post("/participants/{participant_id}/export", name="participant_export")
def participant_export(session: SessionDep, user: PageStaff, participant_id: int) -> Response:
    """Everything held about the participant, as a JSON download (audit-logged)."""
    data = rights.export_participant(session=session, actor=user, participant_id=participant_id)
    code = normalise_code(data["participant"]["code"])
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="participant-{code}.json"'},
    )


@router.get("/participants/{participant_id}/erase", name="participant_erase_confirm")
def participant_erase_confirm(
    request: Request, session: SessionDep, user: PageStaff, participant_id: int
) -> HTMLResponse:
    participant = service.scoped_participant(
        session=session, actor=user, participant_id=participant_id
    )
    return render(request, "participants/erase.html", _common(participant=participant))


@router.post("/participants/{participant_id}/erase", name="participant_erase")
def participant_erase(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    participant_id: int,
    confirm_code: Short = "",
) -> Response:
    participant = service.scoped_participant(
        session=session, actor=user, participant_id=participant_id
    )
    if normalise_code(confirm_code) != participant.code:
        context = _common(
            participant=participant,
            error=_("Type the participant's code exactly to confirm the erasure."),
        )
        return render(request, "participants/erase.html", context, status_code=422)
    rights.erase_participant(session=session, actor=user, participant_id=participant_id)
    flash(request, _("The participant and all their data were erased."))
    return _see_other(str(request.url_for("participant_list")))
