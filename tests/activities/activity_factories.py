"""Builders for activity tests: an organizer with an activity, sessions and answers."""

from datetime import date, time

from sqlmodel import Session

from activities import service
from activities.models import Activity
from activities.scheduling import Frequency, Recurrence
from app.accounts.models import User

MONDAY = date(2027, 1, 4)


def make_activity(
    db: Session,
    actor: User,
    *,
    title: str = "Sopa compartida",
    kind: str = "cooking",
    start: date | None = None,
    end: date | None = None,
    shared_goal: str = "",
) -> Activity:
    fields = service.ActivityFields(
        title=title, kind=kind, start_date=start, end_date=end, shared_goal=shared_goal
    )
    return service.create_activity(session=db, actor=actor, fields=fields)


def weekly(
    count: int = 10,
    *,
    start: date = MONDAY,
    weekday: int | None = 3,
    frequency: Frequency = Frequency.WEEKLY,
    minutes: int = 120,
) -> Recurrence:
    return Recurrence(
        frequency=frequency,
        start=start,
        weekday=weekday,
        start_time=time(18, 0),
        duration_minutes=minutes,
        count=count,
    )


def schedule(db: Session, actor: User, activity: Activity, recurrence: Recurrence) -> None:
    assert activity.id is not None
    service.schedule_sessions(
        session=db, actor=actor, activity_id=activity.id, recurrence=recurrence
    )


def score(db: Session, actor: User, activity: Activity, principle: int) -> float:
    """The activity's current score on one principle."""
    assert activity.id is not None
    design = service.current_design(session=db, actor=actor, activity_id=activity.id)
    return design.result.score(principle)
