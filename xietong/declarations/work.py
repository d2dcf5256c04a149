"""The declarations workflow's kinds of work in the shared work queue, and its retention purge."""

import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.core import personal, workqueue
from xietong.core.access import memberships_of
from xietong.core.models import UnitKind

from . import access
from .models import AreaStatus, Declaration, Handover, Measure, MeasureKind, MeasureState, RiskArea, State

HANDLING_KINDS = {UnitKind.COMMUNITY, UnitKind.TOWN, UnitKind.DISTRICT, UnitKind.ENTERPRISE, UnitKind.HOTEL}
PERIODS = [MeasureKind.CENTRALIZED, MeasureKind.HOME, MeasureKind.MONITORING]


def _handles(user):
    kinds = {m.unit.kind for m in memberships_of(user)}
    return user.is_superuser or bool(kinds & (HANDLING_KINDS | {UnitKind.DEPARTMENT}))


def _in_office(user):
    return user.is_superuser or any(m.unit.kind == UnitKind.DEPARTMENT for m in memberships_of(user))


def _handled_q(user, prefix=""):
    """Declarations the user acts on: the receiving units' staff and the receiving city's office."""
    q = access._receiving_q(user) | Q(city_id__in=access.office_cities_query(user))
    if not prefix:
        return q
    # Re-root the lookups on the measure's declaration.
    return Q(declaration__in=Declaration.objects.filter(q).values("pk"))


def _declaration_item(declaration):
    return workqueue.WorkItem(
        title=_("%(receipt)s · %(tier)s") % {"receipt": declaration.receipt, "tier": declaration.get_tier_display()},
        url=reverse("declarations:declaration", args=[declaration.pk]),
        subtitle=declaration.community.name,
        due=declaration.arrival_date,
    )


def _measure_item(measure):
    return workqueue.WorkItem(
        title=_("%(measure)s · %(receipt)s")
        % {"measure": measure.get_kind_display(), "receipt": measure.declaration.receipt},
        url=reverse("declarations:declaration", args=[measure.declaration_id]),
        subtitle=measure.declaration.community.name,
        due=measure.due,
    )


# Each kind's rows are a queryset of their own (`*_rows`), so the navigation badge counts them together
# with every other workflow's kinds in one statement (workqueue.count_for).


def at_risk_rows(user, today):
    return (
        Declaration.objects.filter(_handled_q(user), state=State.AT_RISK)
        .select_related("community")
        .order_by("arrival_date", "pk")
    )


def due_today_rows(user, today):
    return (
        Measure.objects.filter(_handled_q(user, "declaration"), state=MeasureState.PENDING)
        .filter(Q(kind=MeasureKind.TEST, due__lte=today) | Q(kind__in=PERIODS, due__lte=today, end__gte=today))
        .select_related("declaration__community")
        .order_by("due", "pk")
    )


def missed_rows(user, today):
    return (
        Measure.objects.filter(_handled_q(user, "declaration"), state=MeasureState.MISSED)
        .select_related("declaration__community")
        .order_by("due", "pk")
    )


def handovers_rows(user, today):
    return (
        Handover.objects.filter(to_city_id__in=access.office_cities_query(user), received_at__isnull=True)
        .select_related("declaration__community", "from_city")
        .order_by("created_at", "pk")
    )


def _handover_item(handover):
    return workqueue.WorkItem(
        title=_("%(receipt)s from %(city)s")
        % {"receipt": handover.declaration.receipt, "city": handover.from_city.name},
        url=reverse("declarations:declaration", args=[handover.declaration_id]),
        subtitle=handover.declaration.community.name,
        due=handover.declaration.arrival_date,
    )


def areas_to_review_rows(user, today):
    return (
        RiskArea.objects.filter(notice__office_id__in=access.publishing_offices_query(user), status=AreaStatus.REVIEW)
        .select_related("notice")
        .order_by("notice_id", "position")
    )


def _area_item(area):
    return workqueue.WorkItem(
        title=area.text, url=reverse("declarations:notice", args=[area.notice_id]), subtitle=area.notice.title
    )


for kind in [
    workqueue.WorkKind(
        key="declarations.at_risk",
        label=gettext_lazy("Declarations at risk to take on"),
        count_query=at_risk_rows,
        item=_declaration_item,
        applies=_handles,
        order=50,
        description=gettext_lazy("Arrivals screened at risk: check the reason, contact the person, take them on."),
    ),
    workqueue.WorkKind(
        key="declarations.due_today",
        label=gettext_lazy("Measures due today"),
        count_query=due_today_rows,
        item=_measure_item,
        applies=_handles,
        order=51,
        description=gettext_lazy("Tests due, and people in quarantine or health monitoring to check on today."),
    ),
    workqueue.WorkKind(
        key="declarations.missed",
        label=gettext_lazy("Missed measures"),
        count_query=missed_rows,
        item=_measure_item,
        applies=_handles,
        order=52,
        description=gettext_lazy("Measures whose day passed without a record; the prevention office has been told."),
    ),
    workqueue.WorkKind(
        key="declarations.handovers",
        label=gettext_lazy("Declarations handed over"),
        count_query=handovers_rows,
        item=_handover_item,
        applies=_in_office,
        order=53,
        description=gettext_lazy("Declarations another city's form took for a community of your city."),
    ),
    workqueue.WorkKind(
        key="declarations.areas_to_review",
        label=gettext_lazy("Risk areas to place"),
        count_query=areas_to_review_rows,
        item=_area_item,
        applies=_in_office,
        order=54,
        description=gettext_lazy("Entries of your notices that could not be placed for sure."),
    ),
]:
    workqueue.register(kind)


def purge(now):
    """Blank the personal data of declarations closed longer ago than the retention period."""
    days = getattr(settings, "DECLARATION_RETENTION_DAYS", settings.PERSONAL_DATA_RETENTION_DAYS)
    cutoff = now - datetime.timedelta(days=days)
    due = Declaration.objects.filter(purged_at__isnull=True).filter(
        Q(state=State.COMPLETED, completed_at__lt=cutoff) | Q(state=State.CLEAR, updated_at__lt=cutoff)
    )
    count = 0
    for pk in due.values_list("pk", flat=True).iterator():
        # Each row on its own: the index must stay unique, and a purge cut short leaves nothing half-blank.
        Declaration.objects.filter(pk=pk, purged_at__isnull=True).update(
            name="", id_number="", phone="", address="", id_index=f"purged:{pk}", phone_index="", purged_at=now
        )
        count += 1
    return count


personal.register_purge("declarations.declarations", purge)
