"""Joint meetings (市际联席会议), the documents they adopt, and the decisions that become supervised matters."""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CLOSED = "closed", _("Closed")


class Meeting(models.Model):
    number = models.PositiveIntegerField(
        pgettext_lazy("meeting", "number"), unique=True, help_text=_("1 for the first joint meeting, …")
    )
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"), db_index=True)
    place = models.CharField(_("place"), max_length=200)
    host_unit = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="hosted_meetings", verbose_name=_("host unit")
    )
    participants = models.ManyToManyField(
        "core.Unit", related_name="attended_meetings", verbose_name=_("participating units")
    )
    minutes = models.TextField(_("minutes"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=MeetingState.choices, default=MeetingState.PLANNED, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-number"]
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meetings:meeting", args=[self.pk])


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("agenda item"), max_length=300)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self):
        return self.title


def attachment_path(instance, filename):
    # A random directory: a stored path must not be guessable from ids even if the media root leaks.
    return f"meetings/{instance.meeting_id}/{secrets.token_urlsafe(16)}/{filename}"


class MeetingAttachment(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.name


class DocumentKind(models.TextChoices):
    RULE = "rule", _("Rules")
    AGREEMENT = "agreement", _("Agreement")


class Document(models.Model):
    """A rule (e.g. 《…市际联席会议制度》) or an agreement (the "6+1" agreement) adopted at a meeting."""

    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    full_text = models.TextField(_("full text"))
    signatories = models.ManyToManyField("core.Unit", related_name="signed_documents", verbose_name=_("signatories"))
    adopted_at = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="documents", verbose_name=_("adopted at")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["adopted_at__date", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meetings:document", args=[self.pk])


class Clause(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="clauses")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="clause_unique_number")]
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")

    def __str__(self):
        return _("Clause %(number)d of %(document)s") % {"number": self.number, "document": self.document.title}

    def get_absolute_url(self):
        return f"{self.document.get_absolute_url()}#clause-{self.number}"


class Decision(models.Model):
    """What a meeting decided on an agenda item or a clause; it becomes one or more supervised matters."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    number = models.PositiveSmallIntegerField(_("number"))
    agenda_item = models.ForeignKey(
        AgendaItem,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("agenda item"),
    )
    clause = models.ForeignKey(
        Clause, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("clause")
    )
    text = models.TextField(_("decision"))
    # The matters this decision produced (Matter.source_object points back here).
    matters = GenericRelation("supervision.Matter", content_type_field="source_type", object_id_field="source_id")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "number"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="decision_unique_number"),
            models.CheckConstraint(
                condition=Q(agenda_item__isnull=False) | Q(clause__isnull=False), name="decision_has_a_basis"
            ),
        ]

    def __str__(self):
        return _("Decision %(number)d of %(meeting)s") % {"number": self.number, "meeting": self.meeting.title}

    def get_absolute_url(self):
        return reverse("meetings:decision", args=[self.pk])

    @property
    def document(self):
        return self.clause.document if self.clause_id else None


@receiver(pre_delete, sender=Decision)
def keep_decisions_with_matters(sender, instance, **kwargs):
    """A GenericRelation deletes what points at it: deleting a decision would silently delete its matters.

    Refusing here covers instance and queryset deletes alike (both send pre_delete inside their transaction).
    """
    if instance.matters.exists():
        raise models.ProtectedError("A decision that became matters cannot be deleted.", set(instance.matters.all()))
