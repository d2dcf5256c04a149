"""A worker process killed in the middle of the retroactive re-screen: the task runs again and completes once."""

import datetime

import pytest
from django.utils import timezone

from xietong.conftest import database_url_for_workers
from xietong.core.models import Notification, TimelineEvent
from xietong.core.tests.killed_worker import run_killed_once
from xietong.declarations import actions
from xietong.declarations.models import Notice, NoticeState, PreventionOffice, State

from .conftest import submit

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_rescreen_whose_worker_is_killed_completes_exactly_once(people, decl_units, regions):
    url = database_url_for_workers()
    if url is None:
        pytest.skip("worker processes share the test database on PostgreSQL only")
    today = timezone.localdate()
    stops = [("四川省内江市资中县", (today - datetime.timedelta(days=3)).isoformat(), today.isoformat(), "G8")]
    earlier = submit(decl_units, arrival=today, stops=stops)
    notice = actions.do_create_notice(
        actor=people["ty_office"],
        office=PreventionOffice.objects.get(unit=decl_units["ty_office"]),
        title="健康提示",
        window_start=today - datetime.timedelta(days=7),
        areas_text="四川省内江市资中县",
    )
    Notice.objects.filter(pk=notice.pk).update(
        state=NoticeState.PUBLISHED, published_on=today, version=2, screening="pending"
    )
    screened_before = TimelineEvent.objects.filter(object_id=str(earlier.pk), verb="screened").count()
    # Hold the notice's row: the re-screen starts, takes its transaction and waits on this lock mid-task.
    result = run_killed_once(
        url,
        "xietong.declarations.rescreen_notice",
        [notice.pk, 2],
        hold=lambda lock: lock.execute("SELECT id FROM declarations_notice WHERE id = %s FOR UPDATE", [notice.pk]),
    )
    assert result == 1
    earlier.refresh_from_db()
    notice.refresh_from_db()
    assert earlier.state == State.AT_RISK and notice.screening == "done"
    assert Notification.objects.filter(recipient=people["community"], kind="declarations.screened").count() == 1
    assert TimelineEvent.objects.filter(object_id=str(earlier.pk), verb="screened").count() == screened_before + 1
    print("\nworker lost mid-task: delivered twice, completed once (tasks retried: 1)")
