import datetime as dt

import numpy as np
import pytest

from xietong.airquality import aqi as aqi_module
from xietong.airquality.derive import daily_statistics, hourly_series, o3_8h_means, recompute
from xietong.airquality.models import AreaDay, StationDay

from .conftest import feed, store, timepoint

DAY = dt.date(2022, 12, 10)
BASE = {"so2": 20, "no2": 40, "pm10": 100, "pm25": 60, "co": 1.0, "o3": 50}


def day_rows(code, day=DAY, **series):
    """24 feed rows of one station-day; a series is a value or a list of 24 (None = "—")."""
    values = {**BASE, **series}
    rows = []
    for hour in range(1, 25):
        row = [code, timepoint(day, hour)]
        for pollutant in ("so2", "no2", "pm10", "pm25", "co", "o3"):
            value = values[pollutant]
            value = value[hour - 1] if isinstance(value, list) else value
            row.append("—" if value is None else value)
        rows.append(tuple(row))
    return rows


def with_missing(value, hours_missing):
    """A list of 24 values with the given hours (1…24) missing."""
    return [None if hour in hours_missing else value for hour in range(1, 25)]


def compute(stations, *rows, day=DAY):
    store(feed(*rows))
    recompute([s.pk for s in stations.values()], day, day)


def station_day(stations, code="TY01", day=DAY):
    return StationDay.objects.get(station=stations[code], day=day)


# --- 24-hour means --------------------------------------------------------------------------------------------


def test_a_24_hour_mean_needs_20_valid_hours(stations):
    compute(
        stations,
        *day_rows("TY01", pm25=with_missing(60, {1, 2, 3, 4})),
        *day_rows("TY02", pm25=with_missing(60, {1, 2, 3, 4, 5})),
    )
    assert station_day(stations, "TY01").pm25 == 60
    assert station_day(stations, "TY02").pm25 is None
    assert station_day(stations, "TY02").iaqi_pm25 is None


def test_flagged_values_do_not_count_as_valid_hours(stations):
    values = [-5, -5, -5, 99999, "x"] + [60] * 19  # 19 usable hours
    compute(stations, *day_rows("TY01", pm25=values))
    assert station_day(stations).pm25 is None
    assert station_day(stations).hours == 24


def test_the_mean_uses_the_hours_ending_01_00_to_24_00(stations):
    previous_midnight = ("TY01", timepoint(DAY, 0), 20, 40, 100, 999, 1.0, 50)  # ends 00:00: the day before
    store(feed(previous_midnight, *day_rows("TY01", pm25=[10] * 23 + [34])))
    recompute([stations["TY01"].pk], DAY - dt.timedelta(days=1), DAY)
    assert station_day(stations).pm25 == pytest.approx(11.0)
    assert StationDay.objects.get(station=stations["TY01"], day=DAY - dt.timedelta(days=1)).pm25 is None


# --- ozone -------------------------------------------------------------------------------------------------


def test_an_8_hour_mean_needs_6_valid_hours_of_the_8():
    hours = np.array([[10.0, 20, np.nan, np.nan, 30, 40, 50, 60] + [70.0] * 16])
    means = o3_8h_means(hours)
    assert means[0, 7] == pytest.approx((10 + 20 + 30 + 40 + 50 + 60) / 6)  # ends 08:00 with 6 valid hours
    hours[0, 0] = np.nan
    assert np.isnan(o3_8h_means(hours)[0, 7])  # 5 valid hours


def test_the_8_hour_means_of_the_first_hours_reach_into_the_previous_day():
    today = np.full((1, 24), 100.0)
    previous = np.full((1, 7), 20.0)
    assert o3_8h_means(today, previous)[0, 0] == pytest.approx((7 * 20 + 100) / 8)
    assert np.isnan(o3_8h_means(today)[0, 0])  # one hour alone is not a mean


def test_the_daily_maximum_8_hour_mean_needs_14_valid_means(stations):
    compute(
        stations,
        *day_rows("TY01", o3=with_missing(120, {20, 21, 22, 23, 24})),  # windows ending 08…21: 14 valid
        *day_rows("TY02", o3=with_missing(120, {19, 20, 21, 22, 23, 24})),  # 13 valid
    )
    assert station_day(stations, "TY01").o3_8h_max == 120
    assert station_day(stations, "TY02").o3_8h_max is None


def test_a_daily_maximum_8_hour_mean_above_the_limit_stands_with_fewer_means(stations):
    compute(stations, *day_rows("TY01", o3=with_missing(170, {19, 20, 21, 22, 23, 24})))
    assert station_day(stations).o3_8h_max == 170
    assert station_day(stations).iaqi_o3_8h == aqi_module.iaqi("o3_8h", 170, "24h", "HJ 633-2012").value


def test_the_daily_maximum_1_hour_ozone_needs_20_hours_unless_above_the_limit():
    o3 = np.full((3, 1, 24), 150.0)
    o3[0, 0, :4] = np.nan  # 20 valid hours
    o3[1, 0, :5] = np.nan  # 19
    o3[2, 0, :5] = np.nan
    o3[2, 0, 12] = 230.0  # 19, but above 200
    hourly = {p: np.full((3, 1, 24), 10.0) for p in ("so2", "no2", "pm10", "pm25", "co")}
    stats = daily_statistics({**hourly, "o3": o3})
    assert stats["o3_1h_max"][0, 0] == 150
    assert np.isnan(stats["o3_1h_max"][1, 0])
    assert stats["o3_1h_max"][2, 0] == 230


def test_hourly_series_show_the_8_hour_means(stations):
    store(feed(*day_rows("TY01", day=DAY - dt.timedelta(days=1), o3=20), *day_rows("TY01", o3=100)))
    hours = hourly_series(stations["TY01"], DAY)
    assert len(hours) == 24 and hours[0]["hour"] == 1 and hours[0]["reading"].o3 == 100
    assert hours[0]["o3_8h"] == pytest.approx(30.0)  # 7 hours of 20 and one of 100
    assert hours[23]["o3_8h"] == 100


# --- daily AQI ---------------------------------------------------------------------------------------------


def test_the_daily_aqi_is_the_aqi_modules_on_the_daily_statistics(stations):
    o3 = [40] * 10 + [180] * 8 + [40] * 6
    compute(stations, *day_rows("TY01", pm25=130, pm10=190, o3=o3))
    row = station_day(stations)
    expected = aqi_module.aqi(
        {"so2": 20, "no2": 40, "pm10": 190, "pm25": 130, "co": 1.0, "o3": 180, "o3_8h": row.o3_8h_max},
        "24h",
        "HJ 633-2012",
    )
    assert row.aqi == expected.aqi == 172  # PM2.5 130: 150 + 50 × 15/35, rounded up
    assert row.level == 4 and row.primary_pollutants == ["pm25"] and row.standard == "HJ 633-2012"
    assert row.iaqi_pm25 == expected.iaqi["pm25"] and row.iaqi_o3 == expected.iaqi["o3"]


@pytest.mark.parametrize(
    "day, standard, iaqi", [(dt.date(2026, 2, 28), "HJ 633-2012", 94), (dt.date(2026, 3, 1), "HJ 633-2026", 110)]
)
def test_the_edition_follows_the_date(stations, day, standard, iaqi):
    compute(stations, *day_rows("TY01", day=day, pm25=70, pm10=40), day=day)
    row = station_day(stations, day=day)
    assert (row.standard, row.iaqi_pm25, row.aqi) == (standard, iaqi, iaqi)


def test_an_incomplete_low_aqi_is_withheld_under_the_2026_edition(stations):
    day = dt.date(2026, 3, 2)
    compute(stations, *day_rows("TY01", day=day, so2=None), day=day)
    row = station_day(stations, day=day)
    assert row.aqi is None and row.computed_aqi is not None and row.level is None


# --- cities and the cluster -----------------------------------------------------------------------------------


def test_a_city_is_the_mean_of_its_valid_stations_and_the_cluster_of_its_cities(stations, cluster):
    compute(
        stations,
        *day_rows("TY01", pm25=40),
        *day_rows("TY02", pm25=60),
        *day_rows("XZ01", pm25=100, so2=with_missing(20, set(range(1, 10)))),
    )
    taiyuan = AreaDay.objects.get(unit=cluster["taiyuan"], day=DAY)
    xinzhou = AreaDay.objects.get(unit=cluster["xinzhou"], day=DAY)
    whole = AreaDay.objects.get(unit=cluster["office"], day=DAY)
    assert (taiyuan.pm25, taiyuan.stations) == (50, 2)
    assert xinzhou.pm25 == 100 and xinzhou.so2 is None  # its only station had too few SO2 hours
    assert (whole.pm25, whole.stations) == (75, 2)
    assert whole.so2 == 20  # from 太原 alone
    assert (
        taiyuan.aqi
        == aqi_module.aqi(
            {"so2": 20, "no2": 40, "pm10": 100, "pm25": 50, "co": 1.0, "o3": 50, "o3_8h": 50}, "24h", "HJ 633-2012"
        ).aqi
    )


def test_daily_values_are_recomputed_when_readings_change(stations, cluster, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        store(feed(*day_rows("TY01", pm25=60)), recompute=True)
    assert station_day(stations).iaqi_pm25 == 82
    with django_capture_on_commit_callbacks(execute=True):
        store(feed(*day_rows("TY01", pm25=160)), recompute=True)
    assert station_day(stations).iaqi_pm25 == 210
    assert AreaDay.objects.get(unit=cluster["taiyuan"], day=DAY).aqi == 210
    assert StationDay.objects.count() == 1


def test_the_recompute_command_rebuilds_the_daily_values(stations, cluster):
    import io

    from django.core.management import CommandError, call_command

    store(feed(*day_rows("TY01"), *day_rows("XZ01")))
    call_command("recompute_airquality", "--from", DAY.isoformat(), "--station", "TY01", stdout=io.StringIO())
    assert list(StationDay.objects.values_list("station__code", flat=True)) == ["TY01"]
    out = io.StringIO()
    call_command("recompute_airquality", stdout=out)
    assert "2 station-days" in out.getvalue() and AreaDay.objects.filter(unit=cluster["office"]).exists()
    with pytest.raises(CommandError):
        call_command("recompute_airquality", "--from", "yesterday", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("recompute_airquality", "--from", DAY.isoformat(), "--station", "NOPE", stdout=io.StringIO())
