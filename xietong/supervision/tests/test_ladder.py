"""The escalation ladder on worked examples across the 2022 National Day holiday.

2022-09-30 is a Friday; 10-01 to 10-07 are the National Day holiday and Saturday 10-08 and Sunday
10-09 are adjusted working days (调休), per the State Council's 2022 schedule. With the default
ladder a matter due on 09-30 gets its 催办单 on 10-08, to answer within 3 working days (10-09, 10-10,
10-11); unanswered it goes to the unit's leaders on 10-12, and five working days later (10-13, 14,
17, 18, 19) it is named for the bulletin.
"""

import datetime
import threading

import pytest
import time_machine
from django.db import connection
from django.utils import translation

from xietong.conftest import make_user
from xietong.core.models import Notification, Role, TimelineEvent
from xietong.supervision import actions
from xietong.supervision.actions import do_send_reminders
from xietong.supervision.models import EscalationLadder, Matter, Reminder, ReminderKind, Urging
from xietong.supervision.reminders import Plan
from xietong.supervision.tests.factories import make_matter

D = datetime.date
DUE = D(2022, 9, 30)


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
    matter = make_matter(
        people["office"], cluster["jinzhong"], co_units=[cluster["taiyuan"]], start=D(2022, 8, 1), due=DUE
    )
    return actions.do_transition(actor=people["office"], matter=matter, name="start")


def ladder_rows(kind):
    return list(Reminder.objects.filter(kind=kind).values_list("matter_id", "period_key"))


def told(kind):
    return set(Notification.objects.filter(kind=f"reminder.{kind}").values_list("recipient__username", flat=True))


def test_the_plan_counts_working_days_across_the_holiday(db):
    plan = Plan.on(D(2022, 10, 8))
    # Every day from the due date through the holiday reaches 10-08 as its first working day after.
    assert plan.urge_due_by == D(2022, 10, 7)
    assert plan.reply_due == D(2022, 10, 11)
    assert Plan.on(D(2022, 10, 7)).urge_due_by == D(2022, 9, 29)
    # Named: deadline + 1 working day (escalation) + 5 working days.
    assert Plan.on(D(2022, 10, 19)).name_reply_due_by == D(2022, 10, 11)
    assert Plan.on(D(2022, 10, 18)).name_reply_due_by == D(2022, 10, 10)


def test_urging_on_the_first_working_day_after_the_due_date(matter, people, cluster):
    for day in (D(2022, 10, 1), D(2022, 10, 7)):
        do_send_reminders(today=day)
    assert not Urging.objects.exists()  # the holiday is not a working day
    do_send_reminders(today=D(2022, 10, 8))  # a Saturday, but a working day in 2022
    (urging,) = Urging.objects.all()
    assert (urging.matter, urging.unit, urging.automatic, urging.reply_due) == (
        matter,
        cluster["jinzhong"],
        True,
        D(2022, 10, 11),
    )
    assert urging.issued_by is None and urging.label == "催办〔2022〕1号"
    assert told(ReminderKind.URGING) == {"jz-staff", "jz-manager"}
    event = TimelineEvent.objects.get(verb="urged", object_id=str(matter.pk))
    assert event.changes == {"urging": [None, "催办〔2022〕1号"], "reply_due": [None, "2022-10-11"]}
    assert not event.public
    # Once: the next runs, that day and later, issue no second 催办单 for the same due date.
    do_send_reminders(today=D(2022, 10, 8))
    do_send_reminders(today=D(2022, 10, 10))
    assert Urging.objects.count() == 1


def test_the_ladders_urging_tells_the_followers_once_as_the_offices_does(matter, people, cluster):
    """The matter's followers hear of the ladder's 催办单 in the words of an office's 催办, each once; members
    of the urged unit are told by the ladder already and not twice; a follower who can no longer see the
    matter is not told."""
    from xietong.core.notify import render
    from xietong.supervision.models import Follow

    watcher = make_user("office-watcher", cluster["office"], Role.VIEWER)
    moved = make_user("moved-away", cluster["jinzhong"], Role.STAFF)
    gone = make_user("gone", cluster["jinzhong"], Role.STAFF, is_active=False)
    other = make_matter(people["office"], cluster["taiyuan"], start=D(2022, 8, 1), due=DUE)
    for person in (watcher, people["jz_staff"], people["ty_staff"], moved, gone):
        Follow.objects.create(matter=matter, user=person)
    Follow.objects.create(matter=other, user=watcher)
    moved.memberships.update(unit=cluster["xinzhou"])

    do_send_reminders(today=D(2022, 10, 8))
    urged = Notification.objects.filter(kind="matter.urged").order_by("recipient__username", "url")
    assert [(n.recipient.username, n.url) for n in urged] == [
        ("office-watcher", matter.get_absolute_url() + "#urgings"),
        ("office-watcher", other.get_absolute_url() + "#urgings"),
        ("ty-staff", matter.get_absolute_url() + "#urgings"),
    ]
    # The jz-staff follower heard of it once, as a member of the urged unit.
    heard = Notification.objects.filter(recipient=people["jz_staff"], kind__in=["matter.urged", "reminder.urging"])
    assert list(heard.values_list("kind", flat=True)) == ["reminder.urging"]
    urging = Urging.objects.get(matter=matter)
    notice = urged.get(recipient=people["ty_staff"])
    assert notice.message == actions.URGED_MESSAGE
    assert notice.params == {"label": urging.label, "title": matter.title, "due": "2022-10-11"}
    with translation.override("zh-hans"):
        assert render(notice.message, notice.params) == f"{urging.label}：{matter.title}，请于2022-10-11前回复"

    # The same words as the office's own 催办 give its followers.
    with time_machine.travel(datetime.datetime(2022, 10, 9, 2, tzinfo=datetime.UTC), tick=False):
        manual = actions.do_urge(actor=people["office"], matter=matter, message="请加快进度。")
    by_hand = Notification.objects.get(kind="matter.urged", recipient=watcher, params__label=manual.label)
    assert (by_hand.message, by_hand.url) == (notice.message, notice.url)
    # Later runs issue no new 催办单 for the same due date and tell nobody again.
    do_send_reminders(today=D(2022, 10, 10))
    assert Notification.objects.filter(kind="matter.urged", recipient=people["ty_staff"]).count() == 2


def test_numbers_follow_the_manual_ones(matter, people, cluster):
    other = make_matter(people["office"], cluster["taiyuan"], start=D(2022, 8, 1), due=D(2022, 12, 31))
    with time_machine.travel(datetime.datetime(2022, 10, 8, 2, tzinfo=datetime.UTC), tick=False):
        manual = actions.do_urge(actor=people["office"], matter=other, message="请加快进度。")
        do_send_reminders(today=D(2022, 10, 8))
    automatic = Urging.objects.get(automatic=True)
    assert (manual.number, automatic.number) == (1, 2)


def test_unanswered_urging_goes_to_the_leaders_then_the_matter_is_named(matter, people):
    do_send_reminders(today=D(2022, 10, 8))
    do_send_reminders(today=D(2022, 10, 11))  # the reply deadline itself: still in time
    assert ladder_rows(ReminderKind.ESCALATED) == []
    do_send_reminders(today=D(2022, 10, 12))
    urging = Urging.objects.get()
    assert ladder_rows(ReminderKind.ESCALATED) == [(matter.pk, f"urging:{urging.pk}")]
    assert told(ReminderKind.ESCALATED) == {"jz-manager"}  # the unit's leaders, not its staff
    assert TimelineEvent.objects.filter(verb="urging_escalated", object_id=str(matter.pk)).count() == 1
    do_send_reminders(today=D(2022, 10, 18))
    assert ladder_rows(ReminderKind.NAMED) == []
    do_send_reminders(today=D(2022, 10, 19))
    assert ladder_rows(ReminderKind.NAMED) == [(matter.pk, "due:2022-09-30")]
    assert told(ReminderKind.NAMED) == {"jz-staff", "jz-manager", "office-supervisor"}
    do_send_reminders(today=D(2022, 10, 20))
    assert len(ladder_rows(ReminderKind.NAMED)) == 1


def test_an_answered_urging_is_not_escalated(matter, people):
    do_send_reminders(today=D(2022, 10, 8))
    with time_machine.travel(datetime.datetime(2022, 10, 10, 2, tzinfo=datetime.UTC), tick=False):
        actions.do_reply_urging(actor=people["jz_staff"], urging=Urging.objects.get(), reply="已完成招标，月底前开工。")
    for day in (D(2022, 10, 12), D(2022, 10, 19), D(2022, 10, 31)):
        do_send_reminders(today=day)
    assert ladder_rows(ReminderKind.ESCALATED) == []
    assert ladder_rows(ReminderKind.NAMED) == []


def test_the_ladder_is_dated_data(matter, people):
    # From 10-01 the operator allows three working days before the 催办单: 10-08, 10-09, 10-10.
    EscalationLadder.objects.create(effective_from=D(2022, 10, 1), urge_after_working_days=3, reply_working_days=5)
    do_send_reminders(today=D(2022, 10, 9))
    assert not Urging.objects.exists()
    do_send_reminders(today=D(2022, 10, 10))
    # Five working days to answer: 10-11 … 10-17.
    assert Urging.objects.get().reply_due == D(2022, 10, 17)


def test_an_extension_starts_the_ladder_again(matter, people):
    do_send_reminders(today=D(2022, 10, 8))
    with time_machine.travel(datetime.datetime(2022, 10, 9, 2, tzinfo=datetime.UTC), tick=False):
        extension = actions.do_request_extension(
            actor=people["jz_manager"], matter=matter, requested_due=D(2022, 10, 31), reason="设备到货延迟。"
        )
        actions.do_decide_extension(actor=people["office"], extension=extension, grant=True)
    do_send_reminders(today=D(2022, 10, 12))
    # The 催办单 still wants its answer (escalated), but the matter is no longer overdue: not named.
    assert ladder_rows(ReminderKind.ESCALATED) == [(matter.pk, f"urging:{Urging.objects.get().pk}")]
    do_send_reminders(today=D(2022, 10, 19))
    assert ladder_rows(ReminderKind.NAMED) == []
    do_send_reminders(today=D(2022, 11, 1))  # the first working day after the new date
    assert sorted(ladder_rows(ReminderKind.URGING)) == [(matter.pk, "due:2022-09-30"), (matter.pk, "due:2022-10-31")]


def test_submitted_and_closed_matters_are_not_urged(matter, people):
    actions.do_transition(actor=people["office"], matter=matter, name="suspend", reason="等待上级批复")
    do_send_reminders(today=D(2022, 10, 8))
    assert not Urging.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_issue_each_urging_once(cluster, people):
    """Two runs in two database connections at once: each 催办单, escalation and notification once."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes writers; the race is exercised on PostgreSQL")
    from django.db import connections

    for i in range(30):
        make_matter(
            people["office"], cluster["jinzhong"], co_units=[cluster["taiyuan"]], due=DUE - datetime.timedelta(days=i)
        )
    results, barrier = [], threading.Barrier(2)

    def run(day):
        try:
            barrier.wait()
            results.append(do_send_reminders(today=day))
        finally:
            connections.close_all()

    for day in (D(2022, 10, 8), D(2022, 10, 12)):
        results.clear()
        threads = [threading.Thread(target=run, args=(day,)) for _ in range(2)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert 0 in results  # one run did everything, the other found it done
    assert Urging.objects.count() == 30
    assert sorted(Urging.objects.values_list("number", flat=True)) == list(range(1, 31))
    assert Reminder.objects.filter(kind=ReminderKind.ESCALATED).count() == 30
    # Every escalation reached someone (automatic reminders do not count their recipients, see
    # do_send_reminders), and nobody is told the same thing twice by one run.
    escalated = Reminder.objects.filter(kind=ReminderKind.ESCALATED).values_list("matter_id", flat=True)
    told = {
        url.split("#")[0]
        for url in Notification.objects.filter(kind__startswith="reminder.").values_list("url", flat=True)
    }
    assert {Matter.objects.get(pk=pk).get_absolute_url() for pk in escalated} <= told
    assert (
        Notification.objects.values("recipient", "kind", "url", "created_at").distinct().count()
        == Notification.objects.count()
    )
