"""Working days follow the official calendar (国务院办公厅 holiday notices) and say when they are estimated."""

from datetime import date, timedelta

from xietong.core import workdays


def test_national_day_week_is_not_worked_and_the_adjusted_saturday_is():
    # 2026: 10月1日至7日放假调休，共7天；9月20日（周日）、10月10日（周六）上班。
    assert not workdays.is_workday(date(2026, 10, 1))
    assert not workdays.is_workday(date(2026, 10, 7))
    assert workdays.is_workday(date(2026, 10, 10))
    assert workdays.is_workday(date(2026, 9, 30))


def test_the_first_working_day_after_the_holiday():
    # Due on 9月30日: the first working day after it is 10月8日, not 10月1日.
    assert workdays.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    # Friday → Monday on an ordinary week.
    assert workdays.add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)
    assert workdays.add_working_days(date(2026, 11, 27), 3) == date(2026, 12, 2)


def test_count_zero_rolls_forward_to_a_working_day():
    assert workdays.add_working_days(date(2026, 11, 28), 0) == date(2026, 11, 30)
    assert workdays.add_working_days(date(2026, 11, 30), 0) == date(2026, 11, 30)


def test_days_between():
    assert workdays.working_days_between(date(2026, 9, 30), date(2026, 10, 9)) == 2  # 8日, 9日
    assert workdays.working_days_between(date(2026, 10, 9), date(2026, 9, 30)) == 0


def test_a_year_the_calendar_does_not_know_is_estimated_from_weekdays():
    first, last = workdays.known_range()
    beyond = date(last.year + 1, 1, 4)
    assert workdays.is_estimate(beyond) and not workdays.is_estimate(date(2026, 6, 1))
    # Monday to Friday count; the weekend does not (holidays of that year are not known yet).
    monday = beyond - timedelta(days=beyond.weekday())
    assert workdays.is_workday(monday)
    assert not workdays.is_workday(monday - timedelta(days=1))
    # Counting across the end of the known range works and does not raise.
    assert workdays.add_working_days(date(last.year, 12, 30), 3) > last
