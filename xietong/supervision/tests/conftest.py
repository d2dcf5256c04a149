"""Fixtures of the supervision page and API tests: a matter led by 太原 with 晋中 as co-unit, on a fixed day."""

import datetime

import pytest
import time_machine
from django.core.cache import cache

from xietong.conftest import make_user
from xietong.core.models import Role
from xietong.supervision.tests.factories import make_matter

TODAY = datetime.date(2022, 9, 15)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """A bulletin's PDF is cached under its id, number and time of issue; with the clock frozen, the bulletin of
    one test has the same three as another test's rolled-back one, and would be served the other's PDF."""
    yield
    cache.clear()


@pytest.fixture
def frozen_day():
    with time_machine.travel(datetime.datetime(2022, 9, 15, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield TODAY


@pytest.fixture
def jinzhong_staff(cluster):
    return make_user("jz-staff", cluster["jinzhong"], Role.STAFF)


@pytest.fixture
def led_matter(cluster, office_user, frozen_day):
    """太原 leads, 晋中 delivers a part; assigned, with one milestone, due at the end of 2022."""
    return make_matter(
        office_user,
        cluster["taiyuan"],
        co_units=[cluster["jinzhong"]],
        title="太忻一体化大气污染联防联控",
        description="建立大气污染联防联控机制，监测数据共享。",
        domain="ecology",
        sub_area="air",
        milestones=[("签订联防联控协议", datetime.date(2022, 10, 31))],
    )
