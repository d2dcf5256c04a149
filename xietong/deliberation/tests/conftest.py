import datetime

import pytest
from django.utils import timezone

from xietong.conftest import make_user
from xietong.core.actions import do_create_unit
from xietong.core.models import Role, UnitKind
from xietong.deliberation import actions
from xietong.deliberation.models import Category, Hall


@pytest.fixture(autouse=True)
def _english_messages():
    """Actions' messages are matched in English here; pages are tested in the language the request asks for."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def hall(cluster):
    return Hall.objects.create(unit=cluster["hekou"], name="河口镇党群议事厅", slug="hekou")


@pytest.fixture
def owners(cluster):
    hekou = cluster["hekou"]
    return (
        do_create_unit(name="河口镇党群服务中心", kind=UnitKind.DEPARTMENT, parent=hekou, slug="hekou-dqfw"),
        do_create_unit(name="河口镇环卫所", kind=UnitKind.DEPARTMENT, parent=hekou, slug="hekou-hws"),
    )


@pytest.fixture
def hall_manager(cluster):
    return make_user("hekou-manager", cluster["hekou"], Role.MANAGER, first_name="王主任")


@pytest.fixture
def categories(db):
    return {
        "townscape": Category.objects.create(code="townscape", name="市容环境", name_en="Townscape", order=1),
        "roads": Category.objects.create(code="roads", name="道路交通", name_en="Roads", order=2),
    }


def submit(hall, category, text="主街两边的门头招牌又旧又破，很难看", **extra):
    return actions.do_submit_concern(hall=hall, text=text, category=category, **extra)


@pytest.fixture
def at_noon():
    """A working Wednesday (2026-07-15) at noon, local time."""
    return timezone.make_aware(datetime.datetime(2026, 7, 15, 12, 0))


@pytest.fixture
def july_2026():
    """The session week of the seed's case, moved to 2026: time stands at Monday 2026-07-27 10:00."""
    import time_machine

    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 7, 27, 10, 0)), tick=False) as traveller:
        yield traveller
