"""Response deadlines in working days by China's official holiday calendar (chinesecalendar).

The State Council publishes each year's holidays and adjusted working days (调休) in December;
chinesecalendar carries them. For a year it does not know yet, weekends are the only days off.
"""

import datetime

import chinese_calendar

from .models import DeadlineRule

DEFAULT_ACCEPT_DAYS = 1
DEFAULT_ANSWER_DAYS = 3


def is_working_day(day):
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start, days):
    """The date `days` working days after `start` (start itself not counted)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start, end):
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        count += is_working_day(day)
    return count


def rule_for(category, on):
    """The rule in force on `on` for the category: its own, else the default, else the built-in defaults."""
    rules = DeadlineRule.objects.filter(valid_from__lte=on).filter(
        category__in=[category] if category is not None else []
    ) | DeadlineRule.objects.filter(valid_from__lte=on, category__isnull=True)
    best = None
    for rule in rules.order_by("-valid_from"):
        if rule.category_id is not None:
            return rule
        best = best or rule
    return best or DeadlineRule(accept_days=DEFAULT_ACCEPT_DAYS, answer_days=DEFAULT_ANSWER_DAYS)


def deadlines(category, received_on):
    """(accept_due, answer_due) for a concern received on `received_on`."""
    rule = rule_for(category, received_on)
    return add_working_days(received_on, rule.accept_days), add_working_days(received_on, rule.answer_days)
