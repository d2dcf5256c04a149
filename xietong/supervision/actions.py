"""Every write of the supervised action list.

Each `do_*` function checks the actor's right to act, changes state atomically,
writes the timeline and leaves notifications to `transaction.on_commit` (through
`notify`). A refused action raises PermissionDenied; bad input raises
ValidationError with a message in the user's language, and nothing is stored.
"""

import datetime
import os
import re

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xietong.core import timeline
from xietong.core.errors import ConflictError
from xietong.core.models import Role
from xietong.core.notify import notify, office_units, recipients, unit_name
from xietong.core.uploads import validate_upload

from . import access
from .models import (
    SUB_AREAS,
    CoUnit,
    Domain,
    Evidence,
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
)

# transition name → (states it starts from, state it leads to, whether a reason is required)
TRANSITIONS = {
    "assign": ([State.DRAFT], State.ASSIGNED, False),
    "start": ([State.ASSIGNED], State.IN_PROGRESS, False),
    "submit": ([State.IN_PROGRESS], State.SUBMITTED, False),
    "verify": ([State.SUBMITTED], State.DONE, False),
    "return": ([State.SUBMITTED], State.IN_PROGRESS, True),
    "suspend": ([State.ASSIGNED, State.IN_PROGRESS, State.SUBMITTED], State.SUSPENDED, True),
    "resume": ([State.SUSPENDED], State.IN_PROGRESS, False),
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
        return access.has_role(user, matter.lead_unit, Role.STAFF) or access.can_supervise(user)
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
    elif any(u.pk == lead_unit.pk for u in co_units):
        errors["co_units"] = _("The lead unit cannot also be a co-unit.")
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
    old_state = current.state
    current.state = target
    current.state_reason = reason
    fields = ["state", "state_reason", "version", "updated_at"]
    if target == State.DONE:
        current.completed_on = timezone.localdate()
        current.progress = 100
        fields += ["completed_on", "progress"]
    current.version = F("version") + 1
    current.updated_at = timezone.now()
    current.save(update_fields=fields)
    current.refresh_from_db()
    # The course of a matter is public; the reason stays private (it may name people).
    timeline.record(current, name, actor=actor, changes={"state": [old_state, target]}, note=reason, public=True)
    _notify_transition(current, name, reason)
    if target == State.DONE and current.parent_id:
        _recompute_progress(current.parent)
    return current


TRANSITION_MESSAGES = {
    "assign": gettext_noop("New matter assigned: %(title)s"),
    "return": gettext_noop("Verification returned: %(title)s"),
    "suspend": gettext_noop("Matter suspended: %(title)s"),
    "resume": gettext_noop("Matter resumed: %(title)s"),
    "cancel": gettext_noop("Matter cancelled: %(title)s"),
    "verify": gettext_noop("Matter verified as done: %(title)s"),
    "submit": gettext_noop("Submitted for verification: %(title)s"),
}


def _notify_transition(matter, name, reason):
    if name in ("assign", "return", "suspend", "resume", "cancel", "verify"):
        people = recipients(access.participating_units(matter))
    elif name == "submit":
        people = recipients(office_units())
    else:
        return
    notify(
        people,
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
    *, actor, matter, unit, period_start, period_end, text, percent, evidence=(), resubmission_of=None
):
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
        or resubmission_of.status != ReportStatus.RETURNED
    ):
        raise ValidationError(_("Only a returned report of the same unit can be resubmitted."))
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
    if not access.can_supervise(actor):
        raise PermissionDenied
    report = ProgressReport.objects.select_for_update().select_related("matter").get(pk=report.pk)
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
    else:
        notify(
            recipients([report.unit]),
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


@transaction.atomic
def do_urge(*, actor, matter, message):
    """催办 by hand: a message to the lead and co-units, kept on the timeline."""
    if not access.can_urge(actor, matter):
        raise PermissionDenied
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": _("Write what the units should do.")})
    people = recipients(access.participating_units(matter))
    Reminder.objects.create(
        matter=matter,
        kind=ReminderKind.MANUAL,
        period_key=f"manual:{timezone.now().isoformat()}",
        sent_by=actor,
        message=message,
        recipients=len(people),
    )
    timeline.record(matter, "urged", actor=actor, note=message, public=False)
    notify(
        people,
        kind="matter.urged",
        message=gettext_noop("Urged: %(title)s"),
        params={"title": matter.title},
        body=message,
        url=matter.get_absolute_url(),
    )


def period_bounds(frequency, day):
    """The reporting period that contains `day`: (start, end, key)."""
    if frequency == "weekly":
        start = day - datetime.timedelta(days=day.weekday())
        return start, start + datetime.timedelta(days=6), f"{day.isocalendar()[0]}-W{day.isocalendar()[1]:02d}"
    if frequency == "biweekly":
        week = day.isocalendar()[1]
        start = day - datetime.timedelta(days=day.weekday() + 7 * ((week - 1) % 2))
        return start, start + datetime.timedelta(days=13), f"{start.isocalendar()[0]}-B{(week + 1) // 2:02d}"
    if frequency == "quarterly":
        quarter = (day.month - 1) // 3
        start = datetime.date(day.year, 3 * quarter + 1, 1)
        end = datetime.date(day.year + (quarter == 3), (3 * quarter + 3) % 12 + 1, 1) - datetime.timedelta(days=1)
        return start, end, f"{day.year}-Q{quarter + 1}"
    start = day.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return start, end, f"{day:%Y-%m}"
