"""Tests of the HJ 633 AQI calculator. Plain pytest functions, no Django/DB.

Run: python -m pytest xietong/airquality/tests/test_aqi.py -q -p no:django
"""

import dataclasses
import datetime as dt
import math
import pathlib
import subprocess
import sys
import textwrap
import zlib
from decimal import ROUND_CEILING, Decimal, localcontext

import numpy as np
import pytest

from xietong.airquality import aqi as A
from xietong.airquality.aqi import (
    HJ633_2012,
    HJ633_2026,
    MISSING,
    aqi,
    aqi_array,
    iaqi,
    iaqi_array,
    standard_for,
)
from xietong.airquality.standards import IAQI_LEVELS

pytestmark = []

E12 = "HJ 633-2012"
E26 = "HJ 633-2026"
EDITIONS = (E12, E26)
COMBOS = [(p, per) for p in A.POLLUTANTS for per in A.PERIODS]


def v(pollutant, value, period, standard=E12, **kw):
    return iaqi(pollutant, value, period, standard, **kw).value


def column(standard, pollutant, period):
    std = A.get_standard(standard)
    return std.tables[A._table_key(pollutant, period)[0]]


# --------------------------------------------------------------------------
# worked examples (hand computed from Table 1 / Table 3)
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "pollutant,period,value,expected",
    [
        # SO2 24h 80: 50 + 50*(80-50)/(150-50) = 65
        ("so2", "24h", 80, 65),
        # SO2 1h 300: 50 + 50*(300-150)/(500-150) = 71.43 -> 72
        ("so2", "1h", 300, 72),
        # NO2 24h 60: 50 + 50*20/40 = 75
        ("no2", "24h", 60, 75),
        # NO2 1h 350: 100 + 50*150/500 = 115
        ("no2", "1h", 350, 115),
        # PM10 24h 200 (2012): 100 + 50*50/100 = 125
        ("pm10", "24h", 200, 125),
        # PM2.5 24h 100 (2012): 100 + 50*25/40 = 131.25 -> 132
        ("pm25", "24h", 100, 132),
        # CO 24h 3: 50 + 50*1/2 = 75 ; CO 1h 12: 100 + 50*2/25 = 104
        ("co", "24h", 3, 75),
        ("co", "1h", 12, 104),
        # O3 1h 250: 100 + 50*50/100 = 125 ; O3 8h 180: 100 + 50*20/55 = 118.2 -> 119
        ("o3", "1h", 250, 125),
        ("o3_8h", "24h", 180, 119),
        ("o3_8h", "1h", 180, 119),
        # O3 with a 24h period = daily maximum 1-hour value -> 1-hour column
        ("o3", "24h", 250, 125),
        # hourly PM uses the 24-hour columns
        ("pm10", "1h", 200, 125),
        ("pm25", "1h", 100, 132),
    ],
)
def test_worked_examples_2012(pollutant, period, value, expected):
    assert v(pollutant, value, period, E12) == expected


@pytest.mark.parametrize(
    "pollutant,period,value,expected",
    [
        # PM10 200 (2026): 100 + 50*(200-120)/(250-120) = 130.77 -> 131
        ("pm10", "24h", 200, 131),
        # PM2.5 100 (2026): 100 + 50*(100-60)/(115-60) = 136.4 -> 137
        ("pm25", "24h", 100, 137),
        # PM2.5 75 (2026): 113.6 -> 114 ; PM10 150 (2026): 111.5 -> 112
        ("pm25", "24h", 75, 114),
        ("pm10", "24h", 150, 112),
        ("pm25", "1h", 75, 114),
        # unchanged columns give the same as 2012
        ("so2", "24h", 80, 65),
        ("no2", "1h", 350, 115),
        ("co", "1h", 12, 104),
        ("o3_8h", "24h", 180, 119),
    ],
)
def test_worked_examples_2026(pollutant, period, value, expected):
    assert v(pollutant, value, period, E26) == expected


def test_result_fields():
    r = iaqi("pm25", 100, "24h", E26)
    assert r.value == 137 and int(r) == 137
    assert r.capped is False and r.flags == frozenset()
    assert r.standard == E26 and r.table == "pm25_24h" and r.concentration == Decimal(100)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.value = 1  # frozen


# --------------------------------------------------------------------------
# every breakpoint: at it, just below, just above
# --------------------------------------------------------------------------
@pytest.mark.parametrize("pollutant,period", COMBOS)
def test_breakpoints_2012(pollutant, period):
    col = column(E12, pollutant, period)
    for i, bp in enumerate(col):
        level = IAQI_LEVELS[i]
        assert v(pollutant, bp, period, E12) == level
        if i > 0:  # just below: ceiling still gives the level
            assert v(pollutant, bp - 0.01, period, E12) == level
        if i < len(col) - 1:  # just above: ceiling moves to level + 1
            assert v(pollutant, bp + 0.01, period, E12) == level + 1
            assert v(pollutant, Decimal(bp) + Decimal("1e-9"), period, E12) == level + 1


@pytest.mark.parametrize("pollutant,period", COMBOS)
def test_breakpoints_2026_with_rounding(pollutant, period):
    col = column(E26, pollutant, period)
    step = Decimal("0.1") if pollutant == "co" else Decimal(1)
    for i, bp in enumerate(col):
        level = IAQI_LEVELS[i]
        bp = Decimal(bp)
        assert v(pollutant, bp, period, E26) == level
        # rounded back onto the breakpoint: same IAQI
        assert v(pollutant, bp + step * Decimal("0.4"), period, E26) == level
        if i < len(col) - 1:
            # rounds to bp + step -> strictly above the breakpoint
            assert v(pollutant, bp + step * Decimal("0.6"), period, E26) > level
            assert v(pollutant, bp + step, period, E26) > level


def test_rounding_2026_half_even_pm():
    # GB/T 8170: 35.5 -> 36 (odd 35 goes up), 60.5 -> 60 (even stays)
    r = iaqi("pm25", 35.5, "24h", E26)
    assert r.concentration == Decimal(36) and "rounded" in r.flags
    assert r.value == 52  # 50 + 50*(36-35)/25
    assert v("pm25", 60.5, "24h", E26) == 100
    assert v("pm25", 60.51, "24h", E26) == 101  # -> 61: 100 + 50/55 -> 101
    # 2012 does not round: 35.5 -> 50 + 0.5*1.25 = 50.625 -> 51
    assert v("pm25", 35.5, "24h", E12) == 51
    # CO to 0.1 mg/m3: 2.05 -> 2.0 (even), 2.15 -> 2.2
    assert iaqi("co", 2.05, "24h", E26).concentration == Decimal("2.0")
    assert iaqi("co", 2.15, "24h", E26).concentration == Decimal("2.2")


# --------------------------------------------------------------------------
# exact arithmetic (the CO example)
# --------------------------------------------------------------------------
def test_co_0_8_exact():
    # 1-hour CO column 0-5 mg/m3 -> IAQI 0-50: 0.8 mg/m3 is exactly IAQI 8, not 9.
    assert v("co", 0.8, "1h", E12) == 8
    assert v("co", 0.8, "1h", E26) == 8
    assert v("co", "0.8", "1h") == 8
    assert v("co", Decimal("0.8"), "1h") == 8
    # NB: with the 24-hour column (0-2 mg/m3 -> 0-50) 0.8 mg/m3 is exactly 20
    # (50*0.8/2); "8" is the 1-hour column's value.
    assert v("co", 0.8, "24h", E12) == 20
    assert v("co", 0.8, "24h", E26) == 20


def _naive_float(col, c):
    """The usual float implementation of formula (1), for comparison."""
    for i in range(1, len(col)):
        if c <= col[i]:
            return (IAQI_LEVELS[i] - IAQI_LEVELS[i - 1]) / (col[i] - col[i - 1]) * (c - col[i - 1]) + IAQI_LEVELS[i - 1]


@pytest.mark.parametrize(
    "pollutant,period,value,expected,naive",
    [
        # 25/1 * 0.28 = 7.000000000000001 in binary floating point -> ceil 8
        ("co", "24h", 0.28, 7, 8),
        ("co", "24h", 0.56, 14, 15),
        ("co", "24h", 2.2, 55, 56),
        ("co", "24h", 36.84, 307, 308),
        ("co", "1h", 65.4, 218, 219),
    ],
)
def test_no_floating_point_surprises(pollutant, period, value, expected, naive):
    col = column(E12, pollutant, period)
    assert math.ceil(_naive_float(col, value)) == naive  # documents the trap
    # 2026 first rounds CO to 0.1 mg/m3, so only one-decimal values are comparable
    editions = EDITIONS if round(value, 1) == value else (E12,)
    for standard in editions:
        assert v(pollutant, value, period, standard) == expected
        assert iaqi_array(pollutant, np.array([value]), period, standard)[0] == expected


# --------------------------------------------------------------------------
# edges: 0, top, above top, missing
# --------------------------------------------------------------------------
@pytest.mark.parametrize("standard", EDITIONS)
@pytest.mark.parametrize("pollutant,period", COMBOS)
def test_zero_top_and_above(standard, pollutant, period):
    col = column(standard, pollutant, period)
    top_level = IAQI_LEVELS[len(col) - 1]
    assert v(pollutant, 0, period, standard) == 0
    assert v(pollutant, 0.0, period, standard) == 0
    r = iaqi(pollutant, col[-1], period, standard)
    assert (r.value, r.capped) == (top_level, False)
    table = A._table_key(pollutant, period)[0]
    r = iaqi(pollutant, col[-1] * 3, period, standard)
    if table in ("so2_1h", "o3_8h") and standard == E12:
        assert r.value is None and not r.capped  # needs the other average
    else:
        assert r.capped and "capped" in r.flags
        assert r.value == top_level  # 500, or 200 / 300 for SO2 1h / O3 8h


@pytest.mark.parametrize(
    "value,reason",
    [
        (None, "none"),
        (float("nan"), "nan"),
        (np.nan, "nan"),
        (-1, "negative"),
        (-0.01, "negative"),
        (float("inf"), "not_finite"),
        (float("-inf"), "not_finite"),
        ("abc", "invalid"),
        ("NaN", "nan"),
        (True, "invalid"),
        (object(), "invalid"),
    ],
)
def test_missing_values_flagged_not_raised(value, reason):
    for standard in EDITIONS:
        r = iaqi("pm25", value, "24h", standard)
        assert r.value is None and not r.capped
        assert {"missing", reason} <= r.flags


def test_input_types():
    assert v("no2", np.float32(60), "24h") == 75
    assert v("no2", np.int64(60), "24h") == 75
    assert v("no2", " 60 ", "24h") == 75
    assert v("co", -0.0, "1h") == 0


def test_bad_names_raise():
    with pytest.raises(ValueError):
        iaqi("pm1", 10, "24h")
    with pytest.raises(ValueError):
        iaqi("pm25", 10, "8h")
    with pytest.raises(ValueError):
        iaqi("pm25", 10, "24h", "HJ 633-1999")
    with pytest.raises(ValueError):
        aqi({"pm1": 3}, "24h")


# --------------------------------------------------------------------------
# special rules at 800 ug/m3
# --------------------------------------------------------------------------
def test_so2_1h_above_800_2012_reports_24h():
    r = iaqi("so2", 900, "1h", E12)
    assert r.value is None and {"so2_1h_above_800", "so2_24h_missing"} <= r.flags
    r = iaqi("so2", 900, "1h", E12, so2_24h=700)
    # SO2 24h 700: 150 + 50*(700-475)/(800-475) = 184.6 -> 185
    assert r.value == 185 and {"so2_1h_above_800", "reported_from_so2_24h"} <= r.flags
    assert r.table == "so2_24h"
    # at exactly 800 the 1-hour column still applies
    assert v("so2", 800, "1h", E12) == 200
    res = aqi({"so2": 900, "no2": 50, "pm10": 50, "pm25": 30, "co": 1, "o3": 100}, "1h", E12, so2_24h=700)
    assert res.aqi == 185 and res.primary == ("so2",)
    res = aqi({"so2": 900, "no2": 50, "pm10": 50, "pm25": 30, "co": 1, "o3": 100}, "1h", E12)
    assert res.iaqi["so2"] is None and "so2" in res.missing and "incomplete" in res.flags


def test_o3_8h_above_800_2012_reports_1h():
    base = {"so2": 10, "no2": 20, "pm10": 40, "pm25": 20, "co": 0.5}
    r = aqi(dict(base, o3_8h=850, o3=900), "24h", E12)
    # O3 1h 900: 300 + 100*(900-800)/200 = 350
    assert r.iaqi["o3_8h"] == 350 and "reported_from_o3_1h" in r.details["o3_8h"].flags
    assert r.aqi == 350 and r.primary == ("o3",) and r.level == 6
    r = aqi(dict(base, o3_8h=850), "24h", E12)
    assert r.iaqi["o3_8h"] is None and "o3_1h_missing" in r.details["o3_8h"].flags
    assert "o3" in r.missing and r.aqi == 40  # 2012: published from the rest


def test_special_rules_2026_fixed():
    r = iaqi("so2", 801, "1h", E26)
    assert (r.value, r.capped) == (200, True) and "so2_1h_above_800" in r.flags
    assert v("so2", 5000, "1h", E26) == 200
    r = iaqi("o3_8h", 1200, "24h", E26)
    assert (r.value, r.capped) == (300, True) and "o3_8h_above_800" in r.flags
    # 800.4 rounds to 800 first -> regular column, not above 800
    assert iaqi("so2", 800.4, "1h", E26).flags == frozenset({"rounded"})


# --------------------------------------------------------------------------
# AQI, primary pollutant, categories
# --------------------------------------------------------------------------
DAY = {"so2": 20, "no2": 50, "pm10": 120, "pm25": 80, "co": 1.2, "o3_8h": 150}


def test_aqi_daily_2012():
    r = aqi(DAY, "24h", E12)
    assert r.iaqi == {"so2": 20, "no2": 63, "pm10": 85, "pm25": 107, "co": 30, "o3_8h": 92}
    assert r.aqi == 107 and r.primary == ("pm25",)
    assert (r.level, r.category, r.category_en, r.colour) == (3, "轻度污染", "Lightly polluted", "#ff7e00")
    assert r.standard == E12 and r.missing == () and r.flags == frozenset()


def test_aqi_daily_2026():
    r = aqi(DAY, "24h", E26)
    assert r.iaqi["pm10"] == 100 and r.iaqi["pm25"] == 119
    assert r.aqi == 119 and r.primary == ("pm25",) and r.level == 3


def test_primary_ties():
    r = aqi({"so2": 10, "no2": 15, "pm10": 120, "pm25": 60, "co": 0.5, "o3_8h": 60}, "24h", E26)
    assert r.aqi == 100 and r.primary == ("pm10", "pm25")
    r = aqi({"so2": 10, "no2": 80, "pm10": 150, "pm25": 75, "co": 4, "o3_8h": 160}, "24h", E12)
    assert r.aqi == 100 and r.primary == ("no2", "pm10", "pm25", "co", "o3_8h")


def test_no_primary_when_aqi_le_50():
    r = aqi({"so2": 5, "no2": 40, "pm10": 50, "pm25": 35, "co": 2, "o3_8h": 100}, "24h", E12)
    assert r.aqi == 50 and r.primary == ()
    assert (r.level, r.category, r.category_en, r.colour) == (1, "优", "Excellent", "#00e400")
    r = aqi({"so2": 5, "no2": 40, "pm10": 51, "pm25": 35, "co": 2, "o3_8h": 100}, "24h", E12)
    assert r.aqi == 51 and r.primary == ("pm10",) and r.category == "良"


@pytest.mark.parametrize(
    "value,level,cn,colour",
    [
        (0, 1, "优", "#00e400"),
        (50, 1, "优", "#00e400"),
        (51, 2, "良", "#ffff00"),
        (100, 2, "良", "#ffff00"),
        (101, 3, "轻度污染", "#ff7e00"),
        (150, 3, "轻度污染", "#ff7e00"),
        (151, 4, "中度污染", "#ff0000"),
        (200, 4, "中度污染", "#ff0000"),
        (201, 5, "重度污染", "#99004c"),
        (300, 5, "重度污染", "#99004c"),
        (301, 6, "严重污染", "#7e0023"),
        (500, 6, "严重污染", "#7e0023"),
    ],
)
def test_categories(value, level, cn, colour):
    assert A.category_for(value)[0:2] + (A.category_for(value)[3],) == (level, cn, colour)


def test_hourly_aqi_uses_daily_pm_columns():
    r = aqi({"so2": 10, "no2": 20, "pm10": 150, "pm25": 75, "co": 0.5, "o3": 100}, "1h", E12)
    assert r.iaqi["pm10"] == 100 and r.iaqi["pm25"] == 100
    assert "hourly_pm_uses_24h_breakpoints" in r.details["pm25"].flags
    assert r.primary == ("pm10", "pm25")


def test_capped_aqi():
    r = aqi({"so2": 10, "no2": 20, "pm10": 50, "pm25": 900, "co": 0.5, "o3_8h": 50}, "24h")
    assert r.aqi == 500 and r.capped and "capped" in r.flags and r.primary == ("pm25",)


def test_missing_pollutants_2012_published():
    r = aqi({"pm25": 40, "no2": None, "co": float("nan")}, "24h", E12)
    # PM2.5 40 (2012): 50 + 50*(40-35)/(75-35) = 56.25 -> 57
    assert r.aqi == 57 and r.missing == ("so2", "no2", "pm10", "co", "o3")
    assert "incomplete" in r.flags and r.primary == ("pm25",)


def test_missing_pollutants_2026_rule_5_3_1():
    # AQI <= 100 with a pollutant missing: not published
    r = aqi({"pm25": 40}, "24h", E26)
    # PM2.5 40 (2026): 50 + 50*(40-35)/(60-35) = 60
    assert r.aqi is None and r.computed_aqi == 60 and r.primary == ()
    assert {"incomplete", "aqi_withheld_incomplete"} <= r.flags
    assert r.level is None and r.category is None and r.colour is None
    assert r.iaqi == {"pm25": 60}
    # AQI > 100: still published with its primary pollutant
    r = aqi({"pm25": 80, "pm10": -5}, "24h", E26)
    assert r.aqi == 119 and r.primary == ("pm25",) and "incomplete" in r.flags
    assert "aqi_withheld_incomplete" not in r.flags
    # complete: published even when low
    full = {"so2": 5, "no2": 10, "pm10": 20, "pm25": 10, "co": 0.3, "o3_8h": 40}
    assert aqi(full, "24h", E26).aqi == 20


def test_no_valid_pollutants():
    r = aqi({"pm25": None}, "24h")
    assert r.aqi is None and r.computed_aqi is None and "no_valid_pollutants" in r.flags


# --------------------------------------------------------------------------
# editions and the cut-over
# --------------------------------------------------------------------------
def test_standard_for_cutover():
    assert standard_for(dt.date(2026, 2, 28)) is HJ633_2012
    assert standard_for(dt.date(2026, 3, 1)) is HJ633_2026
    assert standard_for(dt.date(2015, 6, 1)) is HJ633_2012
    assert standard_for(dt.datetime(2026, 2, 28, 23, 59, 59)) is HJ633_2012
    assert standard_for(dt.datetime(2026, 3, 1, 0, 0)) is HJ633_2026
    # aware datetimes are judged in China Standard Time (UTC+8)
    assert standard_for(dt.datetime(2026, 2, 28, 16, 0, tzinfo=dt.UTC)) is HJ633_2026
    assert standard_for(dt.datetime(2026, 2, 28, 15, 59, tzinfo=dt.UTC)) is HJ633_2012
    assert standard_for("2026-03-01") is HJ633_2026
    assert standard_for("2026-02-28T23:00:00") is HJ633_2012


def test_standard_selection():
    assert iaqi("pm25", 75, "24h").standard == E26  # default: newest
    assert iaqi("pm25", 75, "24h", at=dt.date(2026, 2, 28)).value == 100
    assert iaqi("pm25", 75, "24h", at=dt.date(2026, 3, 1)).value == 114
    assert iaqi("pm25", 75, "24h", HJ633_2012).value == 100  # object
    for code in ("HJ 633-2012", "HJ633-2012", "HJ 633—2012", "hj 633-2012", "2012"):
        assert iaqi("pm25", 75, "24h", code).standard == E12
    # explicit standard wins over at=
    assert iaqi("pm25", 75, "24h", E12, at=dt.date(2030, 1, 1)).standard == E12
    assert aqi({"pm25": 75}, "24h", at=dt.datetime(2026, 2, 1, 12)).standard == E12
    assert iaqi_array("pm25", [75], "24h", at=dt.date(2026, 3, 2))[0] == 114


# --------------------------------------------------------------------------
# scalar == vectorized
# --------------------------------------------------------------------------
def _sample(col, pollutant, rng, n_random):
    top = col[-1]
    pts = []
    for bp in col:
        b = float(bp)
        pts += [b, np.nextafter(b, np.inf), np.nextafter(b, -np.inf)]
        for d in (1e-9, 1e-6, 0.001, 0.01, 0.04, 0.05, 0.06, 0.1, 0.45, 0.5, 0.55, 0.9, 1, 1.5):
            pts += [b + d, b - d]
    # exact IAQI thresholds and midpoints between them (ceil edges)
    for i in range(1, len(col)):
        lo, hi = col[i - 1], col[i]
        di = IAQI_LEVELS[i] - IAQI_LEVELS[i - 1]
        for k in range(di + 1):
            t = lo + (hi - lo) * k / di
            pts += [t, np.nextafter(t, np.inf), np.nextafter(t, -np.inf)]
    # half-grid points (2026 rounding ties)
    grid = np.arange(0, top * 1.05, 0.1 if pollutant == "co" else 1.0)
    h = 0.05 if pollutant == "co" else 0.5
    pts += list(grid + h) + list(np.nextafter(grid + h, np.inf)) + list(np.nextafter(grid + h, -np.inf))
    u = rng.uniform(0, top * 1.2, n_random)
    pts += list(u)  # raw doubles
    for dec in (0, 1, 2, 3):
        pts += list(np.round(rng.uniform(0, top * 1.2, n_random // 4), dec))
    pts += [0.0, -0.0, 5e-324, top * 10, 1e300, np.inf, -np.inf, np.nan, -1.0, -5e-324]
    return np.array(pts, dtype=np.float64)


@pytest.mark.parametrize("standard", EDITIONS)
@pytest.mark.parametrize("pollutant,period", COMBOS)
def test_scalar_equals_vectorized(standard, pollutant, period):
    rng = np.random.default_rng(zlib.crc32(f"{standard}|{pollutant}|{period}".encode()))
    col = column(standard, pollutant, period)
    x = _sample(col, pollutant, rng, 3000)
    other = rng.uniform(0, 3000, x.shape).round(1)
    other[::7] = np.nan
    kw_name = None
    if pollutant == "so2" and period == "1h":
        kw_name = "so2_24h"
    if pollutant == "o3_8h":
        kw_name = "o3_1h"
    kw_arr = {kw_name: other} if kw_name else {}

    def kw_one(i):
        return {kw_name: float(other[i])} if kw_name else {}

    vec, cap = iaqi_array(pollutant, x, period, standard, return_capped=True, **kw_arr)
    assert vec.dtype == np.int16 and vec.shape == x.shape
    bad = []
    for i, val in enumerate(x.tolist()):
        r = iaqi(pollutant, val, period, standard, **kw_one(i))
        want = MISSING if r.value is None else r.value
        if vec[i] != want or bool(cap[i]) != r.capped:
            bad.append((val, r.value, r.capped, int(vec[i]), bool(cap[i])))
    assert not bad, bad[:10]
    # without the other average the 2012 special cases are MISSING
    if kw_arr:
        plain = iaqi_array(pollutant, x, period, standard)
        for i in range(0, len(x), 13):
            r = iaqi(pollutant, float(x[i]), period, standard)
            assert plain[i] == (MISSING if r.value is None else r.value)


def test_vectorized_shapes_and_dtypes():
    x = np.array([[0, 35], [75, np.nan]], dtype=np.float32)
    out = iaqi_array("pm25", x, "24h", E12)
    assert out.shape == (2, 2) and out.tolist() == [[0, 50], [100, -1]]
    assert iaqi_array("pm25", [75, 115], "1h", E26).tolist() == [114, 150]


@pytest.mark.parametrize("standard", EDITIONS)
@pytest.mark.parametrize("period", A.PERIODS)
def test_aqi_array_equals_aqi(standard, period):
    rng = np.random.default_rng(7)
    n = 3000
    keys = ["so2", "no2", "pm10", "pm25", "co"] + (["o3"] if period == "1h" else ["o3_8h", "o3"])
    tops = {"so2": 1000, "no2": 400, "pm10": 700, "pm25": 400, "co": 8, "o3": 1100, "o3_8h": 900}
    data = {}
    for k in keys:
        col = rng.uniform(0, tops[k], n).round(1 if k != "co" else 2)
        col[rng.random(n) < 0.08] = np.nan  # missing values
        col[rng.random(n) < 0.03] = -3.0
        data[k] = col
    data["pm25"][:200] = rng.uniform(0, 30, 200).round(1)  # low AQIs too
    for k in keys:
        data[k][:200] = np.where(np.isnan(data[k][:200]), np.nan, rng.uniform(0, 20, 200))
    so2_24h = rng.uniform(0, 900, n).round(0)
    vec = aqi_array(data, period, standard, so2_24h=so2_24h)
    for i in range(n):
        row = {k: float(data[k][i]) for k in keys}
        r = aqi(row, period, standard, so2_24h=float(so2_24h[i]))
        assert vec[i] == (MISSING if r.aqi is None else r.aqi), (row, r)


# --------------------------------------------------------------------------
# independent reference (Decimal with ROUND_CEILING) on random values
# --------------------------------------------------------------------------
def _ref(col, value):
    with localcontext() as ctx:
        ctx.prec = 60
        c = Decimal(value)
        if c > col[-1]:
            return IAQI_LEVELS[len(col) - 1]
        for i in range(1, len(col)):
            if c <= col[i]:
                raw = IAQI_LEVELS[i - 1] + (IAQI_LEVELS[i] - IAQI_LEVELS[i - 1]) * (c - col[i - 1]) / (
                    col[i] - col[i - 1]
                )
                return int(raw.to_integral_value(rounding=ROUND_CEILING))


def test_against_independent_reference():
    rng = np.random.default_rng(3)
    for pollutant, period in COMBOS:
        col = column(E12, pollutant, period)
        for val in np.round(rng.uniform(0, col[-1], 400), 3).tolist():
            assert v(pollutant, val, period, E12) == _ref(col, repr(val)), (pollutant, period, val)


# --------------------------------------------------------------------------
# no Django
# --------------------------------------------------------------------------
def test_modules_do_not_import_django():
    here = pathlib.Path(A.__file__).resolve().parent
    for name in ("aqi.py", "standards.py"):
        src = (here / name).read_text(encoding="utf-8")
        assert "import django" not in src and "from django" not in src
    # load the two files on their own (package __init__ files bypassed)
    code = textwrap.dedent(
        """
        import importlib.util, sys, types
        for pkg in ("xietong", "xietong.airquality"):
            m = types.ModuleType(pkg); m.__path__ = []; sys.modules[pkg] = m
        for name in ("standards", "aqi"):
            spec = importlib.util.spec_from_file_location("xietong.airquality." + name,
                                                          r"%s/" + name + ".py")
            mod = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = mod
            spec.loader.exec_module(mod)
        assert mod.iaqi("co", 0.8, "1h").value == 8
        assert not any(k == "django" or k.startswith("django.") for k in sys.modules), "django imported"
        print("ok")
        """
        % here
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
