"""Builders for roster tests: a cohort of enrolled migrants and locals, sessions in the past, and
a counter of the SQL queries a call makes."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, time
from itertools import cycle

from sqlalchemy import event
from sqlmodel import Session

from activities import service
from activities.models import Activity, ActivitySession
from activities.participants.models import Participant
from activities.scheduling import Frequency, Recurrence
from app.accounts.models import Organization, User
from tests.activities.participant_factories import enrol, make_participant

LANGUAGES = {"migrant": [["ar"], ["fr"], ["uk"], ["es"]], "host": [["es"], ["es", "en"], ["ca"]]}
GENDERS = ["woman", "man"]
BIRTH_YEARS = [1960, 1975, 1990, 2000, 2004]


def cohort(
    db: Session,
    org: Organization,
    activity: Activity | None,
    *,
    migrants: int = 0,
    locals_: int = 0,
    others: int = 0,
) -> list[Participant]:
    """Register (and, given an activity, enrol) a varied mix of migrants, locals and others."""
    people = []
    genders, years = cycle(GENDERS), cycle(BIRTH_YEARS)
    for group, n in (("migrant", migrants), ("host", locals_), ("other", others)):
        languages = cycle(LANGUAGES.get(group, [["en"]]))
        for _ in range(n):
            participant = make_participant(
                db,
                org,
                group=group,
                gender=next(genders),
                birth_year=next(years),
                languages=next(languages),
            )
            if activity is not None:
                enrol(db, activity, participant)
            people.append(participant)
    return people


def past_sessions(
    db: Session, actor: User, activity: Activity, count: int, *, start: date = date(2025, 3, 3)
) -> list[ActivitySession]:
    """`count` weekly sessions that have already taken place."""
    assert activity.id is not None
    recurrence = Recurrence(
        frequency=Frequency.WEEKLY if count > 1 else Frequency.ONCE,
        start=start,
        weekday=start.weekday() if count > 1 else None,
        start_time=time(18, 0),
        duration_minutes=90,
        count=count,
    )
    return service.schedule_sessions(
        session=db, actor=actor, activity_id=activity.id, recurrence=recurrence
    )


@contextmanager
def queries(db: Session) -> Iterator[list[str]]:
    """The SELECT statements run inside the block (savepoints and writes are not counted)."""
    statements: list[str] = []
    engine = db.get_bind().engine

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
