"""Organizer pages: the survey of an activity (scales, own questions, waves, progress), the link
sheet with QR codes, XLSForm and answer exports, and the Kobo/ODK import.

Thin: parse the form, call `surveys.service`, `surveys.links` or `surveys.exchange` (which scope
everything to the organizer's organization), then redirect with a message or render the page.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from activities.codes import format_code
from app.db import SessionDep
from app.deps import PageStaff
from app.errors import Conflict, DomainError, Invalid
from app.i18n import _, request_language
from app.settings import get_settings
from app.templating import flash, render
from surveys import exchange, instruments, links, service
from surveys.bank.outgroup import OUTGROUP_TERMS
from surveys.instruments import FORMATS, LANGUAGES
from surveys.models import ChildMode, Survey, WaveKind
from surveys.respond_text import LANGUAGE_NAMES

router = APIRouter(include_in_schema=False)

# Errors shown as a message on the page the organizer returns to; NotFound stays a 404.
RECOVERABLE = (Invalid, Conflict)


def _lang(request: Request) -> str:
    return request_language(request, get_settings().default_language)


def _see_other(url: Any) -> RedirectResponse:
    return RedirectResponse(str(url), status_code=303)


def _survey_url(request: Request, survey_id: int | None, anchor: str = "") -> str:
    return str(request.url_for("survey_page", survey_id=survey_id)) + anchor


def _fail(request: Request, error: DomainError) -> None:
    flash(request, error.message, "error")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as error:
        raise Invalid(_("Enter dates as YYYY-MM-DD.")) from error


def _download(name: str, data: bytes, media_type: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- list and create ----------------------------------------------------------------------------


@router.get("/surveys", name="survey_list")
def survey_list(request: Request, session: SessionDep, user: PageStaff) -> HTMLResponse:
    rows = service.list_surveys(session=session, actor=user)
    return render(request, "surveys/list.html", {"rows": rows})


@router.get("/activities/{activity_id}/survey", name="survey_for_activity")
def survey_for_activity(
    request: Request, session: SessionDep, user: PageStaff, activity_id: int
) -> Response:
    """The activity's survey, or the form to create it."""
    survey = service.survey_of_activity(session=session, actor=user, activity_id=activity_id)
    if survey is not None:
        return _see_other(_survey_url(request, survey.id))
    activity = service.scoped_activity(session=session, actor=user, activity_id=activity_id)
    context = {"activity": activity, "scales": _scale_rows(_lang(request), service.DEFAULT_SCALES)}
    return render(request, "surveys/new.html", context)


@router.post("/activities/{activity_id}/survey", name="survey_create")
def survey_create(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    activity_id: int,
    title: Annotated[str, Form(max_length=300)] = "",
    anonymous: Annotated[str, Form(max_length=5)] = "",
    child_mode: Annotated[str, Form(max_length=10)] = "auto",
    scales: Annotated[list[str] | None, Form()] = None,
) -> Response:
    settings = service.SurveySettings(
        title=title, anonymous=anonymous == "yes", child_mode=child_mode
    )
    try:
        survey = service.create_survey(
            session=session,
            actor=user,
            activity_id=activity_id,
            settings=settings,
            scales=scales or [],
        )
    except RECOVERABLE as error:
        _fail(request, error)
        return _see_other(request.url_for("survey_for_activity", activity_id=activity_id))
    flash(request, _("Survey created with a pre and a post wave. Next: issue the links."))
    return _see_other(_survey_url(request, survey.id))


# --- the survey page ----------------------------------------------------------------------------


def _scale_rows(lang: str, chosen: Any) -> list[dict[str, Any]]:
    pick = "es" if lang == "es" else "en"
    return [
        {
            "id": scale.id,
            "name": scale.name.get(pick, scale.name["en"]),
            "description": scale.description.get(pick, scale.description["en"]),
            "source": scale.source,
            "n_items": len(scale.items),
            "chosen": scale.id in chosen,
            "cohesion": any(one.id in instruments.COHESION_ITEMS for one in scale.items),
        }
        for scale in instruments.bank().values()
    ]


def _survey_context(request: Request, session: Any, user: Any, survey: Survey) -> dict[str, Any]:
    assert survey.id is not None
    version = service.current_version(session=session, survey=survey)
    items = service.version_items(version)
    custom = [one for one in items if one.custom]
    return {
        "survey": survey,
        "activity": service.activity_of(session=session, survey=survey),
        "version": version,
        "frozen": service.is_frozen(session=session, version=version),
        "versions": service.list_versions(session=session, actor=user, survey_id=survey.id),
        "n_items": len(items),
        "scales": _scale_rows(_lang(request), version.scales),
        "custom": custom,
        "gaps": service.translation_gaps(custom),
        "progress": service.survey_progress(session=session, actor=user, survey_id=survey.id),
        "wave_kinds": [k.value for k in WaveKind],
        "wave_label": service.wave_label,
        "formats": list(FORMATS),
        "languages": STAFF_AND_SURVEY_LANGUAGES,
        "child_modes": [m.value for m in ChildMode],
        "child_age": get_settings().child_mode_age,
        "has_responses": service.has_responses(session=session, survey=survey),
        "default_terms": OUTGROUP_TERMS,
    }


STAFF_AND_SURVEY_LANGUAGES = LANGUAGE_NAMES


@router.get("/surveys/{survey_id}", name="survey_page")
def survey_page(
    request: Request, session: SessionDep, user: PageStaff, survey_id: int
) -> HTMLResponse:
    survey = service.scoped_survey(session=session, actor=user, survey_id=survey_id)
    return render(request, "surveys/detail.html", _survey_context(request, session, user, survey))


class SettingsForm(BaseModel):
    title: str = Field(default="", max_length=300)
    anonymous: str = Field(default="", max_length=5)
    child_mode: str = Field(default="auto", max_length=10)
    term_migrant_en: str = Field(default="", max_length=100)
    term_migrant_es: str = Field(default="", max_length=100)
    term_migrant_fr: str = Field(default="", max_length=100)
    term_migrant_ar: str = Field(default="", max_length=100)
    term_host_en: str = Field(default="", max_length=100)
    term_host_es: str = Field(default="", max_length=100)
    term_host_fr: str = Field(default="", max_length=100)
    term_host_ar: str = Field(default="", max_length=100)

    def settings(self) -> service.SurveySettings:
        terms = {
            group: {lang: getattr(self, f"term_{group}_{lang}") for lang in LANGUAGES}
            for group in ("migrant", "host")
        }
        return service.SurveySettings(
            title=self.title,
            anonymous=self.anonymous == "yes",
            child_mode=self.child_mode,
            outgroup_terms=terms,
        )


@router.post("/surveys/{survey_id}/settings", name="survey_settings")
def survey_settings(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    survey_id: int,
    form: Annotated[SettingsForm, Form()],
) -> Response:
    try:
        service.update_survey(
            session=session, actor=user, survey_id=survey_id, settings=form.settings()
        )
        flash(request, _("Survey settings saved."))
    except RECOVERABLE as error:
        _fail(request, error)
    return _see_other(_survey_url(request, survey_id, "#settings"))


@router.post("/surveys/{survey_id}/scales", name="survey_scales")
def survey_scales(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    survey_id: int,
    scales: Annotated[list[str] | None, Form()] = None,
) -> Response:
    try:
        before = service.current_version(
            session=session,
            survey=service.scoped_survey(session=session, actor=user, survey_id=survey_id),
        ).number
        version = service.set_scales(
            session=session, actor=user, survey_id=survey_id, scales=scales or []
        )
        _saved(request, before, version.number)
    except RECOVERABLE as error:
        _fail(request, error)
    return _see_other(_survey_url(request, survey_id, "#instrument"))


def _saved(request: Request, before: int, after: int) -> None:
    if after != before:
        flash(
            request,
            _(
                "People had already answered, so the changes are saved as a new version of the "
                "instrument. Earlier answers keep their version."
            ),
            "warning",
        )
    else:
        flash(request, _("Instrument saved."))


class ItemForm(BaseModel):
    text_en: str = Field(default="", max_length=400)
    text_es: str = Field(default="", max_length=400)
    text_fr: str = Field(default="", max_length=400)
    text_ar: str = Field(default="", max_length=400)
    format: str = Field(default="likert5", max_length=20)
    reverse: str = Field(default="", max_length=5)
    scale: str = Field(default="own", max_length=60)

    def fields(self) -> service.CustomItemFields:
        return service.CustomItemFields(
            text={lang: getattr(self, f"text_{lang}") for lang in LANGUAGES},
            format=self.format,
            reverse=self.reverse == "yes",
            scale=self.scale,
        )


@router.post("/surveys/{survey_id}/items", name="survey_item_add")
def survey_item_add(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    survey_id: int,
    form: Annotated[ItemForm, Form()],
) -> Response:
    try:
        survey = service.scoped_survey(session=session, actor=user, survey_id=survey_id)
        before = service.current_version(session=session, survey=survey).number
        version = service.add_custom_item(
            session=session, actor=user, survey_id=survey_id, fields=form.fields()
        )
        _saved(request, before, version.number)
    except RECOVERABLE as error:
        _fail(request, error)
    return _see_other(_survey_url(request, survey_id, "#own-questions"))


@router.get("/surveys/{survey_id}/items/{item_id}", name="survey_item_edit")
def survey_item_edit(
    request: Request, session: SessionDep, user: PageStaff, survey_id: int, item_id: str
) -> HTMLResponse:
    survey = service.scoped_survey(session=session, actor=user, survey_id=survey_id)
    version = service.current_version(session=session, survey=survey)
    found = [one for one in service.version_items(version) if one.custom and one.id == item_id]
    if not found:
        raise Invalid(_("Question not found."), status_code=404)
    context = {
        "survey": survey,
        "item": found[0],
        "formats": list(FORMATS),
        "languages": LANGUAGE_NAMES,
        "gaps": service.translation_gaps(found).get(item_id, []),
        "frozen": service.is_frozen(session=session, version=version),
    }
    return render(request, "surveys/item_edit.html", context)


@router.post("/surveys/{survey_id}/items/{item_id}", name="survey_item_update")
def survey_item_update(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    survey_id: int,
    item_id: str,
    form: Annotated[ItemForm, Form()],
) -> Response:
    try:
        survey = service.scoped_survey(session=session, actor=user, survey_id=survey_id)
        before = service.current_version(session=session, survey=survey).number
        version = service.update_custom_item(
            session=session, actor=user, survey_id=survey_id, item_id=item_id, fields=form.fields()
        )
        _saved(request, before, version.number)
    except RECOVERABLE as error:
        _fail(request, error)
        return _see_other(request.url_for("survey_item_edit", survey_id=survey_id, item_id=item_id))
    return _see_other(_survey_url(request, survey_id, "#own-questions"))


@router.post("/surveys/{survey_id}/items/{item_id}/remove", name="survey_item_remove")
def survey_item_remove(
    request: Request, session: SessionDep, user: PageStaff, survey_id: int, item_id: str
) -> Response:
    try:
        survey = service.scoped_survey(session=session, actor=user, survey_id=survey_id)
        before = service.current_version(session=session, survey=survey).number
        version = service.remove_custom_item(
            session=session, actor=user, survey_id=survey_id, item_id=item_id
        )
        _saved(request, before, version.number)
    except RECOVERABLE as error:
        _fail(request, error)
    return _see_other(_survey_url(request, survey_id, "#own-questions"))


# --- waves --------------------------------------------------------------------------------------


@router.post("/surveys/{survey_id}/waves", name="wave_add")
def wave_add(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    survey_id: int,
    kind: Annotated[str, Form(max_length=20)],
    opens_on: Annotated[str, Form(max_length=20)],
    closes_on: Annotated[str, Form(max_length=20)],
) -> Response:
    try:
        service.add_wave(
            session=session,
            actor=user,
            survey_id=survey_id,
            kind=kind,
            opens_on=_date(opens_on),
            closes_on=_date(closes_on),
        )
        flash(request, _("Wave added."))
    except RECOVERABLE as error:
        _fail(request, error)
    return _see_other(_survey_url(request, survey_id, "#waves"))


@router.post("/waves/{wave_id}", name="wave_update")
def wave_update(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    wave_id: int,
    opens_on: Annotated[str, Form(max_length=20)],
    closes_on: Annotated[str, Form(max_length=20)],
) -> Response:
    wave, survey = service.scoped_wave(session=session, actor=user, wave_id=wave_id)
    try:
        service.update_wave(
            session=session,
            actor=user,
            wave_id=wave_id,
            opens_on=_date(opens_on),
            closes_on=_date(closes_on),
        )
        flash(request, _("Wave dates saved."))
    except RECOVERABLE as error:
        _fail(request, error)
    return _see_other(_survey_url(request, survey.id, "#waves"))


@router.post("/waves/{wave_id}/delete", name="wave_delete")
def wave_delete(request: Request, session: SessionDep, user: PageStaff, wave_id: int) -> Response:
    _wave, survey = service.scoped_wave(session=session, actor=user, wave_id=wave_id)
    try:
        service.delete_wave(session=session, actor=user, wave_id=wave_id)
        flash(request, _("Wave removed."))
    except RECOVERABLE as error:
        _fail(request, error)
    return _see_other(_survey_url(request, survey.id, "#waves"))


# --- links --------------------------------------------------------------------------------------


def _respond_url(request: Request, token: str) -> str:
    return str(request.url_for("respond_start", token=token))


@router.get("/waves/{wave_id}/links", name="wave_links")
def wave_links(
    request: Request, session: SessionDep, user: PageStaff, wave_id: int, qr: int = 1
) -> HTMLResponse:
    """The link sheet: QR codes to print and a list to copy, with each link's progress."""
    sheet = links.link_sheet(session=session, actor=user, wave_id=wave_id)
    rows = [
        {
            "row": row,
            "url": _respond_url(request, row.token),
            "qr": links.qr_svg(_respond_url(request, row.token)) if qr else "",
        }
        for row in sheet.rows
    ]
    public = None
    if sheet.public is not None:
        url = _respond_url(request, sheet.public.token)
        public = {"row": sheet.public, "url": url, "qr": links.qr_svg(url)}
    pending = [
        r
        for r, row in zip(rows, sheet.rows, strict=True)
        if not row.completed and row.link.revoked_at is None
    ]
    context = {
        "sheet": sheet,
        "rows": rows,
        "public": public,
        "pending": pending,
        "show_qr": bool(qr),
        "state": service.wave_state(sheet.wave),
        "wave_label": service.wave_label,
        "format_code": format_code,
    }
    return render(request, "surveys/links.html", context)


@router.post("/waves/{wave_id}/links", name="links_issue")
def links_issue(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    wave_id: int,
    participant_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    try:
        ids = [int(participant_id)] if participant_id.strip().isdigit() else None
        sheet = links.issue_links(session=session, actor=user, wave_id=wave_id, participant_ids=ids)
        message = _("Links issued.")
        if sheet.blocked:
            message = _("Links issued. Some participants cannot get a link yet: see below.")
        flash(request, message, "warning" if sheet.blocked else "success")
    except RECOVERABLE as error:
        _fail(request, error)
    return _see_other(request.url_for("wave_links", wave_id=wave_id))


@router.post("/waves/{wave_id}/public", name="public_link")
def public_link_create(
    request: Request, session: SessionDep, user: PageStaff, wave_id: int
) -> Response:
    try:
        links.public_link(session=session, actor=user, wave_id=wave_id)
    except RECOVERABLE as error:
        _fail(request, error)
    return _see_other(request.url_for("wave_links", wave_id=wave_id))


@router.post("/links/{link_id}/revoke", name="link_revoke")
def link_revoke(request: Request, session: SessionDep, user: PageStaff, link_id: int) -> Response:
    link = links.revoke_link(session=session, actor=user, link_id=link_id)
    flash(request, _("Link revoked: it no longer opens the survey."))
    return _see_other(request.url_for("wave_links", wave_id=link.wave_id))


@router.post("/links/{link_id}/reissue", name="link_reissue")
def link_reissue(request: Request, session: SessionDep, user: PageStaff, link_id: int) -> Response:
    try:
        link = links.reissue_link(session=session, actor=user, link_id=link_id)
        flash(request, _("New link issued; the old one no longer works. Answers so far are kept."))
        wave_id = link.wave_id
    except RECOVERABLE as error:
        _fail(request, error)
        found = links.scoped_link(session=session, actor=user, link_id=link_id)
        wave_id = found.wave_id
    return _see_other(request.url_for("wave_links", wave_id=wave_id))


# --- exports and import -------------------------------------------------------------------------


@router.get("/surveys/{survey_id}/xlsform.xlsx", name="survey_xlsform")
def survey_xlsform(session: SessionDep, user: PageStaff, survey_id: int) -> Response:
    name, data = exchange.instrument_xlsform(session=session, actor=user, survey_id=survey_id)
    return _download(name, data, XLSX)


@router.get("/surveys/{survey_id}/answers.csv", name="survey_answers_csv")
def survey_answers_csv(session: SessionDep, user: PageStaff, survey_id: int) -> Response:
    name, data = exchange.answers_csv(session=session, actor=user, survey_id=survey_id)
    return _download(name, data, "text/csv; charset=utf-8")


@router.get("/surveys/{survey_id}/answers.xlsx", name="survey_answers_xlsx")
def survey_answers_xlsx(session: SessionDep, user: PageStaff, survey_id: int) -> Response:
    name, data = exchange.answers_xlsx(session=session, actor=user, survey_id=survey_id)
    return _download(name, data, XLSX)


@router.post("/waves/{wave_id}/import", name="wave_import")
def wave_import(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    wave_id: int,
    file: Annotated[UploadFile, File()],
) -> Response:
    data = file.file.read(exchange.MAX_IMPORT_BYTES + 1)
    _wave, survey = service.scoped_wave(session=session, actor=user, wave_id=wave_id)
    try:
        report = exchange.import_submissions(
            session=session, actor=user, wave_id=wave_id, filename=file.filename or "", data=data
        )
    except RECOVERABLE as error:
        _fail(request, error)
        return _see_other(_survey_url(request, survey.id, "#import"))
    context = {"survey": survey, "report": report, "wave": _wave, "wave_label": service.wave_label}
    status = 422 if report.errors else 200
    return render(request, "surveys/import_report.html", context, status_code=status)
