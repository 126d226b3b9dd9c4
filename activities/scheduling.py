"""Session dates of a recurrence: pure functions, no database.

- once: a single session on `start`.
- weekly / biweekly: the first `weekday` on or after `start`, then every 7 / 14 days.
- monthly: the same ordinal weekday each month as the first session ("the second Saturday");
  when a month has no fifth such weekday, its last one is used.
"""

import calendar
from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import StrEnum

from app.i18n import _

MAX_SESSIONS = 200
MAX_DURATION_MINUTES = 12 * 60


class Frequency(StrEnum):
    ONCE = "once"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class ScheduleError(ValueError):
    """A recurrence that cannot be scheduled; the message is meant for the organizer."""


@dataclass(frozen=True)
class Recurrence:
    frequency: Frequency
    start: date
    start_time: time
    duration_minutes: int
    count: int = 1
    weekday: int | None = None  # Monday = 0; defaults to the weekday of `start`
    location: str = ""


def _first_on_weekday(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The nth (1-based) `weekday` of the month, or the last one if the month has fewer."""
    days = [d for d in calendar.Calendar().itermonthdates(year, month) if d.month == month]
    matches = [d for d in days if d.weekday() == weekday]
    return matches[min(nth, len(matches)) - 1]


def _monthly(first: date, count: int) -> list[date]:
    nth = (first.day - 1) // 7 + 1
    dates = []
    for i in range(count):
        year, month = divmod(first.month - 1 + i, 12)
        dates.append(_nth_weekday(first.year + year, month + 1, first.weekday(), nth))
    return dates


def validate(recurrence: Recurrence) -> None:
    """Raise ScheduleError with a user-facing message if the recurrence cannot be scheduled."""
    if recurrence.count < 1 or recurrence.count > MAX_SESSIONS:
        raise ScheduleError(_("The number of sessions must be between 1 and 200."))
    if recurrence.frequency == Frequency.ONCE and recurrence.count != 1:
        raise ScheduleError(_("A one-off session is scheduled once."))
    if not 1 <= recurrence.duration_minutes <= MAX_DURATION_MINUTES:
        raise ScheduleError(_("A session lasts between 1 minute and 12 hours."))
    if recurrence.weekday is not None and not 0 <= recurrence.weekday <= 6:
        raise ScheduleError(_("Unknown weekday."))


def session_dates(recurrence: Recurrence) -> list[date]:
    """The dates of the sessions the recurrence generates, in order."""
    validate(recurrence)
    weekday = recurrence.start.weekday() if recurrence.weekday is None else recurrence.weekday
    if recurrence.frequency == Frequency.ONCE:
        return [recurrence.start]
    first = _first_on_weekday(recurrence.start, weekday)
    if recurrence.frequency == Frequency.MONTHLY:
        return _monthly(first, recurrence.count)
    step = 7 if recurrence.frequency == Frequency.WEEKLY else 14
    return [first + timedelta(days=step * i) for i in range(recurrence.count)]
