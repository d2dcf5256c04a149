"""Air quality's kind of work for the work queue (工作台): warnings to acknowledge.

A city's warnings in force whose current level the city has not acknowledged, for the staff of the
city's own unit (those who acknowledge for it; the office issues, it does not acknowledge). One count
and one limited select; whether it applies is decided from the cached memberships.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.core import workqueue
from xietong.core.access import memberships_of
from xietong.core.models import Role, UnitKind

from .models import CityWarning, JointWarning, WarningState


def _own_cities(user):
    return [m.unit for m in memberships_of(user) if m.unit.kind == UnitKind.CITY and m.role >= Role.STAFF]


def _has_city(user):
    return bool(_own_cities(user))


# The navigation badge runs every kind on every page. A city's count is the same for all its staff,
# so the badge takes it from the cache, dropped by any write to a warning (the signals below);
# the work page itself always counts afresh.
COUNT_VERSION = "airquality.work.version"


def _bump_counts():
    try:
        cache.incr(COUNT_VERSION)
    except ValueError:
        cache.set(COUNT_VERSION, 1, None)


def _counts_changed(**kwargs):
    _bump_counts()
    # Again after commit, so a count cached by another request meanwhile does not outlive the write.
    transaction.on_commit(_bump_counts)


def warnings_to_acknowledge(user, today, limit):
    cities = sorted(city.pk for city in _own_cities(user))
    rows = (
        CityWarning.objects.filter(city_id__in=cities, state=WarningState.ACTIVE)
        .exclude(acknowledged_level=F("level"))
        .select_related("joint", "city")
        .order_by("joint__issued_at", "pk")
    )
    if not limit:
        key = f"airquality.work.{cache.get(COUNT_VERSION, 0)}.ack.{'-'.join(map(str, cities))}"
        count = cache.get(key)
        if count is None:
            count = rows.count()
            cache.set(key, count, 300)
        return workqueue.Bucket(count, [])
    count = rows.count()
    items = [
        workqueue.WorkItem(
            title=_("Warning %(code)s: %(level)s, please acknowledge")
            % {"code": cw.joint.code, "level": cw.get_level_display()},
            url=reverse("airquality:warning", args=[cw.joint_id]),
            subtitle=cw.city.display_name,
            due=today,
        )
        for cw in (rows[:limit] if count else [])
    ]
    return workqueue.Bucket(count, items)


def register():
    # City warnings are created in bulk (no signal) along with their joint warning, which has one.
    for model in (JointWarning, CityWarning):
        post_save.connect(_counts_changed, sender=model, dispatch_uid=f"airquality.work.saved.{model.__name__}")
        post_delete.connect(_counts_changed, sender=model, dispatch_uid=f"airquality.work.deleted.{model.__name__}")
    workqueue.register(
        workqueue.WorkKind(
            key="airquality.acknowledge",
            label=gettext_lazy("Warnings to acknowledge"),
            collect=warnings_to_acknowledge,
            applies=_has_city,
            order=20,
            description=gettext_lazy(
                "Heavy-pollution warnings issued to your city whose level it has not acknowledged."
            ),
        )
    )
