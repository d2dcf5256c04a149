"""Monthly partitions of declarations and their stops (PostgreSQL), created ahead and dropped when purged.

Migration 0003 partitions both tables by arrival date, one partition a month plus a default one for
any month nobody created. `ensure_partitions` (a daily task and `manage.py declaration_partitions`)
creates the coming months; a month whose rows already sit in the default partition is moved into its
own. `purge_months` is the retention purge's second step (registered with core.personal): a month
in which every declaration's personal data has already been purged is removed whole — on PostgreSQL
by dropping its partitions, on SQLite (plain tables) by deleting its rows — with the matches,
measures, hand-overs and timeline entries that belong to it.
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone

from xietong.core import personal
from xietong.core.models import TimelineEvent

from .models import Declaration, Handover, Match, Measure, Stop

TABLES = [Declaration._meta.db_table, Stop._meta.db_table]
MONTHS_AHEAD = 3


def month_of(day):
    return day.replace(day=1)


def next_month(month):
    return (month + datetime.timedelta(days=32)).replace(day=1)


def partition_name(table, month):
    return f"{table}_p{month:%Y_%m}"


def partitioned():
    return connection.vendor == "postgresql"


def months_with_partitions(table):
    """{first day of month: partition name} of the table's monthly partitions."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [table],
        )
        names = [row[0] for row in cursor.fetchall()]
    prefix = f"{table}_p"
    return {
        datetime.date(int(name[len(prefix) : len(prefix) + 4]), int(name[-2:]), 1): name
        for name in names
        if name.startswith(prefix)
    }


def ensure_partitions(today=None, months_ahead=MONTHS_AHEAD):
    """Create the partitions of this month and the next ones; returns the names created (none on SQLite)."""
    if not partitioned():
        return []
    month = month_of(today or timezone.localdate())
    wanted = [month]
    for _ in range(months_ahead):
        wanted.append(next_month(wanted[-1]))
    created = []
    for table in TABLES:
        have = months_with_partitions(table)
        for month in wanted:
            if month not in have:
                created.append(_create(table, month))
    return created


def _create(table, month):
    """A month's partition, taking over the rows the default partition holds for it, in one transaction."""
    name, end = partition_name(table, month), next_month(month)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        # Attaching checks that the default partition holds no row of the month: move them first.
        cursor.execute(
            f"WITH moved AS (DELETE FROM {table}_default WHERE arrival_date >= %s AND arrival_date < %s "
            f"RETURNING *) INSERT INTO {name} SELECT * FROM moved",
            [month, end],
        )
        cursor.execute(f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", [month, end])
    return name


def drop_month(month):
    """Remove a month of declarations with everything that belongs to them; returns declarations removed."""
    end = next_month(month)
    with transaction.atomic():
        ids = Declaration.objects.filter(arrival_date__gte=month, arrival_date__lt=end).values("pk")
        count = ids.count()
        Match.objects.filter(declaration_id__in=ids).delete()
        Measure.objects.filter(declaration_id__in=ids).delete()
        Handover.objects.filter(declaration_id__in=ids).delete()
        TimelineEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Declaration),
            # The timeline keys objects by text.
            object_id__in=Declaration.objects.filter(arrival_date__gte=month, arrival_date__lt=end)
            .annotate(key=Cast("pk", output_field=CharField()))
            .values("key"),
        ).delete()
        if partitioned():
            with connection.cursor() as cursor:
                # A table with foreign-key checks still deferred in this transaction cannot be dropped:
                # run them now (Django's constraints are deferred until commit otherwise).
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for table in TABLES:
                    name = months_with_partitions(table).get(month)
                    if name:
                        cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {name}")
                        cursor.execute(f"DROP TABLE {name}")
                    # Rows of the month that landed in the default partition go the plain way.
                    cursor.execute(
                        f"DELETE FROM {table}_default WHERE arrival_date >= %s AND arrival_date < %s", [month, end]
                    )
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            Stop.objects.filter(arrival_date__gte=month, arrival_date__lt=end).delete()
            Declaration.objects.filter(arrival_date__gte=month, arrival_date__lt=end).delete()
    return count


def purge_months(now):
    """Drop every month past retention whose declarations have all had their personal data purged.

    A month qualifies when it ended before the retention cutoff and before the earliest arrival a
    declaration may still be made for (actions.MAX_DAYS_BACK), and none of its rows still holds
    personal data (a person still under measures keeps the whole month).
    """
    from .actions import MAX_DAYS_BACK

    days = getattr(settings, "DECLARATION_RETENTION_DAYS", settings.PERSONAL_DATA_RETENTION_DAYS)
    today = timezone.localdate(now)
    cutoff = min(today - datetime.timedelta(days=days), today - datetime.timedelta(days=MAX_DAYS_BACK))
    old = Declaration.objects.filter(arrival_date__lt=month_of(cutoff))
    months = {month_of(day) for day in old.dates("arrival_date", "month")}
    if partitioned():
        months |= {m for m in months_with_partitions(Declaration._meta.db_table) if next_month(m) <= cutoff}
    held = {month_of(day) for day in old.filter(purged_at__isnull=True).dates("arrival_date", "month")}
    return sum(drop_month(month) for month in sorted(months - held))


personal.register_purge("declarations.partitions", purge_months)
