"""The reminder and escalation run over 100,000 matters and 1,000,000 reports (target ≤ 2 s), on PostgreSQL.

The data is written by the database itself (INSERT … SELECT FROM generate_series), so the set-up stays
bounded: 100,000 matters over 41 lead units with co-units on a third, 1,000,000 progress reports.

Runs measured, each in its own transaction as the periodic task runs them:
- the first run on a fresh database: every due reminder, overdue escalation and 催办单 at once (a backlog
  no production day has, printed for scale);
- the same day again: finds everything sent (each reminder once);
- the next day: a day's reminders and 催办单;
- three weeks later: the ladder escalates every 催办单 left unanswered and names their matters.
Baseline, measured in the same run: reading the open matters' columns once (`values_list`), the floor
for any run that looks at every open matter.
"""

import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pg import drop, setup_django  # noqa: E402

MATTERS = 100_000
REPORTS = 1_000_000
TARGET_S = 2.0
TODAY = datetime.date(2025, 9, 15)  # a Monday


def main():
    database = setup_django("reminders")
    try:
        run()
    finally:
        drop(database)


def build():
    from django.contrib.auth import get_user_model
    from django.db import connection

    from xietong.core.actions import do_create_unit, do_set_membership
    from xietong.core.models import Role, UnitKind
    from xietong.supervision.models import SUB_AREAS

    office = do_create_unit(name="办公室", kind=UnitKind.OFFICE, slug="office")
    User = get_user_model()
    do_set_membership(user=User.objects.create(username="office"), unit=office, role=Role.MANAGER)
    leads = []
    for i in range(5):
        city = do_create_unit(name=f"市{i}", kind=UnitKind.CITY, parent=office, slug=f"c{i}")
        leads.append(city)
        for j in range(8):
            leads.append(do_create_unit(name=f"市{i}区{j}", kind=UnitKind.DISTRICT, parent=city, slug=f"c{i}-{j}"))
    for unit in leads:
        for role in (Role.STAFF, Role.MANAGER):
            do_set_membership(user=User.objects.create(username=f"u{unit.pk}-{role}"), unit=unit, role=role)
    ids = "ARRAY[" + ",".join(str(u.pk) for u in leads) + "]"
    domains = "ARRAY[" + ",".join(f"'{d.value}'" for d in SUB_AREAS) + "]"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO supervision_matter (id, code, title, description, domain, sub_area, source, source_id,
                lead_unit_id, lead_share, start_date, due_date, priority, reporting_frequency, state, state_reason,
                completed_on, verification_override, weight, progress, public, version, created_at, updated_at)
            SELECT g, 'M' || lpad(g::text, 6, '0'), '事项' || g, '', ({domains})[1 + g %% 6], '', 'manual', '',
                ({ids})[1 + g %% {len(leads)}], 1, d - 120, d, 1,
                (ARRAY['weekly','biweekly','monthly','quarterly'])[1 + (g * 31) %% 4], s, '',
                CASE WHEN s = 'done' THEN d END, '', 1, (g * 17) %% 100, false, 1, now(), now()
            FROM (SELECT g, %s::date + ((g * 7919) %% 271 - 90) AS d,
                         (ARRAY['assigned','in_progress','in_progress','submitted','done'])[1 + (g * 13) %% 5] AS s
                  FROM generate_series(1, %s) g) x
            """,
            [TODAY, MATTERS],
        )
        cursor.execute("SELECT setval(pg_get_serial_sequence('supervision_matter', 'id'), %s)", [MATTERS])
        cursor.execute(
            f"INSERT INTO supervision_counit (matter_id, unit_id, share, part) "
            f"SELECT id, ({ids})[1 + (id + 9) % {len(leads)}], 1, '' FROM supervision_matter WHERE id % 3 = 0"
        )
        # Reports of the lead unit, spread over the last 200 days; indexes are built once after the load,
        # which is several times faster than maintaining them row by row.
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'supervision_progressreport' "
            "AND indexname NOT LIKE '%pkey'"
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(
            """
            INSERT INTO supervision_progressreport (matter_id, unit_id, period_start, period_end, text, percent,
                status, submitted_at, review_comment)
            SELECT m.id, m.lead_unit_id, (now() - (g %% 200) * interval '1 day')::date - 30,
                (now() - (g %% 200) * interval '1 day')::date, '本期完成前期工作。', g %% 100,
                (ARRAY['accepted','accepted','submitted','returned'])[1 + g %% 4],
                now() - (g %% 200) * interval '1 day', ''
            FROM generate_series(1, %s) g JOIN supervision_matter m ON m.id = 1 + (g::bigint * 7919) %% %s
            """,
            [REPORTS, MATTERS],
        )
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("ANALYZE")


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def run():
    from django.urls import get_resolver

    from xietong.supervision.actions import do_send_reminders
    from xietong.supervision.models import Matter, Reminder, Urging

    started = time.perf_counter()
    build()
    print(f"set-up: {MATTERS:,} matters, {REPORTS:,} progress reports in {time.perf_counter() - started:.1f} s")

    # The run names each matter's page by reversing its URL, and the first reverse in a process imports every
    # URL module of the site: a worker pays that once when it starts, not at each run, so it is timed apart.
    warm, _ = timed(lambda: get_resolver().url_patterns)
    print(f"importing the site's URLs (once per worker process): {warm:.2f} s")

    open_matters = Matter.objects.filter(state__in=["assigned", "in_progress", "submitted"])
    baseline, _ = timed(
        lambda: list(open_matters.values_list("id", "lead_unit_id", "due_date", "reporting_frequency", "state"))
    )
    print(f"baseline (reading the {open_matters.count():,} open matters once): {baseline:.3f} s")

    def measure(label, day):
        elapsed, sent = timed(lambda: do_send_reminders(today=day))
        verdict = "meets" if elapsed <= TARGET_S else "MISSES"
        print(
            f"{label} ({day}): {elapsed:.2f} s = {elapsed / baseline:.1f} × baseline, {sent:,} sent; "
            f"target {TARGET_S:.0f} s ({verdict})"
        )
        return sent

    measure("first run, a fresh database's backlog", TODAY)
    again = measure("the same day again", TODAY)
    assert again == 0, again
    measure("reminder_run: the next day", TODAY + datetime.timedelta(days=1))
    measure("three weeks on: escalation and naming", TODAY + datetime.timedelta(days=21))
    print(
        f"stored: {Reminder.objects.count():,} reminders, {Urging.objects.count():,} 催办单 "
        f"(each once: {Reminder.objects.values('matter', 'kind', 'period_key').distinct().count():,} distinct keys)"
    )


if __name__ == "__main__":
    main()
