"""Writes of air quality: forecasts and the joint warnings with their city warnings.

Readings are written by ingest.py (one path for every channel). Every change here is atomic,
writes a timeline event and notifies the people concerned; notifications are stored in the
same transaction and sent after it commits, so a refused change sends nothing. `at` lets an
import or the demo record something that happened earlier.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xietong.core import locks, timeline
from xietong.core.models import Role
from xietong.core.notify import notify, office_units, recipients, translatable, unit_name

from . import access
from .models import LEVEL_RANK, POLLUTANT_LABELS, CityWarning, Forecast, JointWarning, WarningLevel, WarningState
from .warning_rules import rules_in_force


def _level_label(level):
    return WarningLevel(level).label


# --- forecasts --------------------------------------------------------------------------------------------


FORECAST_AQI_MAX = 500
FORECAST_NOTE_MAX = Forecast._meta.get_field("note").max_length
# Forecasts are for days of the national AQI era (HJ 633 reports began in 2013), at most a year ahead.
FORECAST_FIRST_DAY = dt.date(2013, 1, 1)
FORECAST_MAX_DAYS_AHEAD = 366


class ForecastProblems(ValidationError):
    """Forecasts refused all together; `problems` lists (line, message) per refused item."""

    def __init__(self, problems):
        super().__init__([_("Line %(line)d: %(message)s") % {"line": line, "message": m} for line, m in problems])
        self.problems = problems


def _check_forecast(*, day, aqi, aqi_low, primary, note):
    """Every rule of a forecast, per field; raises one ValidationError naming the fields."""
    errors = {}
    last_day = timezone.localdate() + dt.timedelta(days=FORECAST_MAX_DAYS_AHEAD)
    if not isinstance(day, dt.date) or not FORECAST_FIRST_DAY <= day <= last_day:
        errors["day"] = _("The day is out of range: forecasts are for days from %(first)s to %(last)s.") % {
            "first": FORECAST_FIRST_DAY.isoformat(),
            "last": last_day.isoformat(),
        }
    for field, value in (("aqi", aqi), ("aqi_low", aqi_low)):
        if value is not None and not (isinstance(value, int) and 0 <= value <= FORECAST_AQI_MAX):
            errors[field] = _("The AQI must be a whole number from 0 to 500.")
    if "aqi" not in errors and "aqi_low" not in errors and aqi_low is not None and aqi_low > aqi:
        errors["aqi_low"] = _("The lower end of the range is above the forecast AQI.")
    if primary and primary not in POLLUTANT_LABELS:
        errors["primary"] = _("“%(value)s” is not a pollutant (one of %(keys)s).") % {
            "value": primary,
            "keys": ", ".join(POLLUTANT_LABELS),
        }
    if len(note) > FORECAST_NOTE_MAX:
        errors["note"] = _("The note is longer than %(count)d characters.") % {"count": FORECAST_NOTE_MAX}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_set_forecast(*, actor, city, day, aqi, aqi_low=None, primary="", note=""):
    """Enter or correct the forecast daily AQI of a city for a day (the range is aqi_low … aqi)."""
    if not access.can_forecast_for(actor, city):
        raise PermissionDenied
    _check_forecast(day=day, aqi=aqi, aqi_low=aqi_low, primary=primary, note=note)
    forecast = Forecast.objects.select_for_update().filter(city=city, day=day).first()
    new = {"aqi": aqi, "aqi_low": aqi_low, "primary": primary, "note": note}
    if forecast is None:
        forecast = Forecast.objects.create(city=city, day=day, updated_by=actor, **new)
        timeline.record(
            forecast, "forecast_entered", actor=actor, changes=timeline.changes_between({}, new), public=False
        )
        return forecast
    old = {key: getattr(forecast, key) for key in new}
    changes = timeline.changes_between(old, new)
    if not changes:
        return forecast
    for key, value in new.items():
        setattr(forecast, key, value)
    forecast.updated_at = timezone.now()
    forecast.updated_by = actor
    forecast.save(update_fields=[*new, "updated_at", "updated_by"])
    timeline.record(forecast, "forecast_corrected", actor=actor, changes=changes, public=False)
    return forecast


@transaction.atomic
def do_import_forecasts(*, actor, items):
    """Several forecasts at once, all or nothing.

    items: dicts with city, day, aqi and optionally aqi_low, primary, note, and `line` (where the
    item came from, for the message; default its position). Every item is checked before any is
    stored; ForecastProblems lists each refused one.
    """
    problems, checked = [], []
    for position, item in enumerate(items, start=1):
        fields = {"aqi_low": None, "primary": "", "note": "", **item}
        line = fields.pop("line", position)
        try:
            if not access.can_forecast_for(actor, fields["city"]):
                raise ValidationError(_("You may not forecast for %(city)s.") % {"city": fields["city"].display_name})
            _check_forecast(**{k: v for k, v in fields.items() if k != "city"})
        except ValidationError as error:
            problems.append((line, " ".join(error.messages)))
        checked.append(fields)
    if problems:
        raise ForecastProblems(problems)
    return [do_set_forecast(actor=actor, **fields) for fields in checked]


# --- joint warnings -----------------------------------------------------------------------------------------


def _notify_cities(city_warnings, *, message, params, body, key, info_message=None, at=None):
    """Ask the city's own staff (who acknowledge for it) to acknowledge; tell the units below it, who carry out
    the measures but cannot acknowledge, that the warning is in force, without asking them for anything."""
    for city_warning in city_warnings:
        city = city_warning.city
        acknowledgers = recipients([city], min_role=Role.STAFF)
        asked = {p.pk for p in acknowledgers}
        below = [p for p in recipients([city], min_role=Role.VIEWER, below=True) if p.pk not in asked]
        for people, text in ((acknowledgers, message), (below, info_message or message)):
            notify(
                people,
                kind="airquality.warning",
                message=text,
                params={**params, "city": unit_name(city)},
                body=body,
                url=reverse("airquality:warning", args=[city_warning.joint_id]),
                dedupe_key=f"airquality-warning-{city_warning.pk}-{key}",
                at=at,
            )


def _next_code(year):
    prefix = f"{year}-"
    taken = JointWarning.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(code[len(prefix) :]) for code in taken if code[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


JOINT_WARNING_LOCK = "airquality.joint-warning"


@transaction.atomic
def do_issue_joint_warning(*, actor, level, cities, starts_at, reason, ends_at=None, measures="", at=None):
    """The office issues a regional warning; each city receives it as its own warning to acknowledge."""
    if not access.can_manage_warnings(actor):
        raise PermissionDenied
    cities = list(cities)
    if not cities:
        raise ValidationError(_("Choose at least one city."))
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError(_("The expected end must be after the start."))
    # Numbering and the one-warning-per-city check must not race with another issue.
    locks.hold(JOINT_WARNING_LOCK)
    busy = CityWarning.objects.filter(city__in=cities, state=WarningState.ACTIVE).select_related("city", "joint")
    if busy:
        raise ValidationError(
            _("A joint warning is already in force for %(cities)s (%(code)s): change its level instead.")
            % {"cities": "、".join(b.city.display_name for b in busy), "code": busy[0].joint.code}
        )
    at = at or timezone.now()
    warning = JointWarning.objects.create(
        code=_next_code(timezone.localtime(at).year),
        level=level,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        measures=measures,
        rule_set=rules_in_force(starts_at),
        issued_at=at,
        issued_by=actor,
    )
    city_warnings = CityWarning.objects.bulk_create(
        [CityWarning(joint=warning, city=city, level=level) for city in cities]
    )
    timeline.record(
        warning,
        "issued",
        actor=actor,
        at=at,
        changes={"level": [None, level], "cities": [None, [c.display_name for c in cities]]},
        public=False,
    )
    for city_warning in city_warnings:
        timeline.record(city_warning, "issued", actor=actor, at=at, changes={"level": [None, level]}, public=False)
    _notify_cities(
        city_warnings,
        message=gettext_noop("%(level)s heavy-pollution warning for %(city)s: please acknowledge"),
        info_message=gettext_noop("%(level)s heavy-pollution warning in force for %(city)s"),
        params={"level": translatable(_level_label(level))},
        body=reason,
        key="issued",
        at=at,
    )
    return warning


def _locked(warning):
    return JointWarning.objects.select_for_update().get(pk=warning.pk)


@transaction.atomic
def do_change_level(*, actor, warning, level, reason, at=None):
    """Upgrade or downgrade a joint warning and every city warning of it; each city acknowledges again."""
    if not access.can_manage_warnings(actor):
        raise PermissionDenied
    warning = _locked(warning)
    if not warning.is_active:
        raise ValidationError(_("This warning has been lifted; issue a new one."))
    if level == warning.level:
        raise ValidationError(_("The warning is already at this level."))
    verb = "upgraded" if LEVEL_RANK[level] > LEVEL_RANK[warning.level] else "downgraded"
    old = warning.level
    warning.level = level
    warning.save(update_fields=["level"])
    at = at or timezone.now()
    timeline.record(warning, verb, actor=actor, at=at, changes={"level": [old, level]}, note=reason, public=False)
    city_warnings = list(warning.city_warnings.select_related("city").filter(state=WarningState.ACTIVE))
    for city_warning in city_warnings:
        previous = city_warning.level
        city_warning.level = level
        city_warning.save(update_fields=["level"])
        timeline.record(
            city_warning, verb, actor=actor, at=at, changes={"level": [previous, level]}, note=reason, public=False
        )
    if verb == "upgraded":
        message = gettext_noop("Warning %(code)s for %(city)s upgraded to %(level)s: please acknowledge")
    else:
        message = gettext_noop("Warning %(code)s for %(city)s downgraded to %(level)s: please acknowledge")
    _notify_cities(
        city_warnings,
        message=message,
        info_message=gettext_noop("Warning %(code)s for %(city)s is now at %(level)s"),
        params={"code": warning.code, "level": translatable(_level_label(level))},
        body=reason,
        key=f"{verb}-{level}-{at.timestamp():.0f}",
        at=at,
    )
    return warning


@transaction.atomic
def do_acknowledge(*, actor, city_warning, level_seen=None, at=None):
    """A city's staff acknowledge their city's warning at its current level; returns False if already done."""
    if not access.can_acknowledge(actor, city_warning.city):
        raise PermissionDenied
    _locked(city_warning.joint)
    city_warning = CityWarning.objects.select_related("joint", "city").get(pk=city_warning.pk)
    if not city_warning.is_active:
        raise ValidationError(_("This warning has been lifted; there is nothing to acknowledge."))
    if level_seen and level_seen != city_warning.level:
        raise ValidationError(
            _("The level has just changed to %(level)s. Read the warning again, then acknowledge it.")
            % {"level": _level_label(city_warning.level)}
        )
    if city_warning.acknowledged_level == city_warning.level:
        return False
    at = at or timezone.now()
    city_warning.acknowledged_at = at
    city_warning.acknowledged_by = actor
    city_warning.acknowledged_level = city_warning.level
    city_warning.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledged_level"])
    timeline.record(
        city_warning, "acknowledged", actor=actor, at=at, changes={"level": [None, city_warning.level]}, public=False
    )
    timeline.record(
        city_warning.joint,
        "acknowledged",
        actor=actor,
        at=at,
        changes={"city": [None, city_warning.city.display_name], "level": [None, city_warning.level]},
        public=False,
    )
    notify(
        recipients(office_units(), min_role=Role.VIEWER),
        kind="airquality.acknowledged",
        message=gettext_noop("%(city)s acknowledged warning %(code)s (%(level)s)"),
        params={
            "city": unit_name(city_warning.city),
            "code": city_warning.joint.code,
            "level": translatable(_level_label(city_warning.level)),
        },
        url=reverse("airquality:warning", args=[city_warning.joint_id]),
        dedupe_key=f"airquality-ack-{city_warning.pk}-{city_warning.level}-{at.timestamp():.0f}",
        at=at,
    )
    return True


@transaction.atomic
def do_lift(*, actor, warning, reason, at=None):
    """Lift a joint warning and all its city warnings."""
    if not access.can_manage_warnings(actor):
        raise PermissionDenied
    warning = _locked(warning)
    if not warning.is_active:
        raise ValidationError(_("This warning has already been lifted."))
    at = at or timezone.now()
    warning.state = WarningState.LIFTED
    warning.lifted_at = at
    warning.lifted_by = actor
    warning.lift_reason = reason
    warning.save(update_fields=["state", "lifted_at", "lifted_by", "lift_reason"])
    timeline.record(
        warning, "lifted", actor=actor, at=at, changes={"state": ["active", "lifted"]}, note=reason, public=False
    )
    city_warnings = list(warning.city_warnings.select_related("city").filter(state=WarningState.ACTIVE))
    for city_warning in city_warnings:
        city_warning.state = WarningState.LIFTED
        city_warning.save(update_fields=["state"])
        timeline.record(
            city_warning, "lifted", actor=actor, at=at, changes={"state": ["active", "lifted"]}, public=False
        )
    _notify_cities(
        city_warnings,
        message=gettext_noop("Warning %(code)s for %(city)s lifted"),
        params={"code": warning.code},
        body=reason,
        key="lifted",
        at=at,
    )
    return warning
