"""The participant's pages: open a link, (anonymous: make a code), answer a few pages, thank you.

No login: the unguessable token in the path is the credential, and it only ever shows its own
response. Plain HTML forms and redirects (POST → 303 → GET), so everything works with JavaScript
off; with it on, htmx saves each answer as it changes (`respond_autosave`). Pages are not boosted
and use their own small base template (`respond/base.html`, `static/css/respond.css`).

Problems (unknown, revoked, not yet open, closed) are rendered by `RespondRoute` as a kind page in
the participant's language with the right status (404, 410, 403), never the staff error page.
Responses carry `Cache-Control: no-store`: a shared phone's back button must not show answers
from the cache, and a restored page must not carry a stale CSRF token.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine, Mapping
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.datastructures import FormData

from app.db import SessionDep
from app.errors import Invalid
from app.settings import get_settings
from app.templating import csrf_token, templates, url_for
from surveys import questions, respond_text, responses
from surveys.anonymous import CodeAnswers, CodeError
from surveys.instruments import LANGUAGES, RTL_LANGUAGES
from surveys.models import Response as SurveyResponse
from surveys.responses import (
    AlreadyReceived,
    CodeTaken,
    Incomplete,
    Instrument,
    Problem,
    Visit,
)

MINUTES_PER_ITEM = 1 / 6  # ten seconds a question
RESUME_COOKIE = "svr{wave_id}"


class NotStarted(Exception):
    """A question page was asked for before the intro: go back to the intro."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


class RespondRoute(APIRoute):
    """Renders a `Problem` (or a database outage) as the participant's kind page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                response = await handler(request)
            except Problem as problem:
                response = _problem_page(request, problem)
            except NotStarted as not_started:
                lang = _language(request)
                response = _see_other(_url(request, "respond_start", not_started.token, lang))
            except (DBAPIError, PoolTimeout):
                response = _problem_page(request, Problem("busy", 503))
            response.headers["Cache-Control"] = "no-store"
            response.headers["X-Robots-Tag"] = "noindex"
            return response

        return guarded


router = APIRouter(include_in_schema=False, route_class=RespondRoute)


async def _read_form(request: Request) -> FormData:
    """The posted form, read on the event loop; the (sync) endpoint then runs in the thread pool,
    so a page that waits for the database never blocks the other participants' requests."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(_read_form)]


# --- rendering ----------------------------------------------------------------------------------


def _language(request: Request, visit: Visit | None = None, chosen: str | None = None) -> str:
    """?lang= (or a posted choice), else the response's, else the participant's, else browser."""
    response = visit.response if visit else None
    person = visit.participant if visit else None
    return respond_text.pick_language(
        chosen,
        request.query_params.get("lang"),
        response.language if response else None,
        person.preferred_language if person else None,
        respond_text.accept_language(request.headers.get("accept-language", "")),
    )


def _page(
    request: Request,
    template: str,
    lang: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    ctx = {
        "request": request,
        "lang": lang,
        "dir": respond_text.direction(lang),
        "T": respond_text.catalogue(lang),
        "t": lambda key, **values: respond_text.t(key, lang, **values),
        "language_names": respond_text.LANGUAGE_NAMES,
        "csrf_token": csrf_token(request),
        "rtl": RTL_LANGUAGES,
        **(context or {}),
    }
    html = templates.get_template(template).render(ctx)
    return HTMLResponse(html, status_code=status_code)


def _problem_page(request: Request, problem: Problem, **extra: str) -> HTMLResponse:
    lang = _language(request, chosen=request.query_params.get("lang") or problem.lang)
    day = problem.on.isoformat() if isinstance(problem.on, date) else ""
    context = {"kind": problem.kind, "day": day, **extra}
    return _page(request, "respond/problem.html", lang, context, status_code=problem.status)


def expired_page(scope: Any) -> str:
    """The participant's page for a form whose CSRF check failed (kept open too long, cookie
    lost): in their language (form addresses carry ?lang=), with a link back to their page."""
    request = Request(scope)
    again = request.url.path.removesuffix("/autosave") + f"?lang={_language(request)}"
    page = _problem_page(request, Problem("expired", 403), again=again)
    return bytes(page.body).decode()


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _url(request: Request, name: str, token: str, lang: str, **params: Any) -> str:
    return str(url_for(request, name, token=token, **params).include_query_params(lang=lang))


def _done(request: Request, token: str, lang: str, *, already: bool = False) -> RedirectResponse:
    url = url_for(request, "respond_done", token=token).include_query_params(lang=lang)
    return _see_other(str(url.include_query_params(already=1) if already else url))


def _language_links(request: Request, token: str, lang: str) -> list[tuple[str, str, str]]:
    base = url_for(request, "respond_start", token=token)
    return [
        (code, respond_text.LANGUAGE_NAMES[code], str(base.include_query_params(lang=code)))
        for code in LANGUAGES
    ]


# --- intro, start and the anonymous code --------------------------------------------------------


def _intro_context(visit: Visit, instrument: Instrument, lang: str) -> dict[str, Any]:
    n = len(instrument.items)
    return {
        "survey": visit.survey,
        "wave": visit.wave,
        "n_items": n,
        "minutes": max(2, round(n * MINUTES_PER_ITEM)),
        "child": visit.response.child_mode
        if visit.response
        else responses.is_child(visit.participant, visit.survey),
    }


@router.get("/s/{token}", name="respond_start")
def respond_start(request: Request, session: SessionDep, token: str) -> Response:
    """The intro (consent) screen, "welcome back" for a started response, or the thank-you."""
    visit = responses.open_link(session=session, token=token)
    lang = _language(request, visit)
    if visit.completed:
        return _done(request, token, lang, already=True)
    instrument = responses.instrument_of(session=session, visit=visit)
    context = _intro_context(visit, instrument, lang) | {
        "token": token,
        "languages": _language_links(request, token, lang),
    }
    if visit.is_public:
        return _anonymous_page(request, visit, token, lang, context)
    if visit.response is not None:
        assert visit.response.id is not None
        answers = responses.answers_of(session=session, response_id=visit.response.id)
        page = responses.first_unanswered_page(instrument, answers)
        context["continue_url"] = _url(request, "respond_page", token, lang, page=page)
    return _page(request, "respond/intro.html", lang, context)


@router.post("/s/{token}", name="respond_begin")
def respond_begin(request: Request, session: SessionDep, token: str, form: PostedForm) -> Response:
    """Start (or find) the response, then the first page. Safe to send twice."""
    visit = responses.open_link(session=session, token=token)
    lang = _language(request, visit, str(form.get("lang", "")))
    if visit.completed:
        return _done(request, token, lang, already=True)
    if visit.is_public:
        return _anonymous_start(request, session, visit, token, lang, form)
    responses.start(session=session, visit=visit, language=lang)
    return _see_other(_url(request, "respond_page", token, lang, page=1))


def _anonymous_page(
    request: Request,
    visit: Visit,
    token: str,
    lang: str,
    context: dict[str, Any],
    *,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    resume = request.cookies.get(RESUME_COOKIE.format(wave_id=visit.wave.id), "")
    context |= {
        "errors": errors or {},
        "values": values or {},
        "idempotency_key": (values or {}).get("key") or secrets.token_urlsafe(24),
        "ask_age": visit.survey.child_mode == "auto",
        "child_age": get_settings().child_mode_age,
        "resume_url": _url(request, "respond_page", resume, lang, page=1) if resume else "",
    }
    return _page(request, "respond/anonymous.html", lang, context, status_code=status_code)


def _code_errors(error: CodeError) -> dict[str, str]:
    key = {"mother": "need_letter", "birthplace": "need_letter", "day": "need_day"}
    return {error.prompt: key.get(error.prompt, "need_number")}


def _anonymous_start(
    request: Request, session: Any, visit: Visit, token: str, lang: str, form: Any
) -> Response:
    values = {k: str(form.get(k, "")) for k in ("mother", "day", "siblings", "birthplace")}
    values |= {k: str(form.get(k, "")) for k in ("group", "younger", "key")}
    errors: dict[str, str] = {}
    if values["group"] not in ("migrant", "host", "other"):
        errors["group"] = "need_choice"
    try:
        if not errors:
            response, resume = responses.start_anonymous(
                session=session,
                visit=visit,
                answers=CodeAnswers.of(values),
                group=values["group"],
                child=values["younger"] == "yes",
                language=lang,
                idempotency_key=values["key"],
            )
            redirect = _see_other(_url(request, "respond_page", resume, lang, page=1))
            redirect.set_cookie(
                RESUME_COOKIE.format(wave_id=visit.wave.id),
                resume,
                max_age=60 * 86400,
                httponly=True,
                samesite="lax",
                secure=get_settings().is_production,
            )
            return redirect
    except CodeError as error:
        errors = _code_errors(error)
    except CodeTaken as taken:
        errors = {"code": "code_done" if taken.completed else "code_in_use"}
    instrument = responses.instrument_of(session=session, visit=visit)
    context = _intro_context(visit, instrument, lang) | {
        "token": token,
        "languages": _language_links(request, token, lang),
    }
    return _anonymous_page(
        request, visit, token, lang, context, errors=errors, values=values, status_code=422
    )


# --- the question pages -------------------------------------------------------------------------


def _started(session: Any, token: str) -> tuple[Visit, SurveyResponse, Instrument]:
    """The open link's response (the intro must come first) and its instrument."""
    visit = responses.open_link(session=session, token=token)
    if visit.response is None:
        raise NotStarted(token)
    return visit, visit.response, responses.instrument_of(session=session, visit=visit)


def _clamp(page: int, instrument: Instrument) -> int:
    return min(max(1, page), len(instrument.pages))


def _questions(
    visit: Visit, response: SurveyResponse, instrument: Instrument, page: int, lang: str
) -> list[questions.Question]:
    first = sum(len(p) for p in instrument.pages[: page - 1]) + 1
    return [
        questions.question(
            one,
            number=first + offset,
            lang=lang,
            group=response.respondent_group,
            child=response.child_mode,
            custom_terms=visit.survey.outgroup_terms,
        )
        for offset, one in enumerate(instrument.pages[page - 1])
    ]


def _question_page(
    request: Request,
    session: Any,
    opened: tuple[Visit, SurveyResponse, Instrument],
    token: str,
    page: int,
    lang: str,
    *,
    answers: Mapping[str, str] | None = None,
    missing: set[str] | None = None,
    notice: str = "",
    other_pages: list[int] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    visit, response, instrument = opened
    assert response.id is not None
    saved = responses.answers_of(session=session, response_id=response.id)
    given = {k: questions.fmt(v) for k, v in saved.items()} | dict(answers or {})
    context = {
        "survey": visit.survey,
        "token": token,
        "page": page,
        "pages": len(instrument.pages),
        "questions": _questions(visit, response, instrument, page, lang),
        "answers": given,
        "missing": missing or set(),
        "notice": notice,
        "other_pages": [
            (n, _url(request, "respond_page", token, lang, page=n)) for n in other_pages or []
        ],
        "child": response.child_mode,
        "action": _url(request, "respond_save", token, lang, page=page),
        "autosave": _url(request, "respond_autosave", token, lang, page=page),
        "htmx": True,
    }
    return _page(request, "respond/page.html", lang, context, status_code=status_code)


@router.get("/s/{token}/p/{page}", name="respond_page")
def respond_page(request: Request, session: SessionDep, token: str, page: int) -> Response:
    visit = responses.open_link(session=session, token=token)
    lang = _language(request, visit)
    if visit.completed:
        return _done(request, token, lang, already=True)
    if visit.response is None:
        return _see_other(_url(request, "respond_start", token, lang))
    instrument = responses.instrument_of(session=session, visit=visit)
    if page != _clamp(page, instrument):
        return _see_other(_url(request, "respond_page", token, lang, page=_clamp(page, instrument)))
    opened = (visit, visit.response, instrument)
    return _question_page(request, session, opened, token, page, lang)


def _posted_answers(form: Any, instrument: Instrument, page: int) -> dict[str, str]:
    on_page = [one.id for one in instrument.pages[page - 1]]
    return {item_id: str(form[item_id]) for item_id in on_page if form.get(item_id, "") != ""}


@router.post("/s/{token}/p/{page}", name="respond_save")
def respond_save(
    request: Request, session: SessionDep, token: str, page: int, form: PostedForm
) -> Response:
    """Save the page, then go on (next, back, another language) or finish. Safe to resend."""
    opened = visit, response, instrument = _started(session, token)
    page = _clamp(page, instrument)
    lang = respond_text.pick_language(str(form.get("lang_to", "")), str(form.get("lang", "")))
    posted = _posted_answers(form, instrument, page)
    try:
        responses.save(
            session=session,
            response=response,
            items=instrument.items,
            values=posted,
            language=lang,
            page=page,
        )
    except AlreadyReceived:
        return _done(request, token, lang, already=True)
    except Invalid:
        return _question_page(
            request, session, opened, token, page, lang, notice="invalid_answer", status_code=422
        )
    go = str(form.get("go", "next"))
    if form.get("lang_to") or go == "stay":
        return _see_other(_url(request, "respond_page", token, lang, page=page))
    if go == "back":
        return _see_other(_url(request, "respond_page", token, lang, page=max(1, page - 1)))
    missing_here = {one.id for one in instrument.pages[page - 1] if one.id not in posted}
    if missing_here:
        return _question_page(
            request,
            session,
            opened,
            token,
            page,
            lang,
            answers=posted,
            missing=missing_here,
            notice="missing_here",
            status_code=422,
        )
    if page < len(instrument.pages):
        return _see_other(_url(request, "respond_page", token, lang, page=page + 1))
    return _finish(request, session, opened, token, lang, page)


def _finish(
    request: Request,
    session: Any,
    opened: tuple[Visit, SurveyResponse, Instrument],
    token: str,
    lang: str,
    page: int,
) -> Response:
    _visit, response, instrument = opened
    try:
        responses.finish(
            session=session, response=response, items=instrument.items, language=lang, page=page
        )
    except AlreadyReceived:
        return _done(request, token, lang, already=True)
    except Incomplete as incomplete:
        pages = sorted({instrument.page_of(one.id) for one in incomplete.missing})
        return _question_page(
            request,
            session,
            opened,
            token,
            page,
            lang,
            notice="missing_pages",
            other_pages=pages,
            status_code=422,
        )
    return _done(request, token, lang)


@router.post("/s/{token}/p/{page}/autosave", name="respond_autosave")
def respond_autosave(
    request: Request, session: SessionDep, token: str, page: int, form: PostedForm
) -> Response:
    """htmx: save the page's answers as they change; answers "Saved" in the page's language."""
    visit, response, instrument = _started(session, token)
    page = _clamp(page, instrument)
    lang = respond_text.pick_language(str(form.get("lang", "")))
    try:
        responses.save(
            session=session,
            response=response,
            items=instrument.items,
            values=_posted_answers(form, instrument, page),
            language=lang,
            page=page,
        )
    except AlreadyReceived:
        return HTMLResponse(respond_text.t("already_title", lang), status_code=409)
    except Invalid:
        return HTMLResponse(respond_text.t("invalid_answer", lang), status_code=422)
    return HTMLResponse(respond_text.t("saved", lang) + " ✓")


@router.get("/s/{token}/done", name="respond_done")
def respond_done(request: Request, session: SessionDep, token: str, already: int = 0) -> Response:
    """Thank you (or "already received" on a repeat)."""
    visit = responses.open_link(session=session, token=token)
    lang = _language(request, visit)
    if not visit.completed:
        return _see_other(_url(request, "respond_start", token, lang))
    context = {"survey": visit.survey, "already": bool(already), "child": False}
    page = _page(request, "respond/done.html", lang, context)
    if visit.response is not None and visit.response.anon_code:
        page.delete_cookie(RESUME_COOKIE.format(wave_id=visit.wave.id))
    return page
