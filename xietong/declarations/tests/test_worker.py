"""The retroactive re-screen run by a real Celery worker process against the shared PostgreSQL database."""

import datetime

import pytest
from django.utils import timezone

from xietong.conftest import database_url_for_workers
from xietong.core.models import Notification
from xietong.declarations import actions
from xietong.declarations.models import Notice, NoticeState, PreventionOffice, State

from .conftest import submit

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_flags_earlier_declarations_after_a_notice(celery_workers, people, decl_units, regions):
    url = database_url_for_workers()
    if url is None:
        pytest.skip("worker processes share the test database on PostgreSQL only")
    today = timezone.localdate()
    stops = [("四川省内江市资中县", (today - datetime.timedelta(days=3)).isoformat(), today.isoformat(), "G8")]
    earlier = submit(decl_units, arrival=today, stops=stops)
    assert earlier.state == State.CLEAR
    notice = actions.do_create_notice(
        actor=people["ty_office"],
        office=PreventionOffice.objects.get(unit=decl_units["ty_office"]),
        title="健康提示",
        window_start=today - datetime.timedelta(days=7),
        areas_text="四川省内江市资中县",
    )
    # Published as do_publish_notice leaves it; the worker, not this process, runs the re-screen.
    Notice.objects.filter(pk=notice.pk).update(
        state=NoticeState.PUBLISHED, published_on=today, version=2, screening="pending"
    )
    queue, client, start = celery_workers
    start(1, database_url=url)
    result = client.send_task("xietong.declarations.rescreen_notice", args=[notice.pk, 2], queue=queue)
    assert result.get(timeout=60) == 1
    earlier.refresh_from_db()
    notice.refresh_from_db()
    assert earlier.state == State.AT_RISK and notice.screening == "done"
    assert Notification.objects.filter(recipient=people["community"], kind="declarations.screened").exists()
    # Run again (a retry, a duplicate delivery): nothing changes twice.
    assert (
        client.send_task("xietong.declarations.rescreen_notice", args=[notice.pk, 2], queue=queue).get(timeout=60) == 0
    )
