"""Who may see and do what in air quality.

Readings, daily AQI and warnings are shared across the cluster: any member of any unit
sees them; a logged-in person of no unit sees nothing. Writing is narrower, one
condition per function:
- readings and forecasts of a city: the office, or staff of that city (role over it);
- joint warnings (issue, change, lift): staff of the coordination office;
- acknowledging a city's warning: staff of that city's own unit, not the office on its behalf.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from xietong.core.access import has_role, is_member, is_office, memberships_of, require_member
from xietong.core.models import Role, Unit, UnitKind

can_view = is_member
require_view = require_member


def can_upload_for(user, city):
    return has_role(user, city, Role.STAFF)


def can_forecast_for(user, city):
    return has_role(user, city, Role.STAFF)


def can_manage_warnings(user):
    return user.is_authenticated and is_office(user, Role.STAFF)


def can_acknowledge(user, city):
    return user.is_authenticated and any(m.unit_id == city.pk and m.role >= Role.STAFF for m in memberships_of(user))


def can_upload_any(user):
    """Whether some city's readings are the user's to write (staff of a city, or of the office above them all),
    read from the memberships already loaded, so the navigation pays no query for it."""
    if user.is_authenticated and user.is_superuser:
        return True
    return any(m.role >= Role.STAFF and m.unit.kind in (UnitKind.CITY, UnitKind.OFFICE) for m in memberships_of(user))


def writable_cities(user, check=can_upload_for):
    """The cities whose readings (or, with `check`, forecasts) the user may write."""
    return [city for city in cities() if check(user, city)]


def cities():
    """The cluster's cities, in their order."""
    return list(Unit.objects.filter(kind=UnitKind.CITY).order_by("sort_order", "pk"))


def get_city_warning_to_acknowledge(user, pk):
    from .models import CityWarning

    require_view(user)
    city_warning = get_object_or_404(CityWarning.objects.select_related("joint", "city"), pk=pk)
    if not can_acknowledge(user, city_warning.city):
        raise PermissionDenied
    return city_warning
