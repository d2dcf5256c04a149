"""Air quality's kind of work for the work queue (工作台): warnings to acknowledge.

A city's warnings in force whose current level the city has not acknowledged, for the staff of the
city's own unit (those who acknowledge for it; the office issues, it does not acknowledge). One count
and one limited select on the work page; the navigation badge counts it in the one statement that
counts every kind with a `count_query`. Whether it applies is decided from the cached memberships.
"""

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.core import workqueue
from xietong.core.access import memberships_of
from xietong.core.models import Role, UnitKind

from .models import CityWarning, WarningState


def _own_cities(user):
    return [m.unit for m in memberships_of(user) if m.unit.kind == UnitKind.CITY and m.role >= Role.STAFF]


def _has_city(user):
    return bool(_own_cities(user))


def warnings_to_acknowledge_rows(user, today):
    return (
        CityWarning.objects.filter(city__in=_own_cities(user), state=WarningState.ACTIVE)
        .exclude(acknowledged_level=F("level"))
        .select_related("joint", "city")
        .order_by("joint__issued_at", "pk")
    )


def warnings_to_acknowledge(user, today, limit):
    rows = warnings_to_acknowledge_rows(user, today)
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
    workqueue.register(
        workqueue.WorkKind(
            key="airquality.acknowledge",
            label=gettext_lazy("Warnings to acknowledge"),
            collect=warnings_to_acknowledge,
            count_query=warnings_to_acknowledge_rows,
            applies=_has_city,
            order=20,
            description=gettext_lazy(
                "Heavy-pollution warnings issued to your city whose level it has not acknowledged."
            ),
        )
    )
