"""Who may see and act on matters.

A matter is visible to the units that take part in it (the lead unit and the
co-units, and whoever stands above them in the tree, so the office sees all).
Acting is narrower: a unit's staff report that unit's part only; the lead
unit's manager submits for verification; only the office verifies, reviews
reports and changes a matter's course.
"""

from django.db.models import Q
from django.http import Http404

from xietong.core.access import has_role, is_office, memberships_of, units_q
from xietong.core.models import Role, Unit, UnitKind

from .models import CoUnit, Evidence, ExtensionRequest, Matter, Milestone, ProgressReport, Urging


def visible_matters(user, queryset=None):
    queryset = Matter.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if is_office(user):
        return queryset
    # The reader's units as one subquery, and the matters they co-handle as another: PostgreSQL hashes each
    # once, where a per-matter EXISTS joining units by path ran once for every one of 100,000 matters.
    mine = Unit.objects.filter(units_q(user, Role.VIEWER)).values("pk")
    co_handled = CoUnit.objects.filter(unit_id__in=mine).values("matter_id")
    return queryset.filter(Q(lead_unit_id__in=mine) | Q(pk__in=co_handled))


def opens_for_lead(user, matter):
    """`visible_matters` for one matter decided without a query, from the memberships already loaded and
    the matter's lead unit (select it with the matter): the office, or a unit on the lead unit's path.

    A reader who sees the matter only as a co-unit's member is not counted, so a page that links
    matters with it may leave a link out, never show one that answers “not found”.
    """
    if matter is None or not user.is_authenticated:
        return False
    if is_office(user):
        return True
    path = matter.lead_unit.path
    return any(path.startswith(m.unit.path) for m in memberships_of(user))


def get_matter_for_user(user, pk, queryset=None):
    """The matter if the user may see it; a 404 otherwise (its existence is not revealed)."""
    try:
        return visible_matters(user, queryset).get(pk=pk)
    except (Matter.DoesNotExist, ValueError):
        raise Http404 from None


def _get_visible(user, model, pk, matter_path, queryset=None):
    queryset = model.objects.all() if queryset is None else queryset
    try:
        return queryset.get(pk=pk, **{f"{matter_path}__in": visible_matters(user)})
    except (model.DoesNotExist, ValueError):
        raise Http404 from None


def get_milestone_for_user(user, pk, queryset=None):
    return _get_visible(user, Milestone, pk, "matter", queryset)


def get_report_for_user(user, pk, queryset=None):
    return _get_visible(user, ProgressReport, pk, "matter", queryset)


def get_evidence_for_user(user, pk, queryset=None):
    return _get_visible(user, Evidence, pk, "report__matter", queryset)


def get_urging_for_user(user, pk, queryset=None):
    return _get_visible(user, Urging, pk, "matter", queryset)


def get_extension_for_user(user, pk, queryset=None):
    return _get_visible(user, ExtensionRequest, pk, "matter", queryset)


def participating_units(matter):
    return [matter.lead_unit] + [c.unit for c in matter.co_units.all()]


def acts_for(user, unit, min_role):
    """A role over the unit through the unit's own line (it or a unit above it), not through the office.

    The office stands above every unit so that it sees everything, but it supervises: it does not
    report a city's part or submit a city's matter for verification, and it does not review a report
    of a unit it belongs to. Matters the office leads itself are the exception (its own line).
    """
    if not user.is_authenticated or unit is None:
        return False
    return any(
        m.role >= min_role
        and unit.path.startswith(m.unit.path)
        and (m.unit.kind != UnitKind.OFFICE or m.unit_id == unit.pk)
        for m in memberships_of(user)
    )


def own_line_q(user, min_role=Role.STAFF, field="unit"):
    """A Q keeping rows whose unit lies under one of the user's own units (office memberships excluded)."""
    paths = sorted({m.unit.path for m in memberships_of(user) if m.role >= min_role and m.unit.kind != UnitKind.OFFICE})
    roots = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    condition = Q(pk__in=[])
    for path in roots:
        condition |= Q(**{f"{field}__path__startswith": path})
    return condition


def has_own_line(user, min_role=Role.STAFF):
    return any(m.role >= min_role and m.unit.kind != UnitKind.OFFICE for m in memberships_of(user))


def reporting_units(user, matter):
    """The matter's units whose part this user may report (staff or above of that unit's own line)."""
    return [unit for unit in participating_units(matter) if acts_for(user, unit, Role.STAFF)]


def can_report(user, matter, unit):
    return unit in participating_units(matter) and acts_for(user, unit, Role.STAFF)


def can_review(user, report):
    """The office reviews reports, never one of a unit the reviewer belongs to, nor one the reviewer wrote.

    (A matter the office leads itself is reported by one office member and reviewed by another.)
    """
    if not can_supervise(user) or report.submitted_by_id == user.pk:
        return False
    return report.unit.kind == UnitKind.OFFICE or not acts_for(user, report.unit, Role.VIEWER)


def can_supervise(user):
    """The office's staff create matters, review reports, verify, suspend and cancel."""
    return is_office(user, Role.STAFF)


def can_assign_below(user, units):
    """A manager hands work to units under their own (a town assigns its deliberation hall's resolution)."""
    return bool(units) and all(u.parent is not None and has_role(user, u.parent, Role.MANAGER) for u in units)


def can_change_terms(user, matter):
    """Title, dates, domain, priority, frequency, publicity and co-units: the office alone.

    A lead unit that needs more time asks the office; it never moves its own due date.
    """
    return can_supervise(user)


def can_edit(user, matter):
    """Plan the work inside the terms (milestones, child matters): the office or the lead unit's manager."""
    return can_supervise(user) or has_role(user, matter.lead_unit, Role.MANAGER)


def can_submit_for_verification(user, matter):
    return acts_for(user, matter.lead_unit, Role.MANAGER)


def can_request_extension(user, matter):
    return acts_for(user, matter.lead_unit, Role.STAFF)


def can_answer_urging(user, urging):
    """Whether the user signs for and answers this 催办单: staff of the urged unit's own line."""
    return acts_for(user, urging.unit, Role.STAFF)


def can_urge(user, matter):
    """催办: the office, or the manager of a unit above the lead unit (a city urging its district)."""
    if can_supervise(user):
        return True
    parent = matter.lead_unit.parent
    return parent is not None and has_role(user, parent, Role.MANAGER)


def can_see(user, matter):
    """Whether the user may see this matter (the rule of `visible_matters`, for one matter)."""
    return visible_matters(user).filter(pk=matter.pk).exists()


def can_record_instruction(user, matter):
    """领导批示 are recorded by the office, or by the leader (manager) of a unit taking part, for their own leaders.

    A unit's staff may comment but not put words in a leader's mouth; the office records the cluster's
    leaders' instructions, and a city's manager those of the city's leaders on the city's own matters.
    """
    if can_supervise(user):
        return True
    return any(acts_for(user, unit, Role.MANAGER) for unit in participating_units(matter))


def seeing_units(matter):
    """Units whose members see the matter: every participating unit and each unit above one (the office too)."""
    from xietong.core.models import Unit

    ids = set()
    for unit in participating_units(matter):
        ids.update(unit.ancestors())
    return Unit.objects.filter(pk__in=ids)


def seeing_users_q(matter, field=""):
    """A Q keeping users (reached through `field`) who can see the matter now: members of a seeing unit."""
    prefix = f"{field}__" if field else ""
    return Q(**{f"{prefix}is_superuser": True}) | Q(**{f"{prefix}memberships__unit__in": seeing_units(matter)})


def followers(matter):
    """People following the matter who can still see it (a follower who moved to another city is not told)."""
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(seeing_users_q(matter), is_active=True, followed_matters__matter=matter)
        .distinct()
        .order_by("pk")
    )
