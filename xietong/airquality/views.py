import datetime as dt

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xietong.core.access import member_required
from xietong.core.forms import submit
from xietong.core.models import TimelineEvent

from . import access, actions, dashboard, derive, ingest, public
from . import aqi as aqi_module
from .forms import (
    AcknowledgeForm,
    ChangeLevelForm,
    ForecastForm,
    ForecastImportForm,
    IssueWarningForm,
    LiftForm,
    UploadForm,
)
from .models import (
    LEVEL_RANK,
    POLLUTANT_LABELS,
    POLLUTANTS,
    CityWarning,
    Forecast,
    JointWarning,
    Source,
    Station,
    StationDay,
    WarningLevel,
    WarningRuleSet,
    WarningState,
)
from .standards import NA
from .warning_rules import levels_by_day

VERBS = {
    "issued": gettext_lazy("issued"),
    "upgraded": gettext_lazy("upgraded"),
    "downgraded": gettext_lazy("downgraded"),
    "acknowledged": gettext_lazy("acknowledged"),
    "lifted": gettext_lazy("lifted"),
}


def _error_text(error):
    return " ".join(error.messages)


# Days a page filter may show: the national AQI era up to a year ahead (forecasts); this also keeps
# the pages' day arithmetic (previous/next day, ten-day windows) inside the calendar.
FILTER_FIRST_DAY = dt.date(2013, 1, 1)
FILTER_DAYS_AHEAD = 366


def _day_filter(request, name):
    """The date of a query parameter, or None with a message when it is absent, malformed or out of range."""
    requested = request.GET.get(name)
    if not requested:
        return None
    try:
        day = dt.date.fromisoformat(requested)
    except ValueError:
        messages.error(request, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": requested})
        return None
    last = timezone.localdate() + dt.timedelta(days=FILTER_DAYS_AHEAD)
    if not FILTER_FIRST_DAY <= day <= last:
        messages.error(
            request,
            _("%(value)s is out of range: choose a day from %(first)s to %(last)s.")
            % {"value": requested, "first": FILTER_FIRST_DAY.isoformat(), "last": last.isoformat()},
        )
        return None
    return day


# --- warnings -------------------------------------------------------------------------------------------------


def _city_warnings():
    return Prefetch("city_warnings", queryset=CityWarning.objects.select_related("city", "acknowledged_by"))


@member_required
def warning_list(request):
    warnings = JointWarning.objects.select_related("issued_by", "rule_set").prefetch_related(_city_warnings())
    active = list(warnings.filter(state=WarningState.ACTIVE))
    page = Paginator(warnings.filter(state=WarningState.LIFTED), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "airquality/warning_list.html",
        {
            "active": active,
            "page": page,
            "can_manage": access.can_manage_warnings(request.user),
            "my_city_ids": _acknowledging_city_ids(request.user),
        },
    )


def _acknowledging_city_ids(user):
    return {city.pk for city in access.cities() if access.can_acknowledge(user, city)}


def forecast_outlook(today, horizon=7):
    """Per city: the forecast AQI and the warning level by the rules in force, for the coming days."""
    cities = access.cities()
    first, last = today - dt.timedelta(days=3), today + dt.timedelta(days=horizon + 3)
    forecasts = Forecast.objects.filter(day__gte=first, day__lte=last, city__in=cities)
    series, entries = {}, {}
    for forecast in forecasts:
        series.setdefault(forecast.city_id, {})[forecast.day] = forecast.aqi
        entries[(forecast.city_id, forecast.day)] = forecast
    days = [today + dt.timedelta(days=i) for i in range(horizon)]
    rule_sets = list(WarningRuleSet.objects.order_by("effective_from"))
    rows = []
    for city in cities:
        values = series.get(city.pk, {})
        levels = levels_by_day(values, days, rule_sets) if values else dict.fromkeys(days)
        cells = [
            {
                "day": d,
                "aqi": values.get(d),
                "forecast": entries.get((city.pk, d)),
                "level": levels[d],
                "label": levels[d] and WarningLevel(levels[d]).label,
            }
            for d in days
        ]
        rows.append({"city": city, "cells": cells})
    return {"days": days, "rows": rows}


@member_required
def warning_issue(request):
    if not access.can_manage_warnings(request.user):
        raise PermissionDenied
    if request.method == "POST":
        form = IssueWarningForm(request.POST)
        done, warning = submit(form, lambda data: actions.do_issue_joint_warning(actor=request.user, **data))
        if done:
            messages.success(
                request,
                _("Joint warning %(code)s issued to %(count)d cities.")
                % {"code": warning.code, "count": len(form.cleaned_data["cities"])},
            )
            return redirect(warning)
    else:
        start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
        form = IssueWarningForm(initial={"starts_at": start, "cities": access.cities()})
    outlook = forecast_outlook(timezone.localdate())
    return render(request, "airquality/warning_issue.html", {"form": form, "outlook": outlook})


def _history(warning, city_warnings):
    joint_type = ContentType.objects.get_for_model(JointWarning)
    city_type = ContentType.objects.get_for_model(CityWarning)
    by_id = {str(cw.pk): cw for cw in city_warnings}
    events = (
        TimelineEvent.objects.filter(
            Q(content_type=joint_type, object_id=str(warning.pk)) | Q(content_type=city_type, object_id__in=list(by_id))
        )
        .select_related("actor")
        .order_by("at", "id")
    )
    rows = []
    for event in events:
        city_warning = by_id.get(event.object_id) if event.content_type_id == city_type.pk else None
        # Each change of the joint warning is also recorded on every city's warning; the page
        # shows it once, and acknowledgements once, with their city.
        if (city_warning is None) == (event.verb == "acknowledged"):
            continue
        levels = [WarningLevel(v).label for v in event.changes.get("level", []) if v in LEVEL_RANK]
        rows.append(
            {
                "event": event,
                "verb": VERBS.get(event.verb, event.verb),
                "city": city_warning and city_warning.city,
                "levels": levels,
            }
        )
    return rows


@member_required
def warning_detail(request, pk):
    warning = get_object_or_404(JointWarning.objects.select_related("issued_by", "lifted_by", "rule_set"), pk=pk)
    city_warnings = list(warning.city_warnings.select_related("city", "acknowledged_by"))
    mine = _acknowledging_city_ids(request.user)
    can_manage = access.can_manage_warnings(request.user)
    return render(
        request,
        "airquality/warning_detail.html",
        {
            "warning": warning,
            "city_warnings": city_warnings,
            "my_city_ids": mine,
            "can_manage": can_manage,
            "history": _history(warning, city_warnings),
            # Both forms have a reason: distinct ids keep each label tied to its own field.
            "change_form": ChangeLevelForm(initial={"level": warning.level}, auto_id="level_%s")
            if can_manage
            else None,
            "lift_form": LiftForm(auto_id="lift_%s") if can_manage else None,
        },
    )


def _office_only(request):
    if not access.can_manage_warnings(request.user):
        raise PermissionDenied


@member_required
@require_POST
def warning_change_level(request, pk):
    _office_only(request)
    warning = get_object_or_404(JointWarning, pk=pk)
    form = ChangeLevelForm(request.POST)
    if form.is_valid():
        old = warning.level
        try:
            actions.do_change_level(actor=request.user, warning=warning, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            verb = _("upgraded") if LEVEL_RANK[form.cleaned_data["level"]] > LEVEL_RANK[old] else _("downgraded")
            messages.success(request, _("Warning %(code)s %(verb)s.") % {"code": warning.code, "verb": verb})
    else:
        messages.error(request, _("Choose a level and give a reason."))
    return redirect(warning)


@member_required
@require_POST
def warning_lift(request, pk):
    _office_only(request)
    warning = get_object_or_404(JointWarning, pk=pk)
    form = LiftForm(request.POST)
    if form.is_valid():
        try:
            actions.do_lift(actor=request.user, warning=warning, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Warning %(code)s lifted.") % {"code": warning.code})
    else:
        messages.error(request, _("Give the reason for lifting."))
    return redirect(warning)


@member_required
@require_POST
def city_warning_acknowledge(request, pk):
    city_warning = access.get_city_warning_to_acknowledge(request.user, pk)
    form = AcknowledgeForm(request.POST)
    level_seen = form.cleaned_data["level_seen"] if form.is_valid() else None
    try:
        done = actions.do_acknowledge(actor=request.user, city_warning=city_warning, level_seen=level_seen)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if done:
            messages.success(
                request,
                _("%(city)s acknowledged warning %(code)s.")
                % {"city": city_warning.city.display_name, "code": city_warning.joint.code},
            )
        else:
            messages.info(request, _("Already acknowledged."))
    return redirect(city_warning.joint)


# --- dashboard and public page ------------------------------------------------------------------------------


@member_required
def dashboard_page(request):
    first, last = dashboard.default_range()
    cities = dashboard.cities()
    return render(
        request,
        "airquality/dashboard.html",
        {
            "start": first,
            "end": last,
            "areas": [("cluster", _("The whole cluster"))] + [(c.slug, dashboard.short_name(c)) for c in cities],
            "year": last.year,
            "levels": dashboard.LEVELS,
            "labels": {
                "aqi": _("AQI"),
                "days": _("days"),
                "longitude": _("Longitude"),
                "latitude": _("Latitude"),
                "noData": _("no data"),
                "na": NA,
                "primary": _("Primary pollutant"),
            },
        },
    )


def public_warnings(request):
    """Open to everyone, phone first: warnings in force, each city's current AQI (never an old one
    shown as current) and its forecast for the next three days."""
    return render(request, "airquality/public.html", public.city_summaries())


# --- stations and readings ----------------------------------------------------------------------------------


@member_required
def station_list(request):
    latest = StationDay.objects.filter(station=OuterRef("pk")).order_by("-day")
    stations = (
        Station.objects.select_related("city", "region")
        .annotate(
            latest_day=Subquery(latest.values("day")[:1]),
            latest_aqi=Subquery(latest.values("aqi")[:1]),
            latest_level=Subquery(latest.values("level")[:1]),
            latest_primary=Subquery(latest.values("primary")[:1]),
        )
        .order_by("city__sort_order", "city_id", "code")
    )
    writable = {c.pk for c in access.writable_cities(request.user)}
    return render(request, "airquality/station_list.html", {"stations": stations, "writable": writable})


@member_required
def station_detail(request, code):
    station = get_object_or_404(Station.objects.select_related("city", "region"), code=code)
    days = list(StationDay.objects.filter(station=station).order_by("-day")[:31])
    day = _day_filter(request, "day") or (days[0].day if days else timezone.localdate())
    outside = set(station.not_monitored)
    hours = derive.hourly_series(station, day)
    for hour in hours:
        # (pollutant, value, flag, raw text, outside the programme): "/" versus "NA" in the table
        cells = hour["reading"].cells() if hour["reading"] else [(p, None, None, "") for p in POLLUTANTS]
        hour["cells"] = [(*cell, cell[0] in outside) for cell in cells]
        hour["aqi"] = _hourly_aqi(hour, outside)
    return render(
        request,
        "airquality/station_detail.html",
        {
            "station": station,
            "day": day,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "hours": hours,
            "days": days,
            "pollutants": [(p, POLLUTANT_LABELS[p]) for p in POLLUTANTS],
            "daily_columns": DAILY_COLUMNS,
            "not_monitored": [POLLUTANT_LABELS[p] for p in station.not_monitored],
        },
    )


def _hourly_aqi(hour, outside):
    """The real-time AQI of one station-hour with the indicators of the edition in force then
    (HJ 633-2026 4.2.3: the six 1-hour values; HJ 633-2012 also the 8-hour moving O3)."""
    reading = hour["reading"]
    if reading is None:
        return None
    values = {p: value for p, value, flag, _raw, _outside in hour["cells"] if flag is None and value is not None}
    if hour["o3_8h"] is not None:
        values["o3_8h"] = hour["o3_8h"]  # left out by aqi() where the edition does not use it
    return aqi_module.aqi(values, "1h", at=reading.at, not_monitored=outside)


# The daily statistics a station page lists, in the order of the national daily report.
DAILY_COLUMNS = [
    ("so2", "SO₂"),
    ("no2", "NO₂"),
    ("pm10", "PM₁₀"),
    ("pm25", "PM₂.₅"),
    ("co", "CO"),
    ("o3_8h_max", "O₃-8h"),
    ("o3_1h_max", gettext_lazy("O₃ 1-hour maximum")),
]


@member_required
def upload(request):
    cities = access.writable_cities(request.user)
    if not cities:
        raise PermissionDenied
    result = error = None
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = ingest.ingest(
                    ingest.csv_rows(form.cleaned_data["file"]),
                    user=request.user,
                    source=Source.CSV,
                    filename=request.FILES["file"].name,
                )
            except ingest.IngestError as failure:
                error = failure
            else:
                form = UploadForm()
    else:
        form = UploadForm()
    return render(
        request,
        "airquality/upload.html",
        {
            "form": form,
            "result": result,
            "error": error,
            "cities": cities,
            "pollutants": [(p, POLLUTANT_LABELS[p]) for p in POLLUTANTS],
            "report_limit": ingest.REPORT_LIMIT,
            "report": [(row, [(row.flags.get(p), row.values.get(p, "")) for p in POLLUTANTS]) for row in result.flagged]
            if result
            else [],
        },
        status=400 if error else 200,
    )


# --- forecasts and rules ------------------------------------------------------------------------------------


@member_required
def forecasts(request):
    writable = access.writable_cities(request.user, access.can_forecast_for)
    first = _day_filter(request, "from") or timezone.localdate()
    initial = {"day": first + dt.timedelta(days=1), "city": writable[0] if len(writable) == 1 else None}
    form = ForecastForm(cities=writable, initial=initial) if writable else None
    import_form = ForecastImportForm(cities=writable) if writable else None
    if request.method == "POST":
        if not writable:
            raise PermissionDenied
        if request.POST.get("import"):
            import_form = ForecastImportForm(request.POST, request.FILES, cities=writable)
            if import_form.is_valid():
                try:
                    saved = actions.do_import_forecasts(actor=request.user, items=import_form.cleaned_data["file"])
                except ValidationError as error:
                    import_form.add_error("file", error.messages[:20])
                else:
                    messages.success(request, _("%(count)d forecasts stored.") % {"count": len(saved)})
                    return redirect(f"{request.path}?from={min(f.day for f in saved).isoformat()}")
        else:
            form = ForecastForm(request.POST, cities=writable)
            done, _result = submit(form, lambda data: actions.do_set_forecast(actor=request.user, **data))
            if done:
                city, day = form.cleaned_data["city"], form.cleaned_data["day"]
                messages.success(
                    request,
                    _("Forecast for %(city)s on %(day)s stored.")
                    % {"city": dashboard.short_name(city), "day": day.isoformat()},
                )
                return redirect(f"{request.path}?from={day.isoformat()}")
    today = timezone.localdate()
    all_cities = access.cities()
    coverage = public.forecasts_by_city([c.pk for c in all_cities], today)
    uncovered = [
        {"city": city, "days": [entry["day"] for entry in coverage[city.pk] if "aqi" not in entry]}
        for city in all_cities
        if any("aqi" not in entry for entry in coverage[city.pk])
    ]
    return render(
        request,
        "airquality/forecasts.html",
        {
            "uncovered": uncovered,
            "forecast_days": public.FORECAST_DAYS,
            "outlook": forecast_outlook(first, horizon=10),
            "first": first,
            "form": form,
            "import_form": import_form,
            "earlier": first - dt.timedelta(days=10),
            "later": first + dt.timedelta(days=10),
        },
    )


def _clause_text(op, aqi, hours):
    if hours <= 1:
        return _("daily AQI %(op)s %(aqi)d") % {"op": op, "aqi": aqi}
    return _("daily AQI %(op)s %(aqi)d for %(hours)d h or more") % {"op": op, "aqi": aqi, "hours": hours}


@member_required
def rules(request):
    rule_sets = []
    for rule_set in WarningRuleSet.objects.order_by("-effective_from"):
        levels = []
        for entry in rule_set.levels:
            alternatives = [
                _(" and ").join(_clause_text(*clause) for clause in alternative) for alternative in entry["any"]
            ]
            levels.append(
                {"level": entry["level"], "label": WarningLevel(entry["level"]).label, "alternatives": alternatives}
            )
        rule_sets.append({"rule_set": rule_set, "levels": levels})
    return render(request, "airquality/rules.html", {"rule_sets": rule_sets})
