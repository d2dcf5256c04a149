"""Reads behind the dashboard, the public page and the API: few queries, compact shapes.

Everything here reads the stored daily values (AreaDay, StationDay), never the readings,
so a year of five cities is a couple of thousand rows whatever the number of readings.
"""

import datetime as dt

from django.db.models import Max, Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.core.models import Unit, UnitKind

from .derive import cluster_unit
from .models import POLLUTANT_LABELS, AreaDay, Station, StationDay
from .standards import CATEGORIES

LEVELS = [
    {"level": level, "upper": upper, "category": cn, "category_en": en, "colour": colour}
    for upper, level, cn, en, _name, colour in CATEGORIES
]


def short_name(unit):
    """太原市人民政府 -> 太原市: what a chart legend has room for."""
    if unit.short_name:
        return unit.short_name
    name = unit.display_name
    for suffix in ("人民政府", " Municipal Government"):
        name = name.removesuffix(suffix)
    return name


def cities():
    return list(Unit.objects.filter(kind=UnitKind.CITY).order_by("sort_order", "pk"))


def data_span():
    """(first, last) day with daily values, or None."""
    span = AreaDay.objects.aggregate(first=Min("day"), last=Max("day"))
    return (span["first"], span["last"]) if span["last"] else None


def default_range():
    span = data_span()
    last = span[1] if span else timezone.localdate()
    first = max(span[0], last - dt.timedelta(days=364)) if span else last - dt.timedelta(days=364)
    return first, last


def daily_series(start, end, units=None):
    """AQI per day of each unit (default: the cities and the cluster), aligned on one list of days.

    A null AQI means one of two things a reader must be able to tell apart: `na` true — the day
    has values but its AQI is not published (HJ 633-2026 5.3.1, shown "NA"); `na` false — no
    value at all for that day (a gap in the line)."""
    office = cluster_unit()
    units = units if units is not None else [*cities(), *filter(None, [office])]
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    index = {day: i for i, day in enumerate(days)}
    series = {
        unit.pk: {
            "unit": unit.slug,
            "name": _("The whole cluster") if office and unit.pk == office.pk else short_name(unit),
            "cluster": bool(office and unit.pk == office.pk),
            "aqi": [None] * len(days),
            "level": [None] * len(days),
            "na": [False] * len(days),
        }
        for unit in units
    }
    rows = AreaDay.objects.filter(unit_id__in=list(series), day__gte=start, day__lte=end).values_list(
        "unit_id", "day", "aqi", "level"
    )
    for unit_id, day, value, level in rows.iterator(chunk_size=5000):
        entry, i = series[unit_id], index[day]
        entry["aqi"][i] = value
        entry["level"][i] = level
        entry["na"][i] = value is None
    return {"days": [d.isoformat() for d in days], "series": list(series.values()), "levels": LEVELS}


def calendar(unit, year):
    """[[date, aqi, level, primary], …] of one unit for a calendar heat map."""
    rows = AreaDay.objects.filter(unit=unit, day__year=year).order_by("day")
    return {
        "unit": unit.slug,
        "name": _("The whole cluster") if unit.kind == UnitKind.OFFICE else short_name(unit),
        "year": year,
        "days": [[r.day.isoformat(), r.aqi, r.level, r.primary] for r in rows.only("day", "aqi", "level", "primary")],
        "levels": LEVELS,
    }


def breakdown(start, end):
    """Per city: days by level and days by primary pollutant over a period."""
    result = []
    by_city = {c.pk: {"unit": c.slug, "name": short_name(c), "levels": {}, "primary": {}} for c in cities()}
    rows = AreaDay.objects.filter(unit_id__in=list(by_city), day__gte=start, day__lte=end).values_list(
        "unit_id", "level", "primary"
    )
    for unit_id, level, primary in rows:
        entry = by_city[unit_id]
        if level:
            entry["levels"][level] = entry["levels"].get(level, 0) + 1
        for key in filter(None, primary.split(",")):
            name = "o3" if key == "o3_8h" else key  # one O3 for the reader
            entry["primary"][name] = entry["primary"].get(name, 0) + 1
    result = list(by_city.values())
    pollutants = [{"key": k, "label": POLLUTANT_LABELS[k]} for k in ("pm25", "pm10", "o3", "no2", "so2", "co")]
    return {"cities": result, "pollutants": pollutants, "levels": LEVELS}


def station_map(day=None):
    """Every station with its coordinates and its daily AQI on `day` (default: its latest day)."""
    days = StationDay.objects.filter(station=OuterRef("pk"))
    days = days.filter(day=day) if day else days.order_by("-day")
    stations = (
        Station.objects.select_related("city")
        .annotate(
            latest_day=Subquery(days.values("day")[:1]),
            latest_aqi=Subquery(days.values("aqi")[:1]),
            latest_level=Subquery(days.values("level")[:1]),
        )
        .order_by("city__sort_order", "code")
    )
    return {
        "stations": [
            {
                "code": s.code,
                "name": s.display_name,
                "city": short_name(s.city),
                "lon": float(s.longitude),
                "lat": float(s.latitude),
                "day": s.latest_day.isoformat() if s.latest_day else None,
                "aqi": s.latest_aqi,
                "level": s.latest_level,
                "not_monitored": s.not_monitored,
                "url": s.get_absolute_url(),
            }
            for s in stations
        ],
        "levels": LEVELS,
    }


def latest_area_days(units):
    """{unit id: its most recent AreaDay with a published AQI} in one query."""
    latest = AreaDay.objects.filter(unit=OuterRef("unit"), aqi__isnull=False).order_by("-day").values("pk")[:1]
    rows = AreaDay.objects.filter(unit__in=units, pk=Subquery(latest))
    return {row.unit_id: row for row in rows}


def category(level):
    """(Chinese category, English category, colour) of a level 1-6."""
    for entry in LEVELS:
        if entry["level"] == level:
            return entry
    return None
