"""What residents see: warnings in force, each city's current AQI and its forecast for the next days.

A value is shown as current only within its report period (HJ 633-2026 4.2.2, 4.2.3):
- real-time report (实时报): the AQI of one hour. The feed publishes an hour within the next
  one, so the latest hour is current while it ended less than REALTIME_CURRENT_FOR ago;
- daily report (日报): the AQI of a natural day, published the next morning, so yesterday's (or
  today's, once computed) is current, an older one is not.
An older value is shown with its time and marked stale, never as the current one.

Forecasts (HJ 633-2026 5.2.3) cover at least the next FORECAST_DAYS days: each with its AQI
range, level(s) and primary pollutant; a city whose forecast does not cover them is marked.
"""

import datetime as dt

from django.db.models import Max, Q
from django.utils import timezone

from . import aqi as aqi_module
from .dashboard import LEVELS, cities, short_name
from .models import POLLUTANT_LABELS, POLLUTANTS, AreaDay, CityWarning, Forecast, Reading, Station, WarningState
from .standards import NA

REALTIME_CURRENT_FOR = dt.timedelta(hours=2)
FORECAST_DAYS = 3


def _category(level):
    return next((entry for entry in LEVELS if entry["level"] == level), None)


def realtime_by_city(city_ids, now):
    """{city id: {"at", "aqi", "level", "primary", "stale"}} from the latest hour of each city's readings.

    A city's hourly concentration is the mean of its stations' valid values (as for daily
    values); the AQI is the real-time one of the edition in force at that hour (4.2.3).
    """
    latest = dict(
        Reading.objects.filter(station__city_id__in=city_ids)
        .values("station__city_id")
        .annotate(last=Max("at"))
        .values_list("station__city_id", "last")
    )
    if not latest:
        return {}
    hours = Q()
    for city_id, at in latest.items():
        hours |= Q(station__city_id=city_id, at=at)
    values = {}
    for reading in Reading.objects.filter(hours).select_related("station"):
        flagged = reading.flag_codes
        per_city = values.setdefault(reading.station.city_id, {p: [] for p in POLLUTANTS})
        for pollutant in POLLUTANTS:
            value = getattr(reading, pollutant)
            if value is not None and pollutant not in flagged:
                per_city[pollutant].append(value)
    programmes = {}
    for city_id, programme in Station.objects.filter(city_id__in=city_ids).values_list("city_id", "programme"):
        programmes.setdefault(city_id, set()).update(programme.split(","))
    result = {}
    for city_id, at in latest.items():
        means = {p: sum(v) / len(v) for p, v in values.get(city_id, {}).items() if v}
        outside = {p for p in POLLUTANTS if p not in programmes.get(city_id, set())}
        report = aqi_module.aqi(means, "1h", at=at, not_monitored=outside)
        result[city_id] = {
            "at": at,
            "aqi": report.aqi,
            "level": report.level,
            "category": _category(report.level),
            "primary": [POLLUTANT_LABELS[p] for p in report.primary],
            "stale": now - at >= REALTIME_CURRENT_FOR,
        }
    return result


def daily_by_city(city_ids, today):
    """{city id: its latest complete day (published AQI or "NA"), marked stale when older than yesterday}."""
    # Today's day is still running: its daily report comes tomorrow.
    latest = AreaDay.objects.filter(unit_id__in=city_ids, day__lt=today).values("unit_id").annotate(last=Max("day"))
    pairs = Q()
    for row in latest:
        pairs |= Q(unit_id=row["unit_id"], day=row["last"])
    if not pairs:
        return {}
    result = {}
    for area_day in AreaDay.objects.filter(pairs):
        result[area_day.unit_id] = {
            "day": area_day.day,
            "aqi": area_day.aqi,
            "level": area_day.level,
            "category": _category(area_day.level),
            "primary": [POLLUTANT_LABELS[p] for p in area_day.primary_pollutants],
            "stale": area_day.day < today - dt.timedelta(days=1),
        }
    return result


def forecasts_by_city(city_ids, today):
    """{city id: [one entry per day of the next FORECAST_DAYS, None where no forecast]}."""
    days = [today + dt.timedelta(days=i) for i in range(1, FORECAST_DAYS + 1)]
    found = {}
    for forecast in Forecast.objects.filter(city_id__in=city_ids, day__in=days):
        low = forecast.aqi_low if forecast.aqi_low is not None else forecast.aqi
        levels = sorted({aqi_module.category_for(low)[0], aqi_module.category_for(forecast.aqi)[0]})
        found[(forecast.city_id, forecast.day)] = {
            "day": forecast.day,
            "aqi": forecast.aqi,
            "aqi_low": forecast.aqi_low,
            "categories": [_category(level) for level in levels],
            "primary": POLLUTANT_LABELS.get(forecast.primary, ""),
        }
    return {city_id: [found.get((city_id, day)) or {"day": day} for day in days] for city_id in city_ids}


def city_summaries(now=None):
    """Everything the public page and the home page show, in a fixed number of queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    city_list = cities()
    ids = [c.pk for c in city_list]
    in_force = {}
    for city_warning in CityWarning.objects.filter(state=WarningState.ACTIVE).select_related("joint"):
        in_force.setdefault(city_warning.city_id, city_warning)
    realtime = realtime_by_city(ids, now)
    daily = daily_by_city(ids, today)
    forecasts = forecasts_by_city(ids, today)
    rows = []
    for city in city_list:
        outlook = forecasts[city.pk]
        rows.append(
            {
                "city": city,
                "name": short_name(city),
                "warning": in_force.get(city.pk),
                "realtime": realtime.get(city.pk),
                "daily": daily.get(city.pk),
                "forecasts": outlook,
                "forecast_incomplete": any("aqi" not in entry for entry in outlook),
            }
        )
    joints = sorted({cw.joint_id: cw.joint for cw in in_force.values()}.values(), key=lambda j: j.code)
    return {"rows": rows, "joints": joints, "now": now, "na": NA}
