"""China Ambient Air Quality Index (AQI) per HJ 633-2012 and HJ 633-2026.

Pure Python + NumPy (no Django, no database).

Public interface::

    iaqi(pollutant, value, period, standard=None, *, at=None,
         so2_24h=None, o3_1h=None) -> IAQIResult
    aqi(concentrations, period, standard=None, *, at=None,
        so2_24h=None) -> AQIResult
    iaqi_array(pollutant, values, period, standard=None, *, at=None,
               so2_24h=None, o3_1h=None) -> np.ndarray[int16] (-1 = no IAQI)
    aqi_array(concentrations, period, standard=None, *, at=None,
              so2_24h=None) -> np.ndarray[int16] (-1 = no AQI)
    standard_for(date_or_datetime) -> Standard
    get_standard(code_or_standard) -> Standard

Pollutant keys: ``so2 no2 pm10 pm25 co o3 o3_8h``. Units µg/m³, CO in mg/m³.
Periods: ``"1h"`` (real-time report, 实时报) and ``"24h"`` (daily report, 日报).

Which breakpoint column a (pollutant, period) uses (HJ 633-2012 Table 1 notes
and 5.x; HJ 633-2026 Table 3 notes and 4.2):

=========  ==========================  ================================
pollutant  period "1h"                 period "24h"
=========  ==========================  ================================
so2        so2_1h                      so2_24h
no2        no2_1h                      no2_24h
co         co_1h                       co_24h
pm10       pm10_24h (no 1-hour column; the standard applies the 24-hour
pm25       pm25_24h  column to the hourly value in real-time reports)
o3         o3_1h                       o3_1h (daily maximum 1-hour value)
o3_8h      o3_8h (8-hour moving average; daily quantity)
=========  ==========================  ================================

IAQI = linear interpolation between the two neighbouring breakpoints (formula
(1) of both editions), rounded UP to an integer (both editions: IAQI and AQI
results are carried up to whole numbers, no decimals kept; HJ 633-2026 clause
4.2.6). HJ 633-2026 first rounds the concentration (GB/T 8170, ties to even;
precision per pollutant in ``standards._ROUNDING_2026``).

The scalar path is exact: a concentration is converted to a Fraction through
its decimal string (``repr`` of a float), so 0.28 mg/m³ CO is exactly 7/25 and
the 24-hour CO IAQI is 7, where the float formula 25 * 0.28 = 7.000000000000001
would round up to 8. The NumPy path uses thresholds precomputed with that exact
code, so it returns identical integers (see ``_Kernel``).
"""

from __future__ import annotations

import datetime as _dt
import math
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np

from xietong.airquality.standards import (
    CATEGORIES,
    CUTOVER_2026,
    FIXED_IAQI,
    HJ633_2012,
    HJ633_2026,
    IAQI_LEVELS,
    NA,
    NOT_MONITORED,
    REPORT_OTHER_AVERAGE,
    STANDARDS,
    Standard,
)

__all__ = [
    "POLLUTANTS",
    "PERIODS",
    "MISSING",
    "LATEST",
    "Standard",
    "HJ633_2012",
    "HJ633_2026",
    "IAQIResult",
    "AQIResult",
    "iaqi",
    "aqi",
    "iaqi_array",
    "aqi_array",
    "standard_for",
    "get_standard",
    "category_for",
    "indicators",
    "shown",
]

POLLUTANTS: tuple[str, ...] = ("so2", "no2", "pm10", "pm25", "co", "o3", "o3_8h")
PERIODS: tuple[str, ...] = ("1h", "24h")
# The six pollutants of the standard; o3 and o3_8h are both "O3".
_SIX: tuple[str, ...] = ("so2", "no2", "pm10", "pm25", "co", "o3")
_SPECIES = {"so2": "so2", "no2": "no2", "pm10": "pm10", "pm25": "pm25", "co": "co", "o3": "o3", "o3_8h": "o3"}

#: value used by the array functions for "no IAQI / no AQI"
MISSING = -1
LATEST: Standard = HJ633_2026

# China Standard Time, used to take the calendar date of aware datetimes.
_CST = _dt.timezone(_dt.timedelta(hours=8), "CST")

# ---------------------------------------------------------------------------
# flags
# ---------------------------------------------------------------------------
F_MISSING = "missing"  # no usable value (see reason flag)
F_NONE = "none"  # value was None
F_NAN = "nan"  # NaN
F_NOT_FINITE = "not_finite"  # +/- infinity
F_NEGATIVE = "negative"  # below zero
F_INVALID = "invalid"  # not a number at all
F_CAPPED = "capped"  # above the top of the column
F_ROUNDED = "rounded"  # 2026 rounding changed the value
F_PM_HOURLY = "hourly_pm_uses_24h_breakpoints"
F_O3_DAILY_MAX_1H = "o3_daily_max_1h"  # o3 with period 24h -> 1-hour column
F_SO2_ABOVE_800 = "so2_1h_above_800"
F_FROM_SO2_24H = "reported_from_so2_24h"
F_NEED_SO2_24H = "so2_24h_missing"
F_O3_ABOVE_800 = "o3_8h_above_800"
F_FROM_O3_1H = "reported_from_o3_1h"
F_NEED_O3_1H = "o3_1h_missing"
# AQI-level flags
F_INCOMPLETE = "incomplete"  # some of the six pollutants missing
F_WITHHELD = "aqi_withheld_incomplete"  # HJ 633-2026 5.3.1
F_NO_DATA = "no_valid_pollutants"
F_NOT_INDICATOR = "not_an_indicator"  # a key the edition's report does not use (left out)


# ---------------------------------------------------------------------------
# result types
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class IAQIResult:
    """Individual air quality index of one pollutant.

    ``value`` is the integer IAQI or None when it cannot be computed (missing
    input, or a 2012 special rule whose other average is absent; see
    ``flags``). ``capped`` is True when the concentration was above the top of
    its breakpoint column. ``concentration`` is the exact concentration used
    (after HJ 633-2026 rounding), ``table`` the breakpoint column used.
    """

    pollutant: str
    period: str
    value: int | None
    capped: bool
    flags: frozenset[str]
    standard: str
    concentration: Decimal | None = None
    table: str | None = None

    def __int__(self) -> int:  # convenience: int(result)
        if self.value is None:
            raise ValueError("IAQI is missing: %s" % sorted(self.flags))
        return self.value


@dataclass(frozen=True)
class AQIResult:
    """AQI of one set of concentrations.

    ``aqi`` is None when nothing could be computed, or (HJ 633-2026 5.3.1) when
    a pollutant is missing and the AQI would be <= 100; ``computed_aqi`` keeps
    the maximum IAQI in that case. ``iaqi`` maps every given pollutant key to its
    integer IAQI (or None); ``details`` to the full ``IAQIResult``.
    """

    aqi: int | None
    iaqi: Mapping[str, int | None]
    primary: tuple[str, ...]
    level: int | None
    category: str | None
    category_en: str | None
    colour: str | None
    standard: str
    period: str
    flags: frozenset[str]
    missing: tuple[str, ...]
    capped: bool
    computed_aqi: int | None = None
    details: Mapping[str, IAQIResult] = field(default_factory=dict, repr=False)
    # keys given but not indicators of this edition's report (HJ 633-2026 4.2.2, 4.2.3)
    excluded: tuple[str, ...] = ()
    # of the six pollutants, those outside the station's monitoring programme ("/")
    not_monitored: tuple[str, ...] = ()
    # 超标污染物 (IAQI > 100) under HJ 633-2012 §3 (术语和定义); None under HJ 633-2026, which drops it
    exceeding: tuple[str, ...] | None = None


# ---------------------------------------------------------------------------
# standards
# ---------------------------------------------------------------------------
def _norm_code(code: str) -> str:
    s = code.strip().upper()
    for dash in ("\u2014", "\u2013", "\u2012", "\uff0d", "_", "/"):
        s = s.replace(dash, "-")
    return s.replace(" ", "")


_BY_CODE = {}
for _std in STANDARDS.values():
    _BY_CODE[_norm_code(_std.code)] = _std
    _BY_CODE[_std.code[-4:]] = _std  # "2012" / "2026"


def get_standard(standard: str | Standard) -> Standard:
    """Return the Standard for an identifier ("HJ 633-2012", "HJ633—2026",
    "2026", ...) or the object itself."""
    if isinstance(standard, Standard):
        return standard
    if isinstance(standard, str):
        std = _BY_CODE.get(_norm_code(standard))
        if std is not None:
            return std
    raise ValueError("unknown standard %r; known: %s" % (standard, ", ".join(STANDARDS)))


def standard_for(when: _dt.date | _dt.datetime | str) -> Standard:
    """Edition applicable to data of the given date/datetime.

    HJ 633-2026 applies from 2026-03-01 (its implementation date); earlier data
    use HJ 633-2012. An aware datetime is converted to China Standard Time
    (UTC+8) before its date is taken; a naive one is used as is. ISO strings
    are accepted.
    """
    if isinstance(when, str):
        s = when.strip()
        when = _dt.datetime.fromisoformat(s) if ("T" in s or " " in s or len(s) > 10) else _dt.date.fromisoformat(s)
    if isinstance(when, _dt.datetime):
        if when.tzinfo is not None and when.utcoffset() is not None:
            when = when.astimezone(_CST)
        day = when.date()
    elif isinstance(when, _dt.date):
        day = when
    else:
        raise TypeError("standard_for() needs a date, datetime or ISO string, got %r" % (when,))
    return HJ633_2026 if day >= CUTOVER_2026 else HJ633_2012


def _resolve(standard: None | str | Standard, at: Any) -> Standard:
    if standard is not None:
        return get_standard(standard)
    if at is not None:
        return standard_for(at)
    return LATEST


def category_for(aqi_value: int | None) -> tuple[int, str, str, str] | None:
    """(level, 类别, English category, hex colour) for an AQI value."""
    if aqi_value is None:
        return None
    for upper, level, cn, en, _colour_name, colour in CATEGORIES:
        if aqi_value <= upper:
            return level, cn, en, colour
    level, cn, en, _n, colour = CATEGORIES[-1][1:]
    return level, cn, en, colour


def indicators(period: str, standard: None | str | Standard = None, *, at: Any = None) -> tuple[str, ...]:
    """The pollutant keys that enter the AQI of a report of this period in this edition."""
    if period not in PERIODS:
        raise ValueError("unknown period %r; expected '1h' or '24h'" % (period,))
    return _resolve(standard, at).indicators[period]


def shown(result: AQIResult, key: str) -> int | str:
    """A sub-index as published: the integer, "/" outside the monitoring programme, else "NA"."""
    value = result.iaqi.get(key)
    if value is not None:
        return value
    if _SPECIES.get(key) in result.not_monitored:
        return NOT_MONITORED
    return NA


# ---------------------------------------------------------------------------
# exact scalar core
# ---------------------------------------------------------------------------
def _table_key(pollutant: str, period: str) -> tuple[str, tuple[str, ...]]:
    if pollutant not in POLLUTANTS:
        raise ValueError("unknown pollutant %r; expected one of %s" % (pollutant, POLLUTANTS))
    if period not in PERIODS:
        raise ValueError("unknown period %r; expected '1h' or '24h'" % (period,))
    if pollutant in ("so2", "no2", "co"):
        return "%s_%s" % (pollutant, period), ()
    if pollutant in ("pm10", "pm25"):
        return pollutant + "_24h", ((F_PM_HOURLY,) if period == "1h" else ())
    if pollutant == "o3":
        return "o3_1h", ((F_O3_DAILY_MAX_1H,) if period == "24h" else ())
    return "o3_8h", ()


def _to_fraction(value: Any) -> tuple[Fraction | None, str | None]:
    """Exact value of a concentration, or (None, reason flag)."""
    if value is None:
        return None, F_NONE
    if isinstance(value, (bool, np.bool_)):
        return None, F_INVALID
    try:
        if isinstance(value, (int, np.integer)):
            frac = Fraction(int(value))
        elif isinstance(value, (float, np.floating)):
            f = float(value)
            if math.isnan(f):
                return None, F_NAN
            if math.isinf(f):
                return None, F_NOT_FINITE
            # repr() is the shortest decimal string that round-trips: 0.8 -> "0.8"
            frac = Fraction(Decimal(repr(f)))
        elif isinstance(value, Fraction):
            frac = value
        elif isinstance(value, (Decimal, str)):
            dec = Decimal(value.strip()) if isinstance(value, str) else value
            if dec.is_nan():
                return None, F_NAN
            if not dec.is_finite():
                return None, F_NOT_FINITE
            frac = Fraction(dec)
        else:
            return None, F_INVALID
    except (InvalidOperation, ValueError, TypeError, OverflowError):
        return None, F_INVALID
    if frac < 0:
        return None, F_NEGATIVE
    return frac, None


def _round_half_even(x: Fraction, places: int) -> Fraction:
    """GB/T 8170 rounding (nearest, ties to even) to ``places`` decimals."""
    scale = 10**places
    scaled = x * scale
    n = scaled.numerator // scaled.denominator
    rest = scaled - n
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and n % 2 == 1):
        n += 1
    return Fraction(n, scale)


def _interp(column: tuple[int, ...], c: Fraction) -> tuple[int, bool]:
    """ceil(IAQI) for exact concentration c within a column; (top, True) above."""
    if c > column[-1]:
        return IAQI_LEVELS[len(column) - 1], True
    for i in range(1, len(column)):
        hi = column[i]
        if c <= hi:
            lo = column[i - 1]
            i_lo, i_hi = IAQI_LEVELS[i - 1], IAQI_LEVELS[i]
            return math.ceil(i_lo + Fraction(i_hi - i_lo) * (c - lo) / (hi - lo)), False
    raise AssertionError("unreachable")  # pragma: no cover


def _as_decimal(frac: Fraction) -> Decimal:
    if frac.denominator == 1:
        return Decimal(frac.numerator)
    # denominators are powers of ten for decimal/float input (exact here)
    return Decimal(frac.numerator) / Decimal(frac.denominator)


def _prepare(std: Standard, pollutant: str, value: Any) -> tuple[Fraction | None, set]:
    frac, reason = _to_fraction(value)
    if frac is None:
        return None, {F_MISSING, reason}
    flags = set()
    if std.rounding is not None:
        rounded = _round_half_even(frac, std.rounding[pollutant])
        if rounded != frac:
            flags.add(F_ROUNDED)
        frac = rounded
    return frac, flags


def iaqi(
    pollutant: str,
    value: Any,
    period: str,
    standard: None | str | Standard = None,
    *,
    at: Any = None,
    so2_24h: Any = None,
    o3_1h: Any = None,
) -> IAQIResult:
    """IAQI of one concentration.

    ``standard``: None (edition by ``at=`` date/datetime if given, else the
    newest edition), an identifier such as "HJ 633-2012", or a Standard.
    ``so2_24h`` / ``o3_1h``: the other average needed by HJ 633-2012 notes (2)
    and (3) when SO2 1-hour or O3 8-hour is above 800 µg/m³.

    Never raises for bad values: None, NaN, infinities, negative numbers and
    non-numeric strings give ``value=None`` with the flags "missing" plus a
    reason. Unknown pollutant/period/standard names raise ValueError.
    """
    std = _resolve(standard, at)
    table, extra = _table_key(pollutant, period)
    column = std.tables[table]
    c, flags = _prepare(std, pollutant, value)
    flags.update(extra)
    if c is None:
        return IAQIResult(pollutant, period, None, False, frozenset(flags), std.code, None, table)
    conc = _as_decimal(c)

    # HJ 633 special rules for the two columns that stop at 800 µg/m³.
    if table in ("so2_1h", "o3_8h") and c > column[-1]:
        so2 = table == "so2_1h"
        flags.add(F_SO2_ABOVE_800 if so2 else F_O3_ABOVE_800)
        rule = std.so2_1h_above_800 if so2 else std.o3_8h_above_800
        if rule == FIXED_IAQI:
            # 2026 Table 3 note b / note c: IAQI counted as 200 / 300.
            fixed = std.so2_1h_fixed_iaqi if so2 else std.o3_8h_fixed_iaqi
            flags.add(F_CAPPED)
            return IAQIResult(pollutant, period, fixed, True, frozenset(flags), std.code, conc, table)
        assert rule == REPORT_OTHER_AVERAGE
        # 2012 Table 1 note (2)/(3): not computed from this column; the IAQI is
        # the one of the other average (SO2 24-hour / O3 1-hour).
        other_value = so2_24h if so2 else o3_1h
        other_table = "so2_24h" if so2 else "o3_1h"
        oc, _oflags = _prepare(std, "so2" if so2 else "o3", other_value)
        if oc is None:
            flags.add(F_NEED_SO2_24H if so2 else F_NEED_O3_1H)
            return IAQIResult(pollutant, period, None, False, frozenset(flags), std.code, conc, table)
        flags.add(F_FROM_SO2_24H if so2 else F_FROM_O3_1H)
        value_other, capped = _interp(std.tables[other_table], oc)
        if capped:
            flags.add(F_CAPPED)
        return IAQIResult(
            pollutant, period, value_other, capped, frozenset(flags), std.code, _as_decimal(oc), other_table
        )

    result, capped = _interp(column, c)
    if capped:
        flags.add(F_CAPPED)
    return IAQIResult(pollutant, period, result, capped, frozenset(flags), std.code, conc, table)


def aqi(
    concentrations: Mapping[str, Any],
    period: str,
    standard: None | str | Standard = None,
    *,
    at: Any = None,
    so2_24h: Any = None,
    not_monitored: Any = (),
    primary_recently: Any = (),
) -> AQIResult:
    """AQI = max IAQI of the given concentrations (HJ 633 formula (2)).

    ``concentrations`` maps pollutant keys to values (missing keys and bad
    values count as missing pollutants). For ``period="24h"`` give ``o3_8h``
    (and, for HJ 633-2012 daily reports, optionally ``o3`` = daily maximum
    1-hour O3, which is also what note (3) falls back to). ``so2_24h``: SO2
    24-hour average for HJ 633-2012 note (2) in real-time reports.

    Only the indicators of the edition's report count (``indicators()``): a 2026
    daily report ignores a daily maximum 1-hour ``o3`` (4.2.2, Table 3 note a), a
    2026 real-time report an ``o3_8h`` (4.2.3); such keys are listed in
    ``excluded``.

    Primary pollutants: every key whose IAQI equals the AQI, only when AQI > 50
    (HJ 633-2026 4.3.1; ties are listed together). ``exceeding``: the 超标污染物
    of HJ 633-2012 (IAQI > 100), None under 2026.
    HJ 633-2026 5.3.1: if any of the six pollutants is missing and the AQI would
    be <= 100 the AQI is withheld (``aqi=None``, flag "aqi_withheld_incomplete",
    ``computed_aqi`` keeps the value); above 100 it is published.
    ``not_monitored``: pollutants of the six outside the station's monitoring
    programme (shown "/", not "NA"); under 5.3.2 they do not hold the AQI back,
    except those also in ``primary_recently`` (primary pollutant of a polluted
    day within three years), which count as missing.
    """
    std = _resolve(standard, at)
    if period not in PERIODS:
        raise ValueError("unknown period %r; expected '1h' or '24h'" % (period,))
    unknown = [k for k in concentrations if k not in POLLUTANTS]
    if unknown:
        raise ValueError("unknown pollutant key(s) %s; expected %s" % (unknown, POLLUTANTS))

    used = std.indicators[period]
    excluded = tuple(k for k in POLLUTANTS if k in concentrations and k not in used)
    details: dict[str, IAQIResult] = {}
    for key in used:
        if key not in concentrations:
            continue
        kwargs = {}
        if key == "so2":
            kwargs["so2_24h"] = so2_24h
        elif key == "o3_8h":
            kwargs["o3_1h"] = concentrations.get("o3")
        details[key] = iaqi(key, concentrations[key], period, std, **kwargs)

    values = {k: r.value for k, r in details.items()}
    have = {_SPECIES[k] for k, v in values.items() if v is not None}
    outside = tuple(p for p in _SIX if p in set(not_monitored) and p not in have)
    missing = tuple(p for p in _SIX if p not in have and p not in outside)
    blocking = missing + tuple(p for p in outside if p in set(primary_recently))
    flags = {F_NOT_INDICATOR} if excluded else set()
    capped = any(r.capped for r in details.values())
    if capped:
        flags.add(F_CAPPED)
    if missing:
        flags.add(F_INCOMPLETE)
    valid = {k: v for k, v in values.items() if v is not None}
    exceeding = tuple(k for k in used if (valid.get(k) or 0) > 100) if std.defines_exceeding else None
    if not valid:
        flags.add(F_NO_DATA)
        return AQIResult(
            None,
            values,
            (),
            None,
            None,
            None,
            None,
            std.code,
            period,
            frozenset(flags),
            missing,
            capped,
            None,
            details,
            excluded,
            outside,
            exceeding,
        )

    computed = max(valid.values())
    published: int | None = computed
    if blocking and std.withhold_incomplete_aqi_upto is not None and computed <= std.withhold_incomplete_aqi_upto:
        published = None
        flags.add(F_WITHHELD)

    primary: tuple[str, ...] = ()
    if published is not None and published > 50:
        ties = [k for k in POLLUTANTS if valid.get(k) == published]
        # an o3_8h IAQI that was *taken from* the 1-hour O3 (2012 note (3)) is
        # the same O3 sub-index; do not list O3 twice.
        if "o3" in ties and "o3_8h" in ties and F_FROM_O3_1H in details["o3_8h"].flags:
            ties.remove("o3_8h")
        primary = tuple(ties)

    cat = category_for(published)
    level, cn, en, colour = cat if cat else (None, None, None, None)
    return AQIResult(
        published,
        values,
        primary,
        level,
        cn,
        en,
        colour,
        std.code,
        period,
        frozenset(flags),
        missing,
        capped,
        computed,
        details,
        excluded,
        outside,
        exceeding,
    )


# ---------------------------------------------------------------------------
# vectorized path
# ---------------------------------------------------------------------------
def _bits(x: float) -> int:
    return struct.unpack("<q", struct.pack("<d", x))[0]


def _from_bits(b: int) -> float:
    return struct.unpack("<d", struct.pack("<q", b))[0]


def _first_true(pred, guess: float) -> float:
    """Smallest non-negative double x with pred(x) True, pred monotone
    (False...False True...True) on non-negative doubles. ``guess`` should be
    close; found by bracketing + bisection on the IEEE bit patterns (ordered
    like the values for non-negative doubles)."""
    g = _bits(max(guess, 0.0))
    step = 4
    lo, hi = g - step, g + step
    while True:
        lo = max(lo, 0)
        lo_ok = lo == 0 or not pred(_from_bits(lo))
        hi_ok = pred(_from_bits(hi))
        if lo_ok and hi_ok:
            break
        step *= 16
        if not lo_ok:
            lo = g - step
        if not hi_ok:
            hi = g + step
    if lo == 0 and pred(0.0):
        return 0.0
    while hi - lo > 1:  # invariant: pred(lo) False, pred(hi) True
        mid = (lo + hi) // 2
        if pred(_from_bits(mid)):
            hi = mid
        else:
            lo = mid
    return _from_bits(hi)


class _Kernel:
    """Exact step-function lookup of one breakpoint column of one edition.

    The exact scalar IAQI f(x) of a double x (taken through repr(x) and, in
    2026, GB/T 8170 rounding) is a non-decreasing step function of x with
    integer values 0..top. So f(x) = #{n : cut[n] <= x} where cut[n] is the
    smallest double with f > n. Every cut is found with the exact scalar code
    as the oracle (guess = exact threshold, then bisection on the double bit
    patterns), so the vectorized result equals the scalar one by construction.
    Lookup: a uniform grid with power-of-two cell width w (x / w is exact) no
    wider than the smallest gap between distinct cuts; base[cell] = cuts
    before the cell, then at most K comparisons with the cuts inside the cell.
    """

    def __init__(self, std: Standard, table: str, pollutant: str):
        column = std.tables[table]
        self.top_iaqi = IAQI_LEVELS[len(column) - 1]
        places = std.rounding[pollutant] if std.rounding is not None else None
        fixed = None
        if table == "so2_1h" and std.so2_1h_above_800 == FIXED_IAQI:
            fixed = std.so2_1h_fixed_iaqi
        if table == "o3_8h" and std.o3_8h_above_800 == FIXED_IAQI:
            fixed = std.o3_8h_fixed_iaqi
        if fixed is not None:
            self.top_iaqi = max(self.top_iaqi, fixed)

        def exact(x: float) -> Fraction:
            c = Fraction(Decimal(repr(x)))
            return _round_half_even(c, places) if places is not None else c

        def f(x: float) -> int:
            c = exact(x)
            if c > column[-1]:
                return self.top_iaqi
            return _interp(column, c)[0]

        def boundary(t: Fraction) -> float:
            # exact location where exact(x) > t starts (up to inclusivity)
            if places is None:
                return float(t)
            h = Fraction(1, 10**places)
            g = (t // h + 1) * h  # smallest grid value > t
            return float(g - h / 2)

        cuts = []
        for n in range(self.top_iaqi):
            if n >= IAQI_LEVELS[len(column) - 1]:  # fixed IAQI above the top
                t = Fraction(column[-1])
            else:
                i = max(k for k in range(len(column)) if IAQI_LEVELS[k] <= n)
                lo, hi = column[i], column[i + 1]
                t = lo + Fraction(n - IAQI_LEVELS[i]) * (hi - lo) / (IAQI_LEVELS[i + 1] - IAQI_LEVELS[i])
            cuts.append(_first_true(lambda x, n=n: f(x) > n, boundary(t)))
        self.above_cut = _first_true(lambda x: exact(x) > column[-1], boundary(Fraction(column[-1])))
        cuts_arr = np.array(cuts, dtype=np.float64)
        if np.any(np.diff(cuts_arr) < 0):  # pragma: no cover - would be a bug
            raise AssertionError("non-monotone IAQI cuts for %s %s" % (std.code, table))
        self.cuts = cuts_arr

        distinct = np.unique(cuts_arr)
        gaps = np.diff(distinct)
        gap = float(gaps.min()) if gaps.size else 1.0
        self.w = 2.0 ** math.floor(math.log2(gap))
        self.inv_w = 1.0 / self.w  # power of two: x * inv_w is exact
        cells = np.floor(cuts_arr * self.inv_w).astype(np.int64)
        self.ncell = int(cells.max()) + 2
        counts = np.bincount(cells, minlength=self.ncell)
        self.K = int(counts.max())
        self.base = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int32)
        self.cpad = np.concatenate((cuts_arr, np.full(self.K + 1, np.inf)))
        # clamp point: in the last cell, above every cut (cell ncell-1 starts
        # above the largest cut), so clamped values still count every cut
        self.limit = (self.ncell - 1) * self.w

    def lookup(self, x: np.ndarray) -> np.ndarray:
        """f(x) for valid (finite, >= 0) float64 x."""
        xc = np.minimum(x, self.limit)
        cell = (xc * self.inv_w).astype(np.int32)  # exact: inv_w is a power of two
        b = self.base[cell]
        res = b + (self.cpad[b] <= xc)
        for j in range(1, self.K):
            res += self.cpad[b + j] <= xc
        return res


@cache
def _kernel(code: str, table: str, pollutant: str) -> _Kernel:
    return _Kernel(STANDARDS[code], table, pollutant)


_FMAX = float(np.finfo(np.float64).max)


def iaqi_array(
    pollutant: str,
    values: Any,
    period: str,
    standard: None | str | Standard = None,
    *,
    at: Any = None,
    so2_24h: Any = None,
    o3_1h: Any = None,
    return_capped: bool = False,
):
    """Vectorized IAQI: int16 array, ``MISSING`` (-1) where ``iaqi()`` gives None.

    Values are taken as float64; for every float64 the result equals
    ``iaqi(pollutant, float(v), period, standard).value`` exactly.
    ``so2_24h`` / ``o3_1h``: arrays (same shape) for the HJ 633-2012 notes.
    With ``return_capped=True`` returns ``(iaqi, capped_mask)``.
    """
    std = _resolve(standard, at)
    if STANDARDS.get(std.code) is not std:
        raise ValueError("iaqi_array supports the built-in editions only, got %r" % (std,))
    table, _extra = _table_key(pollutant, period)
    x = np.asarray(values, dtype=np.float64)
    kern = _kernel(std.code, table, pollutant)
    valid = (x >= 0) & (x <= _FMAX)  # NaN, infinities, negatives -> False
    all_valid = bool(valid.all())
    xv = x if all_valid else np.where(valid, x, 0.0)
    out = kern.lookup(xv.ravel()).reshape(x.shape).astype(np.int16)
    if not all_valid:
        out[~valid] = MISSING
    special = table in ("so2_1h", "o3_8h")
    rule = std.so2_1h_above_800 if table == "so2_1h" else std.o3_8h_above_800
    capped = None
    if return_capped or (special and rule == REPORT_OTHER_AVERAGE):
        capped = valid & (xv >= kern.above_cut)
    if special and rule == REPORT_OTHER_AVERAGE:
        above = capped
        capped = np.zeros_like(capped)
        if np.any(above):
            other = so2_24h if table == "so2_1h" else o3_1h
            if other is None:
                out[above] = MISSING
            else:
                o_pol = "so2" if table == "so2_1h" else "o3"
                o_period = "24h" if table == "so2_1h" else "1h"
                ov, ocap = iaqi_array(
                    o_pol, np.broadcast_to(np.asarray(other, np.float64), x.shape), o_period, std, return_capped=True
                )
                out[above] = ov[above]
                capped = above & ocap
    if return_capped:
        return out, capped
    return out


def aqi_array(
    concentrations: Mapping[str, Any],
    period: str,
    standard: None | str | Standard = None,
    *,
    at: Any = None,
    so2_24h: Any = None,
    waived: Mapping[str, Any] | None = None,
) -> np.ndarray:
    """Vectorized AQI over equally shaped arrays (int16, ``MISSING`` = -1 where
    ``aqi()`` gives ``aqi=None``, including the HJ 633-2026 5.3.1 rule).

    Keys that are not indicators of the edition's report are left out, as in
    ``aqi()``. ``waived``: species -> boolean array, True where that pollutant is
    outside the monitoring programme and may not hold the AQI back (5.3.2).
    """
    std = _resolve(standard, at)
    unknown = [k for k in concentrations if k not in POLLUTANTS]
    if unknown:
        raise ValueError("unknown pollutant key(s) %s; expected %s" % (unknown, POLLUTANTS))
    used = std.indicators[period]
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in concentrations.items() if k in used}
    if not arrays:
        raise ValueError("no concentrations given")
    shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    per_key = {}
    for key, arr in arrays.items():
        kwargs = {}
        if key == "so2":
            kwargs["so2_24h"] = so2_24h
        elif key == "o3_8h":
            kwargs["o3_1h"] = concentrations.get("o3")
        per_key[key] = iaqi_array(key, np.broadcast_to(arr, shape), period, std, **kwargs)
    stacked = np.stack(list(per_key.values()))
    result = stacked.max(axis=0).astype(np.int16)  # MISSING (-1) loses to any IAQI
    if std.withhold_incomplete_aqi_upto is not None:
        complete = np.ones(shape, dtype=bool)
        for species in _SIX:
            keys = [k for k in per_key if _SPECIES[k] == species]
            has = np.zeros(shape, dtype=bool)
            for k in keys:
                has |= per_key[k] >= 0
            if waived is not None and species in waived:
                has |= np.broadcast_to(np.asarray(waived[species], dtype=bool), shape)
            complete &= has
        result[(~complete) & (result <= std.withhold_incomplete_aqi_upto)] = MISSING
    return result
