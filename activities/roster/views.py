"""Roster pages of an activity: enrolment, mixed groups and attendance.

Thin: parse the form, call a service, render or redirect with a message. htmx requests get one
block of the same template (`render(..., block=...)` decides); without JavaScript every form posts
and the page comes back whole.
"""

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from activities.codes import format_code
from activities.participants.views import labels
from activities.roster import attendance, enrolment, groups
from activities.service import scoped_activity
from app.accounts.models import User
from app.db import SessionDep
from app.deps import PageStaff
from app.errors import DomainError, Invalid
from app.i18n import _, gettext, request_language
from app.settings import get_settings
from app.templating import flash, is_fragment_request, render

router = APIRouter(include_in_schema=False)

Ids = Annotated[list[str] | None, Form(max_length=enrolment.MAX_SELECTED)]
WEEKDAYS = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _lang(request: Request) -> str:
    return request_language(request, get_settings().default_language)


def _ids(values: Sequence[str]) -> list[int]:
    try:
        return [int(v) for v in values if v.strip()]
    except ValueError as error:
        raise Invalid(_("Unknown participant.")) from error


def _number(value: str, message: str) -> int | None:
    try:
        return int(value.strip()) if value.strip() else None
    except ValueError as error:
        raise Invalid(message) from error


def _common(session: SessionDep, user: User, activity_id: int, tab: str) -> dict[str, Any]:
    activity = scoped_activity(session=session, actor=user, activity_id=activity_id)
    return {
        "activity": activity,
        "tab": tab,
        "labels": labels(),
        "format_code": format_code,
        "weekdays": WEEKDAYS,
    }


# --- enrolment ----------------------------------------------------------------------------------


def _enrolment_context(
    session: SessionDep,
    user: User,
    activity_id: int,
    q: str = "",
    group: str = "",
    page: int = 1,
    **extra: Any,
) -> dict[str, Any]:
    context = _common(session, user, activity_id, "enrolment")
    candidates = enrolment.search_candidates(
        session=session, actor=user, activity_id=activity_id, q=q, group=group, page=page
    )
    return context | {
        "balance": enrolment.balance(session=session, actor=user, activity_id=activity_id),
        "enrolled": enrolment.enrolled(session=session, actor=user, activity_id=activity_id),
        "candidates": candidates,
        "q": q,
        "group": group,
        **extra,
    }


@router.get("/activities/{activity_id}/enrolment", name="roster_enrolment")
def roster_enrolment(
    request: Request, session: SessionDep, user: PageStaff, activity_id: int
) -> HTMLResponse:
    """The activity's participants, its migrant / local balance, and people to add."""
    context = _enrolment_context(session, user, activity_id)
    return render(request, "roster/enrolment.html", context)


@router.get("/activities/{activity_id}/enrolment/search", name="roster_enrolment_search")
def roster_enrolment_search(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    activity_id: int,
    q: Annotated[str, Query(max_length=120)] = "",
    group: Annotated[str, Query(max_length=20)] = "",
    page: int = 1,
) -> HTMLResponse:
    """Live search: the candidates block for htmx, the whole page without JavaScript."""
    context = _enrolment_context(session, user, activity_id, q, group, page)
    return render(request, "roster/enrolment.html", context, block="candidates")


@router.post("/activities/{activity_id}/enrolment", name="roster_enrol")
def roster_enrol(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    activity_id: int,
    participant: Ids = None,
) -> Response:
    try:
        count = enrolment.enrol_selected(
            session=session,
            actor=user,
            activity_id=activity_id,
            participant_ids=_ids(participant or []),
        )
    except DomainError as error:
        if error.status_code == 404:
            raise
        session.rollback()
        context = _enrolment_context(session, user, activity_id, error=error.message)
        return render(request, "roster/enrolment.html", context, status_code=error.status_code)
    message = gettext(_lang(request), _("Enrolled: %(n)s.")) % {"n": count}
    flash(request, message)
    return _see_other(str(request.url_for("roster_enrolment", activity_id=activity_id)))


@router.get("/activities/{activity_id}/enrolment/remove", name="roster_unenrol_confirm")
def roster_unenrol_confirm(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    activity_id: int,
    participant: Annotated[list[str] | None, Query(max_length=enrolment.MAX_SELECTED)] = None,
) -> Response:
    """Ask before taking the ticked people out of the activity."""
    context = _common(session, user, activity_id, "enrolment")  # 404 before anything else
    ids = _ids(participant or [])
    if not ids:
        flash(request, _("Tick the participants to remove first."), "error")
        return _see_other(str(request.url_for("roster_enrolment", activity_id=activity_id)))
    people = enrolment.enrolled_among(
        session=session, actor=user, activity_id=activity_id, participant_ids=ids
    )
    return render(request, "roster/unenrol_confirm.html", context | {"people": people})


@router.post("/activities/{activity_id}/enrolment/remove", name="roster_unenrol")
def roster_unenrol(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    activity_id: int,
    participant: Ids = None,
) -> Response:
    count = enrolment.unenrol_selected(
        session=session,
        actor=user,
        activity_id=activity_id,
        participant_ids=_ids(participant or []),
    )
    flash(request, gettext(_lang(request), _("Removed from the activity: %(n)s.")) % {"n": count})
    return _see_other(str(request.url_for("roster_enrolment", activity_id=activity_id)))


# --- groups -------------------------------------------------------------------------------------


class GroupForm(BaseModel):
    """The group-formation form as typed (strings); `parse` turns it into a request."""

    mode: str = Field(default="size", max_length=10)
    group_size: str = Field(default="4", max_length=10)
    n_groups: str = Field(default="", max_length=10)
    seed: str = Field(default="1", max_length=12)
    together_a: list[str] = Field(default_factory=list, max_length=groups.MAX_PAIRS)
    together_b: list[str] = Field(default_factory=list, max_length=groups.MAX_PAIRS)
    apart_a: list[str] = Field(default_factory=list, max_length=groups.MAX_PAIRS)
    apart_b: list[str] = Field(default_factory=list, max_length=groups.MAX_PAIRS)
    expected: str = Field(default="", max_length=20_000)

    def pairs(self, kind: str) -> list[tuple[int, int]]:
        """Chosen pairs; a row with only one person chosen is an error, an empty row is skipped."""
        firsts, seconds = getattr(self, f"{kind}_a"), getattr(self, f"{kind}_b")
        pairs = []
        for a, b in zip(firsts, seconds, strict=False):
            if not a.strip() and not b.strip():
                continue
            if not a.strip() or not b.strip():
                raise Invalid(_("Choose two participants for each pair, or none."))
            first, second = _ids([a, b])
            pairs.append((first, second))
        return pairs

    def parse(self) -> groups.GroupRequest:
        whole = _("Give the group size and the number of groups as whole numbers.")
        size = _number(self.group_size, whole)
        count = _number(self.n_groups, whole)
        if self.mode == "count" and count is None:
            raise Invalid(_("Give the number of groups."))
        if self.mode != "count" and size is None:
            raise Invalid(_("Give the group size."))
        seed = _number(self.seed, _("The seed must be a whole number from 0 to 2147483647."))
        return groups.GroupRequest(
            group_size=None if self.mode == "count" else size,
            n_groups=count if self.mode == "count" else None,
            keep_together=self.pairs("together"),
            keep_apart=self.pairs("apart"),
            seed=1 if seed is None else seed,
        )

    def expected_groups(self) -> list[list[int]] | None:
        """The proposal the organizer saw, as carried by the form: "1,2,3|4,5,6"."""
        if not self.expected.strip():
            return None
        return [_ids(part.split(",")) for part in self.expected.split("|")]


def _encode(assignment: Sequence[Sequence[int]]) -> str:
    return "|".join(",".join(str(pid) for pid in members) for members in assignment)


def _chosen_pairs(firsts: Sequence[str], seconds: Sequence[str]) -> list[tuple[str, str]]:
    """The pair rows the organizer filled in (at least one person chosen), to show again."""
    return [(a, b) for a, b in zip(firsts, seconds, strict=False) if a.strip() or b.strip()]


def _groups_context(
    session: SessionDep, user: User, activity_id: int, form: GroupForm, **extra: Any
) -> dict[str, Any]:
    context = _common(session, user, activity_id, "groups")
    saved = groups.read_groups(session=session, actor=user, activity_id=activity_id)
    people = enrolment.enrolled(session=session, actor=user, activity_id=activity_id)
    return context | {
        "form": form,
        "saved": saved,
        "people": people,
        "together": _chosen_pairs(form.together_a, form.together_b),
        "apart": _chosen_pairs(form.apart_a, form.apart_b),
        "proposal": None,
        "encode": _encode,
        **extra,
    }


@router.get("/activities/{activity_id}/groups", name="roster_groups")
def roster_groups(
    request: Request, session: SessionDep, user: PageStaff, activity_id: int
) -> HTMLResponse:
    """The saved groups (with hand moves) and the form to propose new ones."""
    context = _groups_context(session, user, activity_id, GroupForm())
    return render(request, "roster/groups.html", context)


@router.get("/activities/{activity_id}/groups/proposal", name="roster_group_proposal")
def roster_group_proposal(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    activity_id: int,
    form: Annotated[GroupForm, Query()],
) -> HTMLResponse:
    """A proposal from the tool, not saved: the planner block for htmx, else the page."""
    try:
        proposal = groups.propose(
            session=session, actor=user, activity_id=activity_id, request=form.parse()
        )
    except DomainError as error:
        if error.status_code == 404:
            raise
        context = _groups_context(session, user, activity_id, form, error=error.message)
        return render(
            request, "roster/groups.html", context, status_code=error.status_code, block="planner"
        )
    context = _groups_context(session, user, activity_id, form, proposal=proposal)
    return render(request, "roster/groups.html", context, block="planner")


@router.post("/activities/{activity_id}/groups", name="roster_groups_save")
def roster_groups_save(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    activity_id: int,
    form: Annotated[GroupForm, Form()],
) -> Response:
    """Save the proposal shown (formed with the tool); 409 with the new one if people changed."""
    try:
        groups.save_proposal(
            session=session,
            actor=user,
            activity_id=activity_id,
            request=form.parse(),
            expected=form.expected_groups(),
        )
    except DomainError as error:
        if error.status_code == 404:
            raise
        session.rollback()
        proposal = None
        if error.status_code == 409:
            proposal = groups.propose(
                session=session, actor=user, activity_id=activity_id, request=form.parse()
            )
        context = _groups_context(
            session, user, activity_id, form, proposal=proposal, error=error.message
        )
        return render(request, "roster/groups.html", context, status_code=error.status_code)
    flash(request, _("Groups saved. They count as formed with the mixing tool (principle 5)."))
    url = str(request.url_for("roster_groups", activity_id=activity_id))
    return _see_other(url + "#groups")


@router.post("/activities/{activity_id}/groups/move", name="roster_group_move")
def roster_group_move(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    activity_id: int,
    participant_id: Annotated[str, Form(max_length=20)] = "",
    group_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Move one person by hand: the groups block again for htmx, else back to the page."""
    url = str(request.url_for("roster_groups", activity_id=activity_id)) + "#groups"
    try:
        [pid] = _ids([participant_id]) or [0]
        target = _number(group_id, _("Group not found.")) or 0
        groups.move_member(
            session=session,
            actor=user,
            activity_id=activity_id,
            participant_id=pid,
            group_id=target,
        )
    except DomainError as error:
        if is_fragment_request(request) or error.status_code == 404:
            raise
        session.rollback()
        flash(request, error.message, "error")
        return _see_other(url)
    if not is_fragment_request(request):
        flash(request, _("Moved."))
        return _see_other(url)
    context = _groups_context(session, user, activity_id, GroupForm())
    return render(request, "roster/groups.html", context, block="groups")


# --- attendance ---------------------------------------------------------------------------------


@router.get("/activities/{activity_id}/attendance", name="roster_attendance")
def roster_attendance(
    request: Request, session: SessionDep, user: PageStaff, activity_id: int
) -> HTMLResponse:
    """Sessions with their attendance, and each participant's sessions attended and rate."""
    context = _common(session, user, activity_id, "attendance")
    summary = attendance.overview(session=session, actor=user, activity_id=activity_id)
    context |= {"summary": summary, "today": attendance.today()}
    return render(request, "roster/attendance.html", context)


def _sheet_context(
    session: SessionDep, user: User, activity_id: int, sheet: attendance.Sheet, **extra: Any
) -> dict[str, Any]:
    return _common(session, user, activity_id, "attendance") | {"sheet": sheet, **extra}


@router.get("/activities/{activity_id}/sessions/{session_id}/attendance", name="roster_sheet")
def roster_sheet(
    request: Request, session: SessionDep, user: PageStaff, activity_id: int, session_id: int
) -> HTMLResponse:
    """The attendance sheet of one session, made for a phone."""
    sheet = attendance.sheet(
        session=session, actor=user, activity_id=activity_id, session_id=session_id
    )
    return render(request, "roster/sheet.html", _sheet_context(session, user, activity_id, sheet))


def _sheet_url(request: Request, activity_id: int, session_id: int) -> str:
    return str(request.url_for("roster_sheet", activity_id=activity_id, session_id=session_id))


@router.post("/activities/{activity_id}/sessions/{session_id}/attendance", name="roster_sheet_save")
def roster_sheet_save(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    activity_id: int,
    session_id: int,
    present: Ids = None,
) -> Response:
    """Save the whole sheet (the form without JavaScript): unticked people are absent."""
    attendance.save_sheet(
        session=session,
        actor=user,
        activity_id=activity_id,
        session_id=session_id,
        present_ids=_ids(present or []),
    )
    flash(request, _("Attendance saved."))
    return _see_other(_sheet_url(request, activity_id, session_id))


@router.post(
    "/activities/{activity_id}/sessions/{session_id}/attendance/all-present",
    name="roster_sheet_all_present",
)
def roster_sheet_all_present(
    request: Request, session: SessionDep, user: PageStaff, activity_id: int, session_id: int
) -> Response:
    sheet = attendance.all_present(
        session=session, actor=user, activity_id=activity_id, session_id=session_id
    )
    if not is_fragment_request(request):
        flash(request, _("Everyone is marked present."))
        return _see_other(_sheet_url(request, activity_id, session_id))
    context = _sheet_context(session, user, activity_id, sheet)
    return render(request, "roster/sheet.html", context, block="sheet")


@router.post(
    "/activities/{activity_id}/sessions/{session_id}/attendance/{participant_id}",
    name="roster_sheet_mark",
)
def roster_sheet_mark(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    activity_id: int,
    session_id: int,
    participant_id: int,
    present: Ids = None,
) -> Response:
    """One tick box (htmx): present when its id is among the ticked ones the form sends."""
    sheet = attendance.set_presence(
        session=session,
        actor=user,
        activity_id=activity_id,
        session_id=session_id,
        participant_id=participant_id,
        present=str(participant_id) in (present or []),
    )
    if not is_fragment_request(request):
        return _see_other(_sheet_url(request, activity_id, session_id))
    row = next(r for r in sheet.rows if r.participant.id == participant_id)
    context = _sheet_context(session, user, activity_id, sheet, row=row, oob=True)
    status = render(request, "roster/sheet.html", context, block="status")
    count = render(request, "roster/sheet.html", context, block="count")
    response = HTMLResponse(bytes(status.body) + bytes(count.body))
    response.headers["Vary"] = "HX-Request"
    return response
