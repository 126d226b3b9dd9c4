"""Recurring sessions: the dates a one-off, weekly, biweekly or monthly schedule generates."""

from datetime import date, time, timedelta

import pytest

from activities.scheduling import Frequency, Recurrence, ScheduleError, session_dates


def recurrence(frequency: Frequency, count: int, start: date, weekday: int | None = None):
    return Recurrence(
        frequency=frequency,
        start=start,
        weekday=weekday,
        start_time=time(18, 0),
        duration_minutes=90,
        count=count,
    )


def test_weekly_times_ten_gives_ten_sessions_on_the_chosen_weekday():
    dates = session_dates(recurrence(Frequency.WEEKLY, 10, date(2027, 1, 4), weekday=3))
    assert len(dates) == 10
    assert {d.weekday() for d in dates} == {3}  # every Thursday
    assert dates[0] == date(2027, 1, 7)  # the first Thursday on or after Monday 4 January
    assert all(b - a == timedelta(days=7) for a, b in zip(dates, dates[1:], strict=False))


def test_the_first_session_can_be_on_the_start_date_itself():
    dates = session_dates(recurrence(Frequency.WEEKLY, 2, date(2027, 1, 7), weekday=3))
    assert dates == [date(2027, 1, 7), date(2027, 1, 14)]


def test_without_a_weekday_the_start_dates_weekday_is_used():
    dates = session_dates(recurrence(Frequency.WEEKLY, 3, date(2027, 1, 5)))
    assert [d.weekday() for d in dates] == [1, 1, 1]


def test_biweekly_sessions_are_fourteen_days_apart():
    dates = session_dates(recurrence(Frequency.BIWEEKLY, 6, date(2027, 3, 1), weekday=5))
    assert len(dates) == 6 and {d.weekday() for d in dates} == {5}
    assert all(b - a == timedelta(days=14) for a, b in zip(dates, dates[1:], strict=False))


def test_monthly_keeps_the_same_ordinal_weekday():
    # 9 January 2027 is the second Saturday of January.
    dates = session_dates(recurrence(Frequency.MONTHLY, 4, date(2027, 1, 9), weekday=5))
    assert dates == [date(2027, 1, 9), date(2027, 2, 13), date(2027, 3, 13), date(2027, 4, 10)]


def test_monthly_on_a_fifth_weekday_falls_back_to_the_last_one_and_crosses_the_year():
    # 30 October 2027 is the fifth Saturday; November 2027 has only four.
    dates = session_dates(recurrence(Frequency.MONTHLY, 4, date(2027, 10, 30), weekday=5))
    assert dates == [date(2027, 10, 30), date(2027, 11, 27), date(2027, 12, 25), date(2028, 1, 29)]


def test_a_one_off_session_is_on_its_date():
    assert session_dates(recurrence(Frequency.ONCE, 1, date(2027, 5, 1))) == [date(2027, 5, 1)]


@pytest.mark.parametrize("count", [0, -3, 201, 500])
def test_zero_or_too_many_sessions_are_refused_with_a_message(count):
    with pytest.raises(ScheduleError, match="between 1 and 200"):
        session_dates(recurrence(Frequency.WEEKLY, count, date(2027, 1, 4)))


def test_two_hundred_sessions_is_the_limit():
    assert len(session_dates(recurrence(Frequency.WEEKLY, 200, date(2027, 1, 4)))) == 200


def test_bad_duration_weekday_and_one_off_count_are_refused():
    with pytest.raises(ScheduleError, match="between 1 minute and 12 hours"):
        session_dates(
            Recurrence(Frequency.WEEKLY, date(2027, 1, 4), time(18), duration_minutes=0, count=2)
        )
    with pytest.raises(ScheduleError, match="Unknown weekday"):
        session_dates(recurrence(Frequency.WEEKLY, 2, date(2027, 1, 4), weekday=7))
    with pytest.raises(ScheduleError, match="one-off"):
        session_dates(recurrence(Frequency.ONCE, 3, date(2027, 1, 4)))
