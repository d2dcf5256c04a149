"""The hall staff's kinds of work in the shared work queue (工作台).

Each kind names the rows it counts (`*_rows`); the work page lists them, and the navigation badge counts
them with every other kind's in the work queue's one statement (`count_query`).
"""

import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xietong.core.access import memberships_of, units_q
from xietong.core.models import Role, UnitKind
from xietong.core.workqueue import WorkItem, WorkKind

from .models import Concern, ConcernState, Session

HALL_UNIT_KINDS = (UnitKind.TOWN, UnitKind.COMMUNITY)


def _applies(user):
    """Halls are run by towns and communities; only their staff get the hall's work (memberships are cached)."""
    return any(m.unit.kind in HALL_UNIT_KINDS and m.role >= Role.STAFF for m in memberships_of(user))


def _concern_item(due_field):
    def item(concern):
        return WorkItem(
            title=concern.text[:60],
            url=reverse("deliberation:concern", args=[concern.pk]),
            subtitle=f"{concern.code} · {concern.category.display_name}",
            due=getattr(concern, due_field),
        )

    return item


def _mine(user, due_field):
    return (
        Concern.objects.filter(units_q(user, Role.STAFF, "hall__unit"))
        .select_related("category")
        .order_by(due_field, "id")
    )


def triage_rows(user, today):
    return _mine(user, "accept_due").filter(state=ConcernState.RECEIVED)


def overdue_rows(user, today):
    return _mine(user, "answer_due").filter(
        state__in=[ConcernState.ACCEPTED, ConcernState.ON_AGENDA], answered_at__isnull=True, answer_due__lt=today
    )


def reopened_rows(user, today):
    return _mine(user, "answer_due").filter(state=ConcernState.ACCEPTED, reopened_at__isnull=False)


def session_rows(user, today):
    return Session.objects.filter(
        units_q(user, Role.STAFF, "hall__unit"),
        state=Session.State.PLANNED,
        starts_at__date__gte=today,
        starts_at__date__lte=today + datetime.timedelta(days=14),
    ).order_by("starts_at", "id")


def _session_item(session):
    return WorkItem(
        title=session.title,
        url=reverse("deliberation:session", args=[session.pk]),
        subtitle=session.place,
        due=session.starts_at.date(),
    )


OWNER_UNIT_KINDS = (UnitKind.TOWN, UnitKind.COMMUNITY, UnitKind.DEPARTMENT)


def _applies_to_owners(user):
    return any(m.unit.kind in OWNER_UNIT_KINDS and m.role >= Role.STAFF for m in memberships_of(user))


def delivery_rows(user, today):
    """Open matters created from a hall's resolution in which one of the person's own units takes part."""
    from django.db.models import Exists, OuterRef, Q

    from xietong.supervision.models import OPEN_STATES, CoUnit, Matter, Source

    unit_ids = [m.unit_id for m in memberships_of(user) if m.role >= Role.STAFF]
    co_unit = CoUnit.objects.filter(matter=OuterRef("pk"), unit_id__in=unit_ids)
    return Matter.objects.filter(
        Q(lead_unit_id__in=unit_ids) | Q(Exists(co_unit)), source=Source.DELIBERATION, state__in=OPEN_STATES
    ).order_by("due_date", "id")


def _matter_item(matter):
    return WorkItem(title=matter.title, url=matter.get_absolute_url(), subtitle=matter.code, due=matter.due_date)


KINDS = [
    WorkKind(
        key="deliberation.triage",
        label=_("Concerns to accept or refuse"),
        count_query=triage_rows,
        item=_concern_item("accept_due"),
        applies=_applies,
        order=20,
        description=_("Residents' concerns waiting for the hall to accept, refuse or mark as duplicates."),
    ),
    WorkKind(
        key="deliberation.overdue",
        label=_("Concerns past their answer deadline"),
        count_query=overdue_rows,
        item=_concern_item("answer_due"),
        applies=_applies,
        order=21,
        description=_("Accepted concerns the resident has had no answer to within the deadline."),
    ),
    WorkKind(
        key="deliberation.reopened",
        label=_("Cases to handle again (重办)"),
        count_query=reopened_rows,
        item=_concern_item("answer_due"),
        applies=_applies,
        order=22,
        description=_("The resident was not satisfied; the case is reopened once for a new answer."),
    ),
    WorkKind(
        key="deliberation.delivery",
        label=_("Resolutions to deliver"),
        count_query=delivery_rows,
        item=_matter_item,
        applies=_applies_to_owners,
        order=24,
        description=_("Matters your unit owns because a deliberation session resolved them; residents follow them."),
    ),
    WorkKind(
        key="deliberation.sessions",
        label=_("Upcoming deliberation sessions"),
        count_query=session_rows,
        item=_session_item,
        applies=_applies,
        order=23,
        description=_("Sessions in the next two weeks: invitations, sign-in sheets, proposals."),
    ),
]
