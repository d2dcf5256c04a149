"""The probes a load balancer and an operator use, and the operator's view of background work in the admin."""

import datetime
import re
import uuid

import pytest
import redis
from django.test import override_settings
from django.utils import timezone

from xietong.conftest import REDIS_TEST_URL, client_for, closed_broker_url, make_user
from xietong.core import outbox
from xietong.core.models import OutboxTask

ADMIN_LIST = "/admin/core/outboxtask/"


def test_liveness_answers_without_an_account(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readiness_checks_the_database_and_reports_no_broker(client, db):
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("not configured")
    assert body["queue"]["length"] is None and body["outbox"] == {"pending": 0, "oldest_age": None}


@pytest.fixture
def queue():
    """A private queue on the test Redis, emptied afterwards."""
    name = f"test-health-{uuid.uuid4().hex[:8]}"
    yield name
    redis.Redis.from_url(REDIS_TEST_URL).delete(name)


def test_readiness_with_the_real_redis(client, db, queue):
    with override_settings(CELERY_BROKER_URL=REDIS_TEST_URL, CELERY_TASK_DEFAULT_QUEUE=queue):
        body = client.get("/readyz").json()
    assert body == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok"},
        "queue": {"name": queue, "length": 0},
        "outbox": {"pending": 0, "oldest_age": None},
    }


@pytest.mark.parametrize("url", ["redis://127.0.0.1:1/0"])
def test_a_broker_that_is_down_degrades_but_keeps_the_process_in_rotation(client, db, url):
    with override_settings(CELERY_BROKER_URL=url):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["broker"].startswith("unavailable")
    assert response.json()["queue"]["length"] is None


def stored_while_down(point_celery, count):
    """`count` tasks asked for while the broker refused them: pending rows, as a write leaves them."""
    point_celery(closed_broker_url())
    rows = []
    for _ in range(count):
        row = outbox.enqueue("xietong.core.ping")
        assert outbox.send(row) is False
        rows.append(row)
    return rows


def test_readiness_counts_the_queue_and_the_outbox(client, db, point_celery, queue):
    rows = stored_while_down(point_celery, 3)
    OutboxTask.objects.filter(pk=rows[0].pk).update(created_at=timezone.now() - datetime.timedelta(minutes=4))
    point_celery(REDIS_TEST_URL, queue)
    assert outbox.sweep(min_age=datetime.timedelta(minutes=1)) == (1, 0)  # the younger ones are left to their writer
    body = client.get("/readyz").json()
    assert body["status"] == "ok" and body["checks"]["broker"] == "ok"
    assert body["queue"] == {"name": queue, "length": 1}
    assert body["outbox"]["pending"] == 2 and 0 <= body["outbox"]["oldest_age"] < 60


def test_work_pending_for_long_degrades_even_with_the_broker_up(client, db, point_celery, queue):
    rows = stored_while_down(point_celery, 1)
    OutboxTask.objects.filter(pk=rows[0].pk).update(created_at=timezone.now() - datetime.timedelta(minutes=11))
    point_celery(REDIS_TEST_URL, queue)
    body = client.get("/readyz").json()
    assert body["status"] == "degraded" and body["checks"]["broker"] == "ok"
    assert body["outbox"]["pending"] == 1 and body["outbox"]["oldest_age"] >= 660


def test_the_admin_shows_the_broker_queue_and_outbox_and_sends_on_demand(db, point_celery, queue):
    rows = stored_while_down(point_celery, 2)
    OutboxTask.objects.filter(pk=rows[0].pk).update(created_at=timezone.now() - datetime.timedelta(minutes=12))
    operator = client_for(make_user("root", is_staff=True, is_superuser=True))
    page = operator.get(ADMIN_LIST, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<td id="broker-state">unavailable: OperationalError</td>' in page
    assert '<td id="queue-length">—</td>' in page and '<td id="outbox-pending">2</td>' in page
    oldest = page.split('id="outbox-oldest">')[1].split("</td>")[0]
    assert 720 <= int(re.match(r"\d+", oldest).group()) < 780 and "秒前" in oldest and "celery beat" in oldest
    assert "后台任务" in page and "发件箱中待发送" in page

    point_celery(REDIS_TEST_URL, queue)
    operator.post(ADMIN_LIST, {"action": "send_now", "_selected_action": [r.pk for r in rows]})
    assert not OutboxTask.objects.filter(sent_at__isnull=True).exists()
    page = operator.get(ADMIN_LIST).content.decode()
    assert '<td id="broker-state">ok</td>' in page
    assert '<td id="queue-length">2</td>' in page and '<td id="outbox-pending">0</td>' in page


def test_the_outbox_page_is_for_the_operator_only(db, member):
    assert client_for(member).get(ADMIN_LIST).status_code == 302
    assert client_for(None).get(ADMIN_LIST).status_code == 302
