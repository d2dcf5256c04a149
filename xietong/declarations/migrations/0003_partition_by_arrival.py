"""On PostgreSQL, declarations and their stops become tables partitioned by month of arrival.

Old months are then purged by dropping a partition (see `partitions.py`), which removes a month of
personal data at once and leaves no dead rows behind. SQLite keeps the plain tables.

PostgreSQL requires a partitioned table's primary key and unique constraints to include the partition
key, so here:
- the primary key is (id, arrival_date); ids still come from one sequence, so `id` alone stays unique;
- the one-declaration-per-person-and-arrival rule is (id_index, arrival_date), as before;
- the receipt code is unique with its arrival date; new codes begin with the arrival date (see
  `models.receipt_code`), so two declarations can never share one across months either.
Nothing references these tables with a database constraint (the foreign keys to a declaration or a
stop have `db_constraint=False`), so the tables can be rebuilt in place: copy, drop, rename, and put
back every index and outgoing foreign key under its old name. Partitions for the months already
holding rows and the next months are created, with a default partition for anything else.
"""

import datetime

from django.db import migrations

TABLES = {
    # table: [(constraint name, columns)] of the unique constraints, rebuilt to include arrival_date
    "declarations_declaration": [
        ("declaration_unique_person_arrival", "id_index, arrival_date"),
        ("declarations_declaration_receipt_key", "receipt, arrival_date"),
    ],
    "declarations_stop": [],
}
MONTHS_AHEAD = 3


def _months(cursor, table, today):
    cursor.execute(f"SELECT DISTINCT date_trunc('month', arrival_date)::date FROM {table}")
    months = {row[0] for row in cursor.fetchall()}
    month = today.replace(day=1)
    for _ in range(MONTHS_AHEAD + 1):
        months.add(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return sorted(months)


def _next_month(month):
    return (month + datetime.timedelta(days=32)).replace(day=1)


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.utils import timezone

    today = timezone.localdate()
    with schema_editor.connection.cursor() as cursor:
        for table, uniques in TABLES.items():
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s",
                [table],
            )
            unique_names = {name for name, _columns in uniques} | {f"{table}_pkey"}
            indexes = [definition for name, definition in cursor.fetchall() if name not in unique_names]
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype = 'f'",
                [table],
            )
            foreign_keys = cursor.fetchall()
            months = _months(cursor, table, today)
            new = f"{table}_partitioned"
            cursor.execute(
                f"CREATE TABLE {new} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
                "PARTITION BY RANGE (arrival_date)"
            )
            cursor.execute(f"CREATE TABLE {table}_default PARTITION OF {new} DEFAULT")
            for month in months:
                cursor.execute(
                    f"CREATE TABLE {table}_p{month:%Y_%m} PARTITION OF {new} FOR VALUES FROM (%s) TO (%s)",
                    [month, _next_month(month)],
                )
            cursor.execute(f"INSERT INTO {new} SELECT * FROM {table}")
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            last_id = cursor.fetchone()[0]
            cursor.execute(f"DROP TABLE {table}")
            cursor.execute(f"ALTER TABLE {new} RENAME TO {table}")
            cursor.execute(f"CREATE SEQUENCE {table}_id_seq OWNED BY {table}.id")
            cursor.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq')")
            if last_id:
                cursor.execute("SELECT setval(%s, %s)", [f"{table}_id_seq", last_id])
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (id, arrival_date)")
            for name, columns in uniques:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE ({columns})")
            for definition in indexes:
                cursor.execute(definition)
            for name, definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")


class Migration(migrations.Migration):
    # The tables are rebuilt in one transaction: a failure leaves them as they were.
    atomic = True

    dependencies = [("declarations", "0002_ninth_edition")]

    operations = [migrations.RunPython(partition, migrations.RunPython.noop, elidable=False)]
