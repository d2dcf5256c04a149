"""Who may see and do what in the water app.

Monitoring data, classes, misses and agreements are shared across the cluster: any member of
any unit sees them; a logged-in person of no unit sees nothing. The public page shows only
section classes. Writing is narrower, one condition per function:
- samples of a section: the office, or staff of the section's city or, for a boundary
  section, of its upstream or downstream city;
- targets, referring a miss to supervision, reviewing joint sampling: the office's staff;
- confirming a compensation statement: staff of the upstream or downstream city, each for its side.

Compensation statements and joint samplings are the business of the two cities of their section:
only the office and those two cities see them.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from xietong.core.access import has_role, is_office, memberships_of, units_q
from xietong.core.models import Role, Unit, UnitKind


def can_view(user):
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(memberships_of(user))


def require_view(user):
    if not can_view(user):
        raise PermissionDenied


def can_upload_for(user, section):
    cities = [section.city, section.upstream_city, section.downstream_city]
    return any(city is not None and has_role(user, city, Role.STAFF) for city in cities)


def can_upload_anything(user):
    return is_office(user, Role.STAFF) or any(m.role >= Role.STAFF for m in memberships_of(user))


def can_refer(user):
    # None: a command run without --as records misses but refers none.
    return user is not None and user.is_authenticated and is_office(user, Role.STAFF)


def can_set_targets(user):
    return user.is_authenticated and is_office(user, Role.STAFF)


def statement_sides(user, statement):
    """The sides ("upstream", "downstream") of the statement the user confirms for: their own city's staff."""
    agreement = statement.agreement
    own = {m.unit_id for m in memberships_of(user) if m.role >= Role.STAFF}
    sides = []
    if agreement.upstream_city_id in own:
        sides.append("upstream")
    if agreement.downstream_city_id in own:
        sides.append("downstream")
    return sides


def cities():
    return list(Unit.objects.filter(kind=UnitKind.CITY).order_by("sort_order", "pk"))


def get_section(user, code):
    from .models import Section

    require_view(user)
    return get_object_or_404(
        Section.objects.select_related("river", "city", "upstream_city", "downstream_city"), code=code
    )


def _between(user, upstream, downstream):
    return is_office(user) or has_role(user, upstream, Role.VIEWER) or has_role(user, downstream, Role.VIEWER)


def visible_statements(user):
    """The statements of agreements the user's city is party to (all of them for the office)."""
    from .models import Statement

    rows = Statement.objects.all()
    if is_office(user):
        return rows
    return rows.filter(
        units_q(user, field="agreement__upstream_city") | units_q(user, field="agreement__downstream_city")
    )


def visible_joint_samplings(user):
    from .models import JointSampling

    rows = JointSampling.objects.all()
    if is_office(user):
        return rows
    return rows.filter(units_q(user, field="section__upstream_city") | units_q(user, field="section__downstream_city"))


def get_statement(user, pk):
    from .models import Statement

    require_view(user)
    statement = get_object_or_404(
        Statement.objects.select_related(
            "agreement__section__river", "agreement__upstream_city", "agreement__downstream_city", "payer", "payee"
        ),
        pk=pk,
    )
    if not _between(user, statement.agreement.upstream_city, statement.agreement.downstream_city):
        raise PermissionDenied
    return statement


def get_joint_sampling(user, pk):
    from .models import JointSampling

    require_view(user)
    event = get_object_or_404(
        JointSampling.objects.select_related("section__upstream_city", "section__downstream_city", "reviewed_by"),
        pk=pk,
    )
    if not _between(user, event.section.upstream_city, event.section.downstream_city):
        raise PermissionDenied
    return event
