"""Demo air-quality data: 21 stations in the five cities, July 2022 and a December 2022 episode.

Station names and coordinates are plausible, around each city's centre; the codes are made
up (the national network's own codes are not used so that nobody mistakes these for real
stations). The hourly values are synthetic but follow the patterns of the region: ozone
peaking in summer afternoons, PM2.5 building up under a winter inversion until a cold front
clears it. The episode crosses the thresholds, so the office issued a joint orange warning,
each city acknowledged it, and it was lifted. A few values are missing, negative or
implausible, as in real feeds, and are flagged.

Idempotent: each part is loaded only if it is not there yet.
"""

import datetime as dt
import math
import random
import zoneinfo

from django.contrib.auth import get_user_model

from xietong.core.models import Unit
from xietong.regions.models import Region

from . import actions, derive
from .ingest import ingest
from .models import Forecast, JointWarning, Reading, Source, Station, WarningRuleSet
from .warning_rules import seed

CST = zoneinfo.ZoneInfo("Asia/Shanghai")

# code, name, city slug, latitude, longitude, county code
STATIONS = [
    ("TY01A", "坞城", "taiyuan", 37.8556, 112.5658, "140105"),
    ("TY02A", "尖草坪", "taiyuan", 37.9397, 112.4872, "140108"),
    ("TY03A", "晋源", "taiyuan", 37.7152, 112.4771, "140110"),
    ("TY04A", "桃园", "taiyuan", 37.8727, 112.5465, "140106"),
    ("TY05A", "上兰", "taiyuan", 38.0093, 112.4343, "140108"),
    ("XZ01A", "忻州市监测站", "xinzhou", 38.4167, 112.7333, "140902"),
    ("XZ02A", "忻州开发区", "xinzhou", 38.3929, 112.7173, "140902"),
    ("XZ03A", "日月湖", "xinzhou", 38.4470, 112.7650, "140902"),
    ("XZ04A", "奇村", "xinzhou", 38.5250, 112.7700, "140902"),
    ("LL01A", "吕梁市监测站", "lvliang", 37.5184, 111.1436, "141102"),
    ("LL02A", "吕梁新区", "lvliang", 37.5450, 111.1660, "141102"),
    ("LL03A", "离石开发区", "lvliang", 37.4930, 111.1350, "141102"),
    ("LL04A", "凤山", "lvliang", 37.5330, 111.1230, "141102"),
    ("JZ01A", "榆次", "jinzhong", 37.6978, 112.7366, "140702"),
    ("JZ02A", "锦纶厂", "jinzhong", 37.6870, 112.7540, "140702"),
    ("JZ03A", "大学城", "jinzhong", 37.7280, 112.7020, "140702"),
    ("JZ04A", "安宁", "jinzhong", 37.6540, 112.7490, "140702"),
    ("YQ01A", "南庄", "yangquan", 37.8570, 113.5830, "140302"),
    ("YQ02A", "白羊墅", "yangquan", 37.8810, 113.5400, "140311"),
    ("YQ03A", "平坦", "yangquan", 37.8280, 113.6000, "140303"),
    ("YQ04A", "大阳泉", "yangquan", 37.8700, 113.5600, "140302"),
]
CITIES = ["taiyuan", "xinzhou", "lvliang", "jinzhong", "yangquan"]
# How polluted each city runs relative to the cluster (basin cities trap more).
CITY_FACTOR = {"taiyuan": 1.08, "xinzhou": 0.93, "lvliang": 0.95, "jinzhong": 1.05, "yangquan": 0.98}

SUMMER = (dt.date(2022, 7, 1), dt.date(2022, 7, 31))
WINTER = (dt.date(2022, 12, 14), dt.date(2022, 12, 25))
# Cluster daily PM2.5 (µg/m³) of the winter episode: an inversion builds up from the 15th, peaks
# on the 19th, and the cold front of the 21st clears it.
WINTER_PM25 = [55, 80, 120, 165, 180, 200, 175, 70, 45, 40, 42, 50]
# Summer daily maximum ozone (µg/m³, 1-hour) over July: hot spells around the 10th and the 25th.
SUMMER_O3_PEAK = [
    150, 165, 180, 190, 200, 185, 170, 190, 215, 240, 250, 225, 190, 160, 140, 150,
    170, 185, 200, 195, 180, 190, 210, 235, 255, 240, 205, 175, 160, 150, 145,
]  # fmt: skip

ISSUED_AT = dt.datetime(2022, 12, 16, 10, 0, tzinfo=CST)


def _days(first, last):
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _hourly_values(rng, code, city, day, hour, winter_index=None, summer_index=None):
    """The six values of one station-hour (hour = 1…24, hour ending)."""
    local_hour = hour % 24
    station_factor = 0.9 + (sum(map(ord, code)) % 20) / 100  # fixed per station, 0.90 … 1.09
    city_factor = CITY_FACTOR[city] * station_factor
    noise = lambda spread: rng.uniform(1 - spread, 1 + spread)  # noqa: E731
    if winter_index is not None:
        base = WINTER_PM25[winter_index] * city_factor
        # Heating season: the night inversion holds particles near the ground.
        diurnal = 1.15 - 0.25 * math.sin(math.pi * max(0, local_hour - 9) / 10) if 9 <= local_hour <= 19 else 1.15
        pm25 = base * diurnal * noise(0.12)
        pm10 = pm25 * rng.uniform(1.35, 1.6)
        so2 = (25 + 0.12 * pm25) * noise(0.2)
        no2 = (35 + 0.15 * pm25 + (12 if local_hour in (8, 9, 18, 19, 20) else 0)) * noise(0.15)
        co = (0.7 + 0.011 * pm25) * noise(0.1)
        o3 = max(4.0, (45 - 0.15 * pm25) * (1.4 if 12 <= local_hour <= 16 else 0.7) * noise(0.25))
    else:
        peak = SUMMER_O3_PEAK[summer_index] * city_factor
        # Photochemistry: ozone follows the sun, highest mid-afternoon, lowest before dawn.
        sun = math.sin(math.pi * (local_hour - 6) / 14) if 6 <= local_hour <= 20 else 0.0
        o3 = (35 + (peak - 35) * sun**1.5) * noise(0.06)
        pm25 = 24 * city_factor * noise(0.25)
        pm10 = pm25 * rng.uniform(1.9, 2.4)
        so2 = 9 * noise(0.3)
        no2 = (22 + (10 if local_hour in (7, 8, 9, 19, 20) else 0) - 8 * sun) * noise(0.2)
        co = 0.6 * noise(0.15)
    return [round(so2), round(no2), round(pm10), round(pm25), round(co, 1), round(o3)]


def readings(stations):
    """Feed rows (line, stationcode, timepoint, values) for both periods, with the flaws real feeds have."""
    rng = random.Random(20220728)  # the date of the newspaper page: the same data on every machine
    line = 1
    periods = [(d, None, i) for i, d in enumerate(_days(*SUMMER))]
    periods += [(d, i, None) for i, d in enumerate(_days(*WINTER))]
    for day, winter_index, summer_index in periods:
        for code, _name, city, *_rest in stations:
            for hour in range(1, 25):
                values = _hourly_values(rng, code, city, day, hour, winter_index, summer_index)
                roll = rng.random()
                if roll < 0.01:
                    values[rng.randrange(6)] = "—"  # lost transmission
                elif roll < 0.012:
                    values[0] = -2  # SO2 analyser drifted below zero
                elif roll < 0.0125:
                    values[4] = 850  # CO sent in µg/m³
                at = dt.datetime.combine(day, dt.time(0), tzinfo=CST) + dt.timedelta(hours=hour)
                # One analyser was down for maintenance: too few hours for that day's means.
                if code == "LL03A" and day == dt.date(2022, 7, 12) and 8 <= hour <= 14:
                    values = ["—"] * 6
                line += 1
                yield line, code, at.strftime("%Y-%m-%d %H:%M:%S"), values


def _user(username):
    return get_user_model().objects.filter(username=username).first()


def load(stdout=None):
    seed(WarningRuleSet)
    cities = {u.slug: u for u in Unit.objects.filter(slug__in=[*CITIES, "office"])}
    if len(cities) < len(CITIES) + 1:
        if stdout:
            stdout.write("airquality: the demo cluster is missing; load the core demo first")
        return
    stations = []
    for code, name, city, lat, lon, county in STATIONS:
        station, _created = Station.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "city": cities[city],
                "latitude": lat,
                "longitude": lon,
                "region": Region.objects.filter(code=county).first(),
            },
        )
        stations.append(station)

    if not Reading.objects.filter(station__in=stations).exists():
        result = ingest(readings(STATIONS), source=Source.DEMO, filename="demo", recompute=False)
        ids = [s.pk for s in stations]
        derive.recompute(ids, *SUMMER)
        derive.recompute(ids, *WINTER)
        if stdout:
            stdout.write(
                f"airquality: {len(stations)} stations, {result.created} hourly readings "
                f"({result.flagged_count} with flagged values)"
            )

    if not Forecast.objects.filter(day=WINTER[0], city=cities["taiyuan"]).exists():
        _forecasts(cities)
    if not JointWarning.objects.filter(issued_at=ISSUED_AT).exists():
        _episode_warning(cities)


def _forecasts(cities):
    """What each city forecast for the episode: close to what came."""
    rng = random.Random(1214)
    for slug in CITIES:
        staff = _user(slug)
        if staff is None:
            continue
        for index, day in enumerate(_days(*WINTER)):
            pm25 = WINTER_PM25[index] * CITY_FACTOR[slug] * 1.05
            value = derive.daily_aqi([day], {k: [v] for k, v in _winter_day(pm25).items()})[0]["aqi"] or 50
            value = max(20, min(500, round(value * rng.uniform(0.94, 1.06))))
            actions.do_set_forecast(
                actor=staff,
                city=cities[slug],
                day=day,
                aqi=value,
                aqi_low=max(0, value - 30),
                primary="pm25" if value > 50 else "",
            )


def _winter_day(pm25):
    return {
        "so2": 25 + 0.12 * pm25,
        "no2": 40 + 0.15 * pm25,
        "pm10": pm25 * 1.45,
        "pm25": pm25,
        "co": 0.7 + 0.011 * pm25,
        "o3_1h_max": 60,
        "o3_8h_max": 45,
    }


def _episode_warning(cities):
    office = _user("office")
    if office is None:
        return
    warning = actions.do_issue_joint_warning(
        actor=office,
        level="orange",
        cities=[cities[slug] for slug in CITIES],
        starts_at=dt.datetime(2022, 12, 17, 0, 0, tzinfo=CST),
        ends_at=dt.datetime(2022, 12, 21, 0, 0, tzinfo=CST),
        reason="受静稳天气和逆温影响，预计17日至20日五市AQI日均值超过200，首要污染物为PM2.5。"
        "按现行预警分级标准，启动重污染天气橙色预警。",
        measures="工业企业执行橙色预警减排措施；高速环内禁止中重型货车通行；施工工地停止土石方作业；"
        "增加道路清扫保洁频次。",
        at=ISSUED_AT,
    )
    for minutes, slug in enumerate(CITIES):
        staff = _user(slug)
        city_warning = warning.city_warnings.get(city=cities[slug])
        if staff is not None:
            actions.do_acknowledge(
                actor=staff, city_warning=city_warning, at=ISSUED_AT + dt.timedelta(minutes=25 + 11 * minutes)
            )
    actions.do_lift(
        actor=office,
        warning=warning,
        reason="21日起冷空气过境，扩散条件转好，预计AQI低于150并持续36小时以上，自21日0时起解除。",
        at=dt.datetime(2022, 12, 20, 17, 0, tzinfo=CST),
    )
