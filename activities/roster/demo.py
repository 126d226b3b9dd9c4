"""Demo roster: mixed groups for the well-designed demo activity and attendance at past sessions.

The demo participants and their enrolments come from `activities.participants.demo`; this adds
groups formed with the mixing tool for the weekly cooking club (the strong design) and attendance
for every session before today (today's sheet is left for the organizer to take). Each person has
a steady likelihood of coming, so doses differ as in real life. Idempotent: groups are formed only
for an activity without groups, and attendance only for sessions without any.
"""

import random
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import exists
from sqlmodel import Session, col, select

from activities.models import Activity, ActivitySession, SessionStatus
from activities.participants.models import Enrollment
from activities.roster import attendance, groups
from activities.roster.facts import mixing_tool_used
from activities.roster.models import Attendance

if TYPE_CHECKING:
    from app.demo import Demo

SEED = 20261130
WELL_DESIGNED = "Cocina del Mundo — weekly cooking club"
GROUP_SIZE = 4


def _form_groups(session: Session, demo: "Demo", activity: Activity) -> None:
    assert activity.id is not None
    if mixing_tool_used(session=session, activity_id=activity.id) is not None:
        return
    groups.save_proposal(
        session=session,
        actor=demo.organizer,
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
    # A steady likelihood per person (most come most weeks, a few drift away).
    likelihood = {pid: random.Random(SEED + pid).uniform(0.45, 0.97) for pid in enrolled}  # noqa: S311
    for session_id in _untaken_past_sessions(session, activity, today):
        draw = random.Random(SEED * 7 + session_id)  # noqa: S311 - demo data, not security
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
            _form_groups(session, demo, activity)
        _take_attendance(session, demo, activity, day)
