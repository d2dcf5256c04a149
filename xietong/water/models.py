"""Rivers, monitoring sections, samples, monthly classes, boundary accountability and eco-compensation.

Samples keep what was sent: a value that cannot be used is kept (its text in `raw`, a
number in its column when there is one) and flagged per parameter in `flags`. Monthly
classes are derived from samples (assess.py) and stored, so pages and statements read
a few hundred rows instead of every sample.

Policy that changes is dated data: a section's target class per year (`SectionTarget`),
the accountability and joint-sampling rules (`RuleSet`, from `effective_from` until the
next one), compensation agreements (`CompensationAgreement`, between their dates).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from xietong.core import models as core_models
from xietong.core.models import IngestSource, Unit

from .grading import CLASSES, GRADES, PARAMETERS

# Measured beside the graded parameters and reported in the monthly table, with no class limits:
# water temperature (°C; GB 3838-2002 Table 1 item 1 limits only its man-made change) and the
# flow at the section (m³/s), which tells a dry month's concentrations from a flood's.
OBSERVED = ("wt", "flow")
MEASURED = (*PARAMETERS, *OBSERVED)

# The model field of each measured key (Django field names cannot end with "_").
FIELDS = {p: ("arsenic" if p == "as_" else p) for p in MEASURED}
VALUE_FIELDS = tuple(FIELDS.values())

GRADE_CHOICES = [(g, g) for g in GRADES]
TARGET_CHOICES = [(g, g) for g in CLASSES]

PARAMETER_LABELS = {
    "wt": _("Water temperature"),
    "flow": _("Flow"),
    "ph": _("pH"),
    "do": _("Dissolved oxygen"),
    "codmn": _("Permanganate index"),
    "cod": _("Chemical oxygen demand"),
    "bod5": _("Five-day biochemical oxygen demand"),
    "nh3n": _("Ammonia nitrogen"),
    "tp": _("Total phosphorus"),
    "tn": _("Total nitrogen"),
    "cu": _("Copper"),
    "zn": _("Zinc"),
    "f": _("Fluoride"),
    "se": _("Selenium"),
    "as_": _("Arsenic"),
    "hg": _("Mercury"),
    "cd": _("Cadmium"),
    "cr6": _("Chromium (hexavalent)"),
    "pb": _("Lead"),
    "cn": _("Cyanide"),
    "phenol": _("Volatile phenol"),
    "oil": _("Petroleum"),
    "las": _("Anionic surfactant"),
    "s2": _("Sulfide"),
    "fecal_coliform": _("Fecal coliform"),
}


def _localized(obj):
    if getattr(obj, "name_en", "") and (get_language() or "").startswith("en"):
        return obj.name_en
    return obj.name


class River(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    basin = models.CharField(_("basin"), max_length=60, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("river")
        verbose_name_plural = _("rivers")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return _localized(self)


class SectionKind(models.TextChoices):
    NATIONAL = "national", _("National assessment section")
    PROVINCIAL = "provincial", _("Provincial assessment section")
    BOUNDARY = "boundary", _("Cross-city boundary section")


class WaterBody(models.TextChoices):
    RIVER = "river", _("River")
    LAKE = "lake", _("Lake or reservoir")


class Section(models.Model):
    """A monitoring section (断面) of a river; a boundary section has an upstream and a downstream city."""

    code = models.CharField(_("section code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    river = models.ForeignKey(River, on_delete=models.PROTECT, related_name="sections", verbose_name=_("river"))
    kind = models.CharField(_("kind"), max_length=12, choices=SectionKind.choices)
    water_body = models.CharField(_("water body"), max_length=6, choices=WaterBody.choices, default=WaterBody.RIVER)
    automatic = models.BooleanField(_("automatic station"), default=False)
    city = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="water_sections", verbose_name=_("city responsible")
    )
    upstream_city = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("upstream city")
    )
    downstream_city = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("downstream city")
    )
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5)
    # Demo sections that are not real monitoring sections say so on every page.
    illustrative = models.BooleanField(_("illustrative"), default=False)
    sort_order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(_("in service"), default=True)

    class Meta:
        ordering = ["river__sort_order", "river_id", "sort_order", "code"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="boundary")
                | (models.Q(upstream_city__isnull=False) & models.Q(downstream_city__isnull=False)),
                name="water_boundary_section_has_both_cities",
            )
        ]

    def __str__(self):
        return f"{self.display_name} ({self.code})"

    def get_absolute_url(self):
        return reverse("water:section", args=[self.code])

    @property
    def display_name(self):
        return _localized(self)

    @property
    def is_boundary(self):
        return self.kind == SectionKind.BOUNDARY


class SectionTarget(models.Model):
    """The class a section must reach in a year (考核目标), as set by the responsibility documents."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    grade = models.CharField(_("target class"), max_length=3, choices=TARGET_CHOICES)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["section_id", "year"]
        constraints = [models.UniqueConstraint(fields=["section", "year"], name="water_target_section_year")]
        verbose_name = _("target class")
        verbose_name_plural = _("target classes")

    def __str__(self):
        return f"{self.section_id} {self.year}: {self.grade}"


class Flag(models.TextChoices):
    """Why one value of a sample cannot be used as measured."""

    MISSING = "missing", _("missing")
    NOT_A_NUMBER = "nan", _("not a number")
    NEGATIVE = "negative", _("negative")
    BELOW_DETECTION = "nd", _("below the detection limit")
    IMPOSSIBLE = "impossible", _("impossible value")


class Mode(models.TextChoices):
    MANUAL = "manual", _("Manual, monthly")
    AUTOMATIC = "auto", _("Automatic, every 4 hours")


Source = IngestSource


class IngestBatch(core_models.IngestBatch):
    """One accepted delivery of samples: who sent what, and what was flagged."""

    rows_created = models.PositiveIntegerField(_("new samples"), default=0)
    rows_replaced = models.PositiveIntegerField(_("replaced samples"), default=0)
    rows_flagged = models.PositiveIntegerField(_("samples with flagged values"), default=0)

    class Meta(core_models.IngestBatch.Meta):
        verbose_name = _("delivery of samples")
        verbose_name_plural = _("deliveries of samples")


class Sample(models.Model):
    """The results of one sampling of a section; (section, taken_at) is unique, a re-sent sample replaces."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="samples")
    taken_at = models.DateTimeField(_("sampled at"))
    mode = models.CharField(_("mode"), max_length=6, choices=Mode.choices, default=Mode.MANUAL)
    ph = models.FloatField(null=True, blank=True)
    do = models.FloatField(null=True, blank=True)
    codmn = models.FloatField(null=True, blank=True)
    cod = models.FloatField(null=True, blank=True)
    bod5 = models.FloatField(null=True, blank=True)
    nh3n = models.FloatField(null=True, blank=True)
    tp = models.FloatField(null=True, blank=True)
    tn = models.FloatField(null=True, blank=True)
    cu = models.FloatField(null=True, blank=True)
    zn = models.FloatField(null=True, blank=True)
    f = models.FloatField(null=True, blank=True)
    se = models.FloatField(null=True, blank=True)
    arsenic = models.FloatField(null=True, blank=True)
    hg = models.FloatField(null=True, blank=True)
    cd = models.FloatField(null=True, blank=True)
    cr6 = models.FloatField(null=True, blank=True)
    pb = models.FloatField(null=True, blank=True)
    cn = models.FloatField(null=True, blank=True)
    phenol = models.FloatField(null=True, blank=True)
    oil = models.FloatField(null=True, blank=True)
    las = models.FloatField(null=True, blank=True)
    s2 = models.FloatField(null=True, blank=True)
    fecal_coliform = models.FloatField(null=True, blank=True)
    wt = models.FloatField(_("water temperature (°C)"), null=True, blank=True)
    flow = models.FloatField(_("flow (m³/s)"), null=True, blank=True)
    # {parameter: Flag} for the values that cannot be used as measured; {parameter: text} as sent.
    flags = models.JSONField(default=dict, blank=True)
    raw = models.JSONField(default=dict, blank=True)
    batch = models.ForeignKey(IngestBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["section_id", "taken_at"]
        constraints = [models.UniqueConstraint(fields=["section", "taken_at"], name="water_sample_section_time")]
        verbose_name = _("sample")
        verbose_name_plural = _("samples")

    def __str__(self):
        return f"{self.section_id} {timezone.localtime(self.taken_at):%Y-%m-%d %H:%M}"

    def values(self):
        return {p: getattr(self, FIELDS[p]) for p in MEASURED}

    def cells(self):
        """(parameter, value, flag or None, text as sent) for display."""
        return [(p, getattr(self, FIELDS[p]), self.flags.get(p), self.raw.get(p, "")) for p in MEASURED]


class MonthlyResult(models.Model):
    """A section's class for one month from the means of its usable samples (评价办法 一(二)1)."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="months")
    month = models.DateField(_("month"))  # the first day
    samples = models.PositiveSmallIntegerField(_("samples"), default=0)
    sample_ids = models.JSONField(default=list)
    means = models.JSONField(default=dict)
    grade = models.CharField(_("class"), max_length=3, choices=GRADE_CHOICES, blank=True)
    worst = models.JSONField(default=list)
    target = models.CharField(_("target class"), max_length=3, choices=TARGET_CHOICES, blank=True)
    met = models.BooleanField(_("target met"), null=True)
    # {parameter: multiple} over the target's limits, and the main pollutants over class III.
    exceeding = models.JSONField(default=dict)
    failing = models.JSONField(default=list)
    pollutants = models.JSONField(default=list)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["section_id", "month"]
        constraints = [models.UniqueConstraint(fields=["section", "month"], name="water_month_section_month")]
        indexes = [models.Index(fields=["month", "grade"])]
        verbose_name = _("monthly class")
        verbose_name_plural = _("monthly classes")

    def __str__(self):
        return f"{self.section_id} {self.month:%Y-%m}: {self.grade or '—'}"


class RuleSet(models.Model):
    """Accountability and joint-sampling rules, in force from `effective_from` until the next set.

    `tolerances` maps a parameter (or "*" for the rest) to [relative, absolute]: two results of
    one joint sampling differ too much when |a − b| > max(relative × mean, absolute).
    """

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    effective_from = models.DateField(_("in force from"), unique=True)
    response_working_days = models.PositiveSmallIntegerField(
        _("working days the upstream city has to answer a missed target")
    )
    escalate_after = models.PositiveSmallIntegerField(
        _("consecutive missed months that escalate to the office"), default=2
    )
    tolerances = models.JSONField(default=dict)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["effective_from"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")

    def __str__(self):
        return self.name


class BoundaryMiss(models.Model):
    """A month in which a boundary section missed its target, and the upstream city's matter for it."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="misses")
    month = models.DateField(_("month"))
    result = models.OneToOneField(MonthlyResult, on_delete=models.CASCADE, related_name="miss")
    upstream_city = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    downstream_city = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="+")
    # Consecutive months missed up to this one; escalated once it reaches the rule's threshold.
    run = models.PositiveSmallIntegerField(default=1)
    escalated = models.BooleanField(_("escalated"), default=False)
    matter = models.ForeignKey("supervision.Matter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # Set when corrected data for the month meet the target after all: the miss no longer stands,
    # and its matter waits for the office to cancel it (the data alone never closes a matter).
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)

    class Meta:
        ordering = ["-month", "section_id"]
        constraints = [models.UniqueConstraint(fields=["section", "month"], name="water_miss_section_month")]
        verbose_name = _("missed target")
        verbose_name_plural = _("missed targets")

    def __str__(self):
        return f"{self.section_id} {self.month:%Y-%m}"


# --- eco-compensation ------------------------------------------------------------------------------------


class CompensationAgreement(models.Model):
    """An agreement between an upstream and a downstream city on one section (横向生态补偿).

    For each month the section meets its target the downstream city pays `compliance_amount`
    to the upstream city; for each month it misses, the upstream city pays `exceedance_amount`
    to the downstream city. Amounts in 10,000 yuan. In force between its dates.
    """

    code = models.SlugField(max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="agreements")
    upstream_city = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    downstream_city = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True)
    compliance_amount = models.DecimalField(
        _("paid upstream per month met (10,000 yuan)"), max_digits=10, decimal_places=2
    )
    exceedance_amount = models.DecimalField(
        _("paid downstream per month missed (10,000 yuan)"), max_digits=10, decimal_places=2
    )
    illustrative = models.BooleanField(_("illustrative"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["effective_from", "code"]
        verbose_name = _("compensation agreement")
        verbose_name_plural = _("compensation agreements")

    def __str__(self):
        return self.title

    def in_force(self, month):
        return self.effective_from <= month and (self.effective_to is None or month <= self.effective_to)


class Statement(models.Model):
    """One month's compensation under an agreement, from the section's monthly class; both cities confirm it."""

    agreement = models.ForeignKey(CompensationAgreement, on_delete=models.PROTECT, related_name="statements")
    month = models.DateField(_("month"))
    grade = models.CharField(_("class"), max_length=3, choices=GRADE_CHOICES, blank=True)
    target = models.CharField(_("target class"), max_length=3, choices=TARGET_CHOICES, blank=True)
    met = models.BooleanField(_("target met"), null=True)
    payer = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payee = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount (10,000 yuan)"), max_digits=10, decimal_places=2, default=0)
    sample_ids = models.JSONField(default=list)
    computed_at = models.DateTimeField(default=timezone.now)
    upstream_confirmed_at = models.DateTimeField(null=True, blank=True)
    upstream_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    downstream_confirmed_at = models.DateTimeField(null=True, blank=True)
    downstream_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-month", "agreement_id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "month"], name="water_statement_month")]
        verbose_name = _("compensation statement")
        verbose_name_plural = _("compensation statements")

    def __str__(self):
        return f"{self.agreement.code} {self.month:%Y-%m}"

    def get_absolute_url(self):
        return reverse("water:statement", args=[self.pk])

    @property
    def confirmed(self):
        return self.upstream_confirmed_at is not None and self.downstream_confirmed_at is not None


# --- joint sampling ---------------------------------------------------------------------------------------


class JointSampling(models.Model):
    """One sampling event both cities of a boundary section take part in (联合采样), results side by side."""

    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="joint_samplings")
    sampled_on = models.DateField(_("sampled on"))
    upstream_values = models.JSONField(default=dict, blank=True)
    downstream_values = models.JSONField(default=dict, blank=True)
    # {parameter: {"upstream": a, "downstream": b, "difference": |a-b|, "allowed": tolerance}}
    differences = models.JSONField(default=dict, blank=True)
    rule_set = models.ForeignKey(RuleSet, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.TextField(_("review note"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sampled_on", "section_id"]
        constraints = [models.UniqueConstraint(fields=["section", "sampled_on"], name="water_joint_section_day")]
        verbose_name = _("joint sampling")
        verbose_name_plural = _("joint samplings")

    def __str__(self):
        return f"{self.section_id} {self.sampled_on}"

    def get_absolute_url(self):
        return reverse("water:joint", args=[self.pk])

    @property
    def complete(self):
        return bool(self.upstream_values) and bool(self.downstream_values)

    @property
    def needs_review(self):
        return bool(self.differences) and self.reviewed_at is None
