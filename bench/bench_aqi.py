"""Benchmark: xietong.airquality.aqi.iaqi_array against python-aqi 0.6.1 (ALGO_MEP).

Run from the repository root:  python bench/bench_aqi.py

One million (pollutant, value) pairs are generated deterministically (seeded
NumPy RNG, log-normal concentrations with realistic medians, clipped to the top
of each breakpoint column because python-aqi raises above it; µg/m³ values with
one decimal, CO in mg/m³ with two). python-aqi's "aqi.algos.mep" implements the
HJ 633-2012 tables only, so both sides are compared on HJ 633-2012.

Why the two disagree (every case below was re-run through both libraries; the
standard's text: HJ 633-2012 formula (1) "IAQI_P = (IAQI_Hi - IAQI_Lo) /
(BP_Hi - BP_Lo) x (C_P - BP_Lo) + IAQI_Lo" with BP_Hi/BP_Lo the Table 1 values
next to C_P, and the result "向上进位取整数", rounded UP):

1. Truncated concentrations (about 70 % of the disagreements). python-aqi
   quantizes every concentration with Decimal.quantize(Decimal('1.'),
   ROUND_DOWN), CO in mg/m³ included, before the formula; the standard uses
   the measured C_P. CO 24-hour 0.93 mg/m³: standard 50 x 0.93 / 2 = 23.25 ->
   24; python-aqi computes CO = 0 -> 0. That is why ~99 % of CO values differ.
   Likewise SO2 24-hour 10.3 µg/m³: standard 10.3 -> 11; python-aqi 10 -> 10.
2. Shifted segment starts. python-aqi stores Table 1 EPA-style as disjoint
   integer ranges mapped to IAQI (0,50), (51,100), (101,150), ...: PM2.5
   (0,35), (36,75), ... The standard's segments share their end points (35 ->
   50, 75 -> 100). PM2.5 36: standard 50 + 50 x 1/40 = 51.25 -> 52; python-aqi
   starts its segment at (36, 51) -> 51. The slope differs inside every segment
   too: PM2.5 120.0: standard 150 + 50 x 5/35 = 157.14 -> 158; python-aqi
   151 + 49 x 4/34 = 156.76 -> 157. It can also come out higher: SO2 1-hour
   155: standard 50 + 50 x 5/350 = 50.71 -> 51; python-aqi 51 + 49 x 4/349 =
   51.56 -> 52.
3. Rounding mode. The standard rounds up; python-aqi rounds half-to-even.
   PM10 485.0: standard 300 + 100 x 65/80 = 381.25 -> 382; python-aqi
   301 + 99 x 64/79 = 381.20 -> 381.
4. Combined. NO2 24-hour 18.7: standard 50 x 18.7/40 = 23.375 -> 24;
   python-aqi truncates to 18 -> 22.5 -> half-to-even 22. CO 24-hour 2.9:
   standard 50 + 50 x 0.9/2 = 72.5 -> 73; python-aqi 2 -> 50.
5. Outside the tables python-aqi raises (TypeError/IndexError) instead of
   capping at 500 or applying the SO2 1-hour / O3 8-hour 800 µg/m³ notes, and
   it treats negative values the same way; the generated data therefore stay
   within [0, top of column] so python-aqi can be timed on every pair.
"""

from __future__ import annotations

import math
import os
import sys
import time
from decimal import ROUND_DOWN, Decimal

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import aqi as pyaqi  # noqa: E402  (python-aqi)
from aqi.algos.mep import AQI as _MepAQI  # noqa: E402

from xietong.airquality.aqi import iaqi, iaqi_array  # noqa: E402

SEED = 20260301
N = 1_000_000
EDITION = "HJ 633-2012"
PYAQI_BUDGET_S = 60.0

# (python-aqi constant, our pollutant, our period, median, log-sigma, top, decimals)
SERIES = [
    ("pm25", "pm25", "24h", 35.0, 0.80, 500, 1),
    ("pm10", "pm10", "24h", 70.0, 0.70, 600, 1),
    ("so2_24h", "so2", "24h", 10.0, 0.90, 2620, 1),
    ("so2_1h", "so2", "1h", 12.0, 1.00, 800, 1),
    ("no2_24h", "no2", "24h", 30.0, 0.60, 940, 1),
    ("no2_1h", "no2", "1h", 40.0, 0.70, 3840, 1),
    ("co_24h", "co", "24h", 0.8, 0.50, 60, 2),
    ("co_1h", "co", "1h", 0.9, 0.60, 150, 2),
    ("o3_1h", "o3", "1h", 80.0, 0.60, 1200, 1),
    ("o3_8h", "o3_8h", "24h", 90.0, 0.50, 800, 1),
]


def generate():
    """The same N pairs on every run: contiguous blocks per pollutant series
    (columnar layout, as in bulk recomputation of stored measurements)."""
    rng = np.random.default_rng(SEED)
    per = N // len(SERIES)
    blocks = []
    for _elem, _pol, _per, median, sigma, top, dec in SERIES:
        x = rng.lognormal(math.log(median), sigma, per)
        blocks.append(np.clip(np.round(x, dec), 0, top))
    return blocks


def ours(blocks):
    return [iaqi_array(pol, x, period, EDITION) for (_e, pol, period, *_), x in zip(SERIES, blocks, strict=True)]


def python_aqi(strings, elem):
    out = np.empty(len(strings), dtype=np.int16)
    algo = pyaqi.ALGO_MEP
    to_iaqi = pyaqi.to_iaqi
    for i, s in enumerate(strings):
        try:
            out[i] = int(to_iaqi(elem, s, algo=algo))
        except Exception:  # python-aqi raises above the top of a column
            out[i] = -9
    return out


_PIECEWISE = _MepAQI.piecewise


def _pyaqi_raw(elem, value_str):
    """python-aqi's unrounded IAQI (its segments, its truncation)."""
    cc = Decimal(value_str).quantize(_PIECEWISE["prec"][elem], rounding=ROUND_DOWN)
    for idx, (lo, hi) in enumerate(_PIECEWISE["bp"][elem]):
        if lo <= cc <= hi:
            a_lo, a_hi = _PIECEWISE["aqi"][idx]
            return (a_hi - a_lo) / (hi - lo) * (cc - lo) + a_lo, cc
    return None, cc


def classify(elem, pol, period, value_str, mine, theirs):
    raw, truncated = _pyaqi_raw(elem, value_str)
    trunc_changed = truncated != Decimal(value_str)
    mine_t = iaqi(pol, truncated, period, EDITION).value
    if theirs == mine_t:
        return "truncation", "python-aqi truncates %s to %s; HJ 633 uses the value as given" % (value_str, truncated)
    if raw is not None and math.ceil(raw) == mine_t:
        why = "python-aqi rounds %s half-to-even, HJ 633 rounds up" % (format(raw.quantize(Decimal("0.001")), "f"))
        if trunc_changed:
            why = "python-aqi truncates to %s, then " % truncated + why[len("python-aqi ") :]
        return ("truncation+rounding" if trunc_changed else "rounding"), why
    why = "python-aqi interpolates within its (BP_lo+1, IAQI_lo+1) segments, HJ 633 between the table points"
    if trunc_changed:
        why = "python-aqi truncates to %s and " % truncated + why[len("python-aqi ") :]
    return ("truncation+segments" if trunc_changed else "segments"), why


def main():
    t0 = time.perf_counter()
    blocks = generate()
    gen_s = time.perf_counter() - t0
    total = sum(len(b) for b in blocks)
    print(
        f"pairs: {total:,} ({len(SERIES)} series x {len(blocks[0]):,}, seed {SEED}), "
        f"generated in {gen_s:.2f} s; edition compared: {EDITION}"
    )

    # ours: first call builds the exact threshold tables (once per column)
    t0 = time.perf_counter()
    mine = ours(blocks)
    first_s = time.perf_counter() - t0
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        mine = ours(blocks)
        best = min(best, time.perf_counter() - t0)
    ours_tput = total / best
    print(
        f"ours      iaqi_array (NumPy): {best:.4f} s for {total:,} -> {ours_tput:,.0f} values/s "
        f"(best of 5; first call incl. building exact tables: {first_s:.3f} s)"
    )

    # python-aqi needs strings (its docs: so Decimal does not act up with floats)
    strings = [[repr(float(v)) for v in b.tolist()] for b in blocks]
    probe = 2_000
    t0 = time.perf_counter()
    for (elem, *_), s in zip(SERIES, strings, strict=True):
        python_aqi(s[:probe], elem)
    per_call = (time.perf_counter() - t0) / (probe * len(SERIES))
    full_estimate = per_call * total
    if full_estimate <= PYAQI_BUDGET_S:
        idx = [np.arange(len(b)) for b in blocks]
        scope = "full set"
    else:
        step = math.ceil(full_estimate / PYAQI_BUDGET_S)
        idx = [np.arange(0, len(b), step) for b in blocks]
        scope = f"deterministic subsample (every {step}th pair)"
    count = sum(len(i) for i in idx)
    t0 = time.perf_counter()
    theirs = [
        python_aqi([s[j] for j in i.tolist()], elem) for (elem, *_), s, i in zip(SERIES, strings, idx, strict=True)
    ]
    py_s = time.perf_counter() - t0
    py_tput = count / py_s
    extra = "" if scope == "full set" else f"; extrapolated to {total:,}: {total / py_tput:.1f} s"
    print(f"python-aqi to_iaqi(ALGO_MEP): {py_s:.2f} s for {count:,} -> {py_tput:,.0f} values/s ({scope}{extra})")
    ratio = ours_tput / py_tput
    print(f"ratio ours/python-aqi: {ratio:.1f}x (target >= 100x)")

    # disagreements
    n_dis = 0
    classified = []
    reasons = {}
    per_series = []
    errors = 0
    for (elem, pol, period, *_), m, t, s, i in zip(SERIES, mine, theirs, strings, idx, strict=True):
        m_i = m[i]
        diff = np.nonzero(m_i != t)[0]
        errors += int(np.count_nonzero(t == -9))
        n_dis += len(diff)
        per_series.append((elem, len(diff), len(i)))
        # classify a deterministic sample of each series' disagreements exactly
        for k in diff[:: max(1, len(diff) // 2000)].tolist():
            vs = s[int(i[k])]
            cat, why = classify(elem, pol, period, vs, int(m_i[k]), int(t[k]))
            reasons[cat] = reasons.get(cat, 0) + 1
            classified.append((cat, elem, vs, int(m_i[k]), int(t[k]), why))
    print(
        f"disagreements: {n_dis:,} of {count:,} ({100.0 * n_dis / count:.1f}%) on the {scope} "
        f"(python-aqi errors: {errors})"
    )
    print("  per series: " + ", ".join(f"{e} {100.0 * d / c:.1f}%" for e, d, c in per_series))
    tot = sum(reasons.values())
    print(
        f"  causes (exact classification of a deterministic sample of {tot:,} disagreements): "
        + ", ".join(f"{k} {c:,} ({100.0 * c / tot:.1f}%)" for k, c in sorted(reasons.items(), key=lambda kv: -kv[1]))
    )
    # up to 5 examples: one per cause first, each from a different series
    order = ["truncation", "segments", "rounding", "truncation+segments", "truncation+rounding"]
    shown, used = [], set()
    co = [ex for ex in classified if ex[1] == "co_24h" and ex[0] == "truncation"]
    if co:  # the largest group: CO loses its decimals
        shown.append(co[0][1:])
        used.add("co_24h")
    for cat in order[1:] + [None]:
        for ex in classified:
            if len(shown) < 5 and (cat is None or ex[0] == cat) and ex[1] not in used:
                shown.append(ex[1:])
                used.add(ex[1])
                if cat is not None:
                    break
    print("examples (value, ours HJ 633-2012, python-aqi, reason):")
    for elem, vs, m, t, why in shown:
        print(f"  {elem:8s} {vs:>8s}: ours {m:3d}, python-aqi {t:3d} - {why}")
    print(f"aqi_throughput_ratio: {ratio:.1f} (ours vs python-aqi, same run)")


if __name__ == "__main__":
    main()
