"""Who may open what in the declarations workflow.

A declaration holds a person's data, so fewer people see it than elsewhere:
- the receiving units themselves (the community or village, the employer, the hotel), and the town or
  district above a community (they run the village work);
- the prevention office of the receiving city, and of the city whose form took it (after a hand-over
  both follow its state);
- nobody else: not the city government at large, not the coordination office, not another city.
Notices and the daily bulletin hold no personal data: every member of a unit of the cluster reads them;
only a city's prevention office writes its notices.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from xietong.core.access import is_office, memberships_of
from xietong.core.models import Role, UnitKind

from .models import Declaration, Handover, Measure, Notice, PreventionOffice, RiskArea

COMMUNITY_KINDS = (UnitKind.COMMUNITY, UnitKind.TOWN, UnitKind.DISTRICT)


def office_cities(user, min_role=Role.VIEWER):
    """Ids of the cities whose prevention office the user is a direct member of."""
    if not user.is_authenticated:
        return set()
    unit_ids = {m.unit_id for m in memberships_of(user) if m.role >= min_role}
    if not unit_ids:
        return set()
    return set(PreventionOffice.objects.filter(unit_id__in=unit_ids).values_list("city_id", flat=True))


def office_cities_query(user, min_role=Role.VIEWER):
    """`office_cities` as a subquery, for counts that must not spend a query of their own on it."""
    unit_ids = {m.unit_id for m in memberships_of(user) if m.role >= min_role} if user.is_authenticated else set()
    return PreventionOffice.objects.filter(unit_id__in=unit_ids).values("city_id")


def _paths(user, kinds, min_role=Role.VIEWER):
    return sorted({m.unit.path for m in memberships_of(user) if m.unit.kind in kinds and m.role >= min_role})


def declarations_q(user, min_role=Role.VIEWER, cities=None):
    """A Q keeping the declarations the user may open (see the module docstring)."""
    if user.is_authenticated and user.is_superuser:
        return Q()
    condition = Q(pk__in=[])
    for path in _paths(user, COMMUNITY_KINDS, min_role):
        condition |= Q(community__path__startswith=path)
    for path in _paths(user, (UnitKind.ENTERPRISE,), min_role):
        condition |= Q(employer__path__startswith=path)
    for path in _paths(user, (UnitKind.HOTEL,), min_role):
        condition |= Q(hotel__path__startswith=path)
    cities = office_cities(user, min_role) if cities is None else cities
    if cities:
        condition |= Q(city_id__in=cities) | Q(intake_city_id__in=cities)
    return condition


def visible_declarations(user, queryset=None):
    queryset = Declaration.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(declarations_q(user))


def get_declaration(user, pk):
    """The declaration if the user may open it; 404 otherwise (its existence is not revealed)."""
    try:
        return visible_declarations(
            user,
            Declaration.objects.select_related("community", "employer", "hotel", "city", "intake_city", "destination"),
        ).get(pk=pk)
    except (Declaration.DoesNotExist, ValueError):
        raise Http404 from None


def can_handle(user, declaration):
    """Record measures, take on, unmask: staff of a receiving unit, or of the receiving city's office."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    receiving = Declaration.objects.filter(pk=declaration.pk).filter(
        _receiving_q(user) | Q(city_id__in=office_cities(user, Role.STAFF))
    )
    return receiving.exists()


def _receiving_q(user):
    condition = Q(pk__in=[])
    for path in _paths(user, COMMUNITY_KINDS, Role.STAFF):
        condition |= Q(community__path__startswith=path)
    for path in _paths(user, (UnitKind.ENTERPRISE,), Role.STAFF):
        condition |= Q(employer__path__startswith=path)
    for path in _paths(user, (UnitKind.HOTEL,), Role.STAFF):
        condition |= Q(hotel__path__startswith=path)
    return condition


def get_measure(user, pk):
    measure = Measure.objects.filter(pk=pk).first()
    if measure is None or not visible_declarations(user).filter(pk=measure.declaration_id).exists():
        raise Http404
    return measure


def can_receive_handover(user, handover):
    return user.is_authenticated and (user.is_superuser or handover.to_city_id in office_cities(user, Role.STAFF))


def get_handover(user, pk):
    handover = Handover.objects.select_related("declaration", "from_city", "to_city").filter(pk=pk).first()
    if handover is None or not (
        user.is_superuser or {handover.from_city_id, handover.to_city_id} & office_cities(user)
    ):
        raise Http404
    return handover


# --- notices, bulletin, statistics --------------------------------------------------------------------------


def can_read_shared(user):
    """Notices and the bulletin: any member of a unit of the cluster."""
    return user.is_authenticated and (user.is_superuser or bool(memberships_of(user)))


def require_shared(user):
    if not can_read_shared(user):
        raise PermissionDenied


def can_publish(user, office):
    """A city's notices are written by its prevention office's staff."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or any(m.unit_id == office.unit_id and m.role >= Role.STAFF for m in memberships_of(user))


def publishing_offices(user):
    return [o for o in PreventionOffice.objects.select_related("unit", "city") if can_publish(user, o)]


def publishing_offices_query(user):
    """The ids of `publishing_offices` as a subquery (the same rule as `can_publish`)."""
    if user.is_authenticated and user.is_superuser:
        return PreventionOffice.objects.values("pk")
    staff_units = {m.unit_id for m in memberships_of(user) if m.role >= Role.STAFF} if user.is_authenticated else set()
    return PreventionOffice.objects.filter(unit_id__in=staff_units).values("pk")


def get_notice(user, pk):
    require_shared(user)
    try:
        return Notice.objects.select_related("office__unit", "office__city").get(pk=pk)
    except (Notice.DoesNotExist, ValueError):
        raise Http404 from None


def get_notice_to_edit(user, pk):
    notice = get_notice(user, pk)
    if not can_publish(user, notice.office):
        raise PermissionDenied
    return notice


def get_area_to_edit(user, pk):
    area = RiskArea.objects.select_related("notice__office").filter(pk=pk).first()
    if area is None:
        raise Http404
    if not can_publish(user, area.notice.office):
        raise PermissionDenied
    return area


def statistics_cities(user):
    """The cities whose statistics the user reads: their prevention office's, or all for the coordination office."""
    from xietong.core.models import Unit

    cities = Unit.objects.filter(kind=UnitKind.CITY).order_by("sort_order", "pk")
    if user.is_authenticated and (user.is_superuser or is_office(user)):
        return list(cities)
    return list(cities.filter(pk__in=office_cities(user)))
