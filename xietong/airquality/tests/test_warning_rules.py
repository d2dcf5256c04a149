"""The warning level of a forecast by the rules in force: worked examples and edges."""

import datetime as dt

import pytest

from xietong.airquality.models import WarningRuleSet
from xietong.airquality.warning_rules import (
    RULE_SETS,
    Rules,
    Segment,
    assess,
    daily_segments,
    level_on,
    levels_by_day,
    rules_in_force,
    seed,
    warning_level,
)

from .conftest import CST

RULES = {spec["code"]: Rules.from_data(spec["levels"], spec["lift_after_hours"]) for spec in RULE_SETS}
R2024 = RULES["national-2024"]
R2020 = RULES["shanxi-2020"]
R2018 = RULES["shanxi-2018"]
D = dt.date(2024, 12, 1)


def days(*values, start=D):
    """A daily forecast series from `start`: one AQI per day."""
    return {start + dt.timedelta(days=i): v for i, v in enumerate(values)}


def level(values, on=D, rules=R2024):
    return warning_level(daily_segments(days(*values)), on, rules)


def hourly(values, start=dt.datetime(2024, 12, 1, tzinfo=CST)):
    return [Segment(start + dt.timedelta(hours=i), start + dt.timedelta(hours=i + 1), v) for i, v in enumerate(values)]


# --- 2024 national guidance ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, expected",
    [
        ((200, 90, 90), None),  # exactly 200 is not above 200
        ((201, 90, 90), "yellow"),  # one day above 200
        ((151, 90, 90), None),  # above 150 for 24 h only
        ((151, 151, 90, 90), "yellow"),  # above 150 for 48 h
        ((150, 150, 150, 90, 90), None),  # exactly 150 is not above 150
        ((201, 201, 90, 90), "orange"),  # above 200 for 48 h
        ((160, 160, 160, 90, 90), "orange"),  # above 150 for 72 h
        ((201, 201, 201, 90, 90), "orange"),  # 72 h above 200 but never above 300
        ((201, 201, 301, 90, 90), "red"),  # 72 h above 200 and 24 h above 300
        ((301, 301, 90, 90), "orange"),  # above 300 but only 48 h above 200
        ((201, 300, 201, 90, 90), "orange"),  # exactly 300 is not above 300
    ],
)
def test_2024_levels(values, expected):
    assert level(values) == expected


def test_48_hours_make_yellow_and_47_do_not():
    assert warning_level(hourly([160] * 48 + [80] * 48), dt.datetime(2024, 12, 1, 5, tzinfo=CST), R2024) == "yellow"
    assert warning_level(hourly([160] * 47 + [80] * 48), dt.datetime(2024, 12, 1, 5, tzinfo=CST), R2024) is None


def test_72_hours_make_orange_and_71_yellow():
    assert warning_level(hourly([160] * 72 + [80] * 48), dt.datetime(2024, 12, 1, tzinfo=CST), R2024) == "orange"
    assert warning_level(hourly([160] * 71 + [80] * 48), dt.datetime(2024, 12, 1, tzinfo=CST), R2024) == "yellow"


def test_the_level_holds_for_the_whole_episode():
    series = (90, 160, 250, 320, 210, 90, 90, 90)
    assert [level(series, on=D + dt.timedelta(days=i)) for i in range(8)] == [
        None,
        "red",
        "red",
        "red",
        "red",
        None,
        None,
        None,
    ]


def test_a_clean_day_between_two_polluted_spells_does_not_lift_the_warning():
    # 24 h below the criteria is not the > 36 h the plans ask for: one episode, in force on the
    # clean day. Its level counts hours in a row (持续): 48 h above 150 make yellow; the 72 h
    # above 150 summed over the episode do not make orange.
    series = (160, 120, 160, 160, 90, 90)
    assert level(series, on=D + dt.timedelta(days=1)) == "yellow"
    assert level(series, on=D + dt.timedelta(days=4)) is None
    assert level((160, 160, 160, 120, 90, 90), on=D + dt.timedelta(days=1)) == "orange"


def test_durations_count_consecutive_hours_not_hours_summed_over_gaps():
    # 2020 plans, red: > 200 for 96 h and > 300 for 48 h, both 持续.
    assert level((301, 301, 201, 201, 90, 90), rules=R2020) == "red"
    assert level((301, 201, 301, 201, 90, 90), rules=R2020) == "orange"  # 48 h above 300, not in a row
    assert level((301, 301, 190, 201, 201, 90, 90), rules=R2020) == "yellow"  # 96 h above 200 with a gap
    # one clean hour breaks a run of hours
    start = dt.datetime(2024, 12, 1, tzinfo=CST)
    assert warning_level(hourly([160] * 24 + [140] + [160] * 24 + [80] * 48, start), start, R2024) is None


def test_a_24_hour_window_may_cross_midnight():
    noon = dt.datetime(2024, 12, 1, 12, tzinfo=CST)
    # Above 200 from noon to noon the next day: 24 h in a row across midnight (blue in 2018).
    spell = hourly([80] * 12 + [210] * 24 + [80] * 48, start=noon - dt.timedelta(hours=12))
    assert warning_level(spell, noon, R2018) == "blue"
    # 48 h above 150 in 12-hour forecast periods starting at noon: yellow under the 2024 guidance.
    halves = [
        Segment(noon + dt.timedelta(hours=12 * i), noon + dt.timedelta(hours=12 * (i + 1)), v)
        for i, v in enumerate([160, 160, 160, 160, 90, 90, 90, 90])
    ]
    assert warning_level(halves, noon, R2024) == "yellow"
    assert warning_level(halves[:3] + halves[4:], noon, R2024) is None  # a 12-hour hole: 36 h only


def test_lifting_needs_more_than_36_hours_below_the_criteria():
    start = dt.datetime(2024, 12, 1, tzinfo=CST)
    polluted, after = [210] * 24, dt.datetime(2024, 12, 2, 6, tzinfo=CST)
    # 36 h of clean air, then pollution again: still in force in between (yellow: each spell is
    # 24 h above 200, and the 持续 48 h of orange are not there in a row).
    assert warning_level(hourly(polluted + [80] * 36 + [210] * 24, start), after, R2024) == "yellow"
    # 37 h of clean air: lifted, and the next spell is its own episode.
    assert warning_level(hourly(polluted + [80] * 37 + [210] * 24, start), after, R2024) is None


def test_a_warning_stays_in_force_while_the_forecast_does_not_yet_show_36_clean_hours():
    assert level((210, 210, 90), on=D + dt.timedelta(days=2)) == "orange"  # only 24 h of clean forecast
    assert level((210, 210, 90, 90), on=D + dt.timedelta(days=2)) is None  # 48 h: lifted
    assert level((210, 210, 90), on=D + dt.timedelta(days=3)) is None  # beyond the forecast


def test_a_day_with_no_forecast_is_not_polluted():
    assert level((201,), on=D + dt.timedelta(days=5)) is None
    assert level(()) is None


# --- the plans in force before ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, expected",
    [
        ((201, 90, 90), None),  # no blue any more, and one day is not enough
        ((250, 160, 90, 90), None),  # > 150 does not count under these plans
        ((201, 201, 90, 90), "yellow"),
        ((201, 201, 201, 90, 90), "orange"),
        ((301, 301, 301, 301, 90, 90), "red"),
        ((301, 301, 201, 201, 90, 90), "red"),
        ((301, 201, 201, 201, 90, 90), "orange"),  # 96 h above 200 but only 24 h above 300
        ((500, 90, 90), "red"),  # AQI reaching 500
        ((499, 90, 90), None),
    ],
)
def test_2020_plan_levels(values, expected):
    assert level(values, rules=R2020) == expected


@pytest.mark.parametrize(
    "values, expected",
    [
        ((201, 90, 90), "blue"),
        ((201, 201, 90, 90), "yellow"),
        ((201, 201, 201, 90, 90), "yellow"),  # orange also needs a day above 300
        ((201, 301, 201, 90, 90), "orange"),
        ((301, 301, 201, 201, 90, 90), "red"),
        ((500, 90, 90), "red"),
    ],
)
def test_2018_plan_levels(values, expected):
    assert level(values, rules=R2018) == expected


# --- which rules are in force ------------------------------------------------------------------------------------


@pytest.fixture
def rule_sets(db):
    seed(WarningRuleSet)
    return WarningRuleSet.objects.all()


def test_seeding_is_idempotent_and_effective_dates_pick_the_rules(rule_sets):
    seed(WarningRuleSet)
    assert WarningRuleSet.objects.count() == 3
    assert rules_in_force(dt.date(2017, 12, 31)) is None
    assert rules_in_force(dt.date(2019, 1, 10)).code == "shanxi-2018"
    assert rules_in_force(dt.date(2022, 12, 20)).code == "shanxi-2020"
    assert rules_in_force(dt.date(2024, 1, 22)).code == "shanxi-2020"
    assert rules_in_force(dt.date(2024, 1, 23)).code == "national-2024"
    assert rules_in_force(dt.datetime(2024, 1, 22, 16, 30, tzinfo=dt.UTC)).code == "national-2024"  # 00:30 local


def test_the_same_forecast_gets_the_level_of_its_time(rule_sets):
    # Two days above 200: yellow under the 2020 plans (2022), orange under the 2024 guidance.
    assert level_on(days(210, 220, 90, 90, start=dt.date(2022, 12, 20)), dt.date(2022, 12, 20)) == "yellow"
    assert level_on(days(210, 220, 90, 90, start=dt.date(2024, 12, 20)), dt.date(2024, 12, 20)) == "orange"
    assert level_on(days(210, 90, 90, start=dt.date(2019, 1, 10)), dt.date(2019, 1, 10)) == "blue"
    assert level_on(days(210, 90, start=dt.date(2017, 1, 10)), dt.date(2017, 1, 10)) is None


def test_levels_by_day_uses_each_days_rules(rule_sets):
    series = days(160, 160, 160, 90, 90, start=dt.date(2024, 1, 21))
    levels = levels_by_day(series, sorted(series))
    # 21-22 January: the 2020 plans (nothing above 200); from the 23rd the guidance counts > 150.
    assert levels[dt.date(2024, 1, 21)] is None and levels[dt.date(2024, 1, 23)] == "orange"


def test_assess_tells_the_episode():
    episode = assess(daily_segments(days(90, 210, 230, 90, 90)), D + dt.timedelta(days=1), R2024)
    assert episode.level == "orange"
    assert episode.start == dt.datetime(2024, 12, 2, tzinfo=CST)
    assert episode.end == episode.in_force_until == dt.datetime(2024, 12, 4, tzinfo=CST)
