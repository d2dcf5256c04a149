"""The daily recompute's worker killed mid-task: delivered again, it completes once with the right values."""

import datetime as dt

import pytest

from xietong.airquality.derive import RECOMPUTE_LOCK
from xietong.airquality.models import AreaDay, StationDay
from xietong.conftest import database_url_for_workers
from xietong.core.locks import lock_key
from xietong.core.tests.killed_worker import run_killed_once

from .conftest import feed, store, timepoint

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
DAY = dt.date(2026, 3, 2)


def test_a_recompute_whose_worker_is_killed_completes_exactly_once(stations):
    url = database_url_for_workers()
    if url is None:
        pytest.skip("worker processes share the test database on PostgreSQL only")
    rows = [(code, timepoint(DAY, h), 10, 40, 120, 80, 0.8, 60) for code in stations for h in range(1, 25)]
    store(feed(*rows))
    ids = [s.pk for s in stations.values()]
    # The recompute waits on its advisory lock (core.locks) inside its transaction while the test holds it.
    written = run_killed_once(
        url,
        "xietong.airquality.recompute_daily",
        [ids, DAY.isoformat(), DAY.isoformat()],
        hold=lambda lock: lock.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(RECOMPUTE_LOCK)]),
    )
    assert written == len(ids)
    assert StationDay.objects.filter(day=DAY).count() == len(ids)
    assert all(day.pm25 == 80 for day in StationDay.objects.filter(day=DAY))
    assert AreaDay.objects.filter(day=DAY).count() == len({s.city_id for s in stations.values()}) + 1  # + the cluster
    print(f"\nrecompute killed mid-task: delivered twice, {written} station days written once")
