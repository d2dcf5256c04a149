import hashlib
import secrets

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    OFFICE = "office", _("Coordination office")
    CITY = "city", _("City government")
    DEPARTMENT = "department", _("Department")
    DISTRICT = "district", _("District / county")
    TOWN = "town", _("Town / street")
    COMMUNITY = "community", _("Community / village")
    ENTERPRISE = "enterprise", _("Enterprise")
    HOTEL = "hotel", _("Hotel")
    TASK_FORCE = "task_force", _("Task force")


class Unit(models.Model):
    """An organisation in the cluster; units form a tree under the coordination office.

    `path` is the chain of ancestor ids ("/1/4/17/"), so "is X inside Y" and
    "everything under Y" are prefix tests and one indexed query, whatever the depth.
    """

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    region = models.ForeignKey(
        "regions.Region",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("region"),
    )
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def is_within(self, other):
        return self.path.startswith(other.path)

    def ancestors(self):
        """Ids from the root down to this unit, inclusive."""
        return [int(part) for part in self.path.strip("/").split("/") if part]


class Role(models.IntegerChoices):
    VIEWER = 10, _("Viewer")
    STAFF = 20, _("Staff")
    MANAGER = 30, _("Manager")


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    role = models.PositiveSmallIntegerField(_("role"), choices=Role.choices, default=Role.STAFF)
    title = models.CharField(_("job title"), max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="membership_unique_user_unit")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} @ {self.unit} ({self.get_role_display()})"


class TimelineEvent(models.Model):
    """One entry of an object's append-only history: who did what, when, old → new."""

    # The (content_type, object_id, at) index serves lookups by type too; a second one would only slow the
    # set-based runs that write thousands of entries at once.
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, db_index=False)
    object_id = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=50)
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    # Only the action that records an event can judge whether residents may see it; private unless it says so.
    public = models.BooleanField(default=False, help_text="Shown on public pages (never holds personal data).")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Timeline events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Timeline events are append-only.")


class Notification(models.Model):
    """An entry in a person's inbox; the other back-ends (e-mail, console) are sent from the same call."""

    # Indexed by the inbox index below, which begins with it: a reminder run writes 10,000s of rows at once and
    # each further index is written for every one of them.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    kind = models.CharField(max_length=50)
    # The message key (its English source text) and its parameters, rendered in the reader's language.
    message = models.CharField(max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True)
    # Text of notifications stored before messages were keys; new ones leave it empty.
    title = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Makes a notification idempotent: a second send with the same key for the same person is dropped,
    # even when two workers race (the unique constraint decides).
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    # When the other back-ends (e-mail) were sent: a task delivered twice sends nothing the second time.
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]
        # Only keyed notifications can collide (NULLs never do), so only they are indexed for it.
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=models.Q(dedupe_key__isnull=False),
                name="notification_unique_dedupe",
            )
        ]

    def __str__(self):
        return self.title_text

    @property
    def title_text(self):
        from .notify import render

        return render(self.message, self.params) if self.message else self.title


class ApiToken(models.Model):
    """A bearer token for machine clients; only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key):
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key():
        return "xt_" + secrets.token_urlsafe(32)


class PersonalDataAccess(models.Model):
    """Who read whose personal data, when and why; kept for the audit retention period."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    fields = models.CharField(max_length=200)
    purpose = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.fields}"


class IngestSource(models.TextChoices):
    """How a delivery of measurements reached the platform (air readings, water samples)."""

    CSV = "csv", _("CSV upload")
    API = "api", _("JSON API")
    COMMAND = "command", _("management command")
    DEMO = "demo", _("demo data")


class IngestBatch(models.Model):
    """One accepted delivery of measurements: who sent what, how much was new, replaced or flagged.

    Each monitoring app keeps its own table (its rows point at its own batch) and names the rows
    in its own words by overriding the counters' labels.
    """

    created_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("source"), max_length=20, choices=IngestSource.choices)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    rows_received = models.PositiveIntegerField(_("rows received"), default=0)
    rows_created = models.PositiveIntegerField(_("new rows"), default=0)
    rows_replaced = models.PositiveIntegerField(_("replaced rows"), default=0)
    rows_flagged = models.PositiveIntegerField(_("rows with flagged values"), default=0)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_source_display()} {self.created_at:%Y-%m-%d %H:%M} ({self.rows_received})"


class IdempotentRequest(models.Model):
    """The answer given to the first request with an Idempotency-Key, replayed to its resends."""

    scope = models.CharField(max_length=60)
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_once_per_scope")]

    def __str__(self):
        return f"{self.scope} {self.key}"


class OutboxTask(models.Model):
    """Background work stored with the write that asked for it, and sent to the broker once that commits.

    A row is written in the same transaction as the business rows, so work is never lost to a broker that is
    down or a process that dies between commit and send; `sent_at` stays empty until the broker took it, and
    the sweep (`manage.py sendoutbox`, also run by celery beat) sends what is still pending.
    """

    task = models.CharField(_("task"), max_length=100)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("queued task")
        verbose_name_plural = _("queued tasks")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="outbox_pending")]

    def __str__(self):
        return f"{self.task} #{self.pk}"
