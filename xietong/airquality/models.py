"""Stations, hourly readings, derived daily values, forecasts and joint warnings.

Readings keep what was sent, including values that cannot be used: a flag per
pollutant says why (missing, not a number, negative, above any plausible value).
Daily values are derived from them per the validity rules of GB 3095-2012 /
HJ 663-2013 (see derive.py) and stored, so dashboards read a few thousand rows
instead of aggregating millions.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core import models as core_models
from xietong.core.models import IngestSource, Unit

from .standards import NA, NOT_MONITORED

# The six pollutants of the national feed, in the order of the flag bits below.
POLLUTANTS = ("so2", "no2", "pm10", "pm25", "co", "o3")
POLLUTANT_LABELS = {
    "so2": "SO₂",
    "no2": "NO₂",
    "pm10": "PM₁₀",
    "pm25": "PM₂.₅",
    "co": "CO",
    "o3": "O₃",
    "o3_8h": "O₃-8h",
}


# Daily fields -> the pollutant of the programme they measure.
FIELD_POLLUTANT = {
    "o3_1h_max": "o3",
    "o3_8h_max": "o3",
    "iaqi_so2": "so2",
    "iaqi_no2": "no2",
    "iaqi_pm10": "pm10",
    "iaqi_pm25": "pm25",
    "iaqi_co": "co",
    "iaqi_o3": "o3",
    "iaqi_o3_8h": "o3",
}


class Flag(models.IntegerChoices):
    """Why one pollutant value of a reading cannot be used (0: it can)."""

    OK = 0, _("valid")
    MISSING = 1, _("missing")
    NOT_A_NUMBER = 2, _("not a number")
    NEGATIVE = 3, _("negative")
    IMPOSSIBLE = 4, _("above any plausible value")


FLAG_BITS = 3  # per pollutant: room for 8 codes
FLAG_MASK = (1 << FLAG_BITS) - 1


def unpack_flags(packed):
    """The integer of Reading.flags -> {pollutant: Flag} for the flagged pollutants only."""
    codes = {}
    for index, pollutant in enumerate(POLLUTANTS):
        code = (packed >> (FLAG_BITS * index)) & FLAG_MASK
        if code:
            codes[pollutant] = Flag(code)
    return codes


def validate_programme(value):
    keys = [p.strip() for p in value.split(",") if p.strip()]
    unknown = [p for p in keys if p not in POLLUTANTS]
    if unknown or not keys:
        raise ValidationError(
            _("List pollutants among %(keys)s, separated by commas."), params={"keys": ", ".join(POLLUTANTS)}
        )


class AreaClass(models.IntegerChoices):
    """环境空气功能区 of GB 3095: its limits (e.g. O3 8-hour 100 or 160 µg/m³) depend on it."""

    ONE = 1, _("Class 1")
    TWO = 2, _("Class 2")


class Station(models.Model):
    """A monitoring station of the national network, belonging to a city."""

    code = models.CharField(_("station code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    city = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="stations",
        limit_choices_to={"kind": "city"},
        verbose_name=_("city"),
    )
    region = models.ForeignKey(
        "regions.Region",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("region"),
    )
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5)
    active = models.BooleanField(_("in service"), default=True)
    # The pollutants the station's monitoring programme covers (监测项目), comma-separated keys of
    # POLLUTANTS. Values it does not cover are shown "/" rather than "NA" (HJ 633-2026 5.3.1).
    programme = models.CharField(
        _("monitoring programme"),
        max_length=40,
        default=",".join(POLLUTANTS),
        validators=[validate_programme],
        help_text=_("Pollutants the station measures, comma-separated: so2, no2, pm10, pm25, co, o3."),
    )
    area_class = models.PositiveSmallIntegerField(
        _("GB 3095 area class"),
        choices=AreaClass.choices,
        default=AreaClass.TWO,
        help_text=_("Class 1: nature reserves, scenic areas; class 2: all other areas."),
    )

    class Meta:
        ordering = ["city__sort_order", "city_id", "code"]
        verbose_name = _("station")
        verbose_name_plural = _("stations")

    def __str__(self):
        return f"{self.display_name} ({self.code})"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("airquality:station", args=[self.code])

    @property
    def display_name(self):
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    @property
    def monitored(self):
        return {p for p in self.programme.split(",") if p}

    @property
    def not_monitored(self):
        """The pollutants outside the station's programme, in the order of POLLUTANTS."""
        monitored = self.monitored
        return [p for p in POLLUTANTS if p not in monitored]


Source = IngestSource


class IngestBatch(core_models.IngestBatch):
    """One accepted delivery of readings: who sent what, and what was flagged."""

    rows_created = models.PositiveIntegerField(_("new station-hours"), default=0)
    rows_replaced = models.PositiveIntegerField(_("replaced station-hours"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged station-hours"), default=0)

    class Meta(core_models.IngestBatch.Meta):
        verbose_name = _("delivery of readings")
        verbose_name_plural = _("deliveries of readings")


class Reading(models.Model):
    """The hourly values of one station; `at` is the END of the hour (the feed's timepoint).

    A value that cannot be used is kept as sent (negative and implausible numbers stay in
    their column, text that is not a number goes to `raw`) and flagged in `flags`
    (3 bits per pollutant, see Flag); derived series skip flagged values.
    """

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="readings")
    at = models.DateTimeField(_("hour ending"))
    so2 = models.FloatField(null=True, blank=True)
    no2 = models.FloatField(null=True, blank=True)
    pm10 = models.FloatField(null=True, blank=True)
    pm25 = models.FloatField(null=True, blank=True)
    co = models.FloatField(null=True, blank=True)
    o3 = models.FloatField(null=True, blank=True)
    flags = models.PositiveIntegerField(default=0)
    raw = models.JSONField(null=True, blank=True)
    batch = models.ForeignKey(IngestBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["station_id", "at"]
        constraints = [models.UniqueConstraint(fields=["station", "at"], name="airquality_reading_station_hour")]
        verbose_name = _("reading")
        verbose_name_plural = _("readings")

    def __str__(self):
        return f"{self.station_id} {self.at:%Y-%m-%d %H:%M}"

    @property
    def flag_codes(self):
        return unpack_flags(self.flags)

    @property
    def day(self):
        """The natural day this hour belongs to: hour-ending 01:00 … 24:00."""
        return timezone.localtime(self.at - dt.timedelta(hours=1)).date()

    def cells(self):
        """(pollutant, value, flag or None, raw text) for display."""
        codes = self.flag_codes
        raw = self.raw or {}
        return [(p, getattr(self, p), codes.get(p), raw.get(p, "")) for p in POLLUTANTS]


class DailyValues(models.Model):
    """Daily statistics and daily AQI (日报) of one station or area."""

    day = models.DateField(_("day"))
    so2 = models.FloatField(null=True, blank=True)
    no2 = models.FloatField(null=True, blank=True)
    pm10 = models.FloatField(null=True, blank=True)
    pm25 = models.FloatField(null=True, blank=True)
    co = models.FloatField(null=True, blank=True)
    o3_1h_max = models.FloatField(null=True, blank=True)
    o3_8h_max = models.FloatField(null=True, blank=True)
    iaqi_so2 = models.SmallIntegerField(null=True, blank=True)
    iaqi_no2 = models.SmallIntegerField(null=True, blank=True)
    iaqi_pm10 = models.SmallIntegerField(null=True, blank=True)
    iaqi_pm25 = models.SmallIntegerField(null=True, blank=True)
    iaqi_co = models.SmallIntegerField(null=True, blank=True)
    iaqi_o3 = models.SmallIntegerField(null=True, blank=True)
    iaqi_o3_8h = models.SmallIntegerField(null=True, blank=True)
    # `aqi` is what is published; HJ 633-2026 5.3.1 withholds an AQI ≤ 100 when a
    # pollutant is missing, `computed_aqi` keeps the maximum IAQI in that case.
    aqi = models.SmallIntegerField(_("AQI"), null=True, blank=True)
    computed_aqi = models.SmallIntegerField(null=True, blank=True)
    level = models.PositiveSmallIntegerField(_("AQI level"), null=True, blank=True)
    primary = models.CharField(_("primary pollutant"), max_length=60, blank=True)
    # Pollutants outside the monitoring programme (comma-separated): shown "/"; a missing value
    # of a monitored pollutant (None in its column) is shown "NA".
    not_monitored = models.CharField(max_length=40, blank=True, default="")
    standard = models.CharField(max_length=20)
    computed_at = models.DateTimeField(default=timezone.now)

    IAQI_FIELDS = {
        "so2": "iaqi_so2",
        "no2": "iaqi_no2",
        "pm10": "iaqi_pm10",
        "pm25": "iaqi_pm25",
        "co": "iaqi_co",
        "o3": "iaqi_o3",
        "o3_8h": "iaqi_o3_8h",
    }
    CONCENTRATION_FIELDS = ("so2", "no2", "pm10", "pm25", "co", "o3_1h_max", "o3_8h_max")

    class Meta:
        abstract = True

    @property
    def primary_pollutants(self):
        return [p for p in self.primary.split(",") if p]

    def shown(self, field):
        """A concentration or sub-index field as published: its value, "/" or "NA"."""
        value = getattr(self, field)
        if value is not None:
            return value
        pollutant = FIELD_POLLUTANT.get(field, field)
        return NOT_MONITORED if pollutant in self.not_monitored.split(",") else NA


class StationDay(DailyValues):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="days")
    hours = models.PositiveSmallIntegerField(default=0, help_text="Readings received for the day.")

    class Meta:
        ordering = ["station_id", "day"]
        constraints = [models.UniqueConstraint(fields=["station", "day"], name="airquality_stationday_unique")]

    def __str__(self):
        return f"{self.station_id} {self.day}"


class AreaDay(DailyValues):
    """Daily values of a city (mean of its stations) or of the whole cluster (unit = the office)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    stations = models.PositiveSmallIntegerField(default=0, help_text="Stations (or cities) averaged.")

    class Meta:
        ordering = ["unit_id", "day"]
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="airquality_areaday_unique")]

    def __str__(self):
        return f"{self.unit_id} {self.day}"


# --- forecasts and warnings ------------------------------------------------------------------------------


class Forecast(models.Model):
    """The forecast daily AQI of a city for one day (the upper end when a range is forecast)."""

    city = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    day = models.DateField(_("day"))
    aqi = models.PositiveSmallIntegerField(_("forecast AQI"))
    aqi_low = models.PositiveSmallIntegerField(_("lower end of the range"), null=True, blank=True)
    primary = models.CharField(_("primary pollutant"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["city__sort_order", "city_id", "day"]
        constraints = [models.UniqueConstraint(fields=["city", "day"], name="airquality_forecast_city_day")]
        verbose_name = _("forecast")
        verbose_name_plural = _("forecasts")

    def __str__(self):
        return f"{self.city} {self.day}: {self.aqi}"

    @property
    def primary_label(self):
        return POLLUTANT_LABELS.get(self.primary, self.primary)


class WarningLevel(models.TextChoices):
    BLUE = "blue", _("Blue")
    YELLOW = "yellow", _("Yellow")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")


LEVEL_RANK = {"blue": 1, "yellow": 2, "orange": 3, "red": 4}
# The response that goes with each colour in the emergency plans (IV级 … I级).
RESPONSE_LEVEL = {
    "blue": _("Level IV response"),
    "yellow": _("Level III response"),
    "orange": _("Level II response"),
    "red": _("Level I response"),
}


class WarningRuleSet(models.Model):
    """The warning criteria of one plan or guidance, in force from `effective_from` until the next set.

    `levels` is data, read by warning_rules.py: a list of
    {"level": "yellow", "any": [[[">", 200, 1]], [[">", 150, 48]]]} — the level applies when
    all clauses of any alternative hold; a clause [op, AQI, hours] holds when the forecast
    daily AQI is op AQI for at least `hours` in a row (持续) within one pollution episode.
    """

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    effective_from = models.DateField(_("in force from"), unique=True)
    levels = models.JSONField()
    lift_after_hours = models.PositiveSmallIntegerField(
        _("lifted when below the criteria for more than (hours)"), default=36
    )
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["effective_from"]
        verbose_name = _("warning rule set")
        verbose_name_plural = _("warning rule sets")

    def __str__(self):
        return self.name


class WarningState(models.TextChoices):
    ACTIVE = "active", _("In force")
    LIFTED = "lifted", _("Lifted")


class JointWarning(models.Model):
    """A regional heavy-pollution warning issued by the coordination office for several cities."""

    code = models.CharField(_("warning number"), max_length=20, unique=True)
    level = models.CharField(_("warning level"), max_length=10, choices=WarningLevel.choices)
    state = models.CharField(_("state"), max_length=10, choices=WarningState.choices, default=WarningState.ACTIVE)
    starts_at = models.DateTimeField(_("response starts"))
    ends_at = models.DateTimeField(_("expected end"), null=True, blank=True)
    reason = models.TextField(_("forecast and reason"))
    measures = models.TextField(_("measures"), blank=True)
    rule_set = models.ForeignKey(
        WarningRuleSet, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("rules")
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lift_reason = models.TextField(_("reason for lifting"), blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("joint warning")
        verbose_name_plural = _("joint warnings")

    def __str__(self):
        return f"{self.code} {self.get_level_display()}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("airquality:warning", args=[self.pk])

    @property
    def is_active(self):
        return self.state == WarningState.ACTIVE

    @property
    def response_level(self):
        return RESPONSE_LEVEL[self.level]


class CityWarning(models.Model):
    """The joint warning as one city receives it: its own level, acknowledged by the city."""

    joint = models.ForeignKey(JointWarning, on_delete=models.CASCADE, related_name="city_warnings")
    city = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    level = models.CharField(_("warning level"), max_length=10, choices=WarningLevel.choices)
    state = models.CharField(_("state"), max_length=10, choices=WarningState.choices, default=WarningState.ACTIVE)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The level the city acknowledged; a later upgrade or downgrade needs a new acknowledgement.
    acknowledged_level = models.CharField(max_length=10, choices=WarningLevel.choices, blank=True)

    class Meta:
        ordering = ["joint_id", "city__sort_order", "city_id"]
        constraints = [models.UniqueConstraint(fields=["joint", "city"], name="airquality_citywarning_unique")]
        verbose_name = _("city warning")
        verbose_name_plural = _("city warnings")

    def __str__(self):
        return f"{self.joint.code} · {self.city}"

    @property
    def is_active(self):
        return self.state == WarningState.ACTIVE

    @property
    def needs_acknowledgement(self):
        return self.is_active and self.acknowledged_level != self.level

    @property
    def response_level(self):
        return RESPONSE_LEVEL[self.level]
