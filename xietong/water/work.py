"""The water app's kinds of work in the work queue (工作台), two queries each.

- a city's staff: boundary sections their city answers for (open matters of missed targets);
- a city's staff: compensation statements waiting for their side's confirmation;
- the office: misses to refer (recorded from a city's own upload), escalated sections,
  joint samplings whose results differ beyond tolerance.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xietong.core import workqueue
from xietong.core.access import is_office, memberships_of
from xietong.core.models import Role, UnitKind
from xietong.supervision.models import OPEN_STATES, Matter

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


def _bucket(rows, limit, item):
    count = rows.count()
    return workqueue.Bucket(count, [item(row) for row in rows[:limit]] if limit else [])


def sections_to_answer(user, today, limit):
    # One row per matter: a run of consecutive misses shares the matter of its first month.
    rows = (
        BoundaryMiss.objects.filter(upstream_city_id__in=_own_city_ids(user), matter__state__in=OPEN_STATES)
        .filter(_latest_of_its_matter())
        .select_related("section", "matter", "result")
        .order_by("matter__due_date", "-month")
    )
    return _cached_bucket(_cities_key("answer", user), rows, limit, _miss_item)


def _cities_key(prefix, user):
    return prefix + "." + ",".join(str(pk) for pk in sorted(_own_city_ids(user)))


def _latest_of_its_matter():
    later = BoundaryMiss.objects.filter(matter=OuterRef("matter"), month__gt=OuterRef("month"))
    return ~Exists(later)


def statements_to_confirm(user, today, limit):
    own = _own_city_ids(user)
    rows = (
        Statement.objects.filter(
            Q(agreement__upstream_city_id__in=own, upstream_confirmed_at__isnull=True)
            | Q(agreement__downstream_city_id__in=own, downstream_confirmed_at__isnull=True)
        )
        .exclude(grade="")
        .select_related("agreement__section")
        .order_by("month")
    )
    return _cached_bucket(
        _cities_key("confirm", user),
        rows,
        limit,
        lambda s: workqueue.WorkItem(
            title=str(s.agreement.title),
            url=s.get_absolute_url(),
            subtitle=f"{s.month:%Y-%m} · {s.amount} " + str(_("10,000 yuan")),
        ),
    )


# The navigation badge runs every kind on every page, where each query counts. The badge takes
# these counts from the cache (per city, or one for the office), dropped by any write that can
# change them (the signals at the end); the work page itself always counts afresh.
COUNT_VERSION = "water.work.version"


def _bump_counts():
    try:
        cache.incr(COUNT_VERSION)
    except ValueError:
        cache.set(COUNT_VERSION, 1, None)


def _counts_changed(**kwargs):
    _bump_counts()
    # Again after commit, so a count cached by another request meanwhile does not outlive the write.
    transaction.on_commit(_bump_counts)


def _cached_bucket(key, rows, limit, item):
    if limit:
        return _bucket(rows, limit, item)
    cache_key = f"water.work.{cache.get(COUNT_VERSION, 0)}.{key}"
    count = cache.get(cache_key)
    if count is None:
        count = rows.count()
        cache.set(cache_key, count, 300)
    return workqueue.Bucket(count, [])


def misses_to_refer(user, today, limit):
    rows = BoundaryMiss.objects.filter(matter__isnull=True).select_related("section", "result").order_by("month")
    return _cached_bucket("refer", rows, limit, _miss_item)


def escalated_sections(user, today, limit):
    rows = (
        BoundaryMiss.objects.filter(escalated=True, matter__state__in=OPEN_STATES)
        .filter(_latest_of_its_matter())
        .select_related("section", "matter", "result")
        .order_by("matter__due_date")
    )
    return _cached_bucket("escalated", rows, limit, _miss_item)


def joint_differences(user, today, limit):
    rows = (
        JointSampling.objects.exclude(differences={})
        .filter(reviewed_at__isnull=True)
        .select_related("section")
        .order_by("sampled_on")
    )
    return _cached_bucket(
        "joint",
        rows,
        limit,
        lambda e: workqueue.WorkItem(
            title=e.section.display_name,
            url=e.get_absolute_url(),
            subtitle=f"{e.sampled_on:%Y-%m-%d} · " + "、".join(str(PARAMETER_LABELS[p]) for p in sorted(e.differences)),
        ),
    )


KINDS = [
    workqueue.WorkKind(
        key="water.sections_to_answer",
        label=_("Sections to answer for"),
        collect=sections_to_answer,
        applies=_is_city_staff,
        order=40,
        description=_("Boundary sections where your city, upstream, missed the water-quality target."),
    ),
    workqueue.WorkKind(
        key="water.statements_to_confirm",
        label=_("Statements to confirm"),
        collect=statements_to_confirm,
        applies=_is_city_staff,
        order=45,
        description=_("Monthly eco-compensation statements waiting for your city's confirmation."),
    ),
    workqueue.WorkKind(
        key="water.misses_to_refer",
        label=_("Missed targets to refer"),
        collect=misses_to_refer,
        applies=_is_office_staff,
        order=40,
        description=_("Boundary sections below target that are not yet the upstream city's matter."),
    ),
    workqueue.WorkKind(
        key="water.escalated",
        label=_("Sections missing again"),
        collect=escalated_sections,
        applies=_is_office_staff,
        order=41,
        description=_("Boundary sections that missed their target in consecutive months."),
    ),
    workqueue.WorkKind(
        key="water.joint_differences",
        label=_("Joint-sampling differences"),
        collect=joint_differences,
        applies=_is_office_staff,
        order=46,
        description=_("Joint samplings whose two cities' results differ beyond the tolerance."),
    ),
]
for _kind in KINDS:
    workqueue.register(_kind)

for _model in (BoundaryMiss, JointSampling, Statement, Matter):
    post_save.connect(_counts_changed, sender=_model, dispatch_uid=f"water.work.{_model.__name__}.save")
    post_delete.connect(_counts_changed, sender=_model, dispatch_uid=f"water.work.{_model.__name__}.delete")
