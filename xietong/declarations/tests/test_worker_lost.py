"""A worker process killed in the middle of the retroactive re-screen: the task runs again and completes once."""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from celery import Celery
from django.utils import timezone

from xietong.conftest import REDIS_TEST_URL, database_url_for_workers
from xietong.core.models import Notification, TimelineEvent
from xietong.declarations import actions
from xietong.declarations.models import Notice, NoticeState, PreventionOffice, State

from .conftest import submit

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[3]


def children(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def waiting_on_a_lock(url):
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        ).fetchone()[0]


def until(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


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
    queue = f"test-lost-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "xietong.settings",
        "CELERY_BROKER_URL": REDIS_TEST_URL,
        "CELERY_RESULT_BACKEND": REDIS_TEST_URL,
        "DATABASE_URL": url,
        "NOTIFICATION_BACKENDS": "",
        "LOG_LEVEL": "ERROR",
    }
    # A prefork worker: its pool process runs the task, the main process sees it die and requeues the task.
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "xietong",
            "worker",
            "-Q",
            queue,
            "--pool=prefork",
            "--concurrency=1",
            "-n",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=ERROR",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = Celery("xietong-test-client", broker=REDIS_TEST_URL, backend=REDIS_TEST_URL)
    lock = psycopg.connect(url)
    try:
        # Hold the notice's row: the re-screen starts, takes its transaction and waits on this lock mid-task.
        lock.execute("SELECT id FROM declarations_notice WHERE id = %s FOR UPDATE", [notice.pk])
        result = client.send_task("xietong.declarations.rescreen_notice", args=[notice.pk, 2], queue=queue)
        until(lambda: waiting_on_a_lock(url) >= 1)
        [first] = children(worker.pid)
        os.kill(first, signal.SIGKILL)
        # The pool starts a new process; the task is delivered again and waits on the lock again.
        until(lambda: children(worker.pid) and children(worker.pid) != [first] and waiting_on_a_lock(url) >= 1)
        lock.rollback()
        assert result.get(timeout=60) == 1
    finally:
        lock.close()
        worker.terminate()
        worker.wait(timeout=30)
        client.close()
    earlier.refresh_from_db()
    notice.refresh_from_db()
    assert earlier.state == State.AT_RISK and notice.screening == "done"
    assert Notification.objects.filter(recipient=people["community"], kind="declarations.screened").count() == 1
    assert TimelineEvent.objects.filter(object_id=str(earlier.pk), verb="screened").count() == screened_before + 1
    print("\nworker lost mid-task: delivered twice, completed once (tasks retried: 1)")
