"""Demo roster: mixed groups for the well-designed demo activity and attendance at past sessions.

The demo participants and their enrolments come from `activities.participants.demo`; this adds
groups formed with the mixing tool for the weekly cooking club (the strong design) and attendance
for every session before today (today's sheet is left for the organizer to take). Each person has
a steady likelihood of coming, so doses differ as in real life. Idempotent: groups are formed only
for an activity without groups, and attendance only for sessions without any.

The demo NGOs' completed activities (`activities.demo.HISTORY`) get the same, written in one bulk
insert per activity (a sheet per session through the service would be most of the seeding time):
the better-run ones formed their groups with the mixing tool, and a few people stop coming after a
while, so the dose of contact ranges from nothing to every session.
"""

import random
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import exists, insert
from sqlmodel import Session, col, select

from activities.demo import HISTORY
from activities.models import Activity, ActivitySession, SessionStatus
from activities.participants.models import Enrollment
from activities.roster import attendance, groups
from activities.roster.facts import mixing_tool_used
from activities.roster.models import Attendance

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.demo import Demo

SEED = 20261130
WELL_DESIGNED = "Cocina del Mundo — weekly cooking club"
GROUP_SIZE = 4
# Completed activities whose organizers formed the groups with the mixing tool.
TOOL_GROUPS = {
    "Huerto Compartido — community garden",
    "Fútbol Mixto — youth football league",
    "Mural Colectivo — mural painting",
    "Torneo de Ajedrez — chess club",
}


def _form_groups(session: Session, organizer: "User", activity: Activity) -> None:
    assert activity.id is not None
    if mixing_tool_used(session=session, activity_id=activity.id) is not None:
        return
    groups.save_proposal(
        session=session,
        actor=organizer,
        activity_id=activity.id,
        request=groups.GroupRequest(group_size=GROUP_SIZE, seed=1),
    )


def _untaken_past_sessions(session: Session, activity: Activity, today: date) -> list[int]:
    query = (
        select(ActivitySession.id)
        .where(
            ActivitySession.activity_id == activity.id,
            ActivitySession.status == SessionStatus.SCHEDULED,
            col(ActivitySession.date) < today,
            ~exists().where(col(Attendance.session_id) == col(ActivitySession.id)),
        )
        .order_by(col(ActivitySession.date))
    )
    return [sid for sid in session.exec(query).all() if sid is not None]


def _take_attendance(session: Session, demo: "Demo", activity: Activity, today: date) -> None:
    assert activity.id is not None
    enrolled = session.exec(
        select(Enrollment.participant_id).where(Enrollment.activity_id == activity.id)
    ).all()
    # A steady likelihood per person (most come most weeks, a few drift away); drawn by rank and
    # date, not by database id, so the demo is the same on every database.
    likelihood = {
        pid: random.Random(SEED + rank).uniform(0.45, 0.97)  # noqa: S311 - demo data
        for rank, pid in enumerate(sorted(enrolled))
    }
    for session_id in _untaken_past_sessions(session, activity, today):
        meeting = session.get(ActivitySession, session_id)
        assert meeting is not None
        draw = random.Random(SEED * 7 + meeting.date.toordinal())  # noqa: S311 - demo data
        present = [pid for pid in sorted(enrolled) if draw.random() < likelihood[pid]]
        attendance.save_sheet(
            session=session,
            actor=demo.organizer,
            activity_id=activity.id,
            session_id=session_id,
            present_ids=present,
        )


def seed(session: Session, demo: "Demo", *, today: date | None = None) -> None:
    """Create (once) the demo groups and past attendance."""
    day = today or attendance.today()
    activities = session.exec(
        select(Activity)
        .where(Activity.organization_id == demo.organization.id)
        .order_by(col(Activity.id))
        .limit(3)  # the three demo activities, created first (as the participants demo assumes)
    ).all()
    for activity in activities:
        if activity.title == WELL_DESIGNED:
            _form_groups(session, demo.organizer, activity)
        _take_attendance(session, demo, activity, day)
    seed_history(session, demo, day)


def _bulk_attendance(session: Session, activity: Activity, organizer_id: int | None) -> None:
    """Every sheet of a completed activity at once: steady likelihoods, a few drop-outs."""
    meetings = session.exec(
        select(col(ActivitySession.id), col(ActivitySession.date))
        .where(
            ActivitySession.activity_id == activity.id,
            ActivitySession.status == SessionStatus.SCHEDULED,
        )
        .order_by(col(ActivitySession.date))
    ).all()
    people = sorted(
        session.exec(
            select(Enrollment.participant_id).where(Enrollment.activity_id == activity.id)
        ).all()
    )
    if not meetings or not people:
        return
    rng = np.random.default_rng([SEED, sum(map(ord, activity.title))])  # not by id: same everywhere
    likelihood = rng.uniform(0.35, 0.98, len(people))
    # one in eight stops coming after a few sessions
    last = np.where(
        rng.random(len(people)) < 0.125, rng.integers(1, len(meetings) + 1, len(people)), 10**6
    )
    present = rng.random((len(meetings), len(people))) < likelihood
    rows = [
        {
            "session_id": sid,
            "participant_id": pid,
            "present": bool(present[i, j] and i < last[j]),
            "recorded_at": datetime.combine(day, time(20), tzinfo=UTC),
            "recorded_by_id": organizer_id,
        }
        for i, (sid, day) in enumerate(meetings)
        for j, pid in enumerate(people)
    ]
    session.execute(insert(Attendance), rows)


def seed_history(session: Session, demo: "Demo", day: date) -> None:
    """Groups and attendance (once) for the demo NGOs' completed activities."""
    orgs = {h.title: demo.orgs[h.org] for h in HISTORY}
    activities = session.exec(
        select(Activity).where(col(Activity.title).in_(list(orgs))).order_by(col(Activity.id))
    ).all()
    for activity in activities:
        org = orgs[activity.title]
        if activity.organization_id != org.organization.id:
            continue
        if activity.title in TOOL_GROUPS:
            _form_groups(session, org.organizer, activity)
        if _untaken_past_sessions(session, activity, day) and not _has_attendance(
            session, activity
        ):
            _bulk_attendance(session, activity, org.organizer.id)
            session.commit()


def _has_attendance(session: Session, activity: Activity) -> bool:
    query = (
        select(Attendance.id)
        .join(ActivitySession, col(ActivitySession.id) == Attendance.session_id)
        .where(ActivitySession.activity_id == activity.id)
    )
    return session.exec(query).first() is not None
