"""Each HJ 633 edition reports with its own indicators (HJ 633-2026 4.2.2, 4.2.3, Table 3 note a),
primary and exceeding pollutants (4.3.1; HJ 633-2012 §3, 术语和定义), NA and "/" (5.3.1, 5.3.2), and the
stored days of 2026 are recomputed by the command."""

import datetime as dt
import io

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from xietong.airquality import aqi as A
from xietong.airquality.derive import daily_statistics, recompute
from xietong.airquality.models import AreaClass, AreaDay, StationDay

from .conftest import feed, store, timepoint

E12, E26 = "HJ 633-2012", "HJ 633-2026"
LOW = {"so2": 20, "no2": 40, "pm10": 40, "pm25": 20, "co": 1.0}
# The worked example: O3 daily maximum 1-hour 450 µg/m³, daily maximum 8-hour mean 150 µg/m³.
EXAMPLE = {**LOW, "o3": 450, "o3_8h": 150}


def test_the_2026_daily_report_leaves_out_the_1_hour_o3():
    r = A.aqi(EXAMPLE, "24h", E26)
    # O3-8h 150: 50 + 50 × (150 − 100)/(160 − 100) = 91.7, rounded up
    assert (r.aqi, r.category, r.primary) == (92, "良", ("o3_8h",))
    assert "o3" not in r.iaqi and r.excluded == ("o3",) and "not_an_indicator" in r.flags
    assert r.exceeding is None  # 2026 no longer defines 超标污染物


def test_the_2012_daily_report_keeps_the_1_hour_o3_and_its_exceeding_pollutants():
    r = A.aqi(EXAMPLE, "24h", E12)
    # O3 1-hour 450: 200 + 100 × (450 − 400)/(800 − 400) = 212.5, rounded up
    assert (r.aqi, r.category, r.primary) == (213, "重度污染", ("o3",))
    assert r.excluded == () and r.exceeding == ("o3",)
    r = A.aqi({**LOW, "pm25": 100, "pm10": 200, "o3": 100, "o3_8h": 100}, "24h", E12)
    assert r.primary == ("pm25",) and r.exceeding == ("pm10", "pm25")


def test_real_time_reports():
    hour = {**LOW, "o3": 250, "o3_8h": 300}
    r = A.aqi(hour, "1h", E26)  # 4.2.3: the six 1-hour means, no 8-hour O3
    assert r.excluded == ("o3_8h",) and r.aqi == 125 and r.primary == ("o3",)
    r = A.aqi(hour, "1h", E12)  # 2012 also reports the 8-hour moving O3 in real time
    # O3-8h 300: 200 + 100 × (300 − 265)/(800 − 265) = 206.5
    assert r.excluded == () and r.aqi == 207 and r.primary == ("o3_8h",)
    assert A.indicators("1h", E26) == ("so2", "no2", "pm10", "pm25", "co", "o3")
    assert A.indicators("24h", at=dt.date(2026, 3, 1)) == ("so2", "no2", "pm10", "pm25", "co", "o3_8h")


def test_the_vectorized_aqi_uses_the_same_indicators():
    arrays = {k: np.array([v, v]) for k, v in EXAMPLE.items()}
    assert A.aqi_array(arrays, "24h", E26).tolist() == [92, 92]
    assert A.aqi_array(arrays, "24h", E12).tolist() == [213, 213]


def test_na_and_not_monitored_are_distinct():
    day = {"so2": 20, "no2": 40, "pm10": 40, "pm25": 20, "o3_8h": 60}  # CO absent, AQI 50
    missing = A.aqi(day, "24h", E26)
    assert missing.aqi is None and missing.missing == ("co",) and A.shown(missing, "co") == "NA"
    # 5.3.2: a pollutant outside the programme does not hold the AQI back …
    outside = A.aqi(day, "24h", E26, not_monitored={"co"})
    assert outside.aqi == 50 and outside.missing == () and outside.not_monitored == ("co",)
    assert A.shown(outside, "co") == "/" and A.shown(outside, "pm25") == 29
    # … unless it was the primary pollutant of a polluted day within three years (then 5.3.1)
    recent = A.aqi(day, "24h", E26, not_monitored={"co"}, primary_recently={"co"})
    assert recent.aqi is None and A.shown(recent, "co") == "/"
    # an AQI above 100 is published whatever is missing
    assert A.aqi({**day, "pm25": 100}, "24h", E26).aqi == 137
    waived = {"co": np.array([True, False])}
    arrays = {k: np.array([v, v]) for k, v in day.items()}
    assert A.aqi_array(arrays, "24h", E26, waived=waived).tolist() == [50, -1]


# --- stored days ----------------------------------------------------------------------------------------------


def example_rows(code, day, o3=None):
    """A station-day whose O3 peaks at 450 for one hour and whose best 8-hour mean is 150."""
    o3 = o3 or [100] * 11 + [450, 150] + [100] * 11
    rows = []
    for hour in range(1, 25):
        value = o3[hour - 1]
        rows.append(
            (code, timepoint(day, hour), 20, 40, 40, 20, 1.0, "—" if value is None else value),
        )
    return rows


@pytest.mark.parametrize(
    "day, aqi, primary, iaqi_o3",
    [(dt.date(2026, 3, 10), 92, "o3_8h", None), (dt.date(2026, 2, 10), 213, "o3", 213)],
)
def test_a_stored_day_follows_its_editions_indicators(stations, cluster, day, aqi, primary, iaqi_o3):
    store(feed(*example_rows("TY01", day)))
    recompute([stations["TY01"].pk], day, day)
    row = StationDay.objects.get(station=stations["TY01"], day=day)
    assert (row.o3_1h_max, row.o3_8h_max) == (450, 150)
    assert (row.aqi, row.primary, row.iaqi_o3, row.iaqi_o3_8h) == (aqi, primary, iaqi_o3, 92)
    city = AreaDay.objects.get(unit=cluster["taiyuan"], day=day)
    assert (city.aqi, city.primary) == (aqi, primary)


def test_the_recompute_command_corrects_the_stored_days_of_an_edition(stations, cluster):
    day_2026, day_2012 = dt.date(2026, 3, 10), dt.date(2026, 2, 10)
    store(feed(*example_rows("TY01", day_2026), *example_rows("TY01", day_2012)))
    recompute([stations["TY01"].pk], day_2012, day_2026)
    # What the platform stored before the 2026 indicator sets: the 1-hour O3 counted.
    wrong = {"aqi": 213, "computed_aqi": 213, "level": 5, "primary": "o3", "iaqi_o3": 213}
    StationDay.objects.filter(day__in=[day_2026, day_2012]).update(**wrong)
    AreaDay.objects.filter(day=day_2026).update(**wrong)
    AreaDay.objects.filter(day=day_2012).update(aqi=1)  # a marker: days of 2012 are left alone

    out = io.StringIO()
    call_command("recompute_airquality", "--edition", "2026", stdout=out)
    assert "1 station-days recomputed" in out.getvalue()
    fixed = StationDay.objects.get(day=day_2026)
    assert (fixed.aqi, fixed.level, fixed.primary, fixed.iaqi_o3) == (92, 2, "o3_8h", None)
    for unit in ("taiyuan", "office"):
        area = AreaDay.objects.get(unit=cluster[unit], day=day_2026)
        assert (area.aqi, area.level, area.primary) == (92, 2, "o3_8h")
    assert set(AreaDay.objects.filter(day=day_2012).values_list("aqi", flat=True)) == {1}

    with pytest.raises(CommandError):
        call_command("recompute_airquality", "--edition", "1999", stdout=io.StringIO())


def test_the_recompute_command_with_no_day_of_the_edition(stations):
    store(feed(*example_rows("TY01", dt.date(2025, 5, 1))))
    out = io.StringIO()
    call_command("recompute_airquality", "--edition", "HJ 633-2026", stdout=out)
    assert "0 station-days" in out.getvalue() and not StationDay.objects.exists()


# --- GB 3095 area class -----------------------------------------------------------------------------------


def test_the_8_hour_o3_with_few_windows_stands_above_the_limit_of_the_area_class():
    # Only hours 13-24 measured: windows ending 18:00 … 24:00 have 6+ hours, 7 of the 17 (< 14).
    o3 = np.full((2, 1, 24), np.nan)
    o3[:, :, 12:] = 130.0
    hourly = {p: np.full((2, 1, 24), 10.0) for p in ("so2", "no2", "pm10", "pm25", "co")}
    stats = daily_statistics({**hourly, "o3": o3}, np.array([[AreaClass.ONE], [AreaClass.TWO]]))
    # class 1 (limit 100): 130 is above it and stands; class 2 (limit 160): not valid
    assert stats["o3_8h_max"][0, 0] == 130 and np.isnan(stats["o3_8h_max"][1, 0])


def test_a_station_of_class_1_keeps_its_8_hour_o3(stations):
    day = dt.date(2026, 6, 1)
    stations["TY01"].area_class = AreaClass.ONE
    stations["TY01"].save(update_fields=["area_class"])
    o3 = [None] * 12 + [130] * 12
    store(feed(*example_rows("TY01", day, o3=o3), *example_rows("TY02", day, o3=o3)))
    recompute([stations["TY01"].pk, stations["TY02"].pk], day, day)
    assert StationDay.objects.get(station=stations["TY01"], day=day).o3_8h_max == 130
    assert StationDay.objects.get(station=stations["TY02"], day=day).o3_8h_max is None


# --- monitoring programme ----------------------------------------------------------------------------------


def co_free_rows(code, day):
    return [(code, timepoint(day, h), 20, 40, 40, 20, "—", 60) for h in range(1, 25)]


def test_a_pollutant_outside_the_programme_is_shown_as_a_slash_and_does_not_withhold(stations, cluster):
    day = dt.date(2026, 6, 1)
    stations["TY01"].programme = "so2,no2,pm10,pm25,o3"
    stations["TY01"].save(update_fields=["programme"])
    store(feed(*co_free_rows("TY01", day), *co_free_rows("XZ01", day)))
    recompute([stations["TY01"].pk, stations["XZ01"].pk], day, day)
    outside = StationDay.objects.get(station=stations["TY01"], day=day)
    missing = StationDay.objects.get(station=stations["XZ01"], day=day)
    assert outside.aqi is not None and outside.not_monitored == "co"
    assert (outside.shown("co"), outside.shown("iaqi_co"), outside.shown("pm25")) == ("/", "/", 20)
    assert missing.aqi is None and missing.not_monitored == ""
    assert (missing.shown("co"), missing.shown("iaqi_co")) == ("NA", "NA")
    # 太原's other station measures CO: the city's CO is NA, not "/"
    assert AreaDay.objects.get(unit=cluster["taiyuan"], day=day).not_monitored == ""


def test_a_pollutant_outside_the_programme_that_was_primary_recently_withholds(stations, cluster):
    day = dt.date(2026, 6, 1)
    stations["TY01"].programme = "so2,no2,pm10,pm25,o3"
    stations["TY01"].save(update_fields=["programme"])
    AreaDay.objects.create(unit=cluster["taiyuan"], day=dt.date(2024, 1, 5), aqi=160, level=4, primary="co")
    store(feed(*co_free_rows("TY01", day)))
    recompute([stations["TY01"].pk], day, day)
    row = StationDay.objects.get(station=stations["TY01"], day=day)
    assert row.aqi is None and row.computed_aqi is not None and row.shown("co") == "/"


@pytest.mark.parametrize("day, aqi", [(dt.date(2026, 2, 10), 185), (dt.date(2026, 3, 10), 125)])
def test_the_station_pages_hourly_aqi_follows_the_real_time_indicators(stations, member, day, aqi):
    from xietong.conftest import client_for

    # O3 250 every hour: 1-hour IAQI 125; from 08:00 the 8-hour mean is 250 too, IAQI
    # 150 + 50 × (250 − 215)/(265 − 215) = 185, which
    # counts in a 2012 real-time report and not in a 2026 one (4.2.3).
    store(feed(*example_rows("TY01", day, o3=[250] * 24)))
    html = client_for(member).get(f"/airquality/stations/TY01/?day={day}").content.decode()
    row = html[html.index('data-hour="12"') :]
    row = row[: row.index("</tr>")]
    assert f">{aqi}</span>" in row


@pytest.mark.parametrize(
    "city, polluted_day, withheld",
    [
        ("taiyuan", dt.date(2023, 6, 1), True),  # three years to the day before 2026-06-01: inside
        ("taiyuan", dt.date(2023, 5, 31), False),  # one day longer ago: outside the look-back
        ("xinzhou", dt.date(2025, 1, 5), False),  # another city's polluted day does not count
    ],
)
def test_the_three_year_look_back_of_5_3_2_is_the_station_s_own_city(stations, cluster, city, polluted_day, withheld):
    day = dt.date(2026, 6, 1)
    stations["TY01"].programme = "so2,no2,pm10,pm25,o3"
    stations["TY01"].save(update_fields=["programme"])
    AreaDay.objects.create(unit=cluster[city], day=polluted_day, aqi=160, level=4, primary="co")
    store(feed(*co_free_rows("TY01", day)))
    recompute([stations["TY01"].pk], day, day)
    row = StationDay.objects.get(station=stations["TY01"], day=day)
    assert (row.aqi is None) is withheld and row.computed_aqi is not None and row.shown("co") == "/"
