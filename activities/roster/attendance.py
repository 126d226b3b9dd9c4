"""Attendance: a sheet per session, saved row by row (htmx) or all at once (plain form).

A session is *held* when it is not cancelled and either its date has come (today included) or
attendance was recorded for it. A participant's attendance rate is the sessions they attended over
the activity's held sessions. Writes are upserts on (session, participant), so a double tap, two
phones marking the same person, or a repeated form post never create a second row.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from activities.models import Activity, ActivitySession, SessionStatus
from activities.participants.models import Enrollment, Participant
from activities.roster.facts import doses
from activities.roster.models import Attendance
from activities.service import list_sessions, scoped_activity, scoped_session
from app.accounts.models import User, utcnow
from app.errors import Conflict, Invalid, NotFound
from app.i18n import _


@dataclass
class SheetRow:
    participant: Participant
    present: bool | None  # None: not recorded yet


@dataclass
class Sheet:
    activity: Activity
    meeting: ActivitySession
    rows: list[SheetRow]

    @property
    def present_count(self) -> int:
        return sum(1 for r in self.rows if r.present)

    @property
    def recorded_count(self) -> int:
        return sum(1 for r in self.rows if r.present is not None)

    @property
    def cancelled(self) -> bool:
        return self.meeting.status == SessionStatus.CANCELLED


@dataclass
class SessionRow:
    meeting: ActivitySession
    present: int
    recorded: int
    held: bool


@dataclass
class DoseRow:
    participant: Participant
    attended: int
    rate: float | None  # None while no session has been held


@dataclass
class Overview:
    sessions: list[SessionRow]
    held: int
    doses: list[DoseRow]
    # The sheet to offer first: the latest session held (today's included), else the next one.
    suggested: ActivitySession | None = None


def today() -> date:
    return utcnow().date()


# --- the sheet ----------------------------------------------------------------------------------


def sheet(*, session: Session, actor: User, activity_id: int, session_id: int) -> Sheet:
    """The session's enrolled participants (by code) with what was recorded: one query."""
    meeting = scoped_session(
        session=session, actor=actor, activity_id=activity_id, session_id=session_id
    )
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    query = (
        select(Participant, Attendance.present)
        .join(Enrollment, col(Enrollment.participant_id) == Participant.id)
        .outerjoin(
            Attendance,
            and_(
                col(Attendance.participant_id) == Participant.id,
                col(Attendance.session_id) == meeting.id,
            ),
        )
        .where(Enrollment.activity_id == activity.id)
        .order_by(col(Participant.code))
    )
    rows = [SheetRow(p, present) for p, present in session.exec(query).all()]
    return Sheet(activity, meeting, rows)


def _open_sheet(session: Session, actor: User, activity_id: int, session_id: int) -> Sheet:
    """The sheet of a session attendance may be taken for (not cancelled: else 409)."""
    found = sheet(session=session, actor=actor, activity_id=activity_id, session_id=session_id)
    if found.cancelled:
        raise Conflict(_("This session was cancelled; attendance cannot be taken for it."))
    return found


def _upsert(session: Session, meeting_id: int, marks: Mapping[int, bool], actor: User) -> None:
    """Insert or update one row per participant in a single statement (no commit)."""
    if not marks:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    statement = insert(Attendance).values(
        [
            {
                "session_id": meeting_id,
                "participant_id": pid,
                "present": present,
                "recorded_at": now,
                "recorded_by_id": actor.id,
            }
            for pid, present in marks.items()
        ]
    )
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=["session_id", "participant_id"],
        set_={
            "present": excluded.present,
            "recorded_at": excluded.recorded_at,
            "recorded_by_id": excluded.recorded_by_id,
        },
        # An unchanged mark keeps who recorded it and when.
        where=col(Attendance.present) != excluded.present,
    )
    session.exec(statement)  # type: ignore[call-overload]


def set_presence(
    *,
    session: Session,
    actor: User,
    activity_id: int,
    session_id: int,
    participant_id: int,
    present: bool,
) -> Sheet:
    """Mark one enrolled participant present or absent (the same mark twice changes nothing)."""
    found = _open_sheet(session, actor, activity_id, session_id)
    if participant_id not in {r.participant.id for r in found.rows}:
        raise NotFound(_("This participant is not enrolled in the activity."))
    assert found.meeting.id is not None
    _upsert(session, found.meeting.id, {participant_id: present}, actor)
    session.commit()
    return sheet(session=session, actor=actor, activity_id=activity_id, session_id=session_id)


def save_sheet(
    *,
    session: Session,
    actor: User,
    activity_id: int,
    session_id: int,
    present_ids: Sequence[int],
) -> Sheet:
    """Save the whole sheet: the listed participants present, every other enrolled one absent."""
    found = _open_sheet(session, actor, activity_id, session_id)
    enrolled = {r.participant.id or 0 for r in found.rows}
    chosen = set(present_ids)
    if not chosen <= enrolled:
        raise Invalid(_("Only participants enrolled in the activity can be marked present."))
    assert found.meeting.id is not None
    _upsert(session, found.meeting.id, {pid: pid in chosen for pid in sorted(enrolled)}, actor)
    session.commit()
    return sheet(session=session, actor=actor, activity_id=activity_id, session_id=session_id)


def all_present(*, session: Session, actor: User, activity_id: int, session_id: int) -> Sheet:
    """Mark every enrolled participant present."""
    found = _open_sheet(session, actor, activity_id, session_id)
    present = [r.participant.id or 0 for r in found.rows]
    return save_sheet(
        session=session,
        actor=actor,
        activity_id=activity_id,
        session_id=session_id,
        present_ids=present,
    )


# --- the activity's attendance ------------------------------------------------------------------


def _session_counts(session: Session, activity_id: int) -> dict[int, tuple[int, int]]:
    """{session id: (present, recorded)} for the activity's sessions, in one aggregate query."""
    query = (
        select(
            Attendance.session_id,
            func.sum(case((col(Attendance.present), 1), else_=0)),
            func.count(),
        )
        .join(ActivitySession, col(ActivitySession.id) == Attendance.session_id)
        .where(ActivitySession.activity_id == activity_id)
        .group_by(col(Attendance.session_id))
    )
    return {sid: (int(p or 0), int(n)) for sid, p, n in session.exec(query).all()}


def overview(
    *, session: Session, actor: User, activity_id: int, on: date | None = None
) -> Overview:
    """Sessions with their counts and each enrolled participant's dose and attendance rate.

    Four queries whatever the numbers of sessions and participants.
    """
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    assert activity.id is not None
    day = on or today()
    counts = _session_counts(session, activity.id)
    rows = [
        SessionRow(
            meeting=s,
            present=counts.get(s.id or 0, (0, 0))[0],
            recorded=counts.get(s.id or 0, (0, 0))[1],
            held=s.status != SessionStatus.CANCELLED and (s.date <= day or (s.id or 0) in counts),
        )
        for s in list_sessions(session=session, actor=actor, activity_id=activity.id)
    ]
    held = sum(1 for r in rows if r.held)
    attended = doses(session=session, activity_id=activity.id)
    people = session.exec(
        select(Participant)
        .join(Enrollment, col(Enrollment.participant_id) == Participant.id)
        .where(Enrollment.activity_id == activity.id)
        .order_by(col(Participant.code))
    ).all()
    dose_rows = [
        DoseRow(
            participant=p,
            attended=attended.get(p.id or 0, 0),
            rate=attended.get(p.id or 0, 0) / held if held else None,
        )
        for p in people
    ]
    held_rows = [r.meeting for r in rows if r.held]
    upcoming = [
        r.meeting for r in rows if r.meeting.status != SessionStatus.CANCELLED and not r.held
    ]
    suggested = held_rows[-1] if held_rows else (upcoming[0] if upcoming else None)
    return Overview(sessions=rows, held=held, doses=dose_rows, suggested=suggested)
