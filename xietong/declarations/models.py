"""Arrival declarations (返(抵)人员报备), risk-area notices, rule editions, screening and measures.

Policy is data: a `RuleEdition` with one `TierRule` per tier says what each tier of risk area
asks of an arriving person (quarantine, monitoring, tests counted from the day they left the
area). A `Notice` lists `RiskArea`s; screening matches a declaration's `Stop`s against the
areas in force and records every `Match`; the strongest tier's rule generates the `Measure`s.

On PostgreSQL the declaration and stop tables are partitioned by arrival date (see migration
0002), which is why the foreign keys to a declaration carry no database constraint: a
partitioned table's primary key must include the partition key.
"""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong.core.personal import EncryptedTextField


def full_name_of(code):
    """A division's full name from the resolver's in-memory index (no query), or the code."""
    from xietong.regions.resolver import get_index

    node = get_index().nodes.get(code or "")
    return node.full_name if node else (code or "")


class Tier(models.TextChoices):
    HIGH = "high", _("High-risk area")
    MEDIUM = "medium", _("Medium-risk area")
    LOW = "low", _("Low-risk area")
    # Listed by a notice without a tier (the seed's notice): report, test and monitor as it says.
    LISTED = "listed", _("Listed area (no tier given)")


class Quarantine(models.TextChoices):
    NONE = "", _("None")
    CENTRALIZED = "centralized", _("Centralized quarantine")
    HOME = "home", _("Home quarantine")


class RuleEdition(models.Model):
    """A version of the prevention and control plan (防控方案), in force from its effective date."""

    number = models.PositiveSmallIntegerField(_("edition"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    effective_from = models.DateField(_("effective from"), unique=True)
    lookback_days = models.PositiveSmallIntegerField(
        _("look-back days"), default=7, help_text=_("Stays this many days before arrival are screened.")
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("rule edition")
        verbose_name_plural = _("rule editions")

    def __str__(self):
        return self.name

    @classmethod
    def in_force(cls, day):
        return cls.objects.filter(effective_from__lte=day).prefetch_related("tiers").first()

    def rule_for(self, tier):
        return next((rule for rule in self.tiers.all() if rule.tier == tier), None)


class TierRule(models.Model):
    """What one tier of risk area asks of an arriving person under one edition; days count from leaving."""

    edition = models.ForeignKey(RuleEdition, on_delete=models.CASCADE, related_name="tiers")
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    # Which tier wins when a person passed through several areas: the highest strength.
    strength = models.PositiveSmallIntegerField(_("strength"))
    quarantine = models.CharField(_("quarantine"), max_length=20, choices=Quarantine.choices, blank=True)
    quarantine_days = models.PositiveSmallIntegerField(_("quarantine days"), default=0)
    monitoring_days = models.PositiveSmallIntegerField(_("health monitoring days"), default=0)
    test_days = models.JSONField(
        _("test days"), default=list, help_text=_("Days after leaving the area, 1 = the next day.")
    )
    instructions = models.TextField(_("instructions (Chinese)"))
    instructions_en = models.TextField(_("instructions (English)"), blank=True)

    class Meta:
        ordering = ["edition", "-strength"]
        constraints = [models.UniqueConstraint(fields=["edition", "tier"], name="tierrule_unique_edition_tier")]
        verbose_name = _("tier rule")
        verbose_name_plural = _("tier rules")

    def __str__(self):
        return f"{self.edition.number}: {self.get_tier_display()}"


class ScreeningStamp(models.Model):
    """One row whose token changes whenever what screening reads changes: rule editions and their tier rules,
    notices (created, deleted, published, lifted) and their areas.

    Database triggers (migration 0004) write a new random token in the same transaction as the change, whoever
    makes it (an action, the admin, a migration, plain SQL). Web processes keep the editions and the areas in
    force in memory under the token they read, so a submission is screened without reading them again.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=32)

    def __str__(self):
        return self.token


class PreventionOffice(models.Model):
    """A city's epidemic prevention office (疫情防控办): publishes notices, receives hand-overs."""

    city = models.OneToOneField("core.Unit", on_delete=models.CASCADE, related_name="prevention_office")
    unit = models.OneToOneField("core.Unit", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("prevention office")
        verbose_name_plural = _("prevention offices")

    def __str__(self):
        return str(self.unit)


class NoticeState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    LIFTED = "lifted", _("Lifted")


class ScreeningStatus(models.TextChoices):
    IDLE = "", _("Not screened")
    PENDING = "pending", _("Re-screening queued")
    DONE = "done", _("Re-screened")
    FAILED = "failed", _("Re-screening failed")


class Notice(models.Model):
    """A health notice (健康提示) of a city's prevention office, with its risk areas."""

    office = models.ForeignKey(PreventionOffice, on_delete=models.PROTECT, related_name="notices")
    title = models.CharField(_("title"), max_length=200)
    number = models.CharField(_("document number"), max_length=60, blank=True)
    body = models.TextField(_("text"), blank=True)
    window_start = models.DateField(
        _("exposure window from"), help_text=_("“7月19日(含)以来”: the first day that counts.")
    )
    state = models.CharField(_("state"), max_length=10, choices=NoticeState.choices, default=NoticeState.DRAFT)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # The retroactive re-screen of stored declarations for the current version.
    screening = models.CharField(max_length=10, choices=ScreeningStatus.choices, default="", blank=True)
    screening_version = models.PositiveIntegerField(default=0)
    screening_error = models.TextField(blank=True)
    screening_changed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self):
        return self.title

    @property
    def in_force(self):
        return self.state == NoticeState.PUBLISHED


class AreaStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    REVIEW = "review", _("To review")


class RiskArea(models.Model):
    """One entry of a notice's list: a division, or a named place inside one, with its tier and window."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="areas")
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(_("as published"), max_length=300)
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    # The part of the text below the region (a community, a street address), kept for people to read.
    place = models.CharField(_("named place"), max_length=300, blank=True)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.LISTED)
    window_start = models.DateField(_("exposure window from"))
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=AreaStatus.choices, default=AreaStatus.PLACED)
    # Division codes the text could mean, for the person who reviews it.
    candidates = models.JSONField(default=list, blank=True)
    problem = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["notice", "position", "id"]
        verbose_name = _("risk area")
        verbose_name_plural = _("risk areas")

    def __str__(self):
        return self.text

    @property
    def region_name(self):
        return full_name_of(self.region_id) if self.region_id else ""

    @property
    def display_name(self):
        return self.region_name + self.place if self.region_id else self.text

    @property
    def active(self):
        return self.status == AreaStatus.PLACED and self.lifted_on is None and self.region_id is not None


class State(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("declaration state", "Submitted")
    CLEAR = "clear", _("Screened: no risk")
    AT_RISK = "at_risk", _("Screened: at risk")
    MEASURES = "measures", _("Measures under way")
    COMPLETED = "completed", _("Completed")


SYMPTOMS = [
    ("fever", _("Fever")),
    ("cough", _("Dry cough")),
    ("fatigue", _("Fatigue")),
    ("sore_throat", _("Sore throat")),
    ("smell_taste", _("Loss of smell or taste")),
    ("diarrhoea", _("Diarrhoea")),
]


# No 0/O/1/I: the code is read aloud on the phone and typed back.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
RECEIPT_EPOCH = datetime.date(2020, 1, 1)


def new_receipt_code():
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(10))


def receipt_code(arrival_date):
    """Three letters for the arrival date, then eight random ones.

    On PostgreSQL a receipt is unique only together with its arrival date (the partition key, see
    migration 0003); beginning with the date makes that the same as unique. Eight random letters leave
    32⁸ codes a day, and a clash is retried (see actions._upsert).
    """
    days = (arrival_date - RECEIPT_EPOCH).days
    head = "".join(RECEIPT_ALPHABET[(days >> shift) & 31] for shift in (10, 5, 0))
    return head + "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))


class Declaration(models.Model):
    """A person's declaration of one arrival; the same person and arrival date is one row."""

    receipt = models.CharField(_("receipt code"), max_length=12, unique=True, default=new_receipt_code)
    name = EncryptedTextField(_("name"))
    id_number = EncryptedTextField(_("resident ID number"))
    id_index = models.CharField(max_length=64)
    phone = EncryptedTextField(_("mobile phone"))
    phone_index = models.CharField(max_length=64, db_index=True)
    arrival_date = models.DateField(_("arrival date"))
    destination = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("destination")
    )
    address = EncryptedTextField(_("address"), blank=True)
    community = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("community or village")
    )
    employer = models.ForeignKey(
        "core.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("employer")
    )
    hotel = models.ForeignKey(
        "core.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("hotel")
    )
    # The city whose form took it and the city of the receiving community; they differ after a hand-over.
    intake_city = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    origin_province = models.CharField(max_length=2, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.SUBMITTED)
    tier = models.CharField(_("risk"), max_length=10, choices=Tier.choices, blank=True)
    edition = models.ForeignKey(RuleEdition, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    screened_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-arrival_date", "-id"]
        constraints = [
            # One row per person and arrival: a second submission updates it (see do_submit_declaration).
            models.UniqueConstraint(fields=["id_index", "arrival_date"], name="declaration_unique_person_arrival")
        ]
        indexes = [
            models.Index(fields=["community", "state"]),
            models.Index(fields=["city", "arrival_date"]),
            models.Index(fields=["intake_city", "arrival_date"]),
        ]
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")

    def __str__(self):
        return self.receipt

    @property
    def receiving_units(self):
        return [u for u in (self.community, self.employer, self.hotel) if u is not None]

    @property
    def at_risk(self):
        return bool(self.tier)


class Stop(models.Model):
    """A place the person stayed in before arriving, with dates and transport."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="stops", db_constraint=False)
    # Copied from the declaration: the partition key of the stop table on PostgreSQL.
    arrival_date = models.DateField()
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    place = models.CharField(_("place as typed"), max_length=200, blank=True)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    transport = models.CharField(_("transport"), max_length=60, blank=True)

    class Meta:
        ordering = ["declaration", "start", "id"]
        verbose_name = _("stop")
        verbose_name_plural = _("stops")

    def __str__(self):
        return f"{self.region_id} {self.start}–{self.end}"

    @property
    def region_name(self):
        return full_name_of(self.region_id)


class Match(models.Model):
    """Why a declaration is at risk: this stop lay in this area of this notice within the window."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="matches", db_constraint=False)
    stop = models.ForeignKey(Stop, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    area = models.ForeignKey(RiskArea, on_delete=models.CASCADE, related_name="+")
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="+")
    tier = models.CharField(max_length=10, choices=Tier.choices)
    # The day the person left the area as far as the window counts: measures count from it.
    left_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["declaration", "id"]
        constraints = [models.UniqueConstraint(fields=["stop", "area"], name="match_unique_stop_area")]
        indexes = [models.Index(fields=["notice"])]

    def __str__(self):
        return f"{self.declaration_id}: {self.area}"


class MeasureKind(models.TextChoices):
    TEST = "test", _("Nucleic acid test")
    CENTRALIZED = "centralized", _("Centralized quarantine")
    HOME = "home", _("Home quarantine")
    MONITORING = "monitoring", _("Health monitoring")


class MeasureState(models.TextChoices):
    PENDING = "pending", _("Pending")
    # "Done" alone is 已办结 for a supervised matter; a test or quarantine is 已完成.
    DONE = "done", pgettext_lazy("measure state", "Done")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("No longer required")


class Result(models.TextChoices):
    NONE = "", _("—")
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")


class Measure(models.Model):
    """One test, quarantine or monitoring period a declaration calls for; periods run from `due` to `end`."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="measures", db_constraint=False)
    kind = models.CharField(_("measure"), max_length=12, choices=MeasureKind.choices)
    tier = models.CharField(max_length=10, choices=Tier.choices)
    day = models.PositiveSmallIntegerField(pgettext_lazy("measure", "day"), default=0)
    due = models.DateField(pgettext_lazy("measure", "due"))
    end = models.DateField(_("until"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=MeasureState.choices, default=MeasureState.PENDING)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["declaration", "due", "kind", "id"]
        indexes = [models.Index(fields=["state", "due"])]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")

    def __str__(self):
        return f"{self.get_kind_display()} {self.due}"

    @property
    def is_period(self):
        return self.kind != MeasureKind.TEST

    def is_late(self, today):
        return self.state == MeasureState.PENDING and (self.end or self.due) < today


class Handover(models.Model):
    """A declaration taken by one city's form whose receiving community lies in another city."""

    declaration = models.OneToOneField(
        Declaration, on_delete=models.CASCADE, related_name="handover", db_constraint=False
    )
    from_city = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    to_city = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")

    def __str__(self):
        return f"{self.from_city} → {self.to_city}"
