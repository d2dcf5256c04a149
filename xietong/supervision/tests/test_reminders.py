import datetime
import threading

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from xietong.conftest import database_url_for_workers, make_user
from xietong.core.models import Notification, Role
from xietong.supervision import actions
from xietong.supervision.actions import do_send_reminders
from xietong.supervision.models import Milestone, Reminder, ReminderKind, State
from xietong.supervision.reminders import candidates
from xietong.supervision.tests.factories import make_matter, prepare

DUE = datetime.date(2022, 8, 31)


@pytest.fixture
def people(cluster, office_user):
    return {
        "office": office_user,
        "jz_staff": make_user("jz-staff", cluster["jinzhong"], Role.STAFF),
        "jz_manager": make_user("jz-manager", cluster["jinzhong"], Role.MANAGER),
        "ty_staff": make_user("ty-staff", cluster["taiyuan"], Role.STAFF),
    }


@pytest.fixture
def matter(cluster, people):
    return make_matter(
        people["office"], cluster["jinzhong"], co_units=[cluster["taiyuan"]], start=datetime.date(2022, 8, 1), due=DUE
    )


def kinds_sent():
    return sorted(Reminder.objects.values_list("kind", "period_key"))


def recipients(kind):
    return set(Notification.objects.filter(kind=f"reminder.{kind}").values_list("recipient__username", flat=True))


def test_nothing_is_due_early_in_the_period(matter):
    assert do_send_reminders(today=datetime.date(2022, 8, 2)) == 0


def test_due_reminders_seven_days_and_one_day_before(matter, people):
    assert (
        do_send_reminders(today=datetime.date(2022, 8, 24)) == 1
    )  # due in 7 days; reports are owed only at period end
    assert kinds_sent() == [("due", "due:7")]
    assert recipients("due") == {"jz-staff", "jz-manager", "ty-staff"}
    assert do_send_reminders(today=datetime.date(2022, 8, 25)) == 0  # the same rule and period: not again
    assert (
        do_send_reminders(today=datetime.date(2022, 8, 30)) == 1 + 2
    )  # due tomorrow; both units owe this month's report
    assert ("due", "due:1") in kinds_sent()


def test_report_reminder_skips_units_that_reported(matter, people, cluster):
    with time_machine.travel(datetime.datetime(2022, 8, 20, 9, tzinfo=datetime.UTC)):
        actions.do_submit_report(
            actor=people["jz_staff"],
            matter=matter,
            unit=cluster["jinzhong"],
            period_start=datetime.date(2022, 8, 1),
            period_end=datetime.date(2022, 8, 31),
            text="完成",
            percent=30,
        )
    found = [c for c in candidates(datetime.date(2022, 8, 29)) if c[1] == ReminderKind.REPORT]
    assert [unit for *_, unit in found] == [cluster["taiyuan"].pk]


def test_reminders_are_not_sent_for_closed_matters(matter, people):
    actions.do_transition(actor=people["office"], matter=matter, name="cancel", reason="并入其他事项")
    assert do_send_reminders(today=datetime.date(2022, 8, 30)) == 0


def test_milestone_reminder(matter, people):
    Milestone.objects.create(matter=matter, title="完成初步设计", due_date=datetime.date(2022, 8, 10))
    do_send_reminders(today=datetime.date(2022, 8, 7))
    assert recipients("milestone_due") == {"jz-staff", "jz-manager"}


def test_past_the_due_date_the_ladder_takes_over(matter, people):
    """No weekly overdue reminders any more: a 催办单 on the first working day after the due date."""
    do_send_reminders(today=datetime.date(2022, 9, 1))  # Thursday, the first working day after 08-31
    assert [k for k, _ in kinds_sent() if k != "report"] == ["urging"]
    assert recipients("urging") == {"jz-staff", "jz-manager"}
    do_send_reminders(today=datetime.date(2022, 9, 2))  # nothing more while the 催办单 awaits its answer
    assert [k for k, _ in kinds_sent() if k != "report"] == ["urging"]


def test_submitted_matters_owe_no_report(matter, people):
    prepare(matter, people["office"])
    actions.do_transition(actor=people["jz_manager"], matter=matter, name="submit")
    assert matter.__class__.objects.get(pk=matter.pk).state == State.SUBMITTED
    assert not [c for c in candidates(datetime.date(2022, 8, 29)) if c[1] == ReminderKind.REPORT]


def test_management_command(matter, capsys):
    call_command("sendreminders", "--date", "2022-08-30")
    assert "reminders sent" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_reminder_once(cluster, people, matter):
    """Two runs at once in two database connections (threads); the unique key lets one win per reminder."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes writers; the race is exercised on PostgreSQL")
    from django.db import connections

    day = datetime.date(2022, 9, 12)
    results, barrier = [], threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(do_send_reminders(today=day))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(results)[0] == 0 or sum(results) == Reminder.objects.count()
    assert sum(results) == Reminder.objects.count()
    per_reminder = Notification.objects.filter(kind__startswith="reminder.").count()
    assert (
        per_reminder
        == Notification.objects.filter(kind__startswith="reminder.")
        .values("kind", "recipient", "title")
        .distinct()
        .count()
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_real_workers_send_each_reminder_once(celery_workers, cluster, people):
    url = database_url_for_workers()
    if url is None:
        pytest.skip("worker processes share the test database on PostgreSQL only")
    for i in range(40):
        make_matter(
            people["office"],
            cluster["jinzhong"],
            co_units=[cluster["taiyuan"]],
            start=datetime.date(2022, 8, 1),
            due=datetime.date(2022, 8, 20) + datetime.timedelta(days=i),
        )
    queue, client, start = celery_workers
    start(2, database_url=url)
    results = [
        client.send_task("xietong.supervision.run_reminders", args=["2022-09-05"], queue=queue) for _ in range(4)
    ]
    sent = [r.get(timeout=60) for r in results]
    expected = Reminder.objects.count()
    # Due 08-20 … 09-28, run on Monday 09-05: 8 due within a week, and a 催办单 for each of the 16 matters
    # due by Sunday 09-04 (the first working day after is today).
    assert expected == 8 + 16
    assert sum(sent) == expected  # every reminder counted by exactly one run
    assert Reminder.objects.values("matter", "kind", "period_key").distinct().count() == expected
    # Each sent reminder produced one notification per recipient, never two.
    assert (
        Notification.objects.values("recipient", "title", "kind", "url").distinct().count()
        == Notification.objects.count()
    )


def test_reminders_reach_the_mail_backend_after_commit(matter, people, django_capture_on_commit_callbacks):
    from django.core import mail

    people["jz_staff"].email = "jz@example.org"
    people["jz_staff"].save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        do_send_reminders(today=datetime.date(2022, 8, 30))
    assert any(m.to == ["jz@example.org"] and matter.title in m.subject for m in mail.outbox)
