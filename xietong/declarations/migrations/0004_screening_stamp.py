"""The screening stamp and the triggers that renew it (see models.ScreeningStamp).

A random token rather than a counter: a rolled-back change puts the old token back, and a counter would then
give the next change a number some process may already hold with other data.
"""

from django.db import migrations, models

# (table, PostgreSQL event list): a notice matters only when it is added, removed, published or lifted.
WATCHED = [
    ("declarations_ruleedition", "INSERT OR UPDATE OR DELETE OR TRUNCATE"),
    ("declarations_tierrule", "INSERT OR UPDATE OR DELETE OR TRUNCATE"),
    ("declarations_notice", "INSERT OR UPDATE OF state, lifted_on OR DELETE OR TRUNCATE"),
    ("declarations_riskarea", "INSERT OR UPDATE OR DELETE OR TRUNCATE"),
]
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION declarations_renew_screening_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO declarations_screeningstamp (id, token) VALUES (1, md5(random()::text || clock_timestamp()::text))
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END $$
"""
SQLITE_RENEW = "INSERT OR REPLACE INTO declarations_screeningstamp (id, token) VALUES (1, lower(hex(randomblob(16))))"


def create_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_FUNCTION)
            for table, events in WATCHED:
                cursor.execute(
                    f"CREATE TRIGGER {table}_screening_stamp AFTER {events} ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION declarations_renew_screening_stamp()"
                )
        else:
            # SQLite has row triggers only, one per event; its UPDATE OF names the notice's columns as above.
            for table, _events in WATCHED:
                for event in ("INSERT", "DELETE", "UPDATE"):
                    on = "UPDATE OF state, lifted_on" if table == "declarations_notice" and event == "UPDATE" else event
                    cursor.execute(
                        f"CREATE TRIGGER {table}_screening_stamp_{event.lower()} AFTER {on} ON {table} "
                        f"BEGIN {SQLITE_RENEW}; END"
                    )
        cursor.execute(
            "INSERT INTO declarations_screeningstamp (id, token) VALUES (1, %s)", ["00000000000000000000000000000000"]
        )


def drop_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table, _events in WATCHED:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_screening_stamp ON {table}")
            else:
                for event in ("insert", "delete", "update"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_screening_stamp_{event}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS declarations_renew_screening_stamp()")


class Migration(migrations.Migration):
    dependencies = [("declarations", "0003_partition_by_arrival")]

    operations = [
        migrations.CreateModel(
            name="ScreeningStamp",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("token", models.CharField(max_length=32)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
