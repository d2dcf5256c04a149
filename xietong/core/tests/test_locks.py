"""Named locks: one purpose at a time across connections, other purposes unhindered (real PostgreSQL)."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from xietong.airquality import actions as airquality_actions
from xietong.airquality import derive
from xietong.airquality.models import CityWarning, WarningLevel
from xietong.core import locks

WAIT = 30  # seconds before a test gives up on a thread that should have gone on long before


def test_a_purpose_has_one_stable_key_and_purposes_differ():
    assert locks.lock_key("airquality.recompute") == locks.lock_key("airquality.recompute")
    assert locks.lock_key("airquality.recompute") != locks.lock_key("airquality.joint-warning")
    assert -(2**63) <= locks.lock_key("airquality.recompute") < 2**63
    # Fixed by the digest (not Python's per-process hash()), so every process agrees on it.
    assert locks.lock_key("airquality.recompute") == -521964286703282212


@pytest.mark.django_db(transaction=True)
def test_holding_a_lock_outside_a_transaction_is_a_mistake_said_at_once():
    # Outside a transaction the lock would end with its own statement and protect nothing.
    with pytest.raises(transaction.TransactionManagementError):
        locks.hold("airquality.recompute")
    with transaction.atomic():
        locks.hold("airquality.recompute")


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite admits one writing transaction at a time; the lock is PostgreSQL's")


def _waiting_advisory_locks():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return cursor.fetchone()[0]


def _in_thread(target):
    errors = []

    def run():
        try:
            target()
        except Exception as error:  # reported to the test below, which fails with it
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


@pytest.mark.django_db(transaction=True)
def test_a_second_connection_waits_for_the_same_purpose_until_the_first_commits():
    _postgresql_only()
    order = []
    first_holds, first_may_commit = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():
            locks.hold("airquality.recompute")
            order.append("first holds")
            first_holds.set()
            assert first_may_commit.wait(WAIT)
            order.append("first commits")

    def second():
        assert first_holds.wait(WAIT)
        with transaction.atomic():
            locks.hold("airquality.recompute")
            order.append("second holds")

    one, errors_one = _in_thread(first)
    two, errors_two = _in_thread(second)
    # The second connection is seen waiting on PostgreSQL's lock table before the first lets go.
    deadline = time.monotonic() + WAIT
    while _waiting_advisory_locks() == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    waiting = _waiting_advisory_locks()
    first_may_commit.set()
    for thread in (one, two):
        thread.join(WAIT)
    assert errors_one == errors_two == []
    assert waiting == 1
    assert order == ["first holds", "first commits", "second holds"]


@pytest.mark.django_db(transaction=True)
def test_issuing_a_warning_does_not_wait_for_an_air_quality_recompute(cluster, office_user):
    _postgresql_only()
    recompute_holds, warning_issued = threading.Event(), threading.Event()
    outcome = {}

    def recompute_in_progress():
        with transaction.atomic():
            locks.hold(derive.RECOMPUTE_LOCK)
            recompute_holds.set()
            # Still inside the recompute's transaction when the warning is issued, if nothing blocks it.
            outcome["issued while recomputing"] = warning_issued.wait(WAIT)

    def issue():
        assert recompute_holds.wait(WAIT)
        airquality_actions.do_issue_joint_warning(
            actor=office_user,
            level=WarningLevel.ORANGE,
            cities=[cluster["taiyuan"], cluster["jinzhong"]],
            starts_at=timezone.now(),
            reason="受不利气象条件影响，预计区域AQI日均值超过200。",
        )
        warning_issued.set()

    one, errors_one = _in_thread(recompute_in_progress)
    two, errors_two = _in_thread(issue)
    for thread in (one, two):
        thread.join(2 * WAIT)
    assert errors_one == errors_two == []
    assert outcome == {"issued while recomputing": True}
    assert CityWarning.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_warnings_issued_at_once_for_one_city_leave_one_in_force(cluster, office_user):
    _postgresql_only()
    barrier = threading.Barrier(2)
    outcomes = []

    def issue(level):
        barrier.wait(WAIT)
        try:
            airquality_actions.do_issue_joint_warning(
                actor=office_user,
                level=level,
                cities=[cluster["taiyuan"]],
                starts_at=timezone.now(),
                reason="预计区域AQI日均值超过200。",
            )
            outcomes.append("issued")
        except airquality_actions.ValidationError:
            outcomes.append("refused")

    threads = [_in_thread(lambda level=level: issue(level)) for level in (WarningLevel.YELLOW, WarningLevel.ORANGE)]
    for thread, _errors in threads:
        thread.join(2 * WAIT)
    assert [errors for _thread, errors in threads] == [[], []]
    assert sorted(outcomes) == ["issued", "refused"]
    assert CityWarning.objects.filter(city=cluster["taiyuan"]).count() == 1
