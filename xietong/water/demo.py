"""Demo water data: the 汾河, 滹沱河 and 黄河 through the five cities, 2022 and the current year.

The rivers are real; so are the names of a few national sections (雷鸣寺, 汾河水库出口, 上兰,
温南社, 义棠, 万家寨, 碛口). Codes, coordinates and the other sections are made up and every
section that is not a real monitoring section is marked illustrative. The monthly values are
synthetic: each section runs around a level typical of its reach (clean headwaters, loaded
below 太原), with more ammonia in the dry, cold months and less oxygen in summer, and a few
values sent as "ND", "<0.01" or negative, as real feeds do. In March of the current year the
温南社 boundary section (太原 → 晋中) misses its target on ammonia, which became 太原's matter;
an illustrative 太原–晋中 compensation agreement on that section has monthly statements.

Idempotent: each part is loaded only if it is not there yet.
"""

import datetime as dt
import math
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from xietong.core.models import Unit

from . import actions
from .ingest import json_rows
from .models import CompensationAgreement, JointSampling, River, RuleSet, Sample, Section, SectionTarget, Source
from .rules import seed

RIVERS = [
    ("fenhe", "汾河", "Fen River", "黄河流域", 1),
    ("hutuohe", "滹沱河", "Hutuo River", "海河流域", 2),
    ("taohe", "桃河·温河（滹沱河支流）", "Tao and Wen rivers (Hutuo tributaries)", "海河流域", 3),
    ("huanghe", "黄河", "Yellow River", "黄河流域", 4),
]

# code, name, river, kind, city, upstream, downstream, lat, lon, illustrative, water body, automatic,
# target 2022, target current year, level (0 clean … 1 heavily loaded)
SECTIONS = [
    (
        "FH01",
        "雷鸣寺",
        "fenhe",
        "national",
        "xinzhou",
        None,
        None,
        38.93,
        112.20,
        False,
        "river",
        False,
        "II",
        "II",
        0.05,
    ),
    (
        "FH02",
        "汾河忻太交界",
        "fenhe",
        "boundary",
        "xinzhou",
        "xinzhou",
        "taiyuan",
        38.20,
        111.92,
        True,
        "river",
        False,
        "III",
        "II",
        0.2,
    ),
    (
        "FH03",
        "汾河水库库心",
        "fenhe",
        "provincial",
        "taiyuan",
        None,
        None,
        38.05,
        111.90,
        True,
        "lake",
        False,
        "II",
        "II",
        0.15,
    ),
    (
        "FH04",
        "汾河水库出口",
        "fenhe",
        "national",
        "taiyuan",
        None,
        None,
        38.03,
        111.95,
        False,
        "river",
        False,
        "II",
        "II",
        0.12,
    ),
    (
        "FH05",
        "上兰",
        "fenhe",
        "national",
        "taiyuan",
        None,
        None,
        38.00,
        112.42,
        False,
        "river",
        True,
        "III",
        "II",
        0.25,
    ),
    (
        "FH06",
        "温南社",
        "fenhe",
        "boundary",
        "taiyuan",
        "taiyuan",
        "jinzhong",
        37.55,
        112.42,
        False,
        "river",
        False,
        "V",
        "IV",
        0.7,
    ),
    (
        "FH07",
        "王庄桥南",
        "fenhe",
        "provincial",
        "jinzhong",
        None,
        None,
        37.30,
        112.20,
        True,
        "river",
        False,
        "V",
        "IV",
        0.65,
    ),
    (
        "FH08",
        "义棠",
        "fenhe",
        "boundary",
        "jinzhong",
        "jinzhong",
        "lvliang",
        37.05,
        111.93,
        False,
        "river",
        False,
        "V",
        "IV",
        0.6,
    ),
    (
        "HT01",
        "滹沱河界河铺",
        "hutuohe",
        "provincial",
        "xinzhou",
        None,
        None,
        39.15,
        113.20,
        True,
        "river",
        False,
        "III",
        "III",
        0.3,
    ),
    (
        "HT02",
        "济胜桥",
        "hutuohe",
        "national",
        "xinzhou",
        None,
        None,
        38.73,
        112.72,
        True,
        "river",
        False,
        "IV",
        "III",
        0.4,
    ),
    (
        "HT03",
        "滹沱河忻阳交界",
        "hutuohe",
        "boundary",
        "xinzhou",
        "xinzhou",
        "yangquan",
        38.40,
        113.40,
        True,
        "river",
        False,
        "IV",
        "III",
        0.35,
    ),
    (
        "TH01",
        "桃河赛鱼",
        "taohe",
        "provincial",
        "yangquan",
        None,
        None,
        37.86,
        113.57,
        True,
        "river",
        False,
        "IV",
        "IV",
        0.5,
    ),
    (
        "TH02",
        "温河上社",
        "taohe",
        "provincial",
        "yangquan",
        None,
        None,
        37.92,
        113.40,
        True,
        "river",
        False,
        "III",
        "III",
        0.3,
    ),
    (
        "HH01",
        "万家寨",
        "huanghe",
        "national",
        "xinzhou",
        None,
        None,
        39.45,
        111.43,
        False,
        "river",
        False,
        "II",
        "II",
        0.12,
    ),
    (
        "HH02",
        "黄河忻吕交界",
        "huanghe",
        "boundary",
        "xinzhou",
        "xinzhou",
        "lvliang",
        38.78,
        111.00,
        True,
        "river",
        False,
        "II",
        "II",
        0.12,
    ),
    (
        "HH03",
        "碛口",
        "huanghe",
        "national",
        "lvliang",
        None,
        None,
        37.63,
        110.80,
        False,
        "river",
        False,
        "III",
        "II",
        0.15,
    ),
]

# Concentrations at level 0 (clean) and 1 (loaded); values scale between them.
CLEAN = {"ph": 8.0, "do": 9.0, "codmn": 1.8, "cod": 8, "bod5": 1.2, "nh3n": 0.08, "tp": 0.02, "tn": 1.0}
LOADED = {"ph": 7.7, "do": 5.2, "codmn": 7.0, "cod": 26, "bod5": 4.8, "nh3n": 1.35, "tp": 0.27, "tn": 6.0}
METALS = {"cu": 0.002, "zn": 0.01, "f": 0.6, "as_": 0.002, "hg": 0.00002, "cd": 0.0003, "pb": 0.002, "cr6": 0.004}
MISSED_MONTH = 3  # March of the current year: 温南社 over its target on ammonia
# Typical flow of each river at the demo's sections (m³/s), before the season's factor.
FLOW = {"fenhe": 25.0, "hutuohe": 12.0, "taohe": 3.0, "huanghe": 900.0}
# Automatic stations report every four hours (国家地表水水质自动监测站, 0:00, 4:00 … 20:00) the
# items they measure; the demo gives them the last two weeks.
AUTOMATIC_ITEMS = ("ph", "do", "codmn", "nh3n", "tp", "tn")
AUTOMATIC_DAYS = 14


def _value(parameter, level, month, rng):
    base = CLEAN[parameter] + (LOADED[parameter] - CLEAN[parameter]) * level
    if parameter == "ph":
        return round(base + rng.uniform(-0.25, 0.25), 2)
    if parameter == "do":
        # colder water holds more oxygen
        season = 1.0 + 0.12 * (1 if month in (12, 1, 2) else -1 if month in (6, 7, 8) else 0)
        return round(base * season * rng.uniform(0.93, 1.05), 2)
    # more ammonia and phosphorus in the dry, cold months when rivers run low
    dry = 1.2 if month in (1, 2, 3, 12) else 0.9 if month in (7, 8, 9) else 1.0
    factor = dry if parameter in ("nh3n", "tp", "tn") else 1.0
    return round(base * factor * rng.uniform(0.85, 1.1), 4)


def _water_temperature(month, rng):
    # Shanxi's rivers: near freezing in January, about 24 °C in July
    return round(12.5 - 11.5 * math.cos(2 * math.pi * (month - 1) / 12) + rng.uniform(-1.5, 1.5), 1)


def _flow(river, month, rng):
    # the rainy season (主汛期, July–September) carries several times the flow of the dry spring
    season = 2.5 if month in (7, 8, 9) else 0.5 if month in (1, 2, 3) else 1.0
    return round(FLOW[river] * season * rng.uniform(0.8, 1.2), 1)


def _months(year, today):
    last = 12 if year < today.year else today.month - 1
    return [dt.date(year, m, 1) for m in range(1, last + 1)]


def _rows(year, today):
    rng = random.Random(year)
    rows = []
    for code, *rest, level in SECTIONS:
        lake = rest[9] == "lake"
        for month in _months(year, today):
            day = month.replace(day=10 + rng.randint(0, 8))
            item = {"section": code, "sampled_at": f"{day} 10:00", "mode": "manual"}
            for parameter in CLEAN:
                item[parameter] = _value(parameter, level, month.month, rng)
            item["wt"] = _water_temperature(month.month, rng)
            item["flow"] = _flow(rest[1], month.month, rng)
            for parameter, typical in METALS.items():
                item[parameter] = round(typical * rng.uniform(0.5, 1.5), 6)
            if lake:
                # the reservoir holds the phosphorus and nitrogen of lakes' lower limits
                item["tp"] = round(rng.uniform(0.012, 0.024), 4)
                item["tn"] = round(rng.uniform(0.35, 0.5), 3)
            if code == "FH06" and year == today.year and month.month == MISSED_MONTH:
                item["nh3n"] = 2.36  # 劣V against a class IV target: 0.57 times over its 1.5
            # The feeds' usual blemishes, flagged and kept.
            if rng.random() < 0.06:
                item["tp"] = "<0.01"
            if rng.random() < 0.04:
                item["hg"] = "ND"
            if rng.random() < 0.02:
                item["cd"] = "-0.0001"
            rows.append(item)
    return rows


def _automatic_rows(today):
    """Four-hourly results of the automatic stations over the days before `today`."""
    rng = random.Random(today.toordinal())
    rows = []
    for code, *rest, level in SECTIONS:
        if not rest[10]:
            continue
        for back in range(AUTOMATIC_DAYS, 0, -1):
            day = today - dt.timedelta(days=back)
            for hour in range(0, 24, 4):
                item = {"section": code, "sampled_at": f"{day} {hour:02d}:00", "mode": "auto"}
                for parameter in AUTOMATIC_ITEMS:
                    item[parameter] = _value(parameter, level, day.month, rng)
                item["wt"] = _water_temperature(day.month, rng)
                item["flow"] = _flow(rest[1], day.month, rng)
                rows.append(item)
    return rows


def load(stdout=None):
    seed(RuleSet)
    cities = {
        u.slug: u for u in Unit.objects.filter(slug__in=["taiyuan", "xinzhou", "lvliang", "jinzhong", "yangquan"])
    }
    office_person = get_user_model().objects.filter(username="office").first()
    if len(cities) < 5 or office_person is None:
        if stdout:
            stdout.write("water: the demo cluster is missing; load the core demo first")
        return
    today = timezone.localdate()
    rivers = {}
    for code, name, name_en, basin, order in RIVERS:
        rivers[code], _ = River.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "basin": basin, "sort_order": order}
        )
    for order, spec in enumerate(SECTIONS):
        code, name, river, kind, city, up, down, lat, lon, illustrative, body, automatic, t2022, tnow, _lvl = spec
        section, created = Section.objects.get_or_create(
            code=code,
            defaults={
                "name": name + ("（示意）" if illustrative else ""),
                "river": rivers[river],
                "kind": kind,
                "city": cities[city],
                "upstream_city": cities.get(up),
                "downstream_city": cities.get(down),
                "latitude": lat,
                "longitude": lon,
                "illustrative": illustrative,
                "water_body": body,
                "automatic": automatic,
                "sort_order": order,
            },
        )
        for year, grade in ((2022, t2022), (today.year, tnow)):
            SectionTarget.objects.get_or_create(
                section=section, year=year, defaults={"grade": grade, "source": "演示数据：考核目标为示意"}
            )
    if not CompensationAgreement.objects.filter(code="ty-jz-fenhe").exists():
        CompensationAgreement.objects.create(
            code="ty-jz-fenhe",
            title="太原市—晋中市汾河流域上下游横向生态补偿协议（示意）",
            section=Section.objects.get(code="FH06"),
            upstream_city=cities["taiyuan"],
            downstream_city=cities["jinzhong"],
            effective_from=dt.date(today.year, 1, 1),
            effective_to=dt.date(today.year, 12, 31),
            compliance_amount="100.00",
            exceedance_amount="150.00",
            illustrative=True,
            note="演示协议：断面月度达标，晋中市向太原市补偿100万元；未达标，太原市向晋中市补偿150万元。",
        )
    if not Sample.objects.filter(section__code__in=[s[0] for s in SECTIONS]).exists():
        for year in (2022, today.year):
            # As the office, so that the current year's missed target is referred at once.
            result = actions.do_ingest_samples(
                actor=office_person, rows=json_rows(_rows(year, today)), source=Source.DEMO, filename=f"demo-{year}"
            )
            if stdout:
                stdout.write(f"water: {year}: {result.created} samples ({result.flagged_count} with flagged values)\n")
        result = actions.do_ingest_samples(
            actor=office_person, rows=json_rows(_automatic_rows(today)), source=Source.DEMO, filename="demo-automatic"
        )
        if stdout:
            stdout.write(f"water: automatic stations: {result.created} four-hourly samples\n")
    section = Section.objects.get(code="FH06")
    day = dt.date(today.year, MISSED_MONTH, 15)
    if not JointSampling.objects.filter(section=section, sampled_on=day).exists():
        users = {u.username: u for u in get_user_model().objects.filter(username__in=["taiyuan", "jinzhong"])}
        if len(users) == 2:
            actions.do_record_joint_result(
                actor=users["taiyuan"],
                section=section,
                sampled_on=day,
                side="upstream",
                values={"ph": 7.8, "do": 5.9, "codmn": 5.6, "nh3n": 1.92, "tp": 0.21},
            )
            actions.do_record_joint_result(
                actor=users["jinzhong"],
                section=section,
                sampled_on=day,
                side="downstream",
                values={"ph": 7.7, "do": 5.7, "codmn": 5.9, "nh3n": 2.41, "tp": 0.23},
            )
    if stdout:
        stdout.write(f"water: {Section.objects.count()} sections on {River.objects.count()} rivers")
