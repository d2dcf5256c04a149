"""The supervised action list (清单式督办): matters, their units, milestones and progress reports."""

import datetime
import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

DUE_SOON_DAYS = 7


class Domain(models.TextChoices):
    """The six key domains of the cluster's cooperation (六大重点领域)."""

    PLANNING = "planning", _("Planning alignment")
    INDUSTRY = "industry", _("Industrial coordination")
    INFRASTRUCTURE = "infrastructure", _("Connected infrastructure")
    ECOLOGY = "ecology", _("Joint ecological protection")
    PUBLIC_SERVICES = "public_services", _("Shared public services")
    FACTORS = "factors", _("Free flow of production factors")


class SubArea(models.TextChoices):
    SPATIAL = "spatial", _("Spatial planning")
    SPECIAL_PLANS = "special_plans", _("Special plans")
    MANUFACTURING = "manufacturing", _("Industry")
    TOURISM = "tourism", _("Culture and tourism")
    AGRICULTURE = "agriculture", _("Agriculture")
    OPENING_UP = "opening_up", _("Opening up")
    TRANSPORT = "transport", _("Transport")
    UTILITIES = "utilities", _("Water, power, gas and heat")
    AIR = "air", _("Air")
    WATER = "water", _("Water environment")
    EPIDEMIC = "epidemic", _("Epidemic prevention")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Medical care")
    EMPLOYMENT = "employment", _("Employment")
    HOUSING = "housing", _("Housing")
    APPROVAL = "approval", _("Administrative approval")
    LAND = "land", _("Land")
    HOUSEHOLD = "household", _("Household registration")
    FINANCE = "finance", _("Finance")
    DATA = "data", _("Public data")
    SCIENCE = "science", _("Science and technology")
    TALENT = "talent", _("Talent")
    MARKET = "market", _("Market entities")


SUB_AREAS = {
    Domain.PLANNING: [SubArea.SPATIAL, SubArea.SPECIAL_PLANS],
    Domain.INDUSTRY: [SubArea.MANUFACTURING, SubArea.TOURISM, SubArea.AGRICULTURE, SubArea.OPENING_UP],
    Domain.INFRASTRUCTURE: [SubArea.TRANSPORT, SubArea.UTILITIES],
    Domain.ECOLOGY: [SubArea.AIR, SubArea.WATER],
    Domain.PUBLIC_SERVICES: [
        SubArea.EPIDEMIC,
        SubArea.EDUCATION,
        SubArea.HEALTH,
        SubArea.EMPLOYMENT,
        SubArea.HOUSING,
        SubArea.APPROVAL,
    ],
    Domain.FACTORS: [
        SubArea.LAND,
        SubArea.HOUSEHOLD,
        SubArea.FINANCE,
        SubArea.DATA,
        SubArea.SCIENCE,
        SubArea.TALENT,
        SubArea.MARKET,
    ],
}


class Source(models.TextChoices):
    MEETING_DECISION = "meeting_decision", _("Joint meeting decision")
    AGREEMENT_CLAUSE = "agreement_clause", _("Agreement clause")
    DELIBERATION = "deliberation", _("Deliberation resolution")
    MONITORING = "monitoring", _("Monitoring result")
    MANUAL = "manual", _("Entered by hand")


class Priority(models.IntegerChoices):
    NORMAL = 1, _("Normal")
    HIGH = 2, _("High")
    CRITICAL = 3, _("Critical")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    BIWEEKLY = "biweekly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted for verification")
    DONE = "done", _("Done")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = [State.ASSIGNED, State.IN_PROGRESS, State.SUBMITTED]


class Health(models.TextChoices):
    """Derived from dates, never stored."""

    ON_TRACK = "on_track", _("On track")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    DONE_ON_TIME = "done_on_time", _("Done on time")
    DONE_LATE = "done_late", _("Done late")
    NONE = "none", _("Not running")


def local_today():
    return timezone.localdate()


class MatterQuerySet(models.QuerySet):
    def with_health(self, today=None):
        """Annotate `health_code` in SQL, so lists filter and count by health without loading rows."""
        today = today or local_today()
        return self.annotate(
            health_code=Case(
                When(state=State.DONE, completed_on__gt=F("due_date"), then=Value(Health.DONE_LATE.value)),
                When(state=State.DONE, then=Value(Health.DONE_ON_TIME.value)),
                When(~Q(state__in=OPEN_STATES), then=Value(Health.NONE.value)),
                When(due_date__lt=today, then=Value(Health.OVERDUE.value)),
                When(due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS), then=Value(Health.DUE_SOON.value)),
                default=Value(Health.ON_TRACK.value),
                output_field=models.CharField(),
            )
        )

    def open(self):
        return self.filter(state__in=OPEN_STATES)


class Matter(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices, db_index=True)
    sub_area = models.CharField(_("sub-area"), max_length=20, choices=SubArea.choices, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    # Where the matter came from (a meeting decision, an agreement clause, a deliberation resolution):
    # any app can be a source without supervision depending on it.
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source_id = models.CharField(max_length=64, blank=True)
    source_object = GenericForeignKey("source_type", "source_id")
    lead_unit = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="led_matters", verbose_name=_("lead unit")
    )
    lead_share = models.PositiveSmallIntegerField(
        _("lead unit's share"), default=1, help_text=_("Weight of the lead unit's part in the matter's progress.")
    )
    responsible = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="responsible_matters", verbose_name=_("responsible people")
    )
    start_date = models.DateField(_("start"))
    due_date = models.DateField(_("due date"), db_index=True)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    reporting_frequency = models.CharField(
        _("reporting frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT, db_index=True)
    state_reason = models.TextField(_("reason"), blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    # Set when the office verified without every condition met: the reason the timeline and next bulletin show.
    verification_override = models.TextField(_("reason for verifying anyway"), blank=True)
    # An extension moves due_date; the date first set is kept, and on-time rates count against
    # on_time_due_date (the granted date only when it was granted before the original one passed).
    original_due_date = models.DateField(_("original due date"), null=True, blank=True)
    on_time_due_date = models.DateField(_("due date for on-time rates"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent matter"),
    )
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, help_text=_("Weight of this matter in its parent's progress.")
    )
    # Cached roll-up of accepted reports and child matters; recomputed by the actions that change them.
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    public = models.BooleanField(
        _("public"), default=False, help_text=_("Shown on a public page without personal data.")
    )
    # Optimistic locking: an edit based on an older version is refused instead of overwriting.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = MatterQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        indexes = [
            models.Index(fields=["lead_unit", "state", "due_date"]),
            models.Index(fields=["domain", "state", "due_date"]),
            models.Index(fields=["state", "due_date"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(due_date__gte=F("start_date")), name="matter_due_not_before_start"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="matter_progress_at_most_100"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("supervision:matter", args=[self.pk])

    def health(self, today=None):
        today = today or local_today()
        if self.state == State.DONE:
            return Health.DONE_LATE if self.completed_on and self.completed_on > self.due_date else Health.DONE_ON_TIME
        if self.state not in OPEN_STATES:
            return Health.NONE
        if self.due_date < today:
            return Health.OVERDUE
        if self.due_date <= today + datetime.timedelta(days=DUE_SOON_DAYS):
            return Health.DUE_SOON
        return Health.ON_TRACK

    @property
    def health_now(self):
        code = getattr(self, "health_code", None)
        return Health(code) if code else self.health()


class CoUnit(models.Model):
    """A unit that delivers part of a matter led by another; it reports its own part."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="co_units")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="co_matters")
    share = models.PositiveSmallIntegerField(_("share"), default=1)
    part = models.CharField(_("its part"), max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["matter", "unit"], name="counit_unique")]

    def __str__(self):
        return f"{self.matter.code} · {self.unit}"


class Milestone(models.Model):
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=300)
    due_date = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["due_date", "order", "id"]

    def __str__(self):
        return self.title


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ProgressReport(models.Model):
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="progress_reports")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    text = models.TextField(_("progress"))
    percent = models.PositiveSmallIntegerField(
        _("percent complete"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    resubmission_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="resubmissions"
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["matter", "unit", "status", "-submitted_at"]),
            models.Index(fields=["status", "submitted_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="report_percent_at_most_100"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="report_period_ordered"),
        ]

    def __str__(self):
        return f"{self.matter.code} · {self.unit} · {self.percent}%"


def evidence_path(instance, filename):
    # A random directory: a stored path must not be guessable from ids even if the media root leaks.
    return f"evidence/{instance.report.matter_id}/{secrets.token_urlsafe(16)}/{filename}"


class Evidence(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path)
    name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)

    def __str__(self):
        return self.name


class ReminderKind(models.TextChoices):
    MILESTONE_DUE = "milestone_due", _("Milestone due soon")
    DUE = "due", _("Due date approaching")
    REPORT = "report", _("Progress report due")
    OVERDUE_MANAGER = "overdue_manager", _("Overdue: escalated to the unit's manager")
    OVERDUE_OFFICE = "overdue_office", _("Overdue: escalated to the office")
    MANUAL = "manual", _("Urged by hand (催办)")
    URGING = "urging", _("催办单 issued by the escalation ladder")
    ESCALATED = "escalated", _("Unanswered 催办单: escalated to the unit's leader")
    NAMED = "named", _("Named in the next bulletin")


class Reminder(models.Model):
    """One reminder sent; the unique key makes each rule fire once per matter and period, whatever the workers."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    period_key = models.CharField(max_length=60)
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(blank=True)
    # How many people a 催办 by hand reached; the periodic run's notifications are counted in the inbox.
    recipients = models.PositiveIntegerField(default=0)
    # The unit told (a report owed, a 催办单 escalated to its leaders); empty when only the office is.
    unit = models.ForeignKey("core.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["-sent_at"]
        # A run finds the rows it claimed by their timestamp.
        indexes = [models.Index(fields=["sent_at"])]
        constraints = [
            models.UniqueConstraint(fields=["matter", "kind", "period_key"], name="reminder_once_per_period")
        ]

    def __str__(self):
        return f"{self.matter.code} {self.kind} {self.period_key}"


class Bulletin(models.Model):
    """A supervision bulletin (督办通报): a frozen snapshot of a period's figures."""

    number = models.PositiveIntegerField(pgettext_lazy("bulletin", "number"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    data = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("supervision:bulletin", args=[self.pk])


class ProgressSnapshot(models.Model):
    """Completion per city and day, for the trend chart: one row per city unit and date."""

    date = models.DateField()
    unit = models.ForeignKey("core.Unit", on_delete=models.CASCADE, related_name="+")
    total = models.PositiveIntegerField()
    done = models.PositiveIntegerField()
    overdue = models.PositiveIntegerField()
    mean_progress = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["date", "unit"], name="snapshot_unique_day_unit")]
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.unit}"


def source_of(matter):
    """The decision, clause or resolution the matter came from, with a link when it has a page."""
    if matter.source_type_id is None or not matter.source_id:
        return None
    obj = matter.source_object
    if obj is None:
        return None
    url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""
    return {"label": str(obj), "url": url, "kind": matter.get_source_display()}


class Urging(models.Model):
    """A 催办单: a numbered written urging to one unit, which signs for it (签收) and answers (回复) by a deadline."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="urgings")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="urgings", verbose_name=_("unit"))
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    message = models.TextField(_("content"))
    reply_due = models.DateField(_("reply by"))
    # Issued by the escalation ladder rather than by a person.
    automatic = models.BooleanField(default=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="urging_number_unique")]
        indexes = [
            models.Index(fields=["unit", "replied_at", "reply_due"]),
            models.Index(fields=["replied_at", "reply_due"]),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return f"催办〔{self.year}〕{self.number}号"

    @property
    def is_open(self):
        return self.replied_at is None

    @property
    def reply_due_is_estimate(self):
        """The deadline was counted in working days of a year whose holidays are not published yet."""
        from xietong.core.workdays import is_estimate

        return is_estimate(self.reply_due)


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class ExtensionRequest(models.Model):
    """申请延期: a unit asks to move the due date; the office grants or refuses."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="extensions")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    due_before = models.DateField(_("due date before"))
    requested_due = models.DateField(_("requested due date"))
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "requested_at"]), models.Index(fields=["unit", "decided_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["matter"], condition=Q(status="pending"), name="extension_one_pending_per_matter"
            )
        ]

    def __str__(self):
        return f"{self.matter.code} → {self.requested_due}"


class EscalationLadder(models.Model):
    """The escalation ladder in force from a date (dated data an operator edits in the admin).

    Without any row the defaults below apply, which follow common practice: a reminder before the due
    date, a 催办单 on the first working day after it, escalation to the unit's leader when the 催办单 is
    not answered in time, and the matter named in the next bulletin five working days after that.
    (The reminders before the due date are the reminder run's own rules.)
    """

    effective_from = models.DateField(_("in force from"), unique=True)
    urge_after_working_days = models.PositiveSmallIntegerField(_("催办单, working days after the due date"), default=1)
    reply_working_days = models.PositiveSmallIntegerField(_("working days to answer a 催办单"), default=3)
    name_after_working_days = models.PositiveSmallIntegerField(
        _("named in the bulletin, working days after escalation"), default=5
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("escalation ladder")
        verbose_name_plural = _("escalation ladders")

    def __str__(self):
        return f"{self.effective_from}"


class CommentKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    INSTRUCTION = "instruction", _("Leader's instruction (领导批示)")


class Comment(models.Model):
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="comments")
    kind = models.CharField(max_length=12, choices=CommentKind.choices, default=CommentKind.COMMENT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # For an instruction: the leader who gave it, as the office records it (批示人).
    leader = models.CharField(_("leader"), max_length=100, blank=True)
    text = models.TextField(_("content"))
    mentioned_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    mentioned_units = models.ManyToManyField("core.Unit", blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:40]


class Follow(models.Model):
    """关注: a person who can see a matter is told of its changes."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_matters")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["matter", "user"], name="follow_once")]

    def __str__(self):
        return f"{self.user_id} → {self.matter_id}"
