"""The residents' view: current values only within their report period, forecasts for three days."""

import datetime as dt

import pytest
import time_machine

from xietong.airquality import actions
from xietong.airquality.derive import recompute
from xietong.airquality.public import city_summaries
from xietong.conftest import client_for

from .conftest import CST, feed, store, timepoint

NOW = dt.datetime(2026, 12, 1, 10, 30, tzinfo=CST)
TODAY = NOW.date()


def hours_of(code, day, last_hour=24, pm25=80):
    return [(code, timepoint(day, h), 10, 30, 60, pm25, 0.8, 40) for h in range(1, last_hour + 1)]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def current_and_old(frozen, stations):
    """太原 reports up to the hour ending 10:00 today; 忻州 stopped a day ago,晋中 two days ago."""
    yesterday, before = TODAY - dt.timedelta(days=1), TODAY - dt.timedelta(days=2)
    rows = hours_of("TY01", yesterday) + hours_of("TY01", TODAY, 10, pm25=120)
    rows += hours_of("XZ01", before) + hours_of("XZ01", yesterday, 10)
    rows += hours_of("JZ01", before - dt.timedelta(days=1)) + hours_of("JZ01", before, 10)
    store(feed(*rows))
    recompute([s.pk for s in stations.values()], before - dt.timedelta(days=1), TODAY)
    return stations


def row_of(summary, slug):
    return next(row for row in summary["rows"] if row["city"].slug == slug)


def test_a_value_is_current_only_within_its_report_period(current_and_old):
    summary = city_summaries()
    taiyuan, xinzhou, jinzhong = (row_of(summary, s) for s in ("taiyuan", "xinzhou", "jinzhong"))
    # 太原: hour ending 10:00 at 10:30; PM2.5 120 → real-time AQI 150 + 50 × 5/35 = 158 (2026, 24-hour column)
    assert taiyuan["realtime"]["at"] == NOW.replace(minute=0) and not taiyuan["realtime"]["stale"]
    assert taiyuan["realtime"]["aqi"] == 158 and taiyuan["realtime"]["primary"] == ["PM₂.₅"]
    # the daily report is yesterday's (today's comes tomorrow): PM2.5 80, 100 + 50 × 20/55
    assert (taiyuan["daily"]["day"], taiyuan["daily"]["aqi"]) == (TODAY - dt.timedelta(days=1), 119)
    # 忻州: its latest hour is a day old; its latest daily value is yesterday's (partial: NA)
    assert xinzhou["realtime"]["stale"] and xinzhou["realtime"]["at"] == NOW.replace(minute=0) - dt.timedelta(days=1)
    assert xinzhou["daily"]["day"] == TODAY - dt.timedelta(days=1) and not xinzhou["daily"]["stale"]
    # 晋中: two days old, both out of date
    assert jinzhong["realtime"]["stale"] and jinzhong["daily"]["stale"]


def test_the_public_page_marks_old_values_and_never_shows_them_as_current(client, current_and_old):
    html = client.get("/airquality/public/").content.decode()
    taiyuan = html[html.index('data-city="taiyuan"') : html.index('data-city="xinzhou"')]
    xinzhou = html[html.index('data-city="xinzhou"') : html.index('data-city="jinzhong"')]
    assert 'data-report="realtime" data-state="current"' in taiyuan and "aq-level-4" in taiyuan
    assert 'data-report="realtime" data-state="stale"' in xinzhou and "2026-11-30 10:00" in xinzhou
    assert 'data-state="current"' not in xinzhou.split('data-report="daily"')[0]
    assert "已过时" in xinzhou


def test_the_first_hours_of_the_next_hour_are_still_current(stations):
    store(feed(*hours_of("TY01", TODAY, 10)))
    with time_machine.travel(NOW.replace(hour=11, minute=59), tick=False):
        assert not row_of(city_summaries(), "taiyuan")["realtime"]["stale"]
    with time_machine.travel(NOW.replace(hour=12, minute=0), tick=False):
        assert row_of(city_summaries(), "taiyuan")["realtime"]["stale"]


def test_forecasts_cover_the_next_three_days_with_range_level_and_primary(frozen, cluster, member, client):
    for offset, (low, high, primary) in enumerate([(140, 180, "pm25"), (90, 120, "pm10"), (60, 80, "o3_8h")], 1):
        actions.do_set_forecast(
            actor=member,
            city=cluster["taiyuan"],
            day=TODAY + dt.timedelta(days=offset),
            aqi=high,
            aqi_low=low,
            primary=primary,
        )
    summary = city_summaries()
    taiyuan, xinzhou = row_of(summary, "taiyuan"), row_of(summary, "xinzhou")
    first = taiyuan["forecasts"][0]
    assert (first["aqi_low"], first["aqi"], first["primary"]) == (140, 180, "PM₂.₅")
    assert [c["category"] for c in first["categories"]] == ["轻度污染", "中度污染"]
    assert [c["category"] for c in taiyuan["forecasts"][2]["categories"]] == ["良"]
    assert not taiyuan["forecast_incomplete"] and xinzhou["forecast_incomplete"]
    html = client.get("/airquality/public/").content.decode()
    assert "140–180" in html and "预报暂缺" in html


def test_the_home_page_gives_residents_a_way_in(frozen, client, current_and_old, cluster, office_user):
    actions.do_issue_joint_warning(
        actor=office_user, level="orange", cities=[cluster["taiyuan"]], starts_at=NOW, reason="区域重污染"
    )
    html = client.get("/").content.decode()
    section = html[html.index('id="aq-residents-h"') :]
    assert "今日空气质量" in section and "aq-warning-orange" in section and "/airquality/public/" in section
    assert 'data-city="taiyuan"' in section and "158" in section


def test_the_summary_costs_a_fixed_number_of_queries(django_assert_max_num_queries, current_and_old):
    with django_assert_max_num_queries(8):
        city_summaries()


def test_the_forecasts_page_names_cities_whose_forecast_does_not_cover_three_days(frozen, cluster, member):
    for offset in (1, 2, 3):
        actions.do_set_forecast(
            actor=member,
            city=cluster["taiyuan"],
            day=TODAY + dt.timedelta(days=offset),
            aqi=120,
            aqi_low=90,
            primary="pm25",
        )
    html = client_for(member).get("/airquality/forecasts/").content.decode()
    coverage = html[html.index('id="forecast-coverage"') :]
    coverage = coverage[: coverage.index("</div>")]
    assert 'data-city="taiyuan"' not in coverage
    assert 'data-city="xinzhou"' in coverage and "12-02、12-03、12-04" in coverage
    assert "90–120" in html and "PM₂.₅" in html
