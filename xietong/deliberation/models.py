"""党群议事厅: residents' concerns, the topics they are grouped into, deliberation sessions and their results."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong.core.personal import EncryptedTextField

# Tracking codes avoid letters and digits that read alike (0/O, 1/I/L) when a resident copies one by hand.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_tracking_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


class Hall(models.Model):
    """A deliberation hall, run by a town or community unit."""

    unit = models.OneToOneField("core.Unit", on_delete=models.PROTECT, related_name="hall", verbose_name=_("unit"))
    name = models.CharField(_("name"), max_length=200)
    # Open311's jurisdiction_id.
    slug = models.SlugField(_("jurisdiction id"), max_length=60, unique=True)
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("region")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("deliberation hall")
        verbose_name_plural = _("deliberation halls")

    def __str__(self):
        return self.name


class Category(models.Model):
    """A kind of concern; also an Open311 service (its `code` is the service_code)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    group = models.CharField(_("group"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class DeadlineRule(models.Model):
    """Response deadlines in working days, dated so that a changed policy applies from its day on.

    A rule without a category is the default for every category without a rule of its own.
    """

    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="deadline_rules"
    )
    valid_from = models.DateField(_("valid from"))
    accept_days = models.PositiveSmallIntegerField(_("working days to accept or refuse"), default=1)
    answer_days = models.PositiveSmallIntegerField(_("working days to a first answer"), default=3)
    basis = models.CharField(_("basis"), max_length=200, blank=True)

    class Meta:
        ordering = ["-valid_from", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "valid_from"], name="deadline_rule_unique_category_day")
        ]

    def __str__(self):
        return f"{self.category or '*'} {self.valid_from}: {self.accept_days}/{self.answer_days}"


class ConcernState(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("concern state", "Received")
    ACCEPTED = "accepted", pgettext_lazy("concern state", "Accepted")
    ON_AGENDA = "on_agenda", pgettext_lazy("concern state", "On the agenda")
    RESOLVED = "resolved", pgettext_lazy("concern state", "Resolved")
    REFUSED = "refused", pgettext_lazy("concern state", "Not accepted")
    DUPLICATE = "duplicate", pgettext_lazy("concern state", "Duplicate")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Visit")
    SURVEY = "survey", _("Survey")
    OPEN311 = "open311", _("Open311")


class Topic(models.Model):
    """Concerns the hall takes up together; `signature` is the topic's term vector for matching new concerns."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("topic state", "Open")
        SCHEDULED = "scheduled", pgettext_lazy("topic state", "Session scheduled")
        SENT_UP = "sent_up", pgettext_lazy("topic state", "Sent up")
        RESOLVED = "resolved", pgettext_lazy("topic state", "Resolved")

    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="topics")
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OPEN, db_index=True)
    signature = models.JSONField(default=dict, blank=True)
    confirmed = models.BooleanField(_("confirmed by staff"), default=False)
    sent_up_to = models.ForeignKey(
        "meetings.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class Concern(models.Model):
    """社情民意: one resident's concern. The contact is personal data and never leaves staff pages unmasked."""

    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="concerns")
    code = models.CharField(_("tracking code"), max_length=12, unique=True, default=new_tracking_code)
    text = models.TextField(_("concern"))
    # Set when a moderator edits the text (e.g. removes a neighbour's name): the record keeps what was written.
    original_text = models.TextField(blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="concerns", verbose_name=_("category")
    )
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("place")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    photo = models.FileField(upload_to="deliberation/%Y/%m/", blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    state = models.CharField(
        _("state"), max_length=10, choices=ConcernState.choices, default=ConcernState.RECEIVED, db_index=True
    )
    reason = models.TextField(_("reason"), blank=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns")
    answer = models.TextField(_("answer"), blank=True)
    contact = EncryptedTextField(_("contact"), blank=True)
    contact_index = models.CharField(max_length=64, blank=True, db_index=True)
    contact_purged_at = models.DateTimeField(null=True, blank=True)
    source_index = models.CharField(max_length=64, blank=True, db_index=True)
    me_too_count = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    accept_due = models.DateField(null=True, blank=True)
    answer_due = models.DateField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    moderated = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["hall", "state", "received_at"])]

    def __str__(self):
        return self.code

    @property
    def can_rate(self):
        return self.state == ConcernState.RESOLVED and self.closed_at is None


class MeToo(models.Model):
    """附议: another resident says "me too"; one per device and per contact."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="me_toos")
    device_index = models.CharField(max_length=64)
    contact_index = models.CharField(max_length=64, blank=True)
    source_index = models.CharField(max_length=64, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["concern", "device_index"], name="metoo_unique_device")]

    def __str__(self):
        return f"{self.concern} +1"


class Rating(models.Model):
    class Value(models.TextChoices):
        SATISFIED = "satisfied", pgettext_lazy("rating", "Satisfied")
        BASIC = "basic", pgettext_lazy("rating", "Basically satisfied")
        UNSATISFIED = "unsatisfied", pgettext_lazy("rating", "Unsatisfied")

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="ratings")
    value = models.CharField(_("rating"), max_length=12, choices=Value.choices)
    comment = models.TextField(_("comment"), blank=True)
    # 1 for the first rating, 2 after the case was reopened (重办) and answered again.
    round = models.PositiveSmallIntegerField(default=1)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["concern", "round"], name="rating_unique_round")]

    def __str__(self):
        return f"{self.concern} {self.value}"


class Session(models.Model):
    """议事会 / 恳谈会 about one topic."""

    class Kind(models.TextChoices):
        COUNCIL = "council", _("Deliberation council (议事会)")
        HEARING = "hearing", _("Consultation meeting (恳谈会)")

    class State(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("session state", "Planned")
        HELD = "held", pgettext_lazy("session state", "Held")
        RESOLVED = "resolved", pgettext_lazy("session state", "Resolved")

    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="sessions")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("topic"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COUNCIL)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200)
    minutes = models.TextField(_("minutes"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PLANNED)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-id"]

    def __str__(self):
        return self.title


class StakeholderGroup(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("stakeholder group"), max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "name"], name="group_unique_name")]

    def __str__(self):
        return self.name


class Attendee(models.Model):
    """An invited representative; `signed_in_at` is the 签到."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendees")
    group = models.ForeignKey(StakeholderGroup, on_delete=models.PROTECT, related_name="attendees")
    name = models.CharField(_("name"), max_length=100)
    signed_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["group__order", "id"]

    def __str__(self):
        return self.name


class Opinion(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="opinions")
    speaker = models.ForeignKey(Attendee, null=True, blank=True, on_delete=models.SET_NULL, related_name="opinions")
    group = models.ForeignKey(StakeholderGroup, on_delete=models.PROTECT, related_name="opinions")
    text = models.TextField(_("opinion"))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return self.text[:40]


class Proposal(models.Model):
    """A proposal put to the vote; `funding` is a list of {"payer", "percent"} that adds up to 100."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="proposals")
    title = models.CharField(_("proposal"), max_length=200)
    details = models.TextField(_("design, style and size"), blank=True)
    funding = models.JSONField(_("funding shares"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.title

    def clean_funding(self):
        total = sum(share["percent"] for share in self.funding)
        if self.funding and total != 100:
            raise ValidationError(
                {"funding": _("The funding shares add up to %(total)s%%, not 100%%.") % {"total": total}}
            )


class Vote(models.Model):
    class Choice(models.TextChoices):
        FOR = "for", _("For")
        AGAINST = "against", _("Against")
        ABSTAIN = "abstain", _("Abstain")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes")
    attendee = models.ForeignKey(Attendee, on_delete=models.CASCADE, related_name="votes")
    choice = models.CharField(max_length=8, choices=Choice.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "attendee"], name="vote_one_per_attendee")]

    def __str__(self):
        return f"{self.attendee} {self.choice}"


class Resolution(models.Model):
    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="resolution")
    proposal = models.ForeignKey(Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("resolution"))
    target_date = models.DateField(_("target date"))
    matter = models.ForeignKey("supervision.Matter", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.text[:40]


class Open311Key(models.Model):
    """An Open311 client's API key; only its hash is stored."""

    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class Survey(models.Model):
    """社情民意调查: a short questionnaire residents answer without an account, once each."""

    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("survey state", "Draft")
        OPEN = "open", pgettext_lazy("survey state", "Open")
        CLOSED = "closed", pgettext_lazy("survey state", "Closed")

    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="surveys")
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="surveys")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Kept as a column so that lists and the results page need no count over the responses.
    response_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        TEXT = "text", _("Written answer")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=300)
    # The options of a choice question, in order; an answer stores an option's position.
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.text


class SurveyResponse(models.Model):
    """One resident's answers; one per device and per contact, like 附议."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    device_index = models.CharField(max_length=64)
    contact_index = models.CharField(max_length=64, blank=True)
    source_index = models.CharField(max_length=64, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "device_index"], name="survey_response_unique_device"),
            models.UniqueConstraint(
                fields=["survey", "contact_index"],
                condition=~models.Q(contact_index=""),
                name="survey_response_unique_contact",
            ),
        ]

    def __str__(self):
        return f"{self.survey} #{self.pk}"


class SurveyAnswer(models.Model):
    """An answer to one question: a chosen option (one row per option) or a written text."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choice = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["question", "choice"])]

    def __str__(self):
        return f"{self.question_id}: {self.choice if self.choice is not None else self.text[:20]}"
