"""Roster endpoints of the JSON API (`/api/v1`): balance, mixed groups and attendance.

Enrolments themselves (list, add, remove) are in `activities.participants.api`
(`/activities/{id}/enrollments`). Everything is scoped to the caller's organization by the
service layer: another organization's activity, group, session or participant answers 404.
"""

from datetime import date, time

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from activities.codes import format_code
from activities.participants.models import Participant
from activities.roster import attendance, enrolment, groups
from app.accounts.models import User
from app.db import SessionDep
from app.deps import ApiStaff
from app.i18n import STAFF_LANGUAGES

router = APIRouter(tags=["roster"])

Pair = tuple[int, int]


def _lang(user: User) -> str:
    return user.language if user.language in STAFF_LANGUAGES else "en"


# --- schemas ------------------------------------------------------------------------------------


class BalanceOut(BaseModel):
    migrants: int
    locals: int
    others: int
    total: int
    target_migrants: int
    target_locals: int


class GroupRequestIn(BaseModel):
    """Exactly one of `group_size` and `n_groups`; pairs name participant ids."""

    group_size: int | None = Field(default=None, description="people per group (at least 2)")
    n_groups: int | None = Field(default=None, description="number of groups (at least 2)")
    keep_together: list[Pair] = Field(default_factory=list, max_length=groups.MAX_PAIRS)
    keep_apart: list[Pair] = Field(default_factory=list, max_length=groups.MAX_PAIRS)
    seed: int = Field(default=1, ge=0, le=groups.MAX_SEED, description="same seed, same proposal")

    def request(self) -> groups.GroupRequest:
        return groups.GroupRequest(
            group_size=self.group_size,
            n_groups=self.n_groups,
            keep_together=list(self.keep_together),
            keep_apart=list(self.keep_apart),
            seed=self.seed,
        )


class SaveGroupsIn(GroupRequestIn):
    expected: list[list[int]] | None = Field(
        default=None,
        description="the groups of the proposal you were shown (participant ids); 409 if the "
        "tool now proposes others because the enrolment changed",
    )


class HandGroupIn(BaseModel):
    participant_ids: list[int] = Field(min_length=1, max_length=1000)
    name: str = Field(default="", max_length=60)


class HandGroupsIn(BaseModel):
    groups: list[HandGroupIn] = Field(min_length=2, max_length=500)


class MoveIn(BaseModel):
    group_id: int


class MemberOut(BaseModel):
    participant_id: int
    code: str
    group: str
    gender: str
    age_band: str
    languages: list[str]


class GroupOut(BaseModel):
    id: int | None = Field(description="null in a proposal")
    number: int
    name: str
    size: int
    members: list[MemberOut]
    composition: dict[str, dict[str, int]] = Field(
        description="per attribute (group, language = main language, gender, age_band): counts"
    )
    warnings: list[str]


class GroupsOut(BaseModel):
    activity_id: int
    saved: bool
    formed_with_tool: bool | None = Field(
        description="null while no groups are saved; stays true after hand moves"
    )
    groups: list[GroupOut]
    warnings: list[str]
    unassigned: list[MemberOut] = Field(description="enrolled, in no saved group")
    objective: float | None = Field(description="diversity objective of a proposal")


class PresenceIn(BaseModel):
    present: bool


class SheetIn(BaseModel):
    present: list[int] = Field(
        max_length=1000, description="participant ids present; every other enrolled one absent"
    )


class SheetRowOut(BaseModel):
    participant_id: int
    code: str
    name: str
    present: bool | None = Field(description="null: not recorded yet")


class SheetOut(BaseModel):
    activity_id: int
    session_id: int
    date: date
    start_time: time
    cancelled: bool
    present_count: int
    recorded_count: int
    rows: list[SheetRowOut]


class SessionAttendanceOut(BaseModel):
    session_id: int
    date: date
    status: str
    held: bool
    present: int
    recorded: int


class DoseOut(BaseModel):
    participant_id: int
    code: str
    group: str
    attended: int
    rate: float | None = Field(description="attended / sessions held; null while none is held")


class AttendanceSummaryOut(BaseModel):
    activity_id: int
    held_sessions: int = Field(description="not cancelled, and past or with attendance taken")
    sessions: list[SessionAttendanceOut]
    participants: list[DoseOut]


# --- conversions --------------------------------------------------------------------------------


def _member(p: Participant) -> MemberOut:
    return MemberOut(
        participant_id=p.id or 0,
        code=format_code(p.code),
        group=p.group,
        gender=p.gender,
        age_band=p.age_band,
        languages=list(p.languages),
    )


def _groups_out(activity_id: int, grouping: groups.Grouping, lang: str, saved: bool) -> GroupsOut:
    return GroupsOut(
        activity_id=activity_id,
        saved=saved,
        formed_with_tool=grouping.formed_with_tool,
        groups=[
            GroupOut(
                id=g.id,
                number=g.number,
                name=g.name,
                size=g.size,
                members=[_member(p) for p in g.members],
                composition=g.composition,
                warnings=[n.text(lang) for n in g.notices],
            )
            for g in grouping.groups
        ],
        warnings=[n.text(lang) for n in grouping.notices],
        unassigned=[_member(p) for p in grouping.unassigned],
        objective=grouping.objective,
    )


def _sheet_out(sheet: attendance.Sheet) -> SheetOut:
    return SheetOut(
        activity_id=sheet.activity.id or 0,
        session_id=sheet.meeting.id or 0,
        date=sheet.meeting.date,
        start_time=sheet.meeting.start_time,
        cancelled=sheet.cancelled,
        present_count=sheet.present_count,
        recorded_count=sheet.recorded_count,
        rows=[
            SheetRowOut(
                participant_id=r.participant.id or 0,
                code=format_code(r.participant.code),
                name=r.participant.name,
                present=r.present,
            )
            for r in sheet.rows
        ],
    )


# --- balance ------------------------------------------------------------------------------------


@router.get("/activities/{activity_id}/enrollment-balance", response_model=BalanceOut)
def api_enrolment_balance(session: SessionDep, user: ApiStaff, activity_id: int) -> BalanceOut:
    """Enrolled migrants, locals and others against the activity's targets."""
    b = enrolment.balance(session=session, actor=user, activity_id=activity_id)
    return BalanceOut(
        migrants=b.migrants,
        locals=b.locals,
        others=b.others,
        total=b.total,
        target_migrants=b.target_migrants,
        target_locals=b.target_locals,
    )


# --- groups -------------------------------------------------------------------------------------


@router.get("/activities/{activity_id}/groups", response_model=GroupsOut)
def api_groups(session: SessionDep, user: ApiStaff, activity_id: int) -> GroupsOut:
    """The saved groups with their make-up and warnings, and who is in no group."""
    found = groups.read_groups(session=session, actor=user, activity_id=activity_id)
    return _groups_out(activity_id, found, _lang(user), saved=True)


@router.post("/activities/{activity_id}/groups/proposal", response_model=GroupsOut)
def api_group_proposal(
    session: SessionDep, user: ApiStaff, activity_id: int, body: GroupRequestIn
) -> GroupsOut:
    """Groups the mixing tool proposes for the enrolled participants; nothing is saved."""
    found = groups.propose(
        session=session, actor=user, activity_id=activity_id, request=body.request()
    )
    return _groups_out(activity_id, found, _lang(user), saved=False)


@router.post(
    "/activities/{activity_id}/groups",
    response_model=GroupsOut,
    status_code=status.HTTP_201_CREATED,
)
def api_save_groups(
    session: SessionDep, user: ApiStaff, activity_id: int, body: SaveGroupsIn
) -> GroupsOut:
    """Save the tool's proposal for these settings (replacing any saved groups)."""
    found = groups.save_proposal(
        session=session,
        actor=user,
        activity_id=activity_id,
        request=body.request(),
        expected=body.expected,
    )
    return _groups_out(activity_id, found, _lang(user), saved=True)


@router.put("/activities/{activity_id}/groups", response_model=GroupsOut)
def api_save_groups_by_hand(
    session: SessionDep, user: ApiStaff, activity_id: int, body: HandGroupsIn
) -> GroupsOut:
    """Save groups made by hand (replacing any saved groups); not formed with the tool."""
    found = groups.save_by_hand(
        session=session,
        actor=user,
        activity_id=activity_id,
        groups=[g.participant_ids for g in body.groups],
        names=[g.name.strip() for g in body.groups],
    )
    return _groups_out(activity_id, found, _lang(user), saved=True)


@router.put("/activities/{activity_id}/groups/members/{participant_id}", response_model=GroupsOut)
def api_move_group_member(
    session: SessionDep, user: ApiStaff, activity_id: int, participant_id: int, body: MoveIn
) -> GroupsOut:
    """Move an enrolled participant to another saved group by hand."""
    found = groups.move_member(
        session=session,
        actor=user,
        activity_id=activity_id,
        participant_id=participant_id,
        group_id=body.group_id,
    )
    return _groups_out(activity_id, found, _lang(user), saved=True)


# --- attendance ---------------------------------------------------------------------------------


@router.get("/activities/{activity_id}/attendance", response_model=AttendanceSummaryOut)
def api_attendance_summary(
    session: SessionDep, user: ApiStaff, activity_id: int
) -> AttendanceSummaryOut:
    """Per session its counts; per enrolled participant sessions attended and attendance rate."""
    summary = attendance.overview(session=session, actor=user, activity_id=activity_id)
    return AttendanceSummaryOut(
        activity_id=activity_id,
        held_sessions=summary.held,
        sessions=[
            SessionAttendanceOut(
                session_id=r.meeting.id or 0,
                date=r.meeting.date,
                status=r.meeting.status,
                held=r.held,
                present=r.present,
                recorded=r.recorded,
            )
            for r in summary.sessions
        ],
        participants=[
            DoseOut(
                participant_id=d.participant.id or 0,
                code=format_code(d.participant.code),
                group=d.participant.group,
                attended=d.attended,
                rate=d.rate,
            )
            for d in summary.doses
        ],
    )


@router.get("/activities/{activity_id}/sessions/{session_id}/attendance", response_model=SheetOut)
def api_attendance_sheet(
    session: SessionDep, user: ApiStaff, activity_id: int, session_id: int
) -> SheetOut:
    """The session's enrolled participants and whether each was present (null: not recorded)."""
    return _sheet_out(
        attendance.sheet(
            session=session, actor=user, activity_id=activity_id, session_id=session_id
        )
    )


@router.put("/activities/{activity_id}/sessions/{session_id}/attendance", response_model=SheetOut)
def api_save_attendance_sheet(
    session: SessionDep, user: ApiStaff, activity_id: int, session_id: int, body: SheetIn
) -> SheetOut:
    """Save the whole sheet: the listed participants present, every other enrolled one absent."""
    return _sheet_out(
        attendance.save_sheet(
            session=session,
            actor=user,
            activity_id=activity_id,
            session_id=session_id,
            present_ids=body.present,
        )
    )


@router.post(
    "/activities/{activity_id}/sessions/{session_id}/attendance/all-present",
    response_model=SheetOut,
)
def api_all_present(
    session: SessionDep, user: ApiStaff, activity_id: int, session_id: int
) -> SheetOut:
    """Mark every enrolled participant present."""
    return _sheet_out(
        attendance.all_present(
            session=session, actor=user, activity_id=activity_id, session_id=session_id
        )
    )


@router.put(
    "/activities/{activity_id}/sessions/{session_id}/attendance/{participant_id}",
    response_model=SheetOut,
)
def api_set_attendance(
    session: SessionDep,
    user: ApiStaff,
    activity_id: int,
    session_id: int,
    participant_id: int,
    body: PresenceIn,
) -> SheetOut:
    """Mark one participant present or absent (idempotent: the same mark twice changes nothing)."""
    return _sheet_out(
        attendance.set_presence(
            session=session,
            actor=user,
            activity_id=activity_id,
            session_id=session_id,
            participant_id=participant_id,
            present=body.present,
        )
    )
