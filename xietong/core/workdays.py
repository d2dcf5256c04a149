"""Working days per China's official calendar: public holidays and the adjusted working days (调休).

The calendar comes from `chinesecalendar`, which knows the years published by the State Council's
General Office when the installed version was released (each year's schedule appears in November or
December of the year before). For a day beyond those years the holidays are not known yet: such a day
counts as a working day when it is Monday to Friday, and `is_estimate(day)` says so, so that a deadline
computed across it can be shown as provisional. Upgrading the package extends the range.
"""

import datetime
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=1)
def known_range():
    """(first, last) day the installed calendar has official data for."""
    days = sorted(chinese_calendar.holidays) + sorted(chinese_calendar.workdays)
    first, last = min(days), max(days)
    return datetime.date(first.year, 1, 1), datetime.date(last.year, 12, 31)


def is_estimate(day):
    first, last = known_range()
    return not first <= day <= last


@lru_cache(maxsize=4096)
def is_workday(day):
    if is_estimate(day):
        return day.weekday() < 5
    return chinese_calendar.is_workday(day)


def add_working_days(day, count):
    """The `count`-th working day after `day` (count ≥ 1); with 0, `day` itself or the next working day."""
    if count <= 0:
        while not is_workday(day):
            day += datetime.timedelta(days=1)
        return day
    while count:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            count -= 1
    return day


def working_days_between(start, end):
    """Working days after `start` up to and including `end` (0 when end ≤ start)."""
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        count += is_workday(day)
    return count
