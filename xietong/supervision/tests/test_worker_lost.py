"""The reminder run's worker killed mid-run: delivered again, each 催办单 and each notification goes out once."""

import datetime

import pytest

from xietong.conftest import database_url_for_workers, make_user
from xietong.core.models import Notification, Role
from xietong.core.tests.killed_worker import run_killed_once
from xietong.supervision import actions
from xietong.supervision.models import Reminder, ReminderKind, Urging
from xietong.supervision.tests.factories import make_matter

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_reminder_run_whose_worker_is_killed_sends_each_urging_once(cluster, office_user):
    url = database_url_for_workers()
    if url is None:
        pytest.skip("worker processes share the test database on PostgreSQL only")
    make_user("jz-staff", cluster["jinzhong"], Role.STAFF)
    matter = make_matter(
        office_user, cluster["jinzhong"], start=datetime.date(2022, 8, 1), due=datetime.date(2022, 9, 30)
    )
    matter = actions.do_transition(actor=office_user, matter=matter, name="start")
    before = Notification.objects.count()
    # The test claims, in its own open transaction, the 催办单 the run is about to claim (2022-10-08 is the first
    # working day after the due date and the National Day holiday): the run's claiming INSERT … ON CONFLICT
    # waits for that transaction inside the run's own, before it has issued anything. Rolled back, it lets
    # the redelivered run through.
    claim = (
        "INSERT INTO supervision_reminder (matter_id, kind, period_key, unit_id, sent_at, message, recipients) "
        "VALUES (%s, 'urging', 'due:2022-09-30', %s, now(), '', 0)"
    )
    result = run_killed_once(
        url,
        "xietong.supervision.run_reminders",
        ["2022-10-08"],
        hold=lambda lock: lock.execute(claim, [matter.pk, cluster["jinzhong"].pk]),
    )
    assert result >= 1
    assert Urging.objects.filter(matter=matter, automatic=True).count() == 1
    assert Reminder.objects.filter(matter=matter, kind=ReminderKind.URGING).count() == 1
    sent = list(Notification.objects.order_by("pk")[before:].values_list("recipient_id", "kind", "url"))
    assert sent and len(sent) == len(set(sent))
    print(f"\nreminder run killed mid-task: delivered twice, 1 催办单 issued, {len(sent)} notifications, each once")
