"""Who may see and do what: every read of a protected object goes through here.

Rights flow down the unit tree and never sideways. A membership in a unit gives its
role over that unit and every unit below it; the coordination office is the root
of the tree, so its members see the whole cluster. A city's staff therefore see
their districts and towns but nothing of a neighbouring city.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Membership, Role, Unit, UnitKind


def memberships_of(user):
    """The user's memberships with their units, fetched once per user object (per request)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_xietong_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("unit"))
        user._xietong_memberships = cached
    return cached


def forget_memberships(user):
    user.__dict__.pop("_xietong_memberships", None)


def is_member(user):
    """A member of some unit of the cluster (or a superuser); an account of no unit sees nothing protected."""
    return user.is_authenticated and (user.is_superuser or bool(memberships_of(user)))


def require_member(user):
    if not is_member(user):
        raise PermissionDenied(_("You are not a member of any unit of the cluster."))


def member_required(view):
    """For pages: logged in (else to the login page) and a member of some unit (else 403)."""
    from functools import wraps

    from django.contrib.auth.decorators import login_required

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        require_member(request.user)
        return view(request, *args, **kwargs)

    return wrapped


def is_office(user, min_role=Role.VIEWER):
    """Members of the coordination office supervise the whole cluster."""
    if user.is_authenticated and user.is_superuser:
        return True
    return any(m.unit.kind == UnitKind.OFFICE and m.role >= min_role for m in memberships_of(user))


def role_for(user, unit):
    """The strongest role the user holds over `unit` through it or any ancestor, or None."""
    if not user.is_authenticated or unit is None:
        return None
    if user.is_superuser:
        return Role.MANAGER
    roles = [m.role for m in memberships_of(user) if unit.path.startswith(m.unit.path)]
    return Role(max(roles)) if roles else None


def has_role(user, unit, min_role):
    role = role_for(user, unit)
    return role is not None and role >= min_role


def require_role(user, unit, min_role):
    if not has_role(user, unit, min_role):
        raise PermissionDenied


def units_q(user, min_role=Role.VIEWER, field=""):
    """A Q that keeps rows whose unit (reached through `field`) lies under one of the user's units.

    `field` is the lookup from the filtered model to a Unit ("lead_unit", "" for Unit itself).
    """
    prefix = f"{field}__" if field else ""
    if user.is_authenticated and user.is_superuser:
        return Q()
    paths = sorted({m.unit.path for m in memberships_of(user) if m.role >= min_role})
    # A path under another listed path adds nothing; dropping it keeps the SQL short.
    roots = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    if not roots:
        return Q(pk__in=[])
    condition = Q()
    for path in roots:
        condition |= Q(**{f"{prefix}path__startswith": path})
    return condition


def visible_units(user, min_role=Role.VIEWER):
    return Unit.objects.filter(units_q(user, min_role))


def get_for_user(queryset, user, *, unit_field, min_role=Role.VIEWER, **lookup):
    """Fetch one object whose unit the user may reach with `min_role`.

    An object the user cannot see at all is a 404 (its existence is not revealed);
    one the user can see but not act on with `min_role` is a 403.
    """
    if not user.is_authenticated:
        raise PermissionDenied
    try:
        obj = queryset.filter(units_q(user, Role.VIEWER, unit_field)).distinct().get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
    if min_role > Role.VIEWER:
        unit = obj
        for part in filter(None, unit_field.split("__")):
            unit = getattr(unit, part)
        require_role(user, unit, min_role)
    return obj


def cities_of(user):
    """The city-level units the user belongs to (through any unit at or below a city)."""
    ids = set()
    for m in memberships_of(user):
        ids.update(m.unit.ancestors())
    return Unit.objects.filter(id__in=ids, kind=UnitKind.CITY)
