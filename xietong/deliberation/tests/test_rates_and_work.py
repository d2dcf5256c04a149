"""The three rates from the event log, and the hall staff's work queue."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from xietong.core import workqueue
from xietong.deliberation import actions, rates
from xietong.deliberation.models import Rating

from .conftest import submit


def _at(day, hour=10):
    return timezone.make_aware(datetime.datetime(2026, 7, day, hour))


def test_rates_worked_example(hall, categories, hall_manager, owners):
    """Five concerns in July 2026 (received Wednesday 15th, accept-or-refuse due Thursday 16th):
    a accepted on the 16th (on time), b accepted on the 17th (late), c refused on the 15th (on time),
    d never answered, e a duplicate marked on the 16th; f arrives on the 31st and is not due yet on 1 August.
    Response rate 3/5 = 60 %.
    a and b are accepted; a is resolved: resolution rate 1/2 = 50 %.
    a is rated 不满意, reopened, answered, then rated 基本满意: one case, counted once, satisfied: 1/1 = 100 %.
    """
    with time_machine.travel(_at(15), tick=False):
        a, b, c, d, e = (submit(hall, categories["townscape"], text=f"门头破旧{i}") for i in range(5))
        actions.do_refuse(actor=hall_manager, concern=c, reason="不属于本镇")
    with time_machine.travel(_at(16), tick=False):
        actions.do_accept(actor=hall_manager, concern=a)
        actions.do_mark_duplicate(actor=hall_manager, concern=e, original=a)
    with time_machine.travel(_at(17), tick=False):
        actions.do_accept(actor=hall_manager, concern=b)
        topic = actions.do_create_topic(actor=hall_manager, hall=hall, title="门头", concerns=[a])
        session = actions.do_schedule_session(
            actor=hall_manager,
            topic=topic,
            title="议事会",
            starts_at=_at(20),
            place="议事厅",
            invitees=[("商店", ["甲"])],
        )
    with time_machine.travel(_at(20, 12), tick=False):
        actions.do_resolve(
            actor=hall_manager,
            session=session,
            text="改造",
            target_date=datetime.date(2026, 8, 15),
            lead_unit=owners[0],
        )
        a.refresh_from_db()
        actions.do_rate(concern=a, value=Rating.Value.UNSATISFIED)
        actions.do_answer(actor=hall_manager, concern=a, answer="重新答复")
        a.refresh_from_db()
        actions.do_rate(concern=a, value=Rating.Value.BASIC)
    with time_machine.travel(_at(31, 18), tick=False):
        # f arrives on Friday the 31st, due Monday 3 August: on the 1st it is not late yet and not counted.
        submit(hall, categories["roads"], text="路面塌陷")
    result = rates.rates_by_hall(2026, 7, [hall], today=datetime.date(2026, 8, 1))[hall.pk]
    assert (result.received, result.response_due, result.responded_on_time) == (6, 5, 3)
    assert result.response_rate == 60.0
    assert (result.accepted, result.resolved) == (2, 1) and result.resolution_rate == 50.0
    assert (result.rated, result.satisfied) == (1, 1) and result.satisfaction_rate == 100.0
    # Another month is empty, and its rates are undefined rather than zero.
    empty = rates.rates_by_hall(2026, 6, [hall]).get(hall.pk, rates.Rates())
    assert empty.response_rate is None


def test_rates_cost_a_fixed_number_of_queries(hall, categories, django_assert_num_queries):
    with time_machine.travel(_at(15), tick=False):
        for i in range(6):
            submit(hall, categories["roads"], text=f"路{i}")
    with django_assert_num_queries(2):
        rates.rates_by_hall(2026, 7, [hall])


@pytest.fixture
def queue_for():
    def run(user, today):
        return {kind.key: bucket for kind, bucket in workqueue.queue_for(user, today=today)}

    return run


def test_work_queue_kinds_for_the_hall_staff(hall, categories, town_staff, other_city_user, queue_for):
    with time_machine.travel(_at(15), tick=False):
        waiting = submit(hall, categories["roads"], text="路灯不亮")
        late = submit(hall, categories["roads"], text="垃圾没人清运")
        actions.do_accept(actor=town_staff, concern=late)
        topic = actions.do_create_topic(actor=town_staff, hall=hall, title="路灯", concerns=[])
        actions.do_schedule_session(
            actor=town_staff,
            topic=topic,
            title="路灯议事会",
            starts_at=_at(24),
            place="议事厅",
            invitees=[("居民", ["甲"])],
        )
    queue = queue_for(town_staff, datetime.date(2026, 7, 21))
    assert [i.title for i in queue["deliberation.triage"].items] == ["路灯不亮"]
    assert queue["deliberation.triage"].items[0].due == waiting.accept_due
    assert [i.title for i in queue["deliberation.overdue"].items] == ["垃圾没人清运"]
    assert [i.title for i in queue["deliberation.sessions"].items] == ["路灯议事会"]
    assert "deliberation.triage" not in queue_for(other_city_user, datetime.date(2026, 7, 21))


def test_the_navigation_counts_the_halls_work_in_one_statement(hall, categories, town_staff, queue_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel(_at(15), tick=False):
        submit(hall, categories["roads"], text="路灯不亮")
        late = submit(hall, categories["roads"], text="垃圾没人清运")
        actions.do_accept(actor=town_staff, concern=late)
    today = datetime.date(2026, 7, 21)
    hall_kinds = [k for k in workqueue.kinds() if k.key.startswith("deliberation.")]
    assert hall_kinds and all(k.count_query is not None for k in hall_kinds)
    expected = sum(bucket.count for bucket in queue_for(town_staff, today).values())
    assert expected >= 2
    with CaptureQueriesContext(connection) as ctx:
        assert workqueue.count_for(town_staff, today=today) == expected
    # Other workflows may still count on their own; the hall's five kinds ride in the one batched statement.
    hall_queries = [q["sql"] for q in ctx.captured_queries if "deliberation_" in q["sql"]]
    assert len(hall_queries) == 1
    assert hall_queries[0].startswith("SELECT (SELECT COUNT(*)")
    assert hall_queries[0].count("deliberation_concern") >= 3 and "deliberation_session" in hall_queries[0]


def test_work_queue_counts_cost_fixed_queries(hall, categories, town_staff, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            workqueue.queue_for(town_staff, today=datetime.date(2026, 7, 21))
        return len(ctx.captured_queries)

    submit(hall, categories["roads"], text="一")
    count()  # the person's memberships are read once and kept on the user
    few = count()
    for i in range(8):
        submit(hall, categories["roads"], text=f"多{i}")
    assert count() == few


def test_the_owners_of_a_resolution_see_it_in_their_queue(hall, categories, hall_manager, owners, queue_for):
    from xietong.conftest import make_user
    from xietong.core.models import Role

    lead_staff = make_user("dqfw-staff", owners[0], Role.STAFF)
    co_staff = make_user("hws-staff", owners[1], Role.STAFF)
    with time_machine.travel(_at(15), tick=False):
        concern = submit(hall, categories["townscape"])
        topic = actions.do_create_topic(actor=hall_manager, hall=hall, title="门头改造", concerns=[concern])
        session = actions.do_schedule_session(
            actor=hall_manager,
            topic=topic,
            title="议事会",
            starts_at=_at(16),
            place="议事厅",
            invitees=[("商店", ["甲"])],
        )
        actions.do_resolve(
            actor=hall_manager,
            session=session,
            text="改造",
            target_date=datetime.date(2026, 8, 15),
            lead_unit=owners[0],
            co_units=[owners[1]],
        )
    for person in (lead_staff, co_staff):
        [item] = queue_for(person, datetime.date(2026, 7, 21))["deliberation.delivery"].items
        assert item.title == "门头改造" and item.due == datetime.date(2026, 8, 15)
