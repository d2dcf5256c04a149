"""Reporting periods tile the calendar for every frequency, across year ends and 53-week ISO years."""

import datetime

import pytest

from xietong.supervision.models import Matter
from xietong.supervision.reminders import period_bounds

D = datetime.date
FREQUENCIES = [value for value, _label in Matter._meta.get_field("reporting_frequency").choices]
LENGTHS = {"weekly": {7}, "biweekly": {14}, "monthly": {28, 29, 30, 31}, "quarterly": {90, 91, 92}}


def test_every_frequency_has_a_length_rule():
    assert set(FREQUENCIES) == set(LENGTHS)


@pytest.mark.parametrize("frequency", FREQUENCIES)
@pytest.mark.parametrize("year_end", [2019, 2020, 2021, 2025, 2026, 2027, 2031, 2032])
def test_periods_tile_the_days_around_a_year_end(frequency, year_end):
    # 2020, 2026 and 2032 have an ISO week 53; 2021 and 2027 start in the previous ISO year.
    day, last = D(year_end, 10, 1), D(year_end + 1, 4, 30)
    seen_keys = {}
    previous = None
    while day <= last:
        start, end, key = period_bounds(frequency, day)
        assert start <= day <= end
        assert (end - start).days + 1 in LENGTHS[frequency]
        assert period_bounds(frequency, start) == period_bounds(frequency, end) == (start, end, key)
        assert seen_keys.setdefault(key, start) == start, f"{key} names two periods"
        if previous is not None and previous != (start, end, key):
            # The next period begins the day after the previous one ends: no overlap, no gap.
            assert start == previous[1] + datetime.timedelta(days=1)
        previous = (start, end, key)
        day += datetime.timedelta(days=1)


@pytest.mark.parametrize(
    "frequency, day, expected",
    [
        # The fortnight that starts in ISO week 53 of 2026 runs into 2027; the next one starts after it.
        ("biweekly", D(2026, 12, 28), (D(2026, 12, 28), D(2027, 1, 10), "B2026-12-28")),
        ("biweekly", D(2027, 1, 10), (D(2026, 12, 28), D(2027, 1, 10), "B2026-12-28")),
        ("biweekly", D(2027, 1, 11), (D(2027, 1, 11), D(2027, 1, 24), "B2027-01-11")),
        ("biweekly", D(2026, 1, 1), (D(2025, 12, 29), D(2026, 1, 11), "B2025-12-29")),
        ("biweekly", D(2025, 12, 28), (D(2025, 12, 15), D(2025, 12, 28), "B2025-12-15")),
        # ISO weeks: 2027-01-01 (a Friday) is in 2026-W53, 2024-12-30 in 2025-W01.
        ("weekly", D(2027, 1, 1), (D(2026, 12, 28), D(2027, 1, 3), "2026-W53")),
        ("weekly", D(2027, 1, 4), (D(2027, 1, 4), D(2027, 1, 10), "2027-W01")),
        ("weekly", D(2024, 12, 31), (D(2024, 12, 30), D(2025, 1, 5), "2025-W01")),
        ("monthly", D(2026, 12, 31), (D(2026, 12, 1), D(2026, 12, 31), "2026-12")),
        ("monthly", D(2028, 2, 29), (D(2028, 2, 1), D(2028, 2, 29), "2028-02")),
        ("monthly", D(2027, 2, 1), (D(2027, 2, 1), D(2027, 2, 28), "2027-02")),
        ("quarterly", D(2026, 12, 31), (D(2026, 10, 1), D(2026, 12, 31), "2026-Q4")),
        ("quarterly", D(2027, 1, 1), (D(2027, 1, 1), D(2027, 3, 31), "2027-Q1")),
        ("quarterly", D(2028, 3, 31), (D(2028, 1, 1), D(2028, 3, 31), "2028-Q1")),
    ],
)
def test_worked_examples(frequency, day, expected):
    assert period_bounds(frequency, day) == expected
