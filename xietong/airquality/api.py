"""Air quality over the JSON API: batch ingestion of readings, the daily values behind the dashboard,
forecasts, and the warnings in force (public).

Every read but the public one needs a member of some unit (401 without credentials, 403
for a person of no unit); ingestion checks each station as the upload page does.
"""

import datetime as dt
from typing import Any, Literal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from xietong.core.models import Unit, UnitKind

from . import access, actions, dashboard
from .aqi import indicators as aqi_indicators
from .derive import cluster_unit
from .forms import find_city
from .ingest import IngestError, ingest, json_rows
from .models import CityWarning, Forecast, Source, Station, StationDay, WarningState
from .standards import NA

router = Router(tags=["airquality"])

MAX_DAYS = 3 * 366
# The national AQI era (2013-) to the end of the century; outside it there are no data.
YEAR_MIN, YEAR_MAX = 2013, 2100
MAX_BATCH = 100_000


def _member(request):
    if not access.can_view(request.auth):
        raise HttpError(403, _("Air-quality data are shared with the members of the cluster's units."))


def _period(start, end):
    if start is None or end is None:
        first, last = dashboard.default_range()
        start, end = start or first, end or last
    if end < start:
        raise HttpError(422, _("The end of the period is before its start."))
    if (end - start).days >= MAX_DAYS:
        raise HttpError(422, _("Ask for at most %(days)d days at a time.") % {"days": MAX_DAYS})
    return start, end


# --- readings -----------------------------------------------------------------------------------------------


class ReadingsIn(Schema):
    # Items are checked by the ingest path, which names each bad one by its position.
    readings: list[Any] = Field(
        ...,
        # Shown in the OpenAPI document; the endpoint refuses a longer batch with its own message.
        json_schema_extra={"maxItems": 100_000},
        description="Rows in the national real-time feed's names: stationcode, timepoint (hour ending, local time), "
        "so2, no2, pm10, pm2_5, co, o3 (µg/m³, CO in mg/m³); numbers, strings or null; '—' for missing.",
    )


class FlaggedRowOut(Schema):
    line: int
    stationcode: str
    timepoint: str
    flags: dict[str, str]
    values: dict[str, str]
    note: str


class IngestOut(Schema):
    received: int
    created: int
    replaced: int
    unchanged: int
    duplicates: int
    flagged_count: int
    flagged: list[FlaggedRowOut]


class ProblemOut(Schema):
    line: int
    message: str


class RefusedOut(Schema):
    detail: str
    problem_count: int
    problems: list[ProblemOut]


@router.post(
    "/readings",
    response={200: IngestOut, 422: RefusedOut},
    summary="Store hourly readings; a re-sent station-hour replaces the stored one",
    description="Bad values are flagged and stored with their row; the answer lists each flagged row. If any row "
    "cannot be placed (unknown station, bad timepoint, a station you may not write), nothing is stored and the "
    "answer (422) lists the lines.",
)
def post_readings(request, payload: ReadingsIn):
    _member(request)
    if not access.writable_cities(request.auth):
        raise HttpError(403, _("Only the office and a city's staff upload readings."))
    if len(payload.readings) > MAX_BATCH:
        raise HttpError(422, _("Send at most %(count)d readings at a time.") % {"count": MAX_BATCH})
    try:
        result = ingest(json_rows(payload.readings), user=request.auth, source=Source.API)
    except IngestError as error:
        return Status(
            422,
            {
                "detail": error.message,
                "problem_count": error.problem_count,
                "problems": [{"line": line, "message": message} for line, message in error.problems],
            },
        )
    return {
        "received": result.received,
        "created": result.created,
        "replaced": result.replaced,
        "unchanged": result.unchanged,
        "duplicates": result.duplicates,
        "flagged_count": result.flagged_count,
        "flagged": [
            {
                "line": row.line,
                "stationcode": row.station,
                "timepoint": row.timepoint,
                "flags": {p: flag.name.lower() for p, flag in row.flags.items()},
                "values": row.values,
                "note": row.note,
            }
            for row in result.flagged
        ],
    }


# --- daily values -------------------------------------------------------------------------------------------


@router.get("/daily", summary="Daily AQI of each city and of the cluster, one value per day (null: no AQI)")
def daily(request, start: dt.date | None = None, end: dt.date | None = None):
    _member(request)
    start, end = _period(start, end)
    return dashboard.daily_series(start, end)


@router.get("/calendar", summary="Daily AQI and level of one city (or the cluster) for a calendar year")
def calendar(
    request,
    unit: str = Query("", max_length=60),
    year: int | None = Query(
        None, ge=YEAR_MIN, le=YEAR_MAX, description="Calendar year; default the latest with data."
    ),
):
    _member(request)
    area = cluster_unit() if unit in ("", "cluster") else None
    if area is None:
        area = get_object_or_404(Unit, slug=unit, kind__in=[UnitKind.CITY, UnitKind.OFFICE])
    if year is None:
        span = dashboard.data_span()
        year = span[1].year if span else timezone.localdate().year
    return dashboard.calendar(area, year)


@router.get("/breakdown", summary="Days by level and by primary pollutant, per city, over a period")
def breakdown(request, start: dt.date | None = None, end: dt.date | None = None):
    _member(request)
    start, end = _period(start, end)
    return {**dashboard.breakdown(start, end), "start": start.isoformat(), "end": end.isoformat()}


@router.get("/stations", summary="Stations with coordinates and their daily AQI (latest, or on a day)")
def stations(request, day: dt.date | None = None):
    _member(request)
    return dashboard.station_map(day)


Shown = float | Literal["NA", "/"]


class StationDayOut(Schema):
    day: dt.date
    standard: str = Field(..., description="The HJ 633 edition of the day's report.")
    aqi: int | Literal["NA"] = Field(..., description='"NA": not published (HJ 633-2026 5.3.1).')
    level: int | None
    primary: list[str]
    hours: int = Field(..., description="Readings received for the day.")
    values: dict[str, Shown] = Field(
        ...,
        description='Daily statistics (µg/m³, CO mg/m³): a number, "NA" when missing or invalid, '
        '"/" when the station\'s monitoring programme does not cover the pollutant.',
    )
    iaqi: dict[str, int | Literal["NA", "/"]] = Field(
        ..., description="Sub-indices of the edition's daily indicators, with the same NA and /."
    )


@router.get(
    "/stations/{code}/days",
    response=list[StationDayOut],
    summary="Daily values of one station over a period, with NA and / as HJ 633-2026 5.3.1 shows them",
)
def station_days(request, code: str, start: dt.date | None = None, end: dt.date | None = None):
    _member(request)
    station = get_object_or_404(Station, code=code)
    start, end = _period(start, end)
    rows = StationDay.objects.filter(station=station, day__gte=start, day__lte=end).order_by("day")
    answer = []
    for row in rows:
        indicators = aqi_indicators("24h", row.standard)
        answer.append(
            {
                "day": row.day,
                "standard": row.standard,
                "aqi": row.aqi if row.aqi is not None else NA,
                "level": row.level,
                "primary": row.primary_pollutants,
                "hours": row.hours,
                "values": {field: row.shown(field) for field in StationDay.CONCENTRATION_FIELDS},
                "iaqi": {key: row.shown(StationDay.IAQI_FIELDS[key]) for key in indicators},
            }
        )
    return answer


# --- forecasts ----------------------------------------------------------------------------------------------


PrimaryKey = Literal["", "so2", "no2", "pm10", "pm25", "co", "o3", "o3_8h"]


class ForecastIn(Schema):
    # The bounds repeat do_set_forecast's rules so that the OpenAPI document shows them; the
    # action stays the judge (its refusals come back as 422 with the item's line).
    city: str = Field(..., max_length=60, description="City: slug, name or short name (taiyuan, 太原, 太原市)")
    day: dt.date = Field(..., description="The forecast day; from 2013-01-01 to a year ahead.")
    aqi: int = Field(..., ge=0, le=500, description="Forecast daily AQI (the upper end of a range).")
    aqi_low: int | None = Field(None, ge=0, le=500, description="Lower end of the range, at most `aqi`.")
    primary: PrimaryKey = Field("", description="Forecast primary pollutant.")
    note: str = Field("", max_length=300)


class ForecastOut(Schema):
    city: str
    day: dt.date
    aqi: int
    aqi_low: int | None
    primary: str
    note: str

    @staticmethod
    def resolve_city(forecast):
        return forecast.city.slug


@router.get("/forecasts", response=list[ForecastOut], summary="Forecast daily AQI of the cities over a period")
def forecasts(request, start: dt.date | None = None, end: dt.date | None = None):
    _member(request)
    today = timezone.localdate()
    start, end = _period(start or today - dt.timedelta(days=3), end or today + dt.timedelta(days=10))
    return list(Forecast.objects.filter(day__gte=start, day__lte=end).select_related("city"))


@router.post(
    "/forecasts",
    response={200: list[ForecastOut], 422: RefusedOut},
    summary="Enter forecasts (all or nothing); each city only by its staff or the office",
)
def post_forecasts(request, payload: list[ForecastIn]):
    _member(request)
    allowed = access.writable_cities(request.auth, access.can_forecast_for)
    items, problems = [], []
    for line, item in enumerate(payload, start=1):
        city = find_city(item.city, allowed)
        if city is None:
            problems.append(
                {"line": line, "message": _("“%(city)s” is not a city you may forecast for.") % {"city": item.city}}
            )
            continue
        items.append({**item.dict(), "city": city, "line": line})
    if not problems and items:
        try:
            return actions.do_import_forecasts(actor=request.auth, items=items)
        except actions.ForecastProblems as refused:
            problems = [{"line": line, "message": message} for line, message in refused.problems]
    return Status(
        422,
        {
            "detail": _("Nothing was stored.") if problems else _("No forecasts were sent."),
            "problem_count": len(problems),
            "problems": problems,
        },
    )


# --- warnings in force: public ------------------------------------------------------------------------------


class CityWarningOut(Schema):
    code: str
    city: str
    city_name: str
    level: str
    level_label: str
    response_level: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    acknowledged: bool


@router.get(
    "/public/warnings",
    auth=None,
    response=list[CityWarningOut],
    summary="Heavy-pollution warnings in force, per city (public, no login)",
)
def public_warnings(request):
    rows = CityWarning.objects.filter(state=WarningState.ACTIVE).select_related("joint", "city")
    return [
        {
            "code": cw.joint.code,
            "city": cw.city.slug,
            "city_name": dashboard.short_name(cw.city),
            "level": cw.level,
            "level_label": str(cw.get_level_display()),
            "response_level": str(cw.response_level),
            "starts_at": cw.joint.starts_at,
            "ends_at": cw.joint.ends_at,
            "acknowledged": not cw.needs_acknowledgement,
        }
        for cw in rows.order_by("city__sort_order", "city_id")
    ]
