"""The water app's kinds of work in the work queue (工作台).

Each kind gives the queryset of its rows and how a row reads; the work page lists them with one count
and one limited select, and the navigation badge counts them with every other kind in one statement.

- a city's staff: boundary sections their city answers for (open matters of missed targets);
- a city's staff: compensation statements waiting for their side's confirmation;
- the office: misses to refer (recorded from a city's own upload), escalated sections,
  joint samplings whose results differ beyond tolerance, matters whose miss corrected data cleared.
"""

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xietong.core import workqueue
from xietong.core.access import is_office, memberships_of
from xietong.core.models import Role, UnitKind
from xietong.supervision.models import OPEN_STATES

from .models import PARAMETER_LABELS, BoundaryMiss, JointSampling, Statement


def _own_city_ids(user):
    return {m.unit_id for m in memberships_of(user) if m.unit.kind == UnitKind.CITY and m.role >= Role.STAFF}


def _is_city_staff(user):
    return bool(_own_city_ids(user))


def _is_office_staff(user):
    return is_office(user, Role.STAFF)


def _miss_item(miss):
    return workqueue.WorkItem(
        title=str(miss.matter.title) if miss.matter_id else miss.section.display_name,
        url=miss.matter.get_absolute_url() if miss.matter_id else reverse("water:misses"),
        subtitle=f"{miss.section.display_name} · {miss.month:%Y-%m} · {miss.result.grade}/{miss.result.target}",
        due=miss.matter.due_date if miss.matter_id else None,
    )


def sections_to_answer_rows(user, today):
    # One row per matter: a run of consecutive misses shares the matter of its first month.
    return (
        BoundaryMiss.objects.filter(
            upstream_city_id__in=_own_city_ids(user), matter__state__in=OPEN_STATES, cleared_at__isnull=True
        )
        .filter(_latest_of_its_matter())
        .select_related("section", "matter", "result")
        .order_by("matter__due_date", "-month")
    )


def _latest_of_its_matter(standing=True):
    """The miss that stands for its matter: no later miss of the same matter (that still stands, by default)."""
    later = BoundaryMiss.objects.filter(matter=OuterRef("matter"), month__gt=OuterRef("month"))
    if standing:
        later = later.filter(cleared_at__isnull=True)
    return ~Exists(later)


def statements_to_confirm_rows(user, today):
    own = _own_city_ids(user)
    return (
        Statement.objects.filter(
            Q(agreement__upstream_city_id__in=own, upstream_confirmed_at__isnull=True)
            | Q(agreement__downstream_city_id__in=own, downstream_confirmed_at__isnull=True)
        )
        .exclude(grade="")
        .select_related("agreement__section")
        .order_by("month")
    )


def _statement_item(statement):
    return workqueue.WorkItem(
        title=str(statement.agreement.title),
        url=statement.get_absolute_url(),
        subtitle=f"{statement.month:%Y-%m} · {statement.amount} " + str(_("10,000 yuan")),
    )


def misses_to_refer_rows(user, today):
    return (
        BoundaryMiss.objects.filter(matter__isnull=True, cleared_at__isnull=True)
        .select_related("section", "result")
        .order_by("month")
    )


def escalated_sections_rows(user, today):
    return (
        BoundaryMiss.objects.filter(escalated=True, matter__state__in=OPEN_STATES, cleared_at__isnull=True)
        .filter(_latest_of_its_matter())
        .select_related("section", "matter", "result")
        .order_by("matter__due_date")
    )


def cleared_misses_rows(user, today):
    # A matter waits here while none of its misses stands any more.
    standing = BoundaryMiss.objects.filter(matter=OuterRef("matter"), cleared_at__isnull=True)
    return (
        BoundaryMiss.objects.filter(cleared_at__isnull=False, matter__state__in=OPEN_STATES)
        .filter(~Exists(standing), _latest_of_its_matter(standing=False))
        .select_related("section", "matter", "result")
        .order_by("cleared_at")
    )


def joint_differences_rows(user, today):
    return (
        JointSampling.objects.exclude(differences={})
        .filter(reviewed_at__isnull=True)
        .select_related("section")
        .order_by("sampled_on")
    )


def _joint_item(event):
    return workqueue.WorkItem(
        title=event.section.display_name,
        url=event.get_absolute_url(),
        subtitle=f"{event.sampled_on:%Y-%m-%d} · "
        + "、".join(str(PARAMETER_LABELS[p]) for p in sorted(event.differences)),
    )


KINDS = [
    workqueue.WorkKind(
        key="water.sections_to_answer",
        label=_("Sections to answer for"),
        count_query=sections_to_answer_rows,
        item=_miss_item,
        applies=_is_city_staff,
        order=40,
        description=_("Boundary sections where your city, upstream, missed the water-quality target."),
    ),
    workqueue.WorkKind(
        key="water.statements_to_confirm",
        label=_("Statements to confirm"),
        count_query=statements_to_confirm_rows,
        item=_statement_item,
        applies=_is_city_staff,
        order=45,
        description=_("Monthly eco-compensation statements waiting for your city's confirmation."),
    ),
    workqueue.WorkKind(
        key="water.misses_to_refer",
        label=_("Missed targets to refer"),
        count_query=misses_to_refer_rows,
        item=_miss_item,
        applies=_is_office_staff,
        order=40,
        description=_("Boundary sections below target that are not yet the upstream city's matter."),
    ),
    workqueue.WorkKind(
        key="water.escalated",
        label=_("Sections missing again"),
        count_query=escalated_sections_rows,
        item=_miss_item,
        applies=_is_office_staff,
        order=41,
        description=_("Boundary sections that missed their target in consecutive months."),
    ),
    workqueue.WorkKind(
        key="water.cleared",
        label=_("Matters that corrected data cleared"),
        count_query=cleared_misses_rows,
        item=_miss_item,
        applies=_is_office_staff,
        order=42,
        description=_(
            "Missed targets that a city's corrected data turned into met ones: "
            "cancel the matter or keep it with a reason."
        ),
    ),
    workqueue.WorkKind(
        key="water.joint_differences",
        label=_("Joint-sampling differences"),
        count_query=joint_differences_rows,
        item=_joint_item,
        applies=_is_office_staff,
        order=46,
        description=_("Joint samplings whose two cities' results differ beyond the tolerance."),
    ),
]
for _kind in KINDS:
    workqueue.register(_kind)
