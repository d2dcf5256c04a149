"""Breakpoint tables and edition rules of HJ 633 (China Ambient Air Quality Index).

Pure data plus the small frozen ``Standard`` type; no Django, no database.

Units: µg/m³ for every pollutant except CO, which is in mg/m³.

Sources (checked while writing this module):

* HJ 633-2012 《环境空气质量指数（AQI）技术规定（试行）》, Table 1
  "空气质量分指数及对应的污染物项目浓度限值" and its notes (1)-(3), Table 2
  (AQI levels/categories) and Appendix A (colours). Official PDF:
  https://www.mee.gov.cn/ywgz/fgbz/bz/bzwb/jcffbz/201203/W020120410332725219541.pdf
  (a frozen copy is catalogued with "PDF page 7 / printed page 2, Table 1" in
  github.com/wenjie-shi-alpha/sitian references/standards/manifest.json).
* HJ 633-2026 《环境空气质量指数（AQI）技术规定》, published 2026-02-14/25,
  effective 2026-03-01, replaces HJ 633-2012. Official page / PDF:
  https://www.mee.gov.cn/ywgz/fgbz/bz/bzwb/jcffbz/202602/t20260225_1144441.shtml
  https://www.mee.gov.cn/ywgz/fgbz/bz/bzwb/jcffbz/202602/W020260225366493492011.pdf
  The PDF itself is not readable from the search index; the 2026 facts below
  were taken from several independent transcriptions of that PDF that agree
  with each other (each is named next to the fact it supports):
    - the sitian manifest above: "PDF page 6 / printed page 3, Table 3 ...
      IAQI=100 breakpoints: PM10=120 ug/m3 and PM2.5=60 ug/m3";
    - an "hj633.py" tool whose tests say they are checked against "正式文本表 3、
      式(1)(2)、4.2.6、4.3.1、5.3.1" (Table 3 with notes a-c, 4.2.6 ceiling,
      5.3.1 missing pollutants);
    - caiyunapp/aqi-hub (src/cn.rs, README), "moonaqi" README, several
      Open-Meteo based calculators (PM2.5 60, PM10 120, SO2 1h >800 -> 200,
      O3 8h >800 -> 300);
    - press release of the Ministry (2026-02-24/26): HJ 633-2026 "更新了AQI中
      PM2.5和PM10的分级浓度限值"; GB 3095-2026 phase 1 (2026-03-01..2030-12-31)
      sets the PM2.5 24-hour grade-II limit to 60 µg/m³, which is exactly the
      new IAQI-100 breakpoint.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "IAQI_LEVELS",
    "CATEGORIES",
    "Standard",
    "HJ633_2012",
    "HJ633_2026",
    "STANDARDS",
    "CUTOVER_2026",
]

# Row "空气质量分指数(IAQI)" of HJ 633-2012 Table 1 (= HJ 633-2026 Table 3).
IAQI_LEVELS: tuple[int, ...] = (0, 50, 100, 150, 200, 300, 400, 500)

# --------------------------------------------------------------------------
# HJ 633-2012, Table 1 (concentration columns; one value per IAQI level above).
# Table keys are "<pollutant>_<averaging time>".
# --------------------------------------------------------------------------
_TABLES_2012 = {
    # 二氧化硫(SO2) 24小时平均 / 1小时平均 (µg/m³). The 1-hour column stops at
    # 800 (IAQI 200): note (2) of Table 1, see Standard.so2_1h_above_800.
    "so2_24h": (0, 50, 150, 475, 800, 1600, 2100, 2620),
    "so2_1h": (0, 150, 500, 650, 800),
    # 二氧化氮(NO2) 24小时平均 / 1小时平均 (µg/m³)
    "no2_24h": (0, 40, 80, 180, 280, 565, 750, 940),
    "no2_1h": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    # 颗粒物(粒径小于等于10µm) 24小时平均 (µg/m³)
    "pm10_24h": (0, 50, 150, 250, 350, 420, 500, 600),
    # 一氧化碳(CO) 24小时平均 / 1小时平均 (mg/m³)
    "co_24h": (0, 2, 4, 14, 24, 36, 48, 60),
    "co_1h": (0, 5, 10, 35, 60, 90, 120, 150),
    # 臭氧(O3) 1小时平均 / 8小时滑动平均 (µg/m³). The 8-hour column stops at
    # 800 (IAQI 300): note (3) of Table 1, see Standard.o3_8h_above_800.
    "o3_1h": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "o3_8h": (0, 100, 160, 215, 265, 800),
    # 颗粒物(粒径小于等于2.5µm) 24小时平均 (µg/m³)
    "pm25_24h": (0, 35, 75, 115, 150, 250, 350, 500),
}

# --------------------------------------------------------------------------
# HJ 633-2026, Table 3. Identical to 2012 Table 1 except the IAQI-100 column
# of the two particulate rows (PM2.5 75 -> 60, PM10 150 -> 120). Sources: see
# module docstring (sitian manifest "Table 3"; hj633.py TABLE3; aqi-hub cn.rs).
# --------------------------------------------------------------------------
_TABLES_2026 = dict(_TABLES_2012)
_TABLES_2026["pm10_24h"] = (0, 50, 120, 250, 350, 420, 500, 600)
_TABLES_2026["pm25_24h"] = (0, 35, 60, 115, 150, 250, 350, 500)

# --------------------------------------------------------------------------
# HJ 633-2026 rounds concentrations (GB/T 8170 rule: nearest, ties to even,
# "四舍六入五成双") before the IAQI formula; numbers = decimal places kept.
#
# What was verifiable: PM2.5 and PM10 are rounded to integers with GB/T 8170
# before applying Table 3 (environment_rating README citing "正式全文 §4.2、
# 表 1 和表 3": "两项 PM 按 GB/T 8170 修约到整数，采用最接近整数、半值取偶", e.g.
# 35.5 -> 36, 60.5 -> 60; a TypeScript port citing "HJ 633 section 4.2.2: PM
# concentration is rounded to an integer"; the Open-Meteo point API README:
# "Pollutant concentrations are rounded according to the standard before IAQI
# calculation").
# What could NOT be read verbatim: the precision for the gases. We apply the
# reporting precision used throughout GB 3095 / HJ 663 monitoring data
# (µg/m³ pollutants as integers, CO in mg/m³ to one decimal). Adjust here if the
# official text says otherwise; the code reads only this table.
# --------------------------------------------------------------------------
_ROUNDING_2026 = {
    "so2": 0,
    "no2": 0,
    "pm10": 0,
    "pm25": 0,
    "o3": 0,
    "o3_8h": 0,
    "co": 1,
}

# HJ 633-2012 Table 2 / HJ 633-2026 (same grading): (upper AQI bound, level,
# Chinese category, English category, colour name, hex colour). Colours from
# Appendix A (RGB 0,228,0 / 255,255,0 / 255,126,0 / 255,0,0 / 153,0,76 /
# 126,0,35).
CATEGORIES: tuple[tuple[int, int, str, str, str, str], ...] = (
    (50, 1, "优", "Excellent", "绿色", "#00e400"),
    (100, 2, "良", "Good", "黄色", "#ffff00"),
    (150, 3, "轻度污染", "Lightly polluted", "橙色", "#ff7e00"),
    (200, 4, "中度污染", "Moderately polluted", "红色", "#ff0000"),
    (300, 5, "重度污染", "Heavily polluted", "紫色", "#99004c"),
    (500, 6, "严重污染", "Severely polluted", "褐红色", "#7e0023"),
)

# The indicators (keys of aqi.aqi) of each report, by edition and period.
# HJ 633-2012 clause 5 (日报和实时报的发布): the daily report has seven indicators, the
# 24-hour means of SO2, NO2, PM10, PM2.5, CO plus the daily maximum 1-hour O3 and the daily
# maximum 8-hour O3; the real-time report the 1-hour values and the 8-hour moving O3.
_INDICATORS_2012 = {
    "24h": ("so2", "no2", "pm10", "pm25", "co", "o3", "o3_8h"),
    "1h": ("so2", "no2", "pm10", "pm25", "co", "o3", "o3_8h"),
}
# HJ 633-2026 4.2.2 (daily report): six indicators, the 24-hour means of SO2, NO2, CO,
# PM10, PM2.5 and the daily maximum 8-hour O3; the 1-hour O3 is no longer one of them
# (Table 3 note a: the 1-hour limits of SO2, NO2, CO and O3 serve real-time reports only).
# HJ 633-2026 4.2.3 (real-time report): the six 1-hour means, no 8-hour O3.
_INDICATORS_2026 = {
    "24h": ("so2", "no2", "pm10", "pm25", "co", "o3_8h"),
    "1h": ("so2", "no2", "pm10", "pm25", "co", "o3"),
}

# Cut-over of the editions: HJ 633-2026 applies to data from this date on.
CUTOVER_2026 = _dt.date(2026, 3, 1)

# Values of Standard.so2_1h_above_800 / Standard.o3_8h_above_800.
REPORT_OTHER_AVERAGE = "report_other_average"  # 2012 notes (2), (3)
FIXED_IAQI = "fixed_iaqi"  # 2026 Table 3 notes b, c


@dataclass(frozen=True)
class Standard:
    """One edition of HJ 633 with everything the calculator needs."""

    code: str
    title: str
    effective_from: _dt.date | None
    effective_until: _dt.date | None
    tables: Mapping[str, tuple[int, ...]] = field(repr=False)
    # decimal places kept per pollutant before computing; None = no rounding
    rounding: Mapping[str, int] | None = field(repr=False)
    # SO2 1-hour above 800 µg/m³ (top of the 1-hour column):
    #   2012: IAQI "按24小时平均浓度计算的分指数报告" -> REPORT_OTHER_AVERAGE
    #   2026: IAQI counted as 200                    -> FIXED_IAQI
    so2_1h_above_800: str = field(repr=False)
    so2_1h_fixed_iaqi: int | None = field(repr=False)
    # O3 8-hour above 800 µg/m³ (top of the 8-hour column):
    #   2012: IAQI "按1小时平均浓度计算的分指数报告" -> REPORT_OTHER_AVERAGE
    #   2026: IAQI counted as 300                   -> FIXED_IAQI
    o3_8h_above_800: str = field(repr=False)
    o3_8h_fixed_iaqi: int | None = field(repr=False)
    # HJ 633-2026 5.3.1: with a pollutant missing, an AQI <= 100 is not
    # published ("NA"); an AQI > 100 is still published with its primary
    # pollutant(s). HJ 633-2012 has no such rule.
    withhold_incomplete_aqi_upto: int | None = field(repr=False)
    # period -> the pollutant keys that enter that report's AQI (see _INDICATORS_*)
    indicators: Mapping[str, tuple[str, ...]] = field(repr=False, default_factory=dict)
    # 超标污染物 (IAQI > 100): defined by HJ 633-2012 §3 (术语和定义), no longer by HJ 633-2026 4.3.1,
    # which keeps only the primary pollutant(s).
    defines_exceeding: bool = field(repr=False, default=False)

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.code


HJ633_2012 = Standard(
    code="HJ 633-2012",
    title="环境空气质量指数（AQI）技术规定（试行）",
    effective_from=None,  # 2016-01-01 nationwide, earlier in phased cities
    effective_until=_dt.date(2026, 2, 28),
    tables=MappingProxyType(_TABLES_2012),
    rounding=None,
    so2_1h_above_800=REPORT_OTHER_AVERAGE,
    so2_1h_fixed_iaqi=None,
    o3_8h_above_800=REPORT_OTHER_AVERAGE,
    o3_8h_fixed_iaqi=None,
    withhold_incomplete_aqi_upto=None,
    indicators=MappingProxyType(_INDICATORS_2012),
    defines_exceeding=True,
)

HJ633_2026 = Standard(
    code="HJ 633-2026",
    title="环境空气质量指数（AQI）技术规定",
    effective_from=CUTOVER_2026,
    effective_until=None,
    tables=MappingProxyType(_TABLES_2026),
    rounding=MappingProxyType(_ROUNDING_2026),
    so2_1h_above_800=FIXED_IAQI,
    so2_1h_fixed_iaqi=200,
    o3_8h_above_800=FIXED_IAQI,
    o3_8h_fixed_iaqi=300,
    withhold_incomplete_aqi_upto=100,
    indicators=MappingProxyType(_INDICATORS_2026),
    defines_exceeding=False,
)

STANDARDS: Mapping[str, Standard] = MappingProxyType({HJ633_2012.code: HJ633_2012, HJ633_2026.code: HJ633_2026})

# GB 3095 O3 limits by area class (环境空气功能区: class 1 nature reserves and scenic areas,
# class 2 everything else), µg/m³: the 8-hour and 1-hour means. HJ 663 lets a daily maximum
# 8-hour O3 with fewer than 14 valid 8-hour means stand when it is above the 8-hour limit
# of the station's area class, since more data could only raise it.
O3_LIMITS_BY_AREA_CLASS: Mapping[int, Mapping[str, int]] = MappingProxyType(
    {1: MappingProxyType({"8h": 100, "1h": 160}), 2: MappingProxyType({"8h": 160, "1h": 200})}
)

# HJ 633-2026 5.3.2: a pollutant outside a station's monitoring programme does not hold back
# the AQI unless it was the primary pollutant of a polluted day (level 3, 轻度污染, or worse)
# within this many years; then 5.3.1 applies as if it were missing.
NOT_MONITORED_LOOKBACK_YEARS = 3
POLLUTED_FROM_LEVEL = 3

# How a value that cannot be given is shown (HJ 633-2026 5.3.1): "NA" when it is missing or
# invalid, "/" when the station's monitoring programme does not cover the pollutant.
NA = "NA"
NOT_MONITORED = "/"
