"""The demo roster: the weekly cooking club has groups formed with the mixing tool and realistic
attendance at its past sessions; seeding again changes nothing."""

from sqlalchemy import func
from sqlmodel import col, select

from activities.demo import CURRENT_TITLES
from activities.models import Activity, ActivitySession
from activities.roster import attendance
from activities.roster.demo import TOOL_GROUPS, WELL_DESIGNED
from activities.roster.facts import doses, mixing_tool_used
from activities.roster.models import Attendance, GroupMember
from app.demo import seed_demo


def roster_rows(db) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return (
        db.exec(select(func.count()).select_from(GroupMember)).one(),
        db.exec(select(func.count()).select_from(Attendance)).one(),
    )


def test_demo_has_tool_formed_groups_and_past_attendance_seeded_once(db):
    demo = seed_demo(db)
    first = roster_rows(db)
    seed_demo(db)
    assert roster_rows(db) == first

    activities = db.exec(
        select(Activity).where(Activity.organization_id == demo.organization.id)
    ).all()
    cooking = next(a for a in activities if a.title == WELL_DESIGNED)
    assert mixing_tool_used(session=db, activity_id=cooking.id) is True
    for other in activities:
        if other.id != cooking.id and other.title in CURRENT_TITLES:
            assert mixing_tool_used(session=db, activity_id=other.id) is None
        if other.title in TOOL_GROUPS:
            assert mixing_tool_used(session=db, activity_id=other.id) is True

    summary = attendance.overview(session=db, actor=demo.organizer, activity_id=cooking.id)
    past = [r for r in summary.sessions if r.meeting.date < attendance.today()]
    assert len(past) >= 3 and all(r.recorded == len(summary.doses) for r in past)
    rates = [d.rate for d in summary.doses if d.rate is not None]
    assert 0.5 < sum(rates) / len(rates) < 0.95  # most come, not everyone every week
    assert len({d.attended for d in summary.doses}) > 1
    dose = doses(session=db, activity_id=cooking.id)
    assert set(dose) == {d.participant.id for d in summary.doses}

    future = db.exec(
        select(func.count())
        .select_from(Attendance)
        .join(ActivitySession, col(ActivitySession.id) == Attendance.session_id)
        .where(
            col(ActivitySession.date) >= attendance.today(),
            col(ActivitySession.activity_id).in_([a.id for a in activities]),
        )
    ).one()
    assert future == 0  # today's sheet is left for the organizer
