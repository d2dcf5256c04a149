"""Every write of the water app.

Each `do_*` function checks the actor's right, changes state atomically, writes the
timeline and leaves notifications to `transaction.on_commit` (through `notify`). Refused:
PermissionDenied; bad input: ValidationError in the user's language, nothing stored.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xietong.core import timeline, workdays
from xietong.core.models import Role
from xietong.core.notify import localized, notify, office_units, recipients
from xietong.supervision import actions as supervision_actions
from xietong.supervision.models import OPEN_STATES, Domain, Matter, Priority, Source, SubArea

from . import access, assess
from .grading import PARAMETERS
from .ingest import ingest
from .models import (
    PARAMETER_LABELS,
    BoundaryMiss,
    CompensationAgreement,
    JointSampling,
    MonthlyResult,
    RuleSet,
    SectionKind,
    SectionTarget,
    Statement,
)


def rules_in_force(day):
    rule_set = RuleSet.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    if rule_set is None:
        raise ValidationError(_("No accountability rules are in force on %(day)s.") % {"day": day})
    return rule_set


# --- samples and monthly classes --------------------------------------------------------------------------


def do_ingest_samples(*, actor, rows, source, filename=""):
    """Store a delivery of samples, then recompute the months it touched (see `do_assess`)."""
    access.require_view(actor)
    with transaction.atomic():
        result = ingest(
            rows,
            user=actor,
            source=source,
            filename=filename,
            may_write=lambda section: access.can_upload_for(actor, section),
        )
        timeline.record(
            result.batch,
            "received",
            actor=actor,
            changes={"created": [None, result.created], "replaced": [None, result.replaced]},
            public=False,
        )
        do_assess(actor=actor, pairs=result.months)
    return result


@transaction.atomic
def do_assess(*, actor, pairs):
    """Recompute monthly classes, record missed boundary targets, refresh compensation statements.

    A miss becomes the upstream city's matter at once when the actor is the office; a city's
    own upload leaves it for the office to refer (it appears in the office's work queue).
    """
    results = assess.recompute(pairs)
    _record_misses(results.values())
    _clear_corrected_misses(results.values(), actor)
    if access.can_refer(actor):
        # New misses, and those a city's own upload left for the office.
        waiting = BoundaryMiss.objects.filter(
            result__in=[r.pk for r in results.values()], matter__isnull=True, cleared_at__isnull=True
        )
        for miss in waiting.order_by("month"):
            do_refer_miss(actor=actor, miss=miss)
    _refresh_statements(results.values())
    return results


def _record_misses(results):
    """A BoundaryMiss for each boundary section's month below target (once per section and month).

    A month that corrected data had cleared and that misses again stands again: its cancelled
    matter, if any, is let go so that the miss is referred anew.
    """
    results = [r for r in results if r.met is False]
    if not results:
        return []
    results = list(
        MonthlyResult.objects.filter(pk__in=[r.pk for r in results], section__kind=SectionKind.BOUNDARY)
        .select_related("section", "miss__matter")
        .order_by("section_id", "month")
    )
    created = []
    for result in results:
        standing = getattr(result, "miss", None)
        if standing is not None:
            if standing.cleared_at is not None:
                _restore_miss(standing, result)
            continue
        section = result.section
        previous = BoundaryMiss.objects.filter(
            section=section, month=assess.month_start(result.month - dt.timedelta(days=1)), cleared_at__isnull=True
        ).first()
        rule_set = rules_in_force(result.month)
        miss = BoundaryMiss.objects.create(
            section=section,
            month=result.month,
            result=result,
            upstream_city=section.upstream_city,
            downstream_city=section.downstream_city,
            rule_set=rule_set,
            run=previous.run + 1 if previous else 1,
        )
        timeline.record(
            miss,
            "recorded",
            changes={"grade": [None, result.grade], "target": [None, result.target]},
            public=False,
        )
        created.append(miss)
    return created


def _restore_miss(miss, result):
    miss.cleared_at = None
    update = ["cleared_at"]
    if miss.matter_id and miss.matter.state not in OPEN_STATES:
        miss.matter = None
        update.append("matter")
    miss.save(update_fields=update)
    timeline.record(miss, "missed_again", changes={"grade": [None, result.grade]}, public=False)


def _clear_corrected_misses(results, actor):
    """Misses whose month, recomputed from corrected data, meets its target (or has no class) after all.

    The miss is marked cleared and says so on its matter's timeline. The matter stays open: only the
    office closes a matter, so it is cancelled at once when the office made the correction, and
    otherwise waits in the office's work queue — a city cannot end its own matter by re-sending data.
    """
    cleared = list(
        BoundaryMiss.objects.select_for_update(of=("self",))
        .filter(result__in=[r.pk for r in results if r.met is not False], cleared_at__isnull=True)
        .select_related("result", "section", "matter")
    )
    now = timezone.now()
    for miss in cleared:
        miss.cleared_at = now
        miss.save(update_fields=["cleared_at"])
        changes = {"grade": [None, miss.result.grade], "target": [None, miss.result.target]}
        timeline.record(miss, "cleared", actor=actor, changes=changes, public=False)
        matter = miss.matter
        if matter is None or matter.state not in OPEN_STATES:
            continue
        note = _(
            "Corrected data for %(month)s put %(section)s in class %(grade)s, which meets its target %(target)s."
        ) % {
            "month": f"{miss.month:%Y-%m}",
            "section": miss.section.display_name,
            "grade": miss.result.grade or "—",
            "target": miss.result.target,
        }
        timeline.record(matter, "miss_cleared", actor=actor, note=note, public=False)
        still_missed = BoundaryMiss.objects.filter(matter=matter, cleared_at__isnull=True).exists()
        if not still_missed and access.can_refer(actor):
            supervision_actions.do_transition(actor=actor, matter=matter, name="cancel", reason=note, authorized=True)
        _notify_about_miss(
            miss,
            matter,
            [miss.upstream_city, miss.downstream_city, *office_units()],
            kind="water.miss_cleared",
            message=gettext_noop("Corrected data: %(section)s met its target in %(month)s after all (matter %(code)s)"),
            dedupe_key=f"water.miss_cleared.{miss.pk}.{now:%Y%m%d%H%M%S}",
        )


def describe_miss(miss):
    result = miss.result
    lines = [
        _(
            "Section %(section)s (%(river)s) was class %(grade)s in %(month)s; "
            "its target for %(year)d is class %(target)s."
        )
        % {
            "section": miss.section.display_name,
            "river": miss.section.river.display_name,
            "grade": result.grade,
            "month": f"{miss.month:%Y-%m}",
            "year": miss.month.year,
            "target": result.target,
        }
    ]
    for parameter in result.failing:
        multiple = result.exceeding.get(parameter)
        mean = result.means.get(parameter)
        if multiple is None:
            lines.append(
                _("%(parameter)s: %(value)s, worse than the target class.")
                % {"parameter": PARAMETER_LABELS[parameter], "value": f"{mean:g}"}
            )
        else:
            lines.append(
                _("%(parameter)s: %(value)s mg/L, %(multiple).2f times over the target's limit.")
                % {"parameter": PARAMETER_LABELS[parameter], "value": f"{mean:g}", "multiple": multiple}
            )
    lines.append(_("Samples used: %(count)d.") % {"count": result.samples})
    return "\n".join(lines)


@transaction.atomic
def do_refer_miss(*, actor, miss, today=None):
    """Make the miss the upstream city's supervised matter, or add it to the open one of the month before.

    The due date is `response_working_days` working days after today by the rules in force (China's
    official calendar, holidays and 调休 included); a run of misses as long as `escalate_after`
    escalates: the matter becomes critical and the office is told. A cleared miss is not referred.
    """
    if not access.can_refer(actor):
        raise PermissionDenied
    miss = BoundaryMiss.objects.select_for_update().select_related("section__river", "result").get(pk=miss.pk)
    if miss.matter_id is not None:
        return miss
    if miss.cleared_at is not None:
        raise ValidationError(_("Corrected data for this month meet the target: there is nothing to refer."))
    today = today or timezone.localdate()
    previous = (
        BoundaryMiss.objects.filter(
            section=miss.section, month__lt=miss.month, matter__state__in=OPEN_STATES, cleared_at__isnull=True
        )
        .select_related("matter")
        .order_by("-month")
        .first()
    )
    consecutive = previous is not None and previous.month == assess.month_start(miss.month - dt.timedelta(days=1))
    if consecutive:
        matter = previous.matter
        timeline.record(matter, "missed_again", actor=actor, note=describe_miss(miss), public=False)
    else:
        matter = supervision_actions.do_create_matter(
            actor=actor,
            code=_matter_code(miss),
            title=_("%(section)s missed its water-quality target in %(month)s")
            % {"section": miss.section.display_name, "month": f"{miss.month:%Y-%m}"},
            description=describe_miss(miss),
            lead_unit=miss.upstream_city,
            co_units=[miss.downstream_city],
            start_date=today,
            due_date=workdays.add_working_days(today, miss.rule_set.response_working_days),
            domain=Domain.ECOLOGY,
            sub_area=SubArea.WATER,
            source=Source.MONITORING,
            source_object=miss,
            priority=Priority.HIGH,
            assign=True,
        )
    miss.matter = matter
    update = ["matter"]
    if miss.run >= miss.rule_set.escalate_after and not miss.escalated:
        miss.escalated = True
        update.append("escalated")
        if matter.priority != Priority.CRITICAL:
            matter = supervision_actions.do_update_matter(
                actor=actor, matter=matter, version=matter.version, priority=Priority.CRITICAL
            )
    miss.save(update_fields=update)
    timeline.record(miss, "referred", actor=actor, changes={"matter": [None, matter.code]}, public=False)
    _tell_about_miss(miss, matter)
    return miss


def _matter_code(miss):
    """SZ-<section>-<yyyymm>; a month referred again after its first matter was cancelled gets -2, -3…"""
    base = f"SZ-{miss.section.code}-{miss.month:%Y%m}"
    earlier = Matter.objects.filter(Q(code=base) | Q(code__startswith=f"{base}-")).count()
    return f"{base}-{earlier + 1}" if earlier else base


def _tell_about_miss(miss, matter):
    """Both cities' staff, and the office when the section keeps missing."""
    units = [miss.upstream_city, miss.downstream_city]
    if miss.escalated:
        units += office_units()
    _notify_about_miss(
        miss,
        matter,
        units,
        kind="water.miss",
        message=gettext_noop("Boundary section %(section)s missed its target in %(month)s: matter %(code)s"),
        dedupe_key=f"water.miss.{miss.pk}",
    )


def _notify_about_miss(miss, matter, units, *, kind, message, dedupe_key):
    notify(
        recipients(units),
        kind=kind,
        message=message,
        params={
            "section": localized(miss.section.name, miss.section.name_en),
            "month": f"{miss.month:%Y-%m}",
            "code": matter.code,
        },
        url=matter.get_absolute_url(),
        dedupe_key=dedupe_key,
    )


# --- compensation ---------------------------------------------------------------------------------------------


def statement_terms(agreement, result):
    """(payer, payee, amount) for a month's result under the agreement; (None, None, 0) without a class."""
    if result is None or result.met is None:
        return None, None, Decimal("0")
    if result.met:
        return agreement.downstream_city, agreement.upstream_city, agreement.compliance_amount
    return agreement.upstream_city, agreement.downstream_city, agreement.exceedance_amount


def _refresh_statements(results):
    results = [r for r in results if r.grade]
    if not results:
        return
    by_section = {}
    for r in results:
        by_section.setdefault(r.section_id, []).append(r)
    agreements = CompensationAgreement.objects.filter(section_id__in=by_section).select_related(
        "upstream_city", "downstream_city"
    )
    for agreement in agreements:
        for result in by_section[agreement.section_id]:
            if agreement.in_force(result.month):
                _write_statement(agreement, result)


def _write_statement(agreement, result):
    payer, payee, amount = statement_terms(agreement, result)
    fields = {
        "grade": result.grade,
        "target": result.target,
        "met": result.met,
        "payer": payer,
        "payee": payee,
        "amount": amount,
        "sample_ids": result.sample_ids,
    }
    statement = Statement.objects.select_for_update().filter(agreement=agreement, month=result.month).first()
    if statement is None:
        statement = Statement.objects.create(agreement=agreement, month=result.month, **fields)
        timeline.record(statement, "computed", changes={"amount": [None, str(amount)]}, public=False)
        return statement
    changed = {
        name: [str(getattr(statement, name)), str(value)]
        for name, value in fields.items()
        if getattr(statement, name) != value
    }
    if not changed:
        return statement
    for name, value in fields.items():
        setattr(statement, name, value)
    # New data undoes the cities' confirmations: they confirmed other figures.
    statement.upstream_confirmed_at = statement.downstream_confirmed_at = None
    statement.upstream_confirmed_by = statement.downstream_confirmed_by = None
    statement.computed_at = timezone.now()
    statement.save(
        update_fields=[
            *fields,
            "computed_at",
            "upstream_confirmed_at",
            "upstream_confirmed_by",
            "downstream_confirmed_at",
            "downstream_confirmed_by",
        ]
    )
    timeline.record(statement, "recomputed", changes=changed, public=False)
    return statement


@transaction.atomic
def do_confirm_statement(*, actor, statement):
    """The upstream or downstream city confirms the month's statement for its side."""
    statement = Statement.objects.select_for_update().select_related("agreement").get(pk=statement.pk)
    sides = access.statement_sides(actor, statement)
    if not sides:
        raise PermissionDenied
    now = timezone.now()
    update = []
    for side in sides:
        if getattr(statement, f"{side}_confirmed_at") is None:
            setattr(statement, f"{side}_confirmed_at", now)
            setattr(statement, f"{side}_confirmed_by", actor)
            update += [f"{side}_confirmed_at", f"{side}_confirmed_by"]
    if not update:
        raise ValidationError(_("Your city has confirmed this statement already."))
    statement.save(update_fields=update)
    timeline.record(statement, "confirmed", actor=actor, changes={"sides": [None, sides]}, public=False)
    return statement


# --- targets -----------------------------------------------------------------------------------------------------


@transaction.atomic
def do_set_target(*, actor, section, year, grade, source=""):
    if not access.can_set_targets(actor):
        raise PermissionDenied
    if grade not in ("I", "II", "III", "IV", "V"):
        raise ValidationError({"grade": _("The target is one of the classes I to V.")})
    target, created = SectionTarget.objects.get_or_create(
        section=section, year=year, defaults={"grade": grade, "source": source}
    )
    if not created and (target.grade, target.source) != (grade, source):
        old = target.grade
        target.grade, target.source = grade, source
        target.save(update_fields=["grade", "source"])
        timeline.record(section, "target_changed", actor=actor, changes={str(year): [old, grade]}, public=False)
    elif created:
        timeline.record(section, "target_set", actor=actor, changes={str(year): [None, grade]}, public=False)
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    do_assess(actor=actor, pairs=[(section.pk, m) for m in months])
    return target


# --- joint sampling ----------------------------------------------------------------------------------------------


def compare(upstream, downstream, tolerances):
    """{parameter: {...}} for the parameters whose two results differ beyond the tolerance."""
    differences = {}
    for parameter in PARAMETERS:
        a, b = upstream.get(parameter), downstream.get(parameter)
        if a is None or b is None:
            continue
        relative, absolute = tolerances.get(parameter, tolerances.get("*", [0.2, 0]))
        allowed = max(relative * (a + b) / 2, absolute)
        difference = abs(a - b)
        if difference > allowed:
            differences[parameter] = {
                "upstream": a,
                "downstream": b,
                "difference": round(difference, 6),
                "allowed": round(allowed, 6),
            }
    return differences


def _clean_values(values):
    cleaned, errors = {}, {}
    for parameter, value in (values or {}).items():
        if parameter not in PARAMETERS:
            errors[parameter] = _("Unknown parameter.")
            continue
        if value in (None, ""):
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            errors[parameter] = _("Enter a number.")
            continue
        if number < 0:
            errors[parameter] = _("A concentration cannot be negative.")
            continue
        cleaned[parameter] = number
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def do_record_joint_result(*, actor, section, sampled_on, side, values):
    """One city's results of a joint sampling; once both are in, differences beyond tolerance are flagged."""
    if not section.is_boundary:
        raise ValidationError(_("Joint sampling is for boundary sections."))
    if side not in ("upstream", "downstream"):
        raise ValidationError(_("Unknown side."))
    city = section.upstream_city if side == "upstream" else section.downstream_city
    if not (access.has_role(actor, city, Role.STAFF) or access.can_refer(actor)):
        raise PermissionDenied
    values = _clean_values(values)
    if not values:
        raise ValidationError(_("Enter at least one result."))
    event, _created = JointSampling.objects.select_for_update().get_or_create(section=section, sampled_on=sampled_on)
    old = getattr(event, f"{side}_values")
    setattr(event, f"{side}_values", values)
    update = [f"{side}_values"]
    if event.complete:
        event.rule_set = rules_in_force(sampled_on)
        event.differences = compare(event.upstream_values, event.downstream_values, event.rule_set.tolerances)
        event.reviewed_at, event.reviewed_by, event.review_note = None, None, ""
        update += ["rule_set", "differences", "reviewed_at", "reviewed_by", "review_note"]
    event.save(update_fields=update)
    timeline.record(event, "result_recorded", actor=actor, changes={side: [old or None, values]}, public=False)
    return event


@transaction.atomic
def do_review_joint_sampling(*, actor, event, note):
    if not access.can_refer(actor):
        raise PermissionDenied
    event = JointSampling.objects.select_for_update().get(pk=event.pk)
    if not event.needs_review:
        raise ValidationError(_("This joint sampling has no differences waiting for review."))
    if not note.strip():
        raise ValidationError({"note": _("Say what the review found.")})
    event.reviewed_at, event.reviewed_by, event.review_note = timezone.now(), actor, note.strip()
    event.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    timeline.record(event, "reviewed", actor=actor, note=event.review_note, public=False)
    return event
