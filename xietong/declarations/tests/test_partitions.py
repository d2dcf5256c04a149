"""Declarations by month of arrival: partitions on PostgreSQL, whole months purged, receipts unique."""

import datetime
import secrets
import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.utils import timezone

from xietong.core import personal
from xietong.core.models import TimelineEvent
from xietong.declarations import actions, partitions
from xietong.declarations.models import Declaration, Match, Measure, State, Stop

from .conftest import declaration_data, submit

D = datetime.date
on_postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="partitions exist on PostgreSQL only")


def partition_of(table, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@on_postgresql
@pytest.mark.django_db
def test_declarations_and_stops_are_partitioned_by_arrival_month(notice, decl_units):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, p.partstrat FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname LIKE 'declarations_%%' ORDER BY 1"
        )
        assert cursor.fetchall() == [("declarations_declaration", "r"), ("declarations_stop", "r")]
    # July 2022 had no partition (the migration made this month's and the next): the default one holds it.
    declaration = submit(decl_units)
    stop = declaration.stops.get()
    assert partition_of("declarations_declaration", declaration.pk) == "declarations_declaration_default"
    created = partitions.ensure_partitions(today=D(2022, 7, 28), months_ahead=1)
    assert created == [
        "declarations_declaration_p2022_07",
        "declarations_declaration_p2022_08",
        "declarations_stop_p2022_07",
        "declarations_stop_p2022_08",
    ]
    # The rows moved into their month's partition, and everything still reads them.
    assert partition_of("declarations_declaration", declaration.pk) == "declarations_declaration_p2022_07"
    assert partition_of("declarations_stop", stop.pk) == "declarations_stop_p2022_07"
    assert Declaration.objects.get(receipt=declaration.receipt).stops.get() == stop
    assert partitions.ensure_partitions(today=D(2022, 7, 28), months_ahead=1) == []
    # A new arrival of the month goes straight to its partition.
    later = submit(decl_units, seq=2, arrival=D(2022, 7, 27))
    assert partition_of("declarations_declaration", later.pk) == "declarations_declaration_p2022_07"


@on_postgresql
@pytest.mark.django_db
def test_the_command_creates_the_coming_months():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("declaration_partitions", "--months", "5", stdout=out)
    months = partitions.months_with_partitions("declarations_stop")
    month = partitions.month_of(timezone.localdate())
    for _ in range(6):
        assert month in months
        month = partitions.next_month(month)
    assert "partitions created" in out.getvalue()


def month_rows(month):
    end = partitions.next_month(month)
    declarations = Declaration.objects.filter(arrival_date__gte=month, arrival_date__lt=end)
    return {
        "declarations": declarations.count(),
        "stops": Stop.objects.filter(arrival_date__gte=month, arrival_date__lt=end).count(),
        "measures": Measure.objects.filter(declaration_id__in=declarations.values("pk")).count(),
        "matches": Match.objects.filter(declaration_id__in=declarations.values("pk")).count(),
        "events": TimelineEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Declaration),
            object_id__in=[str(pk) for pk in declarations.values_list("pk", flat=True)],
        ).count(),
    }


@pytest.mark.django_db
def test_a_month_whose_personal_data_is_all_purged_is_dropped_whole(notice, people, decl_units, frozen, settings):
    settings.DECLARATION_RETENTION_DAYS = 28
    partitions.ensure_partitions(today=D(2022, 6, 1), months_ahead=2)
    june = submit(
        decl_units, seq=1, arrival=D(2022, 6, 30), stops=[("四川省内江市资中县", "2022-06-20", "2022-06-29", "")]
    )
    done = submit(decl_units, seq=2)
    for measure in done.measures.all():
        actions.do_record_measure(actor=people["community"], measure=measure, result="negative")
    kept = submit(decl_units, seq=3, arrival=D(2022, 7, 27))  # still under measures when the time comes
    assert kept.state == State.AT_RISK and june.state == State.CLEAR
    july_before = month_rows(D(2022, 7, 1))
    assert july_before["declarations"] == 2 and july_before["measures"] and july_before["matches"]

    frozen.move_to(datetime.datetime(2022, 10, 1, 12, 0, tzinfo=datetime.UTC))
    result = personal.purge_personal_data()
    # June: its one declaration is purged first, then the month goes; July waits for the person under measures.
    assert result["declarations.declarations"] == 2 and result["declarations.partitions"] == 1
    assert month_rows(D(2022, 6, 1)) == dict.fromkeys(july_before, 0)
    assert month_rows(D(2022, 7, 1)) == july_before
    if connection.vendor == "postgresql":
        assert D(2022, 6, 1) not in partitions.months_with_partitions("declarations_declaration")
        assert D(2022, 6, 1) not in partitions.months_with_partitions("declarations_stop")

    for measure in kept.measures.all():
        actions.do_record_measure(actor=people["community"], measure=measure, result="negative")
    frozen.move_to(datetime.datetime(2022, 11, 1, 12, 0, tzinfo=datetime.UTC))
    assert personal.purge_personal_data()["declarations.partitions"] == 2
    assert month_rows(D(2022, 7, 1)) == dict.fromkeys(july_before, 0)
    # Declarations of the months still open are untouched, and new ones can be made.
    assert submit(decl_units, seq=4, arrival=D(2022, 10, 31), stops=[]).pk


@pytest.mark.django_db
def test_receipts_begin_with_the_arrival_date_and_a_clash_draws_another(notice, decl_units, monkeypatch):
    first = submit(decl_units, seq=1)
    other_day = submit(decl_units, seq=2, arrival=D(2022, 7, 27), stops=[])
    assert len(first.receipt) == 11 and first.receipt[:3] != other_day.receipt[:3]
    # Draw the same letters for the next person until the first try has clashed with `first`.
    draws = iter(first.receipt[3:] * 2 + "ABCDEFGH")
    monkeypatch.setattr(secrets, "choice", lambda alphabet: next(draws))
    third = submit(decl_units, seq=3)
    assert third.receipt == first.receipt[:3] + "ABCDEFGH"
    assert Declaration.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_same_declaration_sent_at_once_is_stored_once(people, decl_units, regions):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    senders, today = 4, timezone.localdate()
    for seq in range(1, 6):
        barrier = threading.Barrier(senders)
        results, errors = [], []
        data = declaration_data(decl_units, seq=seq, arrival=today, stops=[])

        def send(data=data, barrier=barrier, results=results, errors=errors):
            try:
                barrier.wait()
                results.append(actions.do_submit_declaration(data=data, intake_city=decl_units["taiyuan"]))
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=send) for _ in range(senders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        stored = Declaration.objects.filter(arrival_date=today).order_by("pk")
        assert stored.count() == seq
        row = stored.last()
        # One insert and three updates of that row, each answered with the same receipt.
        assert sorted(created for _d, created in results) == [False, False, False, True]
        assert {d.receipt for d, _created in results} == {row.receipt} and row.version == senders
