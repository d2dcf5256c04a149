"""With the broker unreachable, travellers' declarations and residents' concerns are still taken; the work they
ask for (telling the receiving units and the hall's staff, by e-mail too) waits in the outbox, the readiness
probe tells the operator, and once Redis is back the sweep sends it and a real worker does it once."""

import datetime
import email
import json
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xietong.conftest import REDIS_TEST_URL, closed_broker_url, database_url_for_workers, make_user
from xietong.core import outbox
from xietong.core.models import Notification, OutboxTask, Role
from xietong.declarations.models import Declaration, State
from xietong.declarations.tests.test_idempotency import URL, payload
from xietong.deliberation.models import Category, Concern, Hall


@pytest.fixture
def broker_down(point_celery):
    url = closed_broker_url()
    point_celery(url)
    return url


@pytest.fixture
def hall(cluster):
    make_user("hekou-staff", cluster["hekou"], Role.STAFF)
    return Hall.objects.create(unit=cluster["hekou"], name="河口镇党群议事厅", slug="hekou")


def post_declaration(units):
    return Client().post(URL, json.dumps(payload(units)), content_type="application/json")


def post_concern(hall):
    category = Category.objects.create(code="roads", name="道路交通", name_en="Roads", order=1)
    fields = {"hall": hall.pk, "category": category.pk, "text": "主街路灯不亮", "place": "", "address": "主街"}
    fields |= {"contact": "", "website": ""}
    return Client().post(reverse("deliberation:report"), fields, REMOTE_ADDR="10.9.8.7")


TELL = "xietong.declarations.tell_receiving_units"
DELIVER = "xietong.core.deliver_notifications"


def waiting():
    """The tasks of the outbox's pending rows."""
    return sorted(OutboxTask.objects.filter(sent_at__isnull=True).values_list("task", flat=True))


def test_declarations_and_concerns_are_taken_and_their_work_waits(
    point_celery, notice, decl_units, hall, django_capture_on_commit_callbacks
):
    point_celery(closed_broker_url())
    with django_capture_on_commit_callbacks(execute=True):
        response = post_declaration(decl_units)
    assert response.status_code == 200 and response.json()["tier"] == "listed"
    with django_capture_on_commit_callbacks(execute=True):
        assert post_concern(hall).status_code == 302
    assert Declaration.objects.get().state == State.AT_RISK and Concern.objects.count() == 1
    # Each write stored the work it asks for: telling the declaration's receiving units, e-mailing the hall's
    # staff their notification of the concern. The broker refused both, so they stay pending.
    assert waiting() == [DELIVER, TELL]
    assert not Notification.objects.filter(kind="declarations.screened").exists()
    hall_told = sorted(Notification.objects.filter(kind="deliberation.received").values_list("pk", flat=True))
    assert hall_told and OutboxTask.objects.get(task=DELIVER).args == [hall_told]
    assert Notification.objects.filter(delivered_at__isnull=False).count() == 0
    assert all(row.attempts == 1 and "Error" in row.last_error for row in OutboxTask.objects.all())
    ready = Client().get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "degraded" and body["checks"]["broker"].startswith("unavailable")
    assert body["outbox"]["pending"] == OutboxTask.objects.count() == 2
    # The sweep with the broker still down sends nothing and keeps every row.
    with pytest.raises(Exception, match="refused"):
        call_command("sendoutbox", min_age=0)
    assert waiting() == [DELIVER, TELL]


def test_a_rolled_back_write_leaves_no_work(broker_down, hall):
    from django.db import transaction

    from xietong.deliberation import actions

    category = Category.objects.create(code="roads", name="道路交通", name_en="Roads", order=1)
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.do_submit_concern(hall=hall, text="主街路灯不亮", category=category)
        assert OutboxTask.objects.count() == 1
        raise RuntimeError
    assert not OutboxTask.objects.exists() and not Notification.objects.exists()


def sent_to(folder):
    """Every recipient of every message the file e-mail back-end wrote into `folder`."""
    addresses = []
    for path in folder.iterdir():
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                addresses += email.message_from_string(chunk.strip()).get_all("To", [])
    return sorted(addresses)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_work_held_while_redis_was_down_is_sent_when_it_is_back_and_done_once(
    point_celery, celery_workers, notice, decl_units, hall, tmp_path
):
    url = database_url_for_workers()
    if url is None:
        pytest.skip("worker processes share the test database on PostgreSQL only")
    for user in get_user_model().objects.all():
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    point_celery(closed_broker_url())
    assert post_declaration(decl_units).status_code == 200
    assert post_concern(hall).status_code == 302
    assert waiting() == [DELIVER, TELL]

    # Redis is back: the operator's sweep (celery beat runs the same every minute) sends the pending rows.
    queue, client, start = celery_workers
    point_celery(REDIS_TEST_URL, queue)
    call_command("sendoutbox", min_age=0)
    assert waiting() == [] and OutboxTask.objects.filter(sent_at__isnull=False).count() == 2
    mailbox = tmp_path / "mail"
    mailbox.mkdir()
    mail = {"NOTIFICATION_BACKENDS": "email", "EMAIL_BACKEND": FILE_MAIL, "EMAIL_FILE_PATH": str(mailbox)}
    start(1, database_url=url, CELERY_QUEUE=queue, **mail)
    # The worker tells the receiving units, which queues their e-mail through the outbox in turn.
    for _ in range(600):
        screened = Notification.objects.filter(kind="declarations.screened")
        if screened.exists() and not Notification.objects.filter(delivered_at__isnull=True).exists():
            break
        time.sleep(0.1)
    expected = sorted(f"{n.recipient.username}@example.org" for n in Notification.objects.select_related("recipient"))
    assert sent_to(mailbox) == expected
    assert "hekou-staff@example.org" in expected and "wucheng-worker@example.org" in expected

    assert waiting() == []

    # The same tasks delivered again (a resend, a redelivery) tell and e-mail nobody twice.
    stored = Notification.objects.count()
    for row in OutboxTask.objects.order_by("pk"):
        client.send_task(row.task, args=row.args, queue=queue).get(timeout=60)
    assert Notification.objects.count() == stored
    assert sent_to(mailbox) == expected


FILE_MAIL = "django.core.mail.backends.filebased.EmailBackend"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_periodic_sweep_run_by_a_worker_sends_what_waits(point_celery, celery_workers):
    url = database_url_for_workers()
    if url is None:
        pytest.skip("worker processes share the test database on PostgreSQL only")
    point_celery(closed_broker_url())
    row = outbox.enqueue("xietong.core.ping")  # no transaction: the send is tried at once, and refused
    row.refresh_from_db()
    assert row.sent_at is None and row.attempts == 1
    OutboxTask.objects.filter(pk=row.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    queue, client, start = celery_workers
    start(1, database_url=url, CELERY_QUEUE=queue)
    # What celery beat sends every minute, run by a worker whose broker is up.
    assert client.send_task("xietong.core.send_outbox", queue=queue).get(timeout=60) == {"sent": 1, "refused": 0}
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 2 and row.last_error == ""
