"""Survey endpoints of the JSON API (`/api/v1`).

Organizer endpoints (bearer token) cover the instrument bank, surveys, instrument versions, waves,
links, progress, the XLSForm and the Kobo/ODK import; everything is scoped to the caller's
organization by the service layer (another organization's survey answers 404).

Participant endpoints (`/respond/{token}`) need no account: the link's token is the credential, as
on the participant pages, and they follow the same flow with the same guarantees — start is
idempotent, saves are upserts, submit completes exactly once (a repeat answers
``already_received``), invalid answers are rejected with 422 and nothing stored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from fastapi import APIRouter, File, Request, Response, UploadFile, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.db import SessionDep
from app.deps import ApiStaff
from app.errors import Conflict, DomainError, Invalid
from surveys import exchange, instruments, links, questions, respond_text, responses, service
from surveys.anonymous import CodeAnswers, CodeError
from surveys.instruments import ItemDef
from surveys.models import InstrumentVersion, Survey, SurveyLink, Wave

router = APIRouter(tags=["surveys"])
respond_router = APIRouter(tags=["participant survey (token)"])

Lang = Literal["en", "es", "fr", "ar"]


# --- schemas ------------------------------------------------------------------------------------


class ItemOut(BaseModel):
    id: str
    scale: str
    format: str
    reverse: bool
    min_value: int
    max_value: int
    text: dict[str, str]
    anchors: dict[str, list[str]]
    custom: bool


class ScaleOut(BaseModel):
    id: str
    name: dict[str, str]
    description: dict[str, str]
    source: str
    higher_is_better: bool
    about_outgroup: bool
    items: list[ItemOut]


class BankOut(BaseModel):
    languages: list[str]
    scales: list[ScaleOut]
    cohesion_items: list[str]


class SurveyIn(BaseModel):
    title: str = Field(default="", max_length=160)
    anonymous: bool = False
    child_mode: Literal["auto", "always", "never"] = "auto"
    scales: list[str] = Field(default_factory=lambda: list(service.DEFAULT_SCALES), max_length=20)


class SurveyPatch(BaseModel):
    title: str | None = Field(default=None, max_length=160)
    anonymous: bool | None = None
    child_mode: Literal["auto", "always", "never"] | None = None
    outgroup_terms: dict[str, dict[str, str]] | None = Field(
        default=None, description='e.g. {"host": {"es": "los vecinos recién llegados"}}'
    )


class WaveIn(BaseModel):
    kind: Literal["pre", "post", "follow_up"]
    opens_on: date
    closes_on: date


class WavePatch(BaseModel):
    opens_on: date
    closes_on: date


class WaveOut(BaseModel):
    id: int
    kind: str
    opens_on: date
    closes_on: date
    state: str


class SurveyOut(BaseModel):
    id: int
    activity_id: int
    title: str
    anonymous: bool
    child_mode: str
    outgroup_terms: dict[str, dict[str, str]]
    current_version: int
    waves: list[WaveOut]


class VersionOut(BaseModel):
    number: int
    created_at: datetime
    edited_at: datetime
    frozen: bool
    scales: list[str]
    items: list[ItemOut]


class ScalesIn(BaseModel):
    scales: list[str] = Field(max_length=20)


class CustomItemIn(BaseModel):
    text: dict[str, str] = Field(description="wording per language; English required")
    format: Literal["likert5", "likert7", "thermometer", "scale0_10", "yesno"] = "likert5"
    reverse: bool = False
    scale: str = Field(default="own", max_length=40)
    child_text: dict[str, str] | None = None


class LinkOut(BaseModel):
    id: int
    kind: str
    participant_id: int | None
    participant_code: str | None
    url: str
    token: str
    revoked: bool
    started: bool
    completed: bool


class BlockedOut(BaseModel):
    participant_id: int
    participant_code: str
    reason: str


class LinkSheetOut(BaseModel):
    wave_id: int
    links: list[LinkOut]
    blocked: list[BlockedOut]
    public: LinkOut | None = None


class IssueIn(BaseModel):
    participant_ids: list[int] | None = Field(
        default=None, description="omit to issue to every enrolled participant"
    )


class ProgressOut(BaseModel):
    wave_id: int
    kind: str
    state: str
    invited: int
    started: int
    completed: int


class PendingOut(BaseModel):
    participant_id: int
    participant_code: str
    url: str
    started: bool


class ImportOut(BaseModel):
    imported: int
    skipped: list[str]
    errors: list[str]


# --- helpers ------------------------------------------------------------------------------------


def _item(one: ItemDef) -> ItemOut:
    return ItemOut(
        id=one.id,
        scale=one.scale,
        format=one.format,
        reverse=one.reverse,
        min_value=one.min_value,
        max_value=one.max_value,
        text=dict(one.text),
        anchors={k: list(v) for k, v in one.anchors.items()},
        custom=one.custom,
    )


def _wave(wave: Wave) -> WaveOut:
    assert wave.id is not None
    return WaveOut(
        id=wave.id,
        kind=wave.kind,
        opens_on=wave.opens_on,
        closes_on=wave.closes_on,
        state=service.wave_state(wave),
    )


def _survey(session: Session, survey: Survey) -> SurveyOut:
    assert survey.id is not None
    return SurveyOut(
        id=survey.id,
        activity_id=survey.activity_id,
        title=survey.title,
        anonymous=survey.anonymous,
        child_mode=survey.child_mode,
        outgroup_terms=survey.outgroup_terms,
        current_version=service.current_version(session=session, survey=survey).number,
        waves=[_wave(w) for w in service.list_waves(session=session, survey=survey)],
    )


def _version(session: Session, version: InstrumentVersion) -> VersionOut:
    return VersionOut(
        number=version.number,
        created_at=version.created_at,
        edited_at=version.edited_at,
        frozen=service.is_frozen(session=session, version=version),
        scales=list(version.scales),
        items=[_item(one) for one in service.version_items(version)],
    )


def _url(request: Request, token: str) -> str:
    return str(request.url_for("respond_start", token=token))


def _link(request: Request, row: links.LinkRow) -> LinkOut:
    assert row.link.id is not None
    return LinkOut(
        id=row.link.id,
        kind=row.link.kind,
        participant_id=row.link.participant_id,
        participant_code=row.participant.code if row.participant else None,
        url=_url(request, row.token),
        token=row.token,
        revoked=row.link.revoked_at is not None,
        started=row.started,
        completed=row.completed,
    )


def _sheet(request: Request, sheet: links.LinkSheet) -> LinkSheetOut:
    assert sheet.wave.id is not None
    return LinkSheetOut(
        wave_id=sheet.wave.id,
        links=[_link(request, row) for row in sheet.rows],
        blocked=[
            BlockedOut(
                participant_id=b.participant.id or 0,
                participant_code=b.participant.code,
                reason=b.reason,
            )
            for b in sheet.blocked
        ],
        public=_link(request, sheet.public) if sheet.public else None,
    )


# --- the bank -----------------------------------------------------------------------------------


@router.get("/instruments/bank", response_model=BankOut)
def api_bank(user: ApiStaff) -> BankOut:
    """Every scale of the instrument bank with its items, translations and source."""
    return BankOut(
        languages=list(instruments.LANGUAGES),
        scales=[
            ScaleOut(
                id=s.id,
                name=dict(s.name),
                description=dict(s.description),
                source=s.source,
                higher_is_better=s.higher_is_better,
                about_outgroup=s.about_outgroup,
                items=[_item(one) for one in s.items],
            )
            for s in instruments.bank().values()
        ],
        cohesion_items=list(instruments.COHESION_ITEMS),
    )


# --- surveys ------------------------------------------------------------------------------------


@router.get("/surveys", response_model=list[SurveyOut])
def api_surveys(session: SessionDep, user: ApiStaff) -> list[SurveyOut]:
    """The organization's surveys."""
    rows = service.list_surveys(session=session, actor=user)
    return [_survey(session, row.survey) for row in rows if row.survey is not None]


@router.post(
    "/activities/{activity_id}/survey",
    response_model=SurveyOut,
    status_code=status.HTTP_201_CREATED,
)
def api_create_survey(
    session: SessionDep, user: ApiStaff, activity_id: int, body: SurveyIn
) -> SurveyOut:
    """Create the activity's survey (chosen bank scales; pre and post waves from its dates)."""
    settings = service.SurveySettings(
        title=body.title, anonymous=body.anonymous, child_mode=body.child_mode
    )
    survey = service.create_survey(
        session=session, actor=user, activity_id=activity_id, settings=settings, scales=body.scales
    )
    return _survey(session, survey)


@router.get("/activities/{activity_id}/survey", response_model=SurveyOut)
def api_activity_survey(session: SessionDep, user: ApiStaff, activity_id: int) -> SurveyOut:
    survey = service.survey_of_activity(session=session, actor=user, activity_id=activity_id)
    if survey is None:
        raise DomainError("This activity has no survey yet.", status_code=404)
    return _survey(session, survey)


@router.get("/surveys/{survey_id}", response_model=SurveyOut)
def api_survey(session: SessionDep, user: ApiStaff, survey_id: int) -> SurveyOut:
    return _survey(session, service.scoped_survey(session=session, actor=user, survey_id=survey_id))


@router.patch("/surveys/{survey_id}", response_model=SurveyOut)
def api_update_survey(
    session: SessionDep, user: ApiStaff, survey_id: int, body: SurveyPatch
) -> SurveyOut:
    survey = service.scoped_survey(session=session, actor=user, survey_id=survey_id)
    settings = service.SurveySettings(
        title=survey.title if body.title is None else body.title,
        anonymous=survey.anonymous if body.anonymous is None else body.anonymous,
        child_mode=survey.child_mode if body.child_mode is None else body.child_mode,
        outgroup_terms=survey.outgroup_terms
        if body.outgroup_terms is None
        else body.outgroup_terms,
    )
    survey = service.update_survey(
        session=session, actor=user, survey_id=survey_id, settings=settings
    )
    return _survey(session, survey)


# --- instrument versions ------------------------------------------------------------------------


@router.get("/surveys/{survey_id}/instrument", response_model=VersionOut)
def api_instrument(session: SessionDep, user: ApiStaff, survey_id: int) -> VersionOut:
    """The current instrument version, with every item."""
    survey = service.scoped_survey(session=session, actor=user, survey_id=survey_id)
    return _version(session, service.current_version(session=session, survey=survey))


@router.get("/surveys/{survey_id}/versions", response_model=list[VersionOut])
def api_versions(session: SessionDep, user: ApiStaff, survey_id: int) -> list[VersionOut]:
    """Every instrument version, oldest first (a version with answers is frozen)."""
    versions = service.list_versions(session=session, actor=user, survey_id=survey_id)
    return [_version(session, v) for v in versions]


@router.get("/surveys/{survey_id}/versions/{number}", response_model=VersionOut)
def api_version(session: SessionDep, user: ApiStaff, survey_id: int, number: int) -> VersionOut:
    version = service.scoped_version(
        session=session, actor=user, survey_id=survey_id, number=number
    )
    return _version(session, version)


@router.put("/surveys/{survey_id}/instrument/scales", response_model=VersionOut)
def api_set_scales(
    session: SessionDep, user: ApiStaff, survey_id: int, body: ScalesIn
) -> VersionOut:
    """Choose bank scales; a frozen version is not changed, the next version is created."""
    version = service.set_scales(
        session=session, actor=user, survey_id=survey_id, scales=body.scales
    )
    return _version(session, version)


def _custom_fields(body: CustomItemIn) -> service.CustomItemFields:
    return service.CustomItemFields(
        text=body.text,
        format=body.format,
        reverse=body.reverse,
        scale=body.scale,
        child_text=body.child_text,
    )


@router.post(
    "/surveys/{survey_id}/instrument/items",
    response_model=VersionOut,
    status_code=status.HTTP_201_CREATED,
)
def api_add_item(
    session: SessionDep, user: ApiStaff, survey_id: int, body: CustomItemIn
) -> VersionOut:
    """Add an organizer's own question (its id, `own_<n>`, is in the returned version)."""
    version = service.add_custom_item(
        session=session, actor=user, survey_id=survey_id, fields=_custom_fields(body)
    )
    return _version(session, version)


@router.put("/surveys/{survey_id}/instrument/items/{item_id}", response_model=VersionOut)
def api_update_item(
    session: SessionDep, user: ApiStaff, survey_id: int, item_id: str, body: CustomItemIn
) -> VersionOut:
    version = service.update_custom_item(
        session=session,
        actor=user,
        survey_id=survey_id,
        item_id=item_id,
        fields=_custom_fields(body),
    )
    return _version(session, version)


@router.delete("/surveys/{survey_id}/instrument/items/{item_id}", response_model=VersionOut)
def api_remove_item(
    session: SessionDep, user: ApiStaff, survey_id: int, item_id: str
) -> VersionOut:
    version = service.remove_custom_item(
        session=session, actor=user, survey_id=survey_id, item_id=item_id
    )
    return _version(session, version)


@router.get("/surveys/{survey_id}/xlsform")
def api_xlsform(session: SessionDep, user: ApiStaff, survey_id: int) -> Response:
    """The current instrument as an XLSForm for KoboToolbox / ODK (.xlsx)."""
    name, data = exchange.instrument_xlsform(session=session, actor=user, survey_id=survey_id)
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/surveys/{survey_id}/answers")
def api_answers(
    session: SessionDep, user: ApiStaff, survey_id: int, format: Literal["csv", "xlsx"] = "csv"
) -> Response:
    """Raw answers with item ids and labels (CSV: one row per answer; XLSX: one row per
    response plus an items sheet). Respondents appear by code only; audit-logged."""
    export = exchange.answers_csv if format == "csv" else exchange.answers_xlsx
    name, data = export(session=session, actor=user, survey_id=survey_id)
    media = (
        "text/csv; charset=utf-8"
        if format == "csv"
        else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


# --- waves, progress and import -----------------------------------------------------------------


@router.get("/surveys/{survey_id}/waves", response_model=list[WaveOut])
def api_waves(session: SessionDep, user: ApiStaff, survey_id: int) -> list[WaveOut]:
    survey = service.scoped_survey(session=session, actor=user, survey_id=survey_id)
    return [_wave(w) for w in service.list_waves(session=session, survey=survey)]


@router.post("/surveys/{survey_id}/waves", response_model=WaveOut, status_code=201)
def api_add_wave(session: SessionDep, user: ApiStaff, survey_id: int, body: WaveIn) -> WaveOut:
    wave = service.add_wave(
        session=session,
        actor=user,
        survey_id=survey_id,
        kind=body.kind,
        opens_on=body.opens_on,
        closes_on=body.closes_on,
    )
    return _wave(wave)


@router.patch("/waves/{wave_id}", response_model=WaveOut)
def api_update_wave(session: SessionDep, user: ApiStaff, wave_id: int, body: WavePatch) -> WaveOut:
    wave = service.update_wave(
        session=session,
        actor=user,
        wave_id=wave_id,
        opens_on=body.opens_on,
        closes_on=body.closes_on,
    )
    return _wave(wave)


@router.delete("/waves/{wave_id}", status_code=204)
def api_delete_wave(session: SessionDep, user: ApiStaff, wave_id: int) -> Response:
    service.delete_wave(session=session, actor=user, wave_id=wave_id)
    return Response(status_code=204)


@router.get("/surveys/{survey_id}/progress", response_model=list[ProgressOut])
def api_progress(session: SessionDep, user: ApiStaff, survey_id: int) -> list[ProgressOut]:
    """Per wave: links active, responses started and completed (counts, never answers)."""
    rows = service.survey_progress(session=session, actor=user, survey_id=survey_id)
    return [
        ProgressOut(
            wave_id=row.wave.id or 0,
            kind=row.wave.kind,
            state=row.state,
            invited=row.invited,
            started=row.started,
            completed=row.completed,
        )
        for row in rows
    ]


@router.get("/waves/{wave_id}/pending", response_model=list[PendingOut])
def api_pending(
    request: Request, session: SessionDep, user: ApiStaff, wave_id: int
) -> list[PendingOut]:
    """Participants with an active link who have not completed the wave, with their link."""
    rows = service.not_answered(session=session, actor=user, wave_id=wave_id)
    return [
        PendingOut(
            participant_id=person.id or 0,
            participant_code=person.code,
            url=_url(request, links.token_of(link)),
            started=response is not None,
        )
        for person, link, response in rows
    ]


@router.post("/waves/{wave_id}/import", response_model=ImportOut)
def api_import(
    session: SessionDep, user: ApiStaff, wave_id: int, file: UploadFile = File(...)
) -> ImportOut:
    """Import Kobo/ODK submissions (CSV or XLSX with XML values), all rows or none."""
    data = file.file.read(exchange.MAX_IMPORT_BYTES + 1)
    report = exchange.import_submissions(
        session=session, actor=user, wave_id=wave_id, filename=file.filename or "", data=data
    )
    if report.errors:
        raise DomainError("; ".join(report.errors[:20]), status_code=422)
    return ImportOut(imported=report.imported, skipped=report.skipped, errors=report.errors)


# --- links --------------------------------------------------------------------------------------


@router.get("/waves/{wave_id}/links", response_model=LinkSheetOut)
def api_links(request: Request, session: SessionDep, user: ApiStaff, wave_id: int) -> LinkSheetOut:
    """The wave's links (with tokens, recomputed), their progress, and who cannot get one."""
    return _sheet(request, links.link_sheet(session=session, actor=user, wave_id=wave_id))


@router.post("/waves/{wave_id}/links", response_model=LinkSheetOut)
def api_issue_links(
    request: Request, session: SessionDep, user: ApiStaff, wave_id: int, body: IssueIn
) -> LinkSheetOut:
    """Issue personal links (existing ones are kept); a named participant without consent: 422."""
    sheet = links.issue_links(
        session=session, actor=user, wave_id=wave_id, participant_ids=body.participant_ids
    )
    return _sheet(request, sheet)


@router.post("/waves/{wave_id}/public-link", response_model=LinkOut)
def api_public_link(request: Request, session: SessionDep, user: ApiStaff, wave_id: int) -> LinkOut:
    """The shared link of an anonymous survey's wave (created on first call)."""
    link = links.public_link(session=session, actor=user, wave_id=wave_id)
    return _link(request, links.LinkRow(link, None, links.token_of(link)))


def _one_link(request: Request, session: Session, link: SurveyLink) -> LinkOut:
    return _link(request, links.LinkRow(link, None, links.token_of(link)))


@router.post("/links/{link_id}/revoke", response_model=LinkOut)
def api_revoke(request: Request, session: SessionDep, user: ApiStaff, link_id: int) -> LinkOut:
    return _one_link(
        request, session, links.revoke_link(session=session, actor=user, link_id=link_id)
    )


@router.post("/links/{link_id}/reissue", response_model=LinkOut)
def api_reissue(request: Request, session: SessionDep, user: ApiStaff, link_id: int) -> LinkOut:
    """A new token for the link; the old one stops working, answers so far are kept."""
    return _one_link(
        request, session, links.reissue_link(session=session, actor=user, link_id=link_id)
    )


# --- the participant flow (token) ---------------------------------------------------------------


class ChoiceOut(BaseModel):
    value: float
    label: str
    face: int | None


class QuestionOut(BaseModel):
    item_id: str
    number: int
    text: str
    fell_back_to_english: bool
    layout: str
    choices: list[ChoiceOut]
    low_label: str
    high_label: str


class RespondOut(BaseModel):
    state: Literal["open", "started", "completed"]
    anonymous: bool
    survey_title: str
    wave: str
    language: str
    direction: str
    child_mode: bool
    pages: list[list[QuestionOut]]
    answers: dict[str, float]


class StartIn(BaseModel):
    language: Lang = "en"


class AnonymousIn(BaseModel):
    mother: str = Field(max_length=40)
    day: str = Field(max_length=4)
    siblings: str = Field(max_length=4)
    birthplace: str = Field(max_length=60)
    group: Literal["migrant", "host", "other"]
    younger: bool = False
    language: Lang = "en"
    idempotency_key: str = Field(min_length=16, max_length=64, description="random, one per form")


class AnonymousOut(BaseModel):
    resume_token: str
    url: str


class AnswersIn(BaseModel):
    answers: dict[str, float] = Field(default_factory=dict, max_length=200)
    language: Lang | None = None
    page: int = Field(default=1, ge=1, le=100)


class SubmitOut(BaseModel):
    status: Literal["received", "already_received"]
    submitted_at: datetime | None


class SavedOut(BaseModel):
    saved: int


_PROBLEM_MESSAGES = {
    "unknown": "This link does not work.",
    "revoked": "This link has been withdrawn.",
    "closed": "This survey is closed.",
    "not_open": "This survey is not open yet.",
}


def _visit(session: Session, token: str) -> responses.Visit:
    try:
        return responses.open_link(session=session, token=token)
    except responses.Problem as problem:
        message = _PROBLEM_MESSAGES.get(problem.kind, "This link does not work.")
        if problem.on:
            message += f" ({problem.on.isoformat()})"
        raise DomainError(message, status_code=problem.status) from None


def _started(session: Session, visit: responses.Visit) -> tuple[Any, responses.Instrument]:
    if visit.response is None:
        raise Conflict("Start the response first (POST …/start).")
    return visit.response, responses.instrument_of(session=session, visit=visit)


def _json(body: BaseModel, status_code: int = 200) -> JSONResponse:
    """The body, serialised here in the endpoint's thread.

    Returning a Response skips FastAPI's response-model pass, which would need a second thread
    from the pool while this request's session still holds its database connection: with many
    phones at once and SQLite's single connection that wait became a deadlock (measured).
    """
    return JSONResponse(body.model_dump(mode="json"), status_code=status_code)


@respond_router.get("/respond/{token}", response_model=RespondOut)
def api_respond(session: SessionDep, token: str, lang: Lang | None = None) -> Response:
    """The survey as this link's respondent sees it, and their answers so far."""
    return _json(_respond_out(session, _visit(session, token), lang))


def _respond_out(session: Session, visit: responses.Visit, lang: str | None) -> RespondOut:
    instrument = responses.instrument_of(session=session, visit=visit)
    response = visit.response
    language = respond_text.pick_language(
        lang,
        response.language if response else None,
        visit.participant.preferred_language if visit.participant else None,
    )
    group = (
        response.respondent_group
        if response
        else (str(visit.participant.group) if visit.participant else "other")
    )
    child = response.child_mode if response else responses.is_child(visit.participant, visit.survey)
    answers = (
        responses.answers_of(session=session, response_id=response.id)
        if response and response.id
        else {}
    )
    pages, number = [], 1
    for page in instrument.pages:
        shown = []
        for one in page:
            q = questions.question(
                one,
                number=number,
                lang=language,
                group=group,
                child=child,
                custom_terms=visit.survey.outgroup_terms,
            )
            number += 1
            shown.append(
                QuestionOut(
                    item_id=q.item_id,
                    number=q.number,
                    text=q.text,
                    fell_back_to_english=q.fell_back,
                    layout=q.layout,
                    choices=[
                        ChoiceOut(value=float(c.value), label=c.label, face=c.face)
                        for c in q.choices
                    ],
                    low_label=q.low_label,
                    high_label=q.high_label,
                )
            )
        pages.append(shown)
    state: Literal["open", "started", "completed"] = (
        "completed" if visit.completed else "started" if response else "open"
    )
    return RespondOut(
        state=state,
        anonymous=visit.survey.anonymous,
        survey_title=visit.survey.title,
        wave=visit.wave.kind,
        language=language,
        direction=respond_text.direction(language),
        child_mode=child,
        pages=pages,
        answers=answers,
    )


@respond_router.post("/respond/{token}/start", response_model=RespondOut)
def api_respond_start(session: SessionDep, token: str, body: StartIn) -> Response:
    """Start the response of a personal link (idempotent: a repeat returns the same one)."""
    visit = _visit(session, token)
    if visit.is_public:
        raise Invalid("A public link needs the self-generated code first (POST …/anonymous).")
    if not visit.completed:
        responses.start(session=session, visit=visit, language=body.language, source="api")
    return _json(_respond_out(session, visit, body.language))


@respond_router.post("/respond/{token}/anonymous", response_model=AnonymousOut)
def api_respond_anonymous(
    request: Request, session: SessionDep, token: str, body: AnonymousIn
) -> Response:
    """Start an anonymous response from the public link; returns the respondent's own token."""
    visit = _visit(session, token)
    try:
        _response, resume = responses.start_anonymous(
            session=session,
            visit=visit,
            answers=CodeAnswers.of(body.model_dump()),
            group=body.group,
            child=body.younger,
            language=body.language,
            idempotency_key=body.idempotency_key,
            source="api",
        )
    except CodeError as error:
        raise Invalid(f"Self-generated code: {error}") from None
    except responses.CodeTaken as taken:
        message = (
            "Answers with this code were already received."
            if taken.completed
            else ("Someone already started this survey with the same code.")
        )
        raise Conflict(message) from None
    return _json(AnonymousOut(resume_token=resume, url=_url(request, resume)))


@respond_router.put("/respond/{token}/answers", response_model=SavedOut)
def api_respond_save(session: SessionDep, token: str, body: AnswersIn) -> Response:
    """Save some answers (upsert; unknown items or invalid values: 422, nothing stored)."""
    response, instrument = _started(session, _visit(session, token))
    try:
        saved = responses.save(
            session=session,
            response=response,
            items=instrument.items,
            values=body.answers,
            language=body.language or response.language,
            page=body.page,
        )
    except responses.AlreadyReceived:
        raise Conflict("These answers were already received; they can no longer change.") from None
    return _json(SavedOut(saved=len(saved)))


@respond_router.post("/respond/{token}/submit", response_model=SubmitOut)
def api_respond_submit(session: SessionDep, token: str, body: AnswersIn) -> Response:
    """Save these answers and complete the response, exactly once.

    A repeat (double tap, retry) answers `already_received` and changes nothing. If any question
    is still unanswered: 422 listing them, and nothing from this request is stored.
    """
    visit = _visit(session, token)
    if visit.completed:
        assert visit.response is not None
        return _json(SubmitOut(status="already_received", submitted_at=visit.response.submitted_at))
    response, instrument = _started(session, visit)
    try:
        done = responses.finish(
            session=session,
            response=response,
            items=instrument.items,
            values=body.answers,
            language=body.language or response.language,
            page=body.page,
        )
    except responses.AlreadyReceived:
        return _json(SubmitOut(status="already_received", submitted_at=None))
    except responses.Incomplete as incomplete:
        missing = ", ".join(one.id for one in incomplete.missing)
        raise Invalid(f"Some questions have no answer: {missing}.") from None
    return _json(SubmitOut(status="received", submitted_at=done.submitted_at))
