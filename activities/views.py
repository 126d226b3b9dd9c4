"""Activity pages: list, create/edit from a template, sessions, design assessment and history.

Pages that draw the radar chart are reached with full page loads (`hx-boost="false"` in their
templates) so base.html loads plotly.js for them; the live design preview is an htmx fragment.
"""

from datetime import date, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from activities import service
from activities.assessment import Design
from activities.charts import design_radar
from activities.kinds import TEMPLATES, Kind
from activities.models import STATUS_TRANSITIONS, ActivitySession, ActivityStatus, SessionStatus
from activities.principles import PARTNER_TYPES, PRINCIPLES, QUESTIONS
from activities.scheduling import Frequency, Recurrence
from app.accounts.models import User
from app.accounts.service import list_territories
from app.charts import embed
from app.db import SessionDep
from app.deps import PageStaff
from app.errors import DomainError, Invalid
from app.i18n import _, gettext, request_language
from app.settings import get_settings
from app.templating import flash, is_fragment_request, page_links, render

router = APIRouter(include_in_schema=False)

Short = Annotated[str, Form(max_length=300)]


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _lang(request: Request) -> str:
    return request_language(request, get_settings().default_language)


def _message(request: Request, error: DomainError) -> str:
    """The error's message in the request's language, ready to show next to a form."""
    return gettext(_lang(request), error.message)


def _date(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as error:
        raise Invalid(_("Enter dates as YYYY-MM-DD.")) from error


def _required_date(value: str) -> date:
    day = _date(value)
    if day is None:
        raise Invalid(_("Enter a date."))
    return day


def _time(value: str) -> time:
    try:
        return time.fromisoformat(value.strip())
    except ValueError as error:
        raise Invalid(_("Enter times as HH:MM.")) from error


def _int(value: str, message: str) -> int:
    try:
        return int(value.strip() or "0")
    except ValueError as error:
        raise Invalid(message) from error


# --- shared context -----------------------------------------------------------------------------


def _kind_labels(lang: str) -> dict[str, str]:
    return {k.value: TEMPLATES[k].label.get(lang, TEMPLATES[k].label["en"]) for k in Kind}


def _status_labels() -> dict[str, str]:
    return {
        "draft": _("Draft"),
        "planned": _("Planned"),
        "running": _("Running"),
        "completed": _("Completed"),
        "archived": _("Archived"),
    }


def _transition_labels() -> dict[str, str]:
    return {
        "draft": _("Back to draft"),
        "planned": _("Mark as planned"),
        "running": _("Mark as running"),
        "completed": _("Mark as completed"),
        "archived": _("Archive…"),
    }


def _partner_labels() -> dict[str, str]:
    labels = {
        "local_government": _("Local government"),
        "media": _("Media"),
        "agency": _("Government agency"),
        "school": _("School"),
        "community_organization": _("Community organization"),
    }
    return {t: labels.get(t, t) for t in PARTNER_TYPES}


def _common(lang: str) -> dict[str, Any]:
    return {
        "kind_labels": _kind_labels(lang),
        "status_labels": _status_labels(),
        "partner_labels": _partner_labels(),
    }


def _principle_names(lang: str) -> dict[int, str]:
    return {p.number: p.name.get(lang, p.name["en"]) for p in PRINCIPLES}


def _design_context(design: Design, lang: str) -> dict[str, Any]:
    """What the scores panel shows: overall, per principle, radar and recommendations."""
    names = _principle_names(lang)
    scores = [design.result.score(p.number) for p in PRINCIPLES]
    figure = design_radar(
        labels=[f"{p.number}. {names[p.number]}" for p in PRINCIPLES],
        scores=scores,
        name=_("Design score"),
    )
    label = ", ".join(
        f"{names[p.number]}: {round(s)}" for p, s in zip(PRINCIPLES, scores, strict=True)
    )
    return {
        "design": design,
        "principle_names": names,
        "radar": embed(figure, "design-radar", height=360, label=label),
        "recommendations": design.result.recommendations(lang),
        "charts": True,
    }


# --- list ---------------------------------------------------------------------------------------


@router.get("/activities", name="activity_list")
def activity_list(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    status: str = "",
    kind: str = "",
    date_from: str = "",
    date_to: str = "",
    facilitator: str = "",
    sort: str = "start_desc",
    page: int = 1,
) -> HTMLResponse:
    filters = service.ActivityFilters(
        status=status,
        kind=kind,
        date_from=_date(date_from),
        date_to=_date(date_to),
        facilitator_id=_int(facilitator, _("Unknown facilitator.")) or None,
        sort=sort,
        page=page,
    )
    result = service.list_activities(session=session, actor=user, filters=filters)
    query = {
        "status": status,
        "kind": kind,
        "date_from": date_from,
        "date_to": date_to,
        "facilitator": facilitator,
        "sort": sort,
    }
    context = {
        **_common(_lang(request)),
        "result": result,
        "filters": query,
        "filtered": any(v for k, v in query.items() if k != "sort"),
        "staff": service.organization_staff(session=session, actor=user),
        "page_links": page_links(request, "activity_list", query, result.page, result.pages),
    }
    return render(request, "activities/list.html", context)


# --- create and edit ----------------------------------------------------------------------------


class ActivityForm(BaseModel):
    """The activity form as typed (strings), parsed by `_parse_activity`."""

    title: str = Field(default="", max_length=300)
    kind: str = Field(default="", max_length=30)
    description: str = Field(default="", max_length=4000)
    shared_goal: str = Field(default="", max_length=1000)
    location: str = Field(default="", max_length=300)
    territory_id: str = Field(default="", max_length=20)
    start_date: str = Field(default="", max_length=20)
    end_date: str = Field(default="", max_length=20)
    target_migrants: str = Field(default="0", max_length=20)
    target_locals: str = Field(default="0", max_length=20)

    @classmethod
    def of(cls, fields: service.ActivityFields) -> "ActivityForm":
        return cls(
            **{
                k: "" if v is None else (v.isoformat() if isinstance(v, date) else str(v))
                for k, v in vars(fields).items()
            }
        )


def _parse_activity(form: ActivityForm) -> service.ActivityFields:
    whole = _("Target numbers of participants must be whole numbers.")
    return service.ActivityFields(
        title=form.title,
        kind=form.kind,
        description=form.description,
        shared_goal=form.shared_goal,
        location=form.location,
        territory_id=_int(form.territory_id, _("Unknown territory.")) or None,
        start_date=_date(form.start_date),
        end_date=_date(form.end_date),
        target_migrants=_int(form.target_migrants, whole),
        target_locals=_int(form.target_locals, whole),
    )


def _form_context(
    session: Session, request: Request, form: ActivityForm, **extra: Any
) -> dict[str, Any]:
    lang = _lang(request)
    chosen = TEMPLATES.get(Kind(form.kind)) if form.kind in _kind_labels(lang) else None
    return {
        **_common(lang),
        "form": form,
        "templates": TEMPLATES,
        "suggestions": chosen.suggestions.get(lang, chosen.suggestions["en"]) if chosen else [],
        "territories": list_territories(session=session),
        **extra,
    }


@router.get("/activities/new", name="activity_new")
def activity_new(
    request: Request, session: SessionDep, user: PageStaff, kind: str = ""
) -> HTMLResponse:
    """The activity form; `?kind=` starts from that kind's template."""
    if kind:
        fields = service.template_fields(kind=kind, lang=_lang(request))
    else:
        fields = service.ActivityFields(title="", kind=Kind.OTHER.value)
    context = _form_context(
        session, request, ActivityForm.of(fields), creating=True, from_template=bool(kind)
    )
    return render(request, "activities/form.html", context)


@router.post("/activities", name="activity_create")
def activity_create(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    form: Annotated[ActivityForm, Form()],
) -> Response:
    try:
        fields = _parse_activity(form)
        activity = service.create_activity(session=session, actor=user, fields=fields)
    except DomainError as error:
        context = _form_context(
            session, request, form, creating=True, error=_message(request, error)
        )
        return render(request, "activities/form.html", context, status_code=error.status_code)
    flash(request, _("Activity created. Next: schedule its sessions and assess its design."))
    return _see_other(str(request.url_for("activity_page", activity_id=activity.id)))


@router.get("/activities/{activity_id}/edit", name="activity_edit")
def activity_edit(
    request: Request, session: SessionDep, user: PageStaff, activity_id: int
) -> HTMLResponse:
    activity = service.scoped_activity(session=session, actor=user, activity_id=activity_id)
    fields = service.ActivityFields(
        **{k: getattr(activity, k) for k in service.ActivityFields.__dataclass_fields__}
    )
    context = _form_context(
        session, request, ActivityForm.of(fields), creating=False, activity=activity
    )
    return render(request, "activities/form.html", context)


@router.post("/activities/{activity_id}/edit", name="activity_update")
def activity_update(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    activity_id: int,
    form: Annotated[ActivityForm, Form()],
) -> Response:
    activity = service.scoped_activity(session=session, actor=user, activity_id=activity_id)
    try:
        fields = _parse_activity(form)
        service.update_activity(session=session, actor=user, activity_id=activity_id, fields=fields)
    except DomainError as error:
        context = _form_context(
            session,
            request,
            form,
            creating=False,
            activity=activity,
            error=_message(request, error),
        )
        return render(request, "activities/form.html", context, status_code=error.status_code)
    flash(request, _("Activity saved."))
    return _see_other(str(request.url_for("activity_page", activity_id=activity_id)))


# --- the activity page --------------------------------------------------------------------------


def _page_context(
    session: Session, request: Request, user: User, activity_id: int
) -> dict[str, Any]:
    lang = _lang(request)
    detail = service.activity_detail(session=session, actor=user, activity_id=activity_id)
    design = service.current_design(session=session, actor=user, activity_id=activity_id)
    sessions = service.list_sessions(session=session, actor=user, activity_id=activity_id)
    facilitating = {f.user.id for f in detail.facilitators}
    staff = service.organization_staff(session=session, actor=user)
    try:
        suggestions = TEMPLATES[Kind(detail.activity.kind)].suggestions
    except (ValueError, KeyError):
        suggestions = {}
    return {
        **_common(lang),
        **_design_context(design, lang),
        "detail": detail,
        "activity": detail.activity,
        "sessions": [s for s in sessions if s.status == SessionStatus.SCHEDULED],
        "cancelled_count": sum(1 for s in sessions if s.status == SessionStatus.CANCELLED),
        "transitions": STATUS_TRANSITIONS[ActivityStatus(detail.activity.status)],
        "transition_labels": _transition_labels(),
        "candidates": [s for s in staff if s.id not in facilitating],
        "suggestions": suggestions.get(lang, suggestions.get("en", [])),
    }


@router.get("/activities/{activity_id}", name="activity_page")
def activity_page(
    request: Request, session: SessionDep, user: PageStaff, activity_id: int
) -> HTMLResponse:
    return render(
        request, "activities/detail.html", _page_context(session, request, user, activity_id)
    )


def _page_error(
    request: Request, session: Session, user: User, activity_id: int, error: DomainError
) -> HTMLResponse:
    """The activity page again, with the error next to the forms."""
    context = _page_context(session, request, user, activity_id) | {
        "error": _message(request, error)
    }
    return render(request, "activities/detail.html", context, status_code=error.status_code)


@router.post("/activities/{activity_id}/status", name="activity_status")
def activity_status(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    activity_id: int,
    status: Short = "",
) -> Response:
    try:
        service.change_status(session=session, actor=user, activity_id=activity_id, status=status)
    except DomainError as error:
        return _page_error(request, session, user, activity_id, error)
    flash(request, _("Status changed."))
    return _see_other(str(request.url_for("activity_page", activity_id=activity_id)))


@router.get("/activities/{activity_id}/archive", name="activity_archive_confirm")
def activity_archive_confirm(
    request: Request, session: SessionDep, user: PageStaff, activity_id: int
) -> HTMLResponse:
    activity = service.scoped_activity(session=session, actor=user, activity_id=activity_id)
    return render(request, "activities/confirm_archive.html", {"activity": activity})


@router.post("/activities/{activity_id}/facilitators", name="facilitator_add")
def facilitator_add(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    activity_id: int,
    user_id: Short = "",
    trained: Short = "",
) -> Response:
    try:
        staff_id = _int(user_id, _("Unknown facilitator."))
        service.add_facilitator(
            session=session,
            actor=user,
            activity_id=activity_id,
            user_id=staff_id,
            trained=trained in {"on", "true", "1"},
        )
    except DomainError as error:
        return _page_error(request, session, user, activity_id, error)
    flash(request, _("Facilitator saved."))
    return _see_other(str(request.url_for("activity_page", activity_id=activity_id)))


@router.post("/activities/{activity_id}/facilitators/{user_id}/remove", name="facilitator_remove")
def facilitator_remove(
    request: Request, session: SessionDep, user: PageStaff, activity_id: int, user_id: int
) -> RedirectResponse:
    service.remove_facilitator(
        session=session, actor=user, activity_id=activity_id, user_id=user_id
    )
    flash(request, _("Facilitator removed."))
    return _see_other(str(request.url_for("activity_page", activity_id=activity_id)))


@router.post("/activities/{activity_id}/partners", name="partner_add")
def partner_add(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    activity_id: int,
    name: Short = "",
    type: Short = "",
    role: Short = "",
) -> Response:
    try:
        service.add_partner(
            session=session, actor=user, activity_id=activity_id, name=name, type=type, role=role
        )
    except DomainError as error:
        return _page_error(request, session, user, activity_id, error)
    flash(request, _("Partner added."))
    return _see_other(str(request.url_for("activity_page", activity_id=activity_id)))


@router.post("/activities/{activity_id}/partners/{partner_id}/remove", name="partner_remove")
def partner_remove(
    request: Request, session: SessionDep, user: PageStaff, activity_id: int, partner_id: int
) -> RedirectResponse:
    service.remove_partner(
        session=session, actor=user, activity_id=activity_id, partner_id=partner_id
    )
    flash(request, _("Partner removed."))
    return _see_other(str(request.url_for("activity_page", activity_id=activity_id)))


# --- sessions -----------------------------------------------------------------------------------


def _weekday_labels() -> list[str]:
    return [
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    ]


def _schedule_defaults(activity: Any, sessions: list[ActivitySession]) -> dict[str, str]:
    """The schedule form pre-filled from the kind's template; it starts after the last session."""
    try:
        suggested = dict(TEMPLATES[Kind(activity.kind)].recurrence)
    except (ValueError, KeyError):
        suggested = {}
    start = activity.start_date or date.today()
    if sessions:
        start = max(s.date for s in sessions) + timedelta(days=1)
    return {
        "frequency": str(suggested.get("frequency", "weekly")),
        "count": str(suggested.get("count", 10)),
        "duration_minutes": str(suggested.get("duration_minutes", 90)),
        "start_date": start.isoformat(),
        "weekday": str((sessions[-1].date if sessions else start).weekday()),
        "start_time": "18:00",
        "location": activity.location,
    }


def _sessions_context(
    session: Session, request: Request, user: User, activity_id: int, **extra: Any
) -> dict[str, Any]:
    activity = service.scoped_activity(session=session, actor=user, activity_id=activity_id)
    sessions = service.list_sessions(session=session, actor=user, activity_id=activity_id)
    return {
        **_common(_lang(request)),
        "activity": activity,
        "sessions": sessions,
        "weekdays": _weekday_labels(),
        "frequencies": {
            "weekly": _("Weekly"),
            "biweekly": _("Every two weeks"),
            "monthly": _("Monthly (same weekday)"),
        },
        "schedule": _schedule_defaults(activity, sessions),
        "single": {"day": "", "start_time": "18:00", "duration_minutes": "90", "location": ""},
        **extra,
    }


@router.get("/activities/{activity_id}/sessions", name="activity_sessions")
def activity_sessions(
    request: Request, session: SessionDep, user: PageStaff, activity_id: int
) -> HTMLResponse:
    return render(
        request, "activities/sessions.html", _sessions_context(session, request, user, activity_id)
    )


class ScheduleForm(BaseModel):
    frequency: str = Field(default="weekly", max_length=20)
    start_date: str = Field(default="", max_length=20)
    weekday: str = Field(default="", max_length=2)
    start_time: str = Field(default="", max_length=10)
    duration_minutes: str = Field(default="", max_length=10)
    count: str = Field(default="", max_length=10)
    location: str = Field(default="", max_length=300)

    def recurrence(self) -> Recurrence:
        if self.frequency not in {f.value for f in Frequency}:
            raise Invalid(_("Unknown frequency."))
        return Recurrence(
            frequency=Frequency(self.frequency),
            start=_required_date(self.start_date),
            weekday=_int(self.weekday, _("Unknown weekday.")) if self.weekday.strip() else None,
            start_time=_time(self.start_time),
            duration_minutes=_int(self.duration_minutes, _("Enter the duration in minutes.")),
            count=_int(self.count, _("Enter the number of sessions.")),
            location=self.location,
        )


class SessionForm(BaseModel):
    day: str = Field(default="", max_length=20)
    start_time: str = Field(default="", max_length=10)
    duration_minutes: str = Field(default="", max_length=10)
    location: str = Field(default="", max_length=300)

    def duration(self) -> int:
        return _int(self.duration_minutes, _("Enter the duration in minutes."))


@router.post("/activities/{activity_id}/sessions/schedule", name="sessions_schedule")
def sessions_schedule(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    activity_id: int,
    form: Annotated[ScheduleForm, Form()],
) -> Response:
    """Generate the sessions of a recurring schedule."""
    try:
        made = service.schedule_sessions(
            session=session, actor=user, activity_id=activity_id, recurrence=form.recurrence()
        )
    except DomainError as error:
        context = _sessions_context(
            session,
            request,
            user,
            activity_id,
            schedule=form.model_dump(),
            schedule_error=_message(request, error),
        )
        return render(request, "activities/sessions.html", context, status_code=error.status_code)
    done = gettext(_lang(request), _("Sessions scheduled: %(n)s.")) % {"n": len(made)}
    flash(request, done)
    return _see_other(str(request.url_for("activity_sessions", activity_id=activity_id)))


@router.post("/activities/{activity_id}/sessions", name="session_add")
def session_add(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    activity_id: int,
    form: Annotated[SessionForm, Form()],
) -> Response:
    """Add a single (one-off) session."""
    try:
        recurrence = Recurrence(
            frequency=Frequency.ONCE,
            start=_required_date(form.day),
            start_time=_time(form.start_time),
            duration_minutes=form.duration(),
            location=form.location,
        )
        service.schedule_sessions(
            session=session, actor=user, activity_id=activity_id, recurrence=recurrence
        )
    except DomainError as error:
        context = _sessions_context(
            session,
            request,
            user,
            activity_id,
            single=form.model_dump(),
            single_error=_message(request, error),
        )
        return render(request, "activities/sessions.html", context, status_code=error.status_code)
    flash(request, _("Session added."))
    return _see_other(str(request.url_for("activity_sessions", activity_id=activity_id)))


def _session_edit_context(
    session: Session, user: User, activity_id: int, session_id: int, form: SessionForm | None
) -> dict[str, Any]:
    found = service.scoped_session(
        session=session, actor=user, activity_id=activity_id, session_id=session_id
    )
    activity = service.scoped_activity(session=session, actor=user, activity_id=activity_id)
    form = form or SessionForm(
        day=found.date.isoformat(),
        start_time=found.start_time.strftime("%H:%M"),
        duration_minutes=str(found.duration_minutes),
        location=found.location,
    )
    return {"activity": activity, "meeting": found, "values": form}


@router.get("/activities/{activity_id}/sessions/{session_id}/edit", name="session_edit")
def session_edit(
    request: Request, session: SessionDep, user: PageStaff, activity_id: int, session_id: int
) -> HTMLResponse:
    context = _session_edit_context(session, user, activity_id, session_id, None)
    return render(request, "activities/session_edit.html", context)


@router.post("/activities/{activity_id}/sessions/{session_id}/edit", name="session_update")
def session_update(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    activity_id: int,
    session_id: int,
    form: Annotated[SessionForm, Form()],
) -> Response:
    try:
        service.update_session(
            session=session,
            actor=user,
            activity_id=activity_id,
            session_id=session_id,
            day=_required_date(form.day),
            start_time=_time(form.start_time),
            duration_minutes=form.duration(),
            location=form.location,
        )
    except DomainError as error:
        context = _session_edit_context(session, user, activity_id, session_id, form)
        context["error"] = _message(request, error)
        return render(
            request, "activities/session_edit.html", context, status_code=error.status_code
        )
    flash(request, _("Session saved."))
    return _see_other(str(request.url_for("activity_sessions", activity_id=activity_id)))


@router.get("/activities/{activity_id}/sessions/{session_id}/cancel", name="session_cancel_confirm")
def session_cancel_confirm(
    request: Request, session: SessionDep, user: PageStaff, activity_id: int, session_id: int
) -> HTMLResponse:
    found = service.scoped_session(
        session=session, actor=user, activity_id=activity_id, session_id=session_id
    )
    activity = service.scoped_activity(session=session, actor=user, activity_id=activity_id)
    context = {"activity": activity, "meeting": found, "weekdays": _weekday_labels()}
    return render(request, "activities/confirm_cancel_session.html", context)


@router.post("/activities/{activity_id}/sessions/{session_id}/cancel", name="session_cancel")
def session_cancel(
    request: Request, session: SessionDep, user: PageStaff, activity_id: int, session_id: int
) -> RedirectResponse:
    service.cancel_session(
        session=session, actor=user, activity_id=activity_id, session_id=session_id
    )
    flash(request, _("Session cancelled."))
    return _see_other(str(request.url_for("activity_sessions", activity_id=activity_id)))


# --- design assessment --------------------------------------------------------------------------


async def _posted_answers(request: Request) -> dict[str, str]:
    """Rubric answers posted as `a.<question id>` fields (read here: the route stays sync)."""
    form = await request.form()
    return {k[2:]: str(v)[:50] for k, v in form.items() if k.startswith("a.")}


PostedAnswers = Annotated[dict[str, str], Depends(_posted_answers)]


def _rubric_context(lang: str) -> dict[str, Any]:
    return {
        "principles": PRINCIPLES,
        "questions": {
            p.number: [q for q in QUESTIONS if q.principle == p.number] for p in PRINCIPLES
        },
        "choices": {"yes": _("Yes"), "partly": _("Partly"), "no": _("No")},
    }


def _design_page(
    request: Request, design: Design, *, answers: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    lang = _lang(request)
    return {
        **_common(lang),
        **_rubric_context(lang),
        **_design_context(design, lang),
        "activity": design.activity,
        "answers": answers,
        **extra,
    }


@router.get("/activities/{activity_id}/design", name="activity_design")
def activity_design(
    request: Request, session: SessionDep, user: PageStaff, activity_id: int
) -> HTMLResponse:
    """The rubric, pre-filled with the last saved answers or the template's suggestions."""
    current = service.current_design(session=session, actor=user, activity_id=activity_id)
    from_template = current.saved is None
    if from_template:
        suggested = service.suggested_answers(activity=current.activity)
        current = service.preview_design(
            session=session, actor=user, activity_id=activity_id, answers=suggested
        )
    context = _design_page(request, current, answers=current.answers, from_template=from_template)
    return render(request, "activities/design.html", context)


@router.post("/activities/{activity_id}/design/preview", name="design_preview")
def design_preview(
    request: Request, session: SessionDep, user: PageStaff, activity_id: int, answers: PostedAnswers
) -> HTMLResponse:
    """Score answers being edited, without saving: the scores fragment for htmx, else the page."""
    design = service.preview_design(
        session=session, actor=user, activity_id=activity_id, answers=answers
    )
    context = _design_page(
        request, design, answers=answers, previewing=True, oob=is_fragment_request(request)
    )
    return render(request, "activities/design.html", context, block="scores")


@router.post("/activities/{activity_id}/design", name="design_save")
def design_save(
    request: Request, session: SessionDep, user: PageStaff, activity_id: int, answers: PostedAnswers
) -> Response:
    try:
        service.save_design(session=session, actor=user, activity_id=activity_id, answers=answers)
    except DomainError as error:
        current = service.current_design(session=session, actor=user, activity_id=activity_id)
        context = _design_page(request, current, answers=answers, error=_message(request, error))
        return render(request, "activities/design.html", context, status_code=error.status_code)
    flash(request, _("Design assessment saved."))
    return _see_other(str(request.url_for("activity_page", activity_id=activity_id)))


@router.get("/activities/{activity_id}/history", name="design_history")
def design_history(
    request: Request, session: SessionDep, user: PageStaff, activity_id: int
) -> HTMLResponse:
    activity = service.scoped_activity(session=session, actor=user, activity_id=activity_id)
    rows = service.design_history(session=session, actor=user, activity_id=activity_id)
    lang = _lang(request)
    context = {
        **_common(lang),
        "activity": activity,
        "rows": rows,
        "principle_names": _principle_names(lang),
        "questions": {q.id: q for q in QUESTIONS},
        "authors": service.staff_names(session=session, actor=user),
        "choices": {"yes": _("Yes"), "partly": _("Partly"), "no": _("No")},
    }
    return render(request, "activities/history.html", context)
