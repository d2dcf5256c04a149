"""Every write of the supervised action list.

Each `do_*` function checks the actor's right to act, changes state atomically,
writes the timeline and leaves notifications to `transaction.on_commit` (through
`notify`). A refused action raises PermissionDenied; bad input raises
ValidationError with a message in the user's language, and nothing is stored.
"""

import os
import re

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xietong.core import timeline, workdays
from xietong.core.errors import ConflictError
from xietong.core.models import Role, Unit, UnitKind
from xietong.core.notify import notify, notify_select, office_units, recipients, unit_name
from xietong.core.uploads import validate_upload

from . import access, bulletins, reminders
from .models import (
    OPEN_STATES,
    SUB_AREAS,
    Bulletin,
    Comment,
    CommentKind,
    CoUnit,
    Domain,
    Evidence,
    ExtensionRequest,
    ExtensionStatus,
    Follow,
    Frequency,
    Matter,
    Milestone,
    Priority,
    ProgressReport,
    Reminder,
    ReminderKind,
    ReportStatus,
    Source,
    State,
    Urging,
)
from .reminders import ladder_on, table

# transition name → (states it starts from, state it leads to, whether a reason is required)
TRANSITIONS = {
    "assign": ([State.DRAFT], State.ASSIGNED, False),
    "start": ([State.ASSIGNED], State.IN_PROGRESS, False),
    "submit": ([State.IN_PROGRESS], State.SUBMITTED, False),
    "verify": ([State.SUBMITTED], State.DONE, False),
    "return": ([State.SUBMITTED], State.IN_PROGRESS, True),
    "suspend": ([State.ASSIGNED, State.IN_PROGRESS, State.SUBMITTED], State.SUSPENDED, True),
    "resume": ([State.SUSPENDED], State.IN_PROGRESS, False),
    "reopen": ([State.DONE], State.IN_PROGRESS, True),
    "cancel": (
        [State.DRAFT, State.ASSIGNED, State.IN_PROGRESS, State.SUBMITTED, State.SUSPENDED],
        State.CANCELLED,
        True,
    ),
}


def allowed_transitions(user, matter):
    """The transitions this user may apply to the matter now (for buttons and the API)."""
    return [name for name in TRANSITIONS if matter.state in TRANSITIONS[name][0] and _may(user, matter, name)]


def _may(user, matter, name):
    if name == "start":
        return access.acts_for(user, matter.lead_unit, Role.STAFF) or access.can_supervise(user)
    if name == "submit":
        return access.can_submit_for_verification(user, matter)
    return access.can_supervise(user)


# Codes appear in URLs (the public page) and in file names of exports: letters, digits, "-", "_" and ".".
CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
CODE_MAX_LENGTH = Matter._meta.get_field("code").max_length
TITLE_MAX_LENGTH = Matter._meta.get_field("title").max_length
DESCRIPTION_MAX_LENGTH = 20_000
MILESTONE_TITLE_MAX_LENGTH = Milestone._meta.get_field("title").max_length
SHARE_RANGE = (1, 100)
# Enterprises and hotels receive declarations of their staff and guests; the work of a cluster matter is
# government work, led and delivered by public units (offices, cities, departments, districts, towns,
# communities, task forces).
NON_MATTER_UNIT_KINDS = (UnitKind.ENTERPRISE, UnitKind.HOTEL)


def _text_error(value, max_length, *, required=True):
    if not isinstance(value, str):
        return _("Enter text.")
    if required and not value.strip():
        return _("This field is required.")
    if len(value) > max_length:
        return _("At most %(n)d characters.") % {"n": max_length}
    return None


def validate_code(code):
    """A matter code: what the public page's URL and the export files can carry."""
    if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
        raise ValidationError(
            {"code": _("A code uses letters, digits, “-”, “_” and “.”, and starts with a letter or digit.")}
        )
    if len(code) > CODE_MAX_LENGTH:
        raise ValidationError({"code": _("At most %(n)d characters.") % {"n": CODE_MAX_LENGTH}})


def _validate_matter_fields(
    *,
    start_date,
    due_date,
    domain,
    sub_area,
    lead_unit,
    co_units,
    title=None,
    description="",
    priority=Priority.NORMAL,
    reporting_frequency=Frequency.MONTHLY,
    weight=1,
    lead_share=1,
    milestones=(),
):
    """Every rule of a matter's terms, for every path that writes them (page, API, meeting decision, import)."""
    errors = {}
    if title is not None and (problem := _text_error(title, TITLE_MAX_LENGTH)):
        errors["title"] = problem
    if (problem := _text_error(description or "", DESCRIPTION_MAX_LENGTH, required=False)) is not None:
        errors["description"] = problem
    if start_date is None:
        errors["start_date"] = _("Give the start date.")
    if due_date is None:
        errors["due_date"] = _("Give the due date.")
    if start_date and due_date and due_date < start_date:
        errors["due_date"] = _("The due date cannot be before the start date.")
    if domain not in Domain.values:
        errors["domain"] = _("Choose one of the six domains.")
    elif sub_area and sub_area not in SUB_AREAS.get(domain, []):
        errors["sub_area"] = _("This sub-area does not belong to the chosen domain.")
    if priority not in Priority.values:
        errors["priority"] = _("Choose a priority from 1 (normal) to 3 (critical).")
    if reporting_frequency not in Frequency.values:
        errors["reporting_frequency"] = _("Choose weekly, biweekly, monthly or quarterly reporting.")
    for name, value in (("weight", weight), ("lead_share", lead_share)):
        if not isinstance(value, int) or not SHARE_RANGE[0] <= value <= SHARE_RANGE[1]:
            errors[name] = _("Give a whole number from %(low)d to %(high)d.") % {
                "low": SHARE_RANGE[0],
                "high": SHARE_RANGE[1],
            }
    if lead_unit is None:
        errors["lead_unit"] = _("Choose the lead unit.")
    elif lead_unit.kind in NON_MATTER_UNIT_KINDS:
        errors["lead_unit"] = _("An enterprise or a hotel cannot lead a cluster matter; choose a government unit.")
    elif any(u.pk == lead_unit.pk for u in co_units):
        errors["co_units"] = _("The lead unit cannot also be a co-unit.")
    if any(u.kind in NON_MATTER_UNIT_KINDS for u in co_units):
        errors["co_units"] = _("An enterprise or a hotel cannot be a co-unit of a cluster matter.")
    for ms_title, ms_due in milestones:
        if (problem := _text_error(ms_title, MILESTONE_TITLE_MAX_LENGTH)) is not None:
            errors["milestones"] = problem
        elif ms_due is None or (start_date and ms_due < start_date):
            errors["milestones"] = _("A milestone cannot be due before the matter starts.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_create_matter(
    *,
    actor,
    code,
    title,
    lead_unit,
    start_date,
    due_date,
    domain,
    sub_area="",
    description="",
    co_units=(),
    priority=1,
    reporting_frequency="monthly",
    source=Source.MANUAL,
    source_object=None,
    parent=None,
    weight=1,
    lead_share=1,
    milestones=(),
    public=False,
    responsible=(),
    assign=False,
):
    co_units = list(co_units)
    if not (
        access.can_supervise(actor)
        or (parent is not None and access.can_edit(actor, parent))
        or (source == Source.DELIBERATION and access.can_assign_below(actor, [lead_unit, *co_units]))
    ):
        raise PermissionDenied
    milestones = list(milestones)
    validate_code(code)
    _validate_matter_fields(
        start_date=start_date,
        due_date=due_date,
        domain=domain,
        sub_area=sub_area,
        lead_unit=lead_unit,
        co_units=co_units,
        title=title,
        description=description,
        priority=priority,
        reporting_frequency=reporting_frequency,
        weight=weight,
        lead_share=lead_share,
        milestones=milestones,
    )
    if Matter.objects.filter(code=code).exists():
        raise ValidationError({"code": _("A matter with this code exists already.")})
    matter = Matter.objects.create(
        code=code,
        title=title,
        description=description,
        domain=domain,
        sub_area=sub_area,
        source=source,
        source_type=ContentType.objects.get_for_model(source_object) if source_object is not None else None,
        source_id=str(source_object.pk) if source_object is not None else "",
        lead_unit=lead_unit,
        lead_share=lead_share,
        start_date=start_date,
        due_date=due_date,
        priority=priority,
        reporting_frequency=reporting_frequency,
        parent=parent,
        weight=weight,
        public=public,
        created_by=actor,
    )
    CoUnit.objects.bulk_create([CoUnit(matter=matter, unit=unit) for unit in co_units])
    for order, (ms_title, ms_due) in enumerate(milestones):
        Milestone.objects.create(matter=matter, title=ms_title, due_date=ms_due, order=order)
    if responsible:
        matter.responsible.set(responsible)
    timeline.record(matter, "created", actor=actor, changes={"state": [None, matter.state]}, public=True)
    if assign:
        matter = do_transition(actor=actor, matter=matter, name="assign")
    if parent is not None:
        _recompute_progress(parent)
    return matter


EDITABLE_FIELDS = [
    "title",
    "description",
    "domain",
    "sub_area",
    "start_date",
    "due_date",
    "priority",
    "reporting_frequency",
    "public",
    "weight",
    "lead_share",
]


@transaction.atomic
def do_update_matter(*, actor, matter, version, co_units=None, **changes):
    """Edit a matter as loaded at `version`; if someone saved in between, refuse with ConflictError."""
    if not access.can_change_terms(actor, matter):
        raise PermissionDenied
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    current = Matter.objects.select_for_update().get(pk=matter.pk)
    if current.version != version:
        last = timeline.history(current).last()
        who = (last.actor.get_full_name() or last.actor.get_username()) if last and last.actor else _("someone")
        raise ConflictError(
            _(
                "%(who)s changed this matter while you were editing it. Reload the page to see their changes, "
                "then make yours again."
            )
            % {"who": who}
        )
    merged = {name: changes.get(name, getattr(current, name)) for name in EDITABLE_FIELDS}
    merged.pop("public")
    _validate_matter_fields(
        lead_unit=current.lead_unit,
        co_units=co_units if co_units is not None else [],
        milestones=[(m.title, m.due_date) for m in current.milestones.all()] if "start_date" in changes else [],
        **merged,
    )
    old = {name: getattr(current, name) for name in changes}
    for name, value in changes.items():
        setattr(current, name, value)
    current.version = F("version") + 1
    current.updated_at = timezone.now()
    current.save(update_fields=[*changes, "version", "updated_at"])
    diff = timeline.changes_between(old, changes)
    if co_units is not None:
        before = set(current.co_units.values_list("unit_id", flat=True))
        after = {u.pk for u in co_units}
        if before != after:
            CoUnit.objects.filter(matter=current).exclude(unit_id__in=after).delete()
            CoUnit.objects.bulk_create([CoUnit(matter=current, unit_id=pk) for pk in after - before])
            diff["co_units"] = [sorted(before), sorted(after)]
            _recompute_progress(current)
    current.refresh_from_db()
    if diff:
        timeline.record(current, "edited", actor=actor, changes=diff, public=False)
    if "due_date" in diff:
        # The units plan by the due date and those following watch it: a moved date is news to both.
        _tell(
            current,
            recipients(access.participating_units(current)),
            actor=actor,
            kind="matter.due_date",
            message=gettext_noop("Due date of %(title)s moved from %(old)s to %(new)s"),
            params={"title": current.title, "old": diff["due_date"][0], "new": diff["due_date"][1]},
            url=current.get_absolute_url(),
        )
    return current


@transaction.atomic
def do_transition(*, actor, matter, name, reason="", authorized=False):
    """Move the matter along TRANSITIONS; `authorized` when the caller's own check already covers it."""
    if name not in TRANSITIONS:
        raise ValidationError(_("Unknown action."))
    sources, target, needs_reason = TRANSITIONS[name]
    current = Matter.objects.select_for_update().get(pk=matter.pk)
    if current.state not in sources:
        raise ValidationError(
            _("A matter in state “%(state)s” cannot be moved this way.") % {"state": current.get_state_display()}
        )
    if not authorized and not _may(actor, current, name):
        raise PermissionDenied
    reason = (reason or "").strip()
    if needs_reason and not reason:
        raise ValidationError({"reason": _("Please give a reason.")})
    gaps = verification_gaps(current) if name in ("submit", "verify") else []
    if gaps and name == "submit":
        raise ValidationError(_("It cannot be submitted for verification yet: %(gaps)s") % {"gaps": "；".join(gaps)})
    if gaps and not reason:
        raise ValidationError(
            {
                "reason": _("Not every condition for completion is met (%(gaps)s). To verify anyway, state why.")
                % {"gaps": "；".join(gaps)}
            }
        )
    old_state = current.state
    current.state = target
    current.state_reason = reason
    fields = ["state", "state_reason", "version", "updated_at"]
    if target == State.DONE:
        current.completed_on = timezone.localdate()
        current.progress = 100
        current.verification_override = reason if gaps else ""
        fields += ["completed_on", "progress", "verification_override"]
    if name == "reopen":
        current.completed_on = None
        current.verification_override = ""
        fields += ["completed_on", "verification_override"]
    current.version = F("version") + 1
    current.updated_at = timezone.now()
    current.save(update_fields=fields)
    current.refresh_from_db()
    changes = {"state": [old_state, target]}
    if gaps:
        changes["unmet"] = [None, "；".join(gaps)]
    # The course of a matter is public; the reason and the unmet conditions stay private (they may name people).
    timeline.record(current, name, actor=actor, changes=changes, note=reason, public=True)
    _notify_transition(current, name, reason, actor)
    if name == "reopen":
        _recompute_progress(current)
    elif current.parent_id and (target == State.DONE or State.CANCELLED in (old_state, target)):
        # A cancelled child leaves its parent's weighting (and a resumed one returns to it).
        _recompute_progress(current.parent)
    return current


def verification_gaps(matter):
    """What is still missing before the matter can be verified as done, in the reader's words (empty: nothing).

    Every participating unit's latest report accepted, progress 100 % and every milestone done.
    """
    gaps = []
    latest = {}
    for unit_id, status in (
        ProgressReport.objects.filter(matter=matter)
        .exclude(status=ReportStatus.WITHDRAWN)
        .order_by("unit_id", "-submitted_at", "-id")
        .values_list("unit_id", "status")
    ):
        latest.setdefault(unit_id, status)
    for unit in access.participating_units(matter):
        status = latest.get(unit.pk)
        if status is None:
            gaps.append(_("%(unit)s has not reported") % {"unit": unit.display_name})
        elif status != ReportStatus.ACCEPTED:
            gaps.append(_("the latest report of %(unit)s is not accepted") % {"unit": unit.display_name})
    if matter.progress < 100:
        gaps.append(_("progress is %(progress)s%%, not 100%%") % {"progress": matter.progress})
    open_milestones = matter.milestones.filter(done_on__isnull=True).count()
    if open_milestones:
        gaps.append(_("%(count)s milestones are not done") % {"count": open_milestones})
    return gaps


TRANSITION_MESSAGES = {
    "assign": gettext_noop("New matter assigned: %(title)s"),
    "return": gettext_noop("Verification returned: %(title)s"),
    "suspend": gettext_noop("Matter suspended: %(title)s"),
    "resume": gettext_noop("Matter resumed: %(title)s"),
    "cancel": gettext_noop("Matter cancelled: %(title)s"),
    "verify": gettext_noop("Matter verified as done: %(title)s"),
    "reopen": gettext_noop("Matter reopened: %(title)s"),
    "submit": gettext_noop("Submitted for verification: %(title)s"),
    "start": gettext_noop("Work started: %(title)s"),
}


def _notify_transition(matter, name, reason, actor=None):
    if name in ("assign", "return", "suspend", "resume", "cancel", "verify", "reopen"):
        people = recipients(access.participating_units(matter))
    elif name == "submit":
        people = recipients(office_units())
    else:
        people = []  # the start of work: only those following the matter are told
    _tell(
        matter,
        people,
        actor=actor,
        kind=f"matter.{name}",
        message=TRANSITION_MESSAGES[name],
        params={"title": matter.title},
        body=reason,
        url=matter.get_absolute_url(),
    )


def validate_evidence(uploaded):
    return validate_upload(uploaded, "evidence")


@transaction.atomic
def do_submit_report(
    *,
    actor,
    matter,
    unit,
    period_start,
    period_end,
    text,
    percent,
    evidence=(),
    resubmission_of=None,
    drop_evidence=(),
):
    """A unit's progress report; a correction of a returned report keeps its evidence except `drop_evidence` (ids)."""
    if not access.can_report(actor, matter, unit):
        raise PermissionDenied
    errors = {}
    if percent is None or not 0 <= int(percent) <= 100:
        errors["percent"] = _("The percentage must be between 0 and 100.")
    if period_start and period_end and period_end < period_start:
        errors["period_end"] = _("The period cannot end before it starts.")
    if not (text or "").strip():
        errors["text"] = _("Describe the progress made in this period.")
    if matter.state not in (State.ASSIGNED, State.IN_PROGRESS, State.SUBMITTED):
        errors["__all__"] = _("Progress can only be reported on a matter that is under way.")
    if errors:
        raise ValidationError(errors)
    for uploaded in evidence:
        validate_evidence(uploaded)
    if resubmission_of is not None:
        # Judge the report as stored now, not as the caller loaded it.
        resubmission_of = ProgressReport.objects.filter(pk=resubmission_of.pk).first()
    if resubmission_of is not None and (
        resubmission_of.matter_id != matter.pk
        or resubmission_of.unit_id != unit.pk
        or resubmission_of.status not in (ReportStatus.RETURNED, ReportStatus.WITHDRAWN)
    ):
        raise ValidationError(_("Only a returned or withdrawn report of the same unit can be corrected."))
    report = ProgressReport.objects.create(
        matter=matter,
        unit=unit,
        period_start=period_start,
        period_end=period_end,
        text=text.strip(),
        percent=int(percent),
        submitted_by=actor,
        resubmission_of=resubmission_of,
    )
    if resubmission_of is not None:
        kept = resubmission_of.evidence.exclude(pk__in=[int(pk) for pk in drop_evidence])
        # The same stored file, listed again under the corrected report (files are never rewritten).
        Evidence.objects.bulk_create(
            [
                Evidence(report=report, file=e.file.name, name=e.name, size=e.size, content_type=e.content_type)
                for e in kept
            ]
        )
    for uploaded in evidence:
        Evidence.objects.create(
            report=report,
            file=uploaded,
            name=os.path.basename(uploaded.name),
            size=uploaded.size,
            content_type=validate_evidence(uploaded),
        )
    timeline.record(
        matter,
        "report_resubmitted" if resubmission_of else "report_submitted",
        actor=actor,
        changes={"unit": [None, unit.name], "percent": [None, report.percent]},
        public=False,
    )
    if matter.state == State.ASSIGNED:
        # The first report of any participating unit (a co-unit too) means the work has started.
        do_transition(actor=actor, matter=matter, name="start", authorized=True)
    notify(
        recipients(office_units()),
        kind="report.submitted",
        message=gettext_noop("Progress report to review: %(title)s (%(unit)s)"),
        params={"title": matter.title, "unit": unit_name(unit)},
        url=matter.get_absolute_url(),
    )
    return report


@transaction.atomic
def do_review_report(*, actor, report, accept, comment=""):
    report = ProgressReport.objects.select_for_update().select_related("matter", "unit").get(pk=report.pk)
    if not access.can_review(actor, report):
        raise PermissionDenied
    if report.status == ReportStatus.WITHDRAWN:
        raise ValidationError(_("The unit withdrew this report."))
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("This report has been reviewed already."))
    comment = (comment or "").strip()
    if not accept and not comment:
        raise ValidationError({"comment": _("Say why the report is returned, so the unit can correct it.")})
    report.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
    report.reviewed_by = actor
    report.reviewed_at = timezone.now()
    report.review_comment = comment
    report.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    matter = report.matter
    timeline.record(
        matter,
        "report_accepted" if accept else "report_returned",
        actor=actor,
        changes={"unit": [None, report.unit.name], "percent": [None, report.percent]},
        note=comment,
        public=accept,  # an accepted figure is public; a returned report stays between the unit and the office
    )
    if accept:
        _recompute_progress(matter)
        _tell(
            matter,
            [],
            actor=actor,
            kind="report.accepted",
            message=gettext_noop("Progress report accepted: %(title)s (%(unit)s, %(percent)s%%)"),
            params={"title": matter.title, "unit": unit_name(report.unit), "percent": report.percent},
            url=matter.get_absolute_url() + "#reports",
        )
    else:
        _tell(
            matter,
            recipients([report.unit]),
            actor=actor,
            kind="report.returned",
            message=gettext_noop("Report returned: %(title)s"),
            params={"title": matter.title},
            body=comment,
            url=matter.get_absolute_url(),
        )
    return report


def _recompute_progress(matter):
    """Roll progress up: units' latest accepted percentages weighted by share; children weighted by weight."""
    matter = Matter.objects.get(pk=matter.pk)
    children = list(matter.children.exclude(state=State.CANCELLED).values_list("progress", "weight"))
    if children:
        total_weight = sum(w for _, w in children) or 1
        progress = round(sum(p * w for p, w in children) / total_weight)
    else:
        shares = {matter.lead_unit_id: matter.lead_share}
        shares.update(dict(matter.co_units.values_list("unit_id", "share")))
        latest = {}
        for unit_id, percent in (
            ProgressReport.objects.filter(matter=matter, status=ReportStatus.ACCEPTED)
            .order_by("unit_id", "-submitted_at", "-id")
            .values_list("unit_id", "percent")
        ):
            latest.setdefault(unit_id, percent)
        total = sum(shares.values()) or 1
        progress = round(sum(latest.get(u, 0) * s for u, s in shares.items()) / total)
    if matter.state == State.DONE:
        progress = 100
    if progress != matter.progress:
        Matter.objects.filter(pk=matter.pk).update(progress=progress)
        timeline.record(matter, "progress", changes={"progress": [matter.progress, progress]}, public=True)
    if matter.parent_id:
        _recompute_progress(matter.parent)


@transaction.atomic
def do_add_milestone(*, actor, matter, title, due_date):
    if not access.can_edit(actor, matter):
        raise PermissionDenied
    if due_date < matter.start_date:
        raise ValidationError({"due_date": _("A milestone cannot be due before the matter starts.")})
    milestone = Milestone.objects.create(matter=matter, title=title, due_date=due_date)
    timeline.record(matter, "milestone_added", actor=actor, changes={"milestone": [None, title]}, public=True)
    return milestone


@transaction.atomic
def do_complete_milestone(*, actor, milestone, done_on=None):
    matter = milestone.matter
    if not (access.can_edit(actor, matter) or access.has_role(actor, matter.lead_unit, Role.STAFF)):
        raise PermissionDenied
    # The row lock makes two people completing at once record it once.
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.done_on is not None:
        raise ValidationError(_("This milestone was completed already."))
    milestone.done_on = done_on or timezone.localdate()
    milestone.save(update_fields=["done_on"])
    timeline.record(
        matter, "milestone_done", actor=actor, changes={"milestone": [milestone.title, "done"]}, public=True
    )
    return milestone


URGED_MESSAGE = gettext_noop("%(label)s: %(title)s, reply by %(due)s")


@transaction.atomic
def do_urge(*, actor, matter, message, reply_due=None, unit=None):
    """催办 by hand: a numbered 催办单 to the lead unit (or another participating unit) with a reply deadline."""
    if not access.can_urge(actor, matter):
        raise PermissionDenied
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": _("Write what the units should do.")})
    today = timezone.localdate()
    unit = unit or matter.lead_unit
    if unit not in access.participating_units(matter):
        raise ValidationError({"unit": _("Only a unit taking part in the matter can be urged.")})
    if reply_due is None:
        reply_due = workdays.add_working_days(today, ladder_on(today).reply_working_days)
    elif reply_due < today:
        raise ValidationError({"reply_due": _("The reply deadline cannot be in the past.")})
    (urging,) = issue_urgings([(matter.pk, unit.pk, message, reply_due)], actor=actor, today=today)
    people = recipients(access.participating_units(matter))
    Reminder.objects.create(
        matter=matter,
        kind=ReminderKind.MANUAL,
        period_key=f"manual:{urging.label}",
        sent_by=actor,
        message=message,
        recipients=len(people),
    )
    timeline.record(
        matter,
        "urged",
        actor=actor,
        changes={"urging": [None, urging.label], "reply_due": [None, reply_due.isoformat()]},
        note=message,
        public=False,
    )
    _tell(
        matter,
        people,
        actor=actor,
        kind="matter.urged",
        message=URGED_MESSAGE,
        params={"label": urging.label, "title": matter.title, "due": reply_due.isoformat()},
        body=message,
        url=matter.get_absolute_url() + "#urgings",
    )
    return urging


# Inbox rows stored before 催办单 were numbered still carry this key; it stays in the catalog to render them.
EARLIER_MESSAGES = [gettext_noop("Urged: %(title)s")]


def _last_urging_number(year):
    """The year's last 催办单 number, under a lock held to the end of the transaction.

    PostgreSQL: an advisory lock; SQLite locks the whole database for a write. So a manual 催办 and the
    ladder's run never draw the same number.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [URGING_NUMBER_LOCK])
    return Urging.objects.filter(year=year).aggregate(last=Max("number"))["last"] or 0


def issue_urgings(rows, *, actor=None, today, automatic=False):
    """Create 催办单 for (matter id, unit id, message, reply_due) rows, numbered on from the year's last number."""
    year = today.year
    last = _last_urging_number(year)
    now = timezone.now()
    return Urging.objects.bulk_create(
        [
            Urging(
                matter_id=matter_id,
                unit_id=unit_id,
                year=year,
                number=last + index,
                message=message,
                reply_due=reply_due,
                automatic=automatic,
                issued_by=actor,
                issued_at=now,
            )
            for index, (matter_id, unit_id, message, reply_due) in enumerate(rows, start=1)
        ]
    )


URGING_NUMBER_LOCK = 81_2026


def _urging_for_update(urging, actor):
    urging = Urging.objects.select_for_update().select_related("matter", "unit").get(pk=urging.pk)
    if not access.can_answer_urging(actor, urging):
        raise PermissionDenied
    return urging


@transaction.atomic
def do_sign_urging(*, actor, urging):
    """签收: the urged unit confirms it received the 催办单 (once; signing again changes nothing)."""
    urging = _urging_for_update(urging, actor)
    if urging.signed_at is None:
        urging.signed_by = actor
        urging.signed_at = timezone.now()
        urging.save(update_fields=["signed_by", "signed_at"])
        timeline.record(
            urging.matter, "urging_signed", actor=actor, changes={"urging": [None, urging.label]}, public=False
        )
    return urging


@transaction.atomic
def do_reply_urging(*, actor, urging, reply):
    """回复: the urged unit answers what it has done; answering also signs for it."""
    urging = _urging_for_update(urging, actor)
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError({"reply": _("Write what the unit has done or will do, and by when.")})
    if urging.replied_at is not None:
        raise ValidationError(_("This 催办单 has been answered already."))
    now = timezone.now()
    urging.reply = reply
    urging.replied_by = actor
    urging.replied_at = now
    fields = ["reply", "replied_by", "replied_at"]
    if urging.signed_at is None:
        urging.signed_by, urging.signed_at = actor, now
        fields += ["signed_by", "signed_at"]
    urging.save(update_fields=fields)
    late = timezone.localdate() > urging.reply_due
    timeline.record(
        urging.matter,
        "urging_replied",
        actor=actor,
        changes={"urging": [None, urging.label], "late": [None, late]},
        note=reply,
        public=False,
    )
    _tell(
        urging.matter,
        recipients(office_units()) if urging.issued_by_id is None else [urging.issued_by],
        actor=actor,
        kind="urging.replied",
        message=gettext_noop("%(label)s answered: %(title)s"),
        params={"label": urging.label, "title": urging.matter.title},
        body=reply,
        url=urging.matter.get_absolute_url() + "#urgings",
    )
    return urging


@transaction.atomic
def do_withdraw_report(*, actor, report):
    """撤回: the unit takes back a report the office has not reviewed yet (to correct it and send it again)."""
    report = ProgressReport.objects.select_for_update().select_related("matter", "unit").get(pk=report.pk)
    if not access.can_report(actor, report.matter, report.unit):
        raise PermissionDenied
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Only a report that has not been reviewed yet can be withdrawn."))
    report.status = ReportStatus.WITHDRAWN
    report.save(update_fields=["status"])
    timeline.record(
        report.matter,
        "report_withdrawn",
        actor=actor,
        changes={"unit": [None, report.unit.name], "percent": [None, report.percent]},
        public=False,
    )
    return report


@transaction.atomic
def do_request_extension(*, actor, matter, requested_due, reason):
    """申请延期: the lead unit asks for a later due date, with its reason; one request at a time."""
    if not access.can_request_extension(actor, matter):
        raise PermissionDenied
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    errors = {}
    if matter.state not in OPEN_STATES:
        errors["__all__"] = _("Only a matter under way can be extended.")
    if requested_due is None or requested_due <= matter.due_date:
        errors["requested_due"] = _("The new due date must be later than the current one (%(due)s).") % {
            "due": matter.due_date
        }
    if not (reason or "").strip():
        errors["reason"] = _("Explain why more time is needed.")
    if ExtensionRequest.objects.filter(matter=matter, status=ExtensionStatus.PENDING).exists():
        errors["__all__"] = _("An extension request for this matter is awaiting the office's decision.")
    if errors:
        raise ValidationError(errors)
    extension = ExtensionRequest.objects.create(
        matter=matter,
        unit=matter.lead_unit,
        due_before=matter.due_date,
        requested_due=requested_due,
        reason=reason.strip(),
        requested_by=actor,
    )
    timeline.record(
        matter,
        "extension_requested",
        actor=actor,
        changes={"due_date": [matter.due_date.isoformat(), requested_due.isoformat()]},
        note=extension.reason,
        public=False,
    )
    notify(
        recipients(office_units()),
        kind="extension.requested",
        message=gettext_noop("Extension requested: %(title)s (to %(due)s)"),
        params={"title": matter.title, "due": requested_due.isoformat()},
        body=extension.reason,
        url=matter.get_absolute_url() + "#extensions",
    )
    return extension


@transaction.atomic
def do_decide_extension(*, actor, extension, grant, comment="", granted_due=None):
    """The office grants (possibly to another date) or refuses an extension.

    The first due date is kept in `original_due_date`. On-time rates count against the original date
    unless the extension was granted before that date had passed (then against the granted date).
    """
    if not access.can_supervise(actor):
        raise PermissionDenied
    extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
    if extension.status != ExtensionStatus.PENDING:
        raise ValidationError(_("This request has been decided already."))
    comment = (comment or "").strip()
    if not grant and not comment:
        raise ValidationError({"comment": _("Say why the extension is refused.")})
    matter = Matter.objects.select_for_update().get(pk=extension.matter_id)
    granted_due = granted_due or extension.requested_due
    if grant and granted_due <= matter.due_date:
        raise ValidationError({"granted_due": _("The granted date must be later than the current due date.")})
    today = timezone.localdate()
    extension.status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
    extension.decided_by = actor
    extension.decided_at = timezone.now()
    extension.decision_comment = comment
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    if grant:
        original = matter.original_due_date or matter.due_date
        counted = matter.on_time_due_date or matter.due_date
        # Granted in time (before the date it replaces has passed), the new date is the one that counts.
        if today <= matter.due_date and counted == matter.due_date:
            counted = granted_due
        old_due = matter.due_date
        matter.original_due_date = original
        matter.on_time_due_date = counted
        matter.due_date = granted_due
        matter.version = F("version") + 1
        matter.updated_at = timezone.now()
        matter.save(update_fields=["original_due_date", "on_time_due_date", "due_date", "version", "updated_at"])
        timeline.record(
            matter,
            "extension_granted",
            actor=actor,
            changes={"due_date": [old_due.isoformat(), granted_due.isoformat()]},
            note=comment,
            public=False,
        )
    else:
        timeline.record(
            matter,
            "extension_refused",
            actor=actor,
            changes={"due_date": [matter.due_date.isoformat(), None]},
            note=comment,
            public=False,
        )
    message = (
        gettext_noop("Extension granted: %(title)s (due %(due)s)")
        if grant
        else gettext_noop("Extension refused: %(title)s")
    )
    _tell(
        matter,
        recipients([extension.unit]),
        actor=actor,
        kind="extension.decided",
        message=message,
        params={"title": matter.title, "due": granted_due.isoformat()},
        body=comment,
        url=matter.get_absolute_url() + "#extensions",
    )
    return extension


# --- people on a matter: comments, mentions, leaders' instructions, following --------------------------------

COMMENT_MAX_LENGTH = 5000
LEADER_MAX_LENGTH = Comment._meta.get_field("leader").max_length
# A comment that mentions more than this many units or people is a circular, not a comment.
MAX_MENTIONS = 20
# "@" (or the full-width "＠" of Chinese input methods) starts a mention unless it follows a character of an
# e-mail address ("liaison@taiyuan.gov.cn" mentions nobody).
MENTION_START = re.compile(r"(?<![A-Za-z0-9._%+\-])[@＠]")
# The word after an "@" that matched nobody, for the error message: up to a space or punctuation.
MENTION_WORD = re.compile(r"[^\s,，.。;；:：!！?？、()（）\[\]【】<>《》\"'“”‘’@＠]{1,40}")
ASCII_WORD = re.compile(r"[A-Za-z0-9_\-]")


def mention_candidates(matter):
    """{name: [unit or user, …]} of everyone who can see the matter, by each name they may be mentioned by.

    Units by full, short and English name; people by user name and full name (Chinese order and Western).
    Only those who can see the matter can be mentioned, so a mention never shows the matter to anyone new.
    """
    from django.contrib.auth import get_user_model

    names = {}

    def add(name, target):
        name = (name or "").strip()
        if name:
            bucket = names.setdefault(name.casefold(), [])
            if target not in bucket:
                bucket.append(target)

    for unit in access.seeing_units(matter):
        for name in (unit.name, unit.short_name, unit.name_en):
            add(name, unit)
    people = get_user_model().objects.filter(access.seeing_users_q(matter), is_active=True).distinct()
    for person in people:
        add(person.get_username(), person)
        add(f"{person.last_name}{person.first_name}", person)
        add(person.get_full_name(), person)
    return names


def parse_mentions(text, candidates):
    """The units and people a text mentions, as (units, users); a mention that names nobody is an error.

    After each "@" the longest candidate name wins ("@太原市人民政府办公厅" is the office of the government,
    not the government); an ASCII name must end at a word boundary ("@taiyuan2" does not mention "taiyuan");
    a Chinese name needs no space after it ("@晋中市人民政府请于周五前反馈"). A name two candidates share
    is refused with a hint, rather than telling the wrong one.
    """
    by_length = sorted(candidates, key=len, reverse=True)
    units, users, unknown, ambiguous = [], [], [], []
    for start in MENTION_START.finditer(text):
        rest = text[start.end() :]
        folded = rest.casefold()
        for name in by_length:
            if not folded.startswith(name):
                continue
            following = rest[len(name) : len(name) + 1]
            if ASCII_WORD.fullmatch(name[-1]) and following and ASCII_WORD.fullmatch(following):
                continue
            targets = candidates[name]
            if len(targets) > 1:
                ambiguous.append(rest[: len(name)])
            else:
                (units if isinstance(targets[0], Unit) else users).append(targets[0])
            break
        else:
            word = MENTION_WORD.match(rest)
            if word:
                unknown.append(word.group())
    errors = []
    if unknown:
        errors.append(
            _("%(names)s: no unit or person of that name can see this matter.")
            % {"names": "、".join(f"@{name}" for name in dict.fromkeys(unknown))}
        )
    if ambiguous:
        errors.append(
            _("%(names)s: several units or people have this name; mention a person by user name.")
            % {"names": "、".join(f"@{name}" for name in dict.fromkeys(ambiguous))}
        )
    if errors:
        raise ValidationError({"text": errors})
    units, users = list(dict.fromkeys(units)), list(dict.fromkeys(users))
    if len(units) + len(users) > MAX_MENTIONS:
        raise ValidationError({"text": _("Mention at most %(n)d units or people at once.") % {"n": MAX_MENTIONS}})
    return units, users


def _clean_text(text, field="text"):
    text = (text or "").strip() if isinstance(text, str) else text
    if (problem := _text_error(text, COMMENT_MAX_LENGTH)) is not None:
        raise ValidationError({field: problem})
    return text


def person_name(user):
    return user.get_full_name() or user.get_username()


def _tell(matter, people, *, actor=None, **message):
    """Notify `people` and the matter's followers in one call, so that each person is told once.

    Followers are not told of what they did themselves; the people named by the caller are told as before.
    """
    everyone = {p.pk: p for p in people if p is not None}
    for person in access.followers(matter):
        if actor is None or person.pk != actor.pk:
            everyone.setdefault(person.pk, person)
    return notify(list(everyone.values()), **message)


@transaction.atomic
def do_comment(*, actor, matter, text):
    """A comment on the matter; the units and people it @mentions are notified (once each, never the author)."""
    if not access.can_see(actor, matter):
        raise PermissionDenied
    text = _clean_text(text)
    units, users = parse_mentions(text, mention_candidates(matter))
    comment = Comment.objects.create(matter=matter, kind=CommentKind.COMMENT, author=actor, text=text)
    comment.mentioned_units.set(units)
    comment.mentioned_users.set(users)
    timeline.record(matter, "commented", actor=actor, public=False)
    told = {p.pk: p for p in [*users, *recipients(units)] if p.pk != actor.pk}
    notify(
        list(told.values()),
        kind="matter.mentioned",
        message=gettext_noop("%(author)s mentioned you on %(title)s"),
        params={"author": person_name(actor), "title": matter.title},
        body=text,
        url=f"{matter.get_absolute_url()}#comment-{comment.pk}",
    )
    return comment


@transaction.atomic
def do_record_instruction(*, actor, matter, leader, text):
    """领导批示: recorded as the leader gave it; every participating unit, the mentioned and the followers are told."""
    if not access.can_see(actor, matter) or not access.can_record_instruction(actor, matter):
        raise PermissionDenied
    errors = {}
    leader = (leader or "").strip() if isinstance(leader, str) else leader
    if (problem := _text_error(leader, LEADER_MAX_LENGTH)) is not None:
        errors["leader"] = _("Give the leader who gave the instruction.") if not leader else problem
    try:
        text = _clean_text(text)
        units, users = parse_mentions(text, mention_candidates(matter))
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    comment = Comment.objects.create(
        matter=matter, kind=CommentKind.INSTRUCTION, author=actor, leader=leader, text=text
    )
    comment.mentioned_units.set(units)
    comment.mentioned_users.set(users)
    timeline.record(matter, "instruction", actor=actor, changes={"leader": [None, leader]}, public=False)
    people = [*recipients(access.participating_units(matter)), *recipients(units), *users]
    _tell(
        matter,
        [p for p in people if p.pk != actor.pk],
        actor=actor,
        kind="matter.instruction",
        message=gettext_noop("Leader's instruction (%(leader)s) on %(title)s"),
        params={"leader": leader, "title": matter.title},
        body=text,
        url=f"{matter.get_absolute_url()}#instructions",
    )
    return comment


def do_follow(*, actor, matter):
    """关注: anyone who can see the matter follows it; following twice is following once."""
    if not access.can_see(actor, matter):
        raise PermissionDenied
    try:
        with transaction.atomic():
            follow, _created = Follow.objects.get_or_create(matter=matter, user=actor)
    except IntegrityError:  # the same person following in two tabs at once: the other request stored it
        follow = Follow.objects.get(matter=matter, user=actor)
    return follow


@transaction.atomic
def do_unfollow(*, actor, matter):
    """取消关注; not following is not an error (the page may be stale)."""
    if not access.can_see(actor, matter):
        raise PermissionDenied
    Follow.objects.filter(matter=matter, user=actor).delete()


def is_following(user, matter):
    return user.is_authenticated and Follow.objects.filter(matter=matter, user=user).exists()


# --- the periodic runs ----------------------------------------------------------------------------------------


def _json_object(*pairs):
    """SQL building a JSON object from (key, SQL expression) pairs, in the database's own function."""
    function = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"
    arguments = ", ".join(f"'{key}', {expression}" for key, expression in pairs)
    return f"{function}({arguments})"


def _json_array(*expressions):
    function = "jsonb_build_array" if connection.vendor == "postgresql" else "json_array"
    return f"{function}({', '.join(expressions)})"


def _sql_list(values):
    """A list of our own constants (choice values, never input) as SQL literals."""
    return "(" + ", ".join(f"'{getattr(value, 'value', value)}'" for value in values) + ")"


# A run claiming this many reminders refreshes the planner's statistics before writing what follows from them.
REPLAN_FROM = 1000


@transaction.atomic
def do_send_reminders(*, today=None):
    """Send every reminder and take every step of the escalation ladder due today, once; returns how many.

    Each is claimed by inserting its Reminder row (INSERT … SELECT … ON CONFLICT DO NOTHING, in key
    order, so that concurrent runs wait for each other instead of deadlocking): of two workers running
    at once only one inserts a given key. The rows this run inserted carry its timestamp, and only for
    those does it issue 催办单, write the timeline and notify. Everything is set-based SQL: the run's cost
    is a few statements whatever the number of matters.
    """
    from django.contrib.auth import get_user_model

    from xietong.core.models import Membership, TimelineEvent

    today = today or timezone.localdate()
    now = timezone.now()
    at = connection.ops.adapt_datetimefield_value(now)
    plan = reminders.Plan.on(today)
    candidates, params = reminders.candidates_sql(plan)
    rem, matter, urg = table(Reminder), table(Matter), table(Urging)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {rem} (matter_id, kind, period_key, unit_id, sent_at, message, recipients) "
            f"SELECT c.matter_id, c.kind, c.period_key, c.unit_id, %s, '', 0 FROM ({candidates}) c WHERE true "
            f"ORDER BY c.matter_id, c.kind, c.period_key "
            f"ON CONFLICT (matter_id, kind, period_key) DO NOTHING",
            [at, *params],
        )
        sent = cursor.rowcount
        if not sent:
            return 0
        # The statements below find this run's rows by their timestamp, a value the planner's statistics have
        # never seen: it would take thousands of rows for one and join them row by row (minutes for a backlog).
        # Sampling the table again, this transaction's rows included, gives it their true number.
        refresh = sent >= REPLAN_FROM and connection.vendor == "postgresql"
        if refresh:
            cursor.execute(f"ANALYZE {rem}")
        mine = f"r.sent_at = %s AND r.sent_by_id IS NULL AND r.kind IN {_sql_list(reminders.TITLES)}"

        # The ladder's 催办单, numbered on from the year's last number.
        last = _last_urging_number(today.year)
        cursor.execute(
            f"INSERT INTO {urg} (matter_id, unit_id, year, number, message, reply_due, automatic, issued_at, reply) "
            f"SELECT r.matter_id, r.unit_id, %s, %s + ROW_NUMBER() OVER (ORDER BY r.matter_id), %s, %s, %s, %s, '' "
            f"FROM {rem} r WHERE {mine} AND r.kind = %s",
            [
                today.year,
                last,
                reminders.URGING_TEXT,
                connection.ops.adapt_datefield_value(plan.reply_due),
                True,
                at,
                at,
                ReminderKind.URGING.value,
            ],
        )
        if refresh:
            cursor.execute(f"ANALYZE {urg}")

        # The matter's timeline: the 催办单 issued, escalated, the matter named for the bulletin.
        label = "'催办〔' || u.year || '〕' || u.number || '号'"
        changes = {
            ReminderKind.URGING: _json_object(
                ("urging", _json_array("NULL", label)),
                ("reply_due", _json_array("NULL", reminders.iso_date("u.reply_due"))),
            ),
            ReminderKind.ESCALATED: _json_object(("urging", _json_array("NULL", label))),
        }
        content_type = ContentType.objects.get_for_model(Matter).pk
        events = table(TimelineEvent)
        columns = "content_type_id, object_id, at, verb, changes, note, public"
        cursor.execute(
            f"INSERT INTO {events} ({columns}) SELECT %s, CAST(u.matter_id AS TEXT), %s, 'urged', "
            f"{changes[ReminderKind.URGING]}, u.message, %s FROM {urg} u WHERE u.issued_at = %s AND u.automatic",
            [content_type, at, False, at],
        )
        cursor.execute(
            f"INSERT INTO {events} ({columns}) SELECT %s, CAST(r.matter_id AS TEXT), %s, 'urging_escalated', "
            f"{changes[ReminderKind.ESCALATED]}, '', %s FROM {rem} r "
            f"JOIN {urg} u ON 'urging:' || u.id = r.period_key WHERE {mine} AND r.kind = %s",
            [content_type, at, False, at, ReminderKind.ESCALATED.value],
        )
        cursor.execute(
            f"INSERT INTO {events} ({columns}) SELECT %s, CAST(r.matter_id AS TEXT), %s, 'named', "
            f"{_json_object()}, '', %s FROM {rem} r WHERE {mine} AND r.kind = %s",
            [content_type, at, False, at, ReminderKind.NAMED.value],
        )

        # Who is told: the unit each reminder names (its leaders for escalations), every co-unit of a
        # due-date reminder, the coordination office for the office's kinds.
        managers = _sql_list(k for k, role in reminders.ROLE.items() if role == Role.MANAGER)
        audience = (
            f"SELECT r.id AS reminder_id, r.unit_id AS unit_id, "
            f"CASE WHEN r.kind IN {managers} THEN {Role.MANAGER.value} ELSE {Role.STAFF.value} END AS min_role "
            f"FROM {rem} r WHERE {mine} AND r.unit_id IS NOT NULL "
            f"UNION ALL SELECT r.id, c.unit_id, {Role.STAFF.value} FROM {rem} r "
            f"JOIN {table(CoUnit)} c ON c.matter_id = r.matter_id "
            f"WHERE {mine} AND r.kind IN {_sql_list(reminders.TO_CO_UNITS)} "
            f"UNION ALL SELECT r.id, o.id, {Role.STAFF.value} FROM {rem} r CROSS JOIN {table(Unit)} o "
            f"WHERE o.kind = '{UnitKind.OFFICE.value}' AND {mine} AND r.kind IN {_sql_list(reminders.TO_OFFICE)}"
        )
        people = (
            f"SELECT DISTINCT a.reminder_id, ms.user_id FROM ({audience}) a "
            f"JOIN {table(Membership)} ms ON ms.unit_id = a.unit_id AND ms.role >= a.min_role "
            f"JOIN {table(get_user_model())} p ON p.id = ms.user_id AND p.is_active"
        )
        sentinel = 4_294_967_295
        prefix, suffix = reverse("supervision:matter", args=[sentinel]).split(str(sentinel))
        message = "CASE r.kind " + " ".join(f"WHEN '{kind.value}' THEN %s" for kind in reminders.TITLES) + " END"
        urging_kinds = _sql_list([ReminderKind.URGING, ReminderKind.ESCALATED])
        notify_select(
            f"SELECT x.user_id AS recipient_id, 'reminder.' || r.kind AS kind, {message} AS message, "
            f"{_json_object(('title', 'm.title'), ('due', reminders.iso_date('m.due_date')))} AS params, "
            f"%s || m.id || %s || CASE WHEN r.kind IN {urging_kinds} THEN '#urgings' ELSE '' END AS url "
            f"FROM ({people}) x JOIN {rem} r ON r.id = x.reminder_id JOIN {matter} m ON m.id = r.matter_id",
            [*reminders.TITLES.values(), prefix, suffix, at, at, at],
            at=now,
        )

        # The followers (关注) of a matter the ladder issued a 催办单 on are told as of a 催办 by the office, once
        # a matter, unless this run has already told them of it as members of a unit it named; like
        # access.followers, only those who can still see the matter: members of a participating unit or of a
        # unit above one.
        unit, co_unit, membership = table(Unit), table(CoUnit), table(Membership)
        above = "substr({0}.path, 1, length(su.path)) = su.path"
        sees = (
            f"p.is_superuser OR EXISTS (SELECT 1 FROM {membership} ms JOIN {unit} su ON su.id = ms.unit_id "
            f"WHERE ms.user_id = p.id AND (EXISTS (SELECT 1 FROM {unit} lu WHERE lu.id = m.lead_unit_id "
            f"AND {above.format('lu')}) OR EXISTS (SELECT 1 FROM {co_unit} c JOIN {unit} cu ON cu.id = c.unit_id "
            f"WHERE c.matter_id = m.id AND {above.format('cu')})))"
        )
        label = "'催办〔' || u.year || '〕' || u.number || '号'"
        params = _json_object(("label", label), ("title", "m.title"), ("due", reminders.iso_date("u.reply_due")))
        notify_select(
            f"SELECT p.id AS recipient_id, 'matter.urged' AS kind, %s AS message, {params} AS params, "
            f"%s || m.id || %s || '#urgings' AS url "
            f"FROM {urg} u JOIN {matter} m ON m.id = u.matter_id "
            f"JOIN {table(Follow)} f ON f.matter_id = u.matter_id "
            f"JOIN {table(get_user_model())} p ON p.id = f.user_id AND p.is_active "
            f"WHERE u.issued_at = %s AND u.automatic AND u.id = (SELECT MIN(o.id) FROM {urg} o "
            f"WHERE o.matter_id = u.matter_id AND o.issued_at = %s AND o.automatic) AND ({sees}) "
            f"AND NOT EXISTS (SELECT 1 FROM ({people}) x JOIN {rem} r ON r.id = x.reminder_id "
            f"WHERE r.matter_id = u.matter_id AND x.user_id = p.id)",
            [URGED_MESSAGE, prefix, suffix, at, at, at, at, at],
            at=now,
        )
    return sent


@transaction.atomic
def do_write_snapshots(*, day=None):
    """Store each city's figures for `day` (today by default); running twice for a day overwrites, never adds.

    Totals count the matters that are under way or finished (not drafts, not cancelled).
    "Done" counts matters verified done on or before the day, "overdue" open matters due
    before it, so a snapshot written late for a past day still reads as of that day.
    """
    from .dashboard import Cell, city_for_path, city_units
    from .models import ProgressSnapshot

    day = day or timezone.localdate()
    cities = list(city_units())
    rows = (
        Matter.objects.exclude(state__in=[State.DRAFT, State.CANCELLED])
        .order_by()
        .values("lead_unit__path")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(state=State.DONE, completed_on__lte=day)),
            overdue=Count("id", filter=Q(state__in=OPEN_STATES, due_date__lt=day)),
            progress_sum=Sum("progress"),
        )
    )
    figures = {city.pk: Cell() for city in cities}
    for row in rows:
        city = city_for_path(row["lead_unit__path"], cities)
        if city is not None:
            figures[city.pk].add({**row, "due_soon": 0})
    snapshots = [
        ProgressSnapshot(
            date=day,
            unit=city,
            total=figures[city.pk].total,
            done=figures[city.pk].done,
            overdue=figures[city.pk].overdue,
            mean_progress=figures[city.pk].mean_progress or 0,
        )
        for city in cities
    ]
    ProgressSnapshot.objects.bulk_create(
        snapshots,
        update_conflicts=True,
        unique_fields=["date", "unit"],
        update_fields=["total", "done", "overdue", "mean_progress"],
    )
    return snapshots


@transaction.atomic
def do_issue_bulletin(*, actor, period_start, period_end, today=None):
    """Number, freeze and circulate the bulletin of a period; only the office issues bulletins."""
    if not access.can_supervise(actor):
        raise PermissionDenied
    today = today or timezone.localdate()
    errors = {}
    if period_start is None:
        errors["period_start"] = _("Give the first day of the period as YYYY-MM-DD.")
    if period_end is None:
        errors["period_end"] = _("Give the last day of the period as YYYY-MM-DD.")
    if not errors and period_end < period_start:
        errors["period_end"] = _("The period cannot end before it starts.")
    if not errors and period_start > today:
        errors["period_start"] = _("A bulletin covers a period that has begun.")
    if errors:
        raise ValidationError(errors)
    # Locking the latest bulletin makes concurrent issuers take numbers one after the other.
    previous = Bulletin.objects.select_for_update().order_by("-number").first()
    number = previous.number + 1 if previous else 1
    data = bulletins.compute(period_start, period_end, today)
    data["previous"] = {"id": previous.pk, "number": previous.number} if previous else None
    data["changes"] = bulletins.changes_between(previous.data, data) if previous else None
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Supervision bulletin no. %(number)d (%(start)s to %(end)s)") % {
            "number": number,
            "start": period_start.isoformat(),
            "end": period_end.isoformat(),
        }
    try:
        with transaction.atomic():
            bulletin = Bulletin.objects.create(
                number=number,
                title=title,
                period_start=period_start,
                period_end=period_end,
                data=data,
                created_by=actor,
            )
    except IntegrityError:
        raise ValidationError(_("Another bulletin was issued at the same moment. Please try again."))
    timeline.record(bulletin, "issued", actor=actor, changes={"number": [None, number]}, public=False)
    notify(
        recipients([*office_units(), *Unit.objects.filter(kind=UnitKind.CITY)]),
        kind="bulletin.issued",
        message=gettext_noop("Supervision bulletin no. %(number)d has been issued"),
        params={"number": number},
        url=bulletin.get_absolute_url(),
    )
    return bulletin


class ImportRefused(ValidationError):
    """A register upload with wrong rows: `rows` lists (row number, messages); nothing was stored."""

    def __init__(self, rows):
        self.rows = rows
        super().__init__(
            _("%(count)d rows of the file need correcting; no matter was imported.") % {"count": len(rows)}
        )


@transaction.atomic
def do_import_matters(*, actor, rows):
    """Create the matters of a register upload, all or none: each row goes through do_create_matter, which
    checks it like a matter entered by hand, and a single wrong row stores nothing. `rows` is what
    register.parse_xlsx returns; imported matters start as drafts for the office to assign."""
    from .register import error_messages

    if not access.can_supervise(actor):
        raise PermissionDenied
    refused, created = [], []
    for number, fields, problems in rows:
        messages = list(problems)
        if not messages:
            try:
                # A savepoint per row, so one refused row leaves the transaction usable to check the rest.
                with transaction.atomic():
                    created.append(do_create_matter(actor=actor, **fields))
            except ValidationError as error:
                messages = error_messages(error)
        if messages:
            refused.append((number, messages))
    if not rows:
        raise ValidationError(_("The file has no matter in it."))
    if refused:
        raise ImportRefused(refused)
    return created
