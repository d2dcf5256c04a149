"""Who may see and act on matters.

A matter is visible to the units that take part in it (the lead unit and the
co-units, and whoever stands above them in the tree, so the office sees all).
Acting is narrower: a unit's staff report that unit's part only; the lead
unit's manager submits for verification; only the office verifies, reviews
reports and changes a matter's course.
"""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from xietong.core.access import has_role, is_office, units_q
from xietong.core.models import Role

from .models import CoUnit, Evidence, Matter, Milestone, ProgressReport


def visible_matters(user, queryset=None):
    queryset = Matter.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if is_office(user):
        return queryset
    co_unit_of_mine = CoUnit.objects.filter(units_q(user, Role.VIEWER, "unit"), matter=OuterRef("pk"))
    return queryset.filter(Q(units_q(user, Role.VIEWER, "lead_unit")) | Q(Exists(co_unit_of_mine)))


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


def participating_units(matter):
    return [matter.lead_unit] + [c.unit for c in matter.co_units.all()]


def reporting_units(user, matter):
    """The matter's units whose part this user may report (staff or above of that unit)."""
    return [unit for unit in participating_units(matter) if has_role(user, unit, Role.STAFF)]


def can_report(user, matter, unit):
    return unit in participating_units(matter) and has_role(user, unit, Role.STAFF)


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
    return has_role(user, matter.lead_unit, Role.MANAGER)


def can_urge(user, matter):
    """催办: the office, or the manager of a unit above the lead unit (a city urging its district)."""
    if can_supervise(user):
        return True
    parent = matter.lead_unit.parent
    return parent is not None and has_role(user, parent, Role.MANAGER)
