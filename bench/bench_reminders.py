"""A reminder run over 100,000 open matters (target ≤ 10 s), on PostgreSQL.

Baseline, measured in the same run: reading the same matters' rows once
(`values_list` of the columns the run needs) — the floor for any run that looks
at every open matter.
"""

import datetime
import random
import time

from _pg import drop, setup_django

MATTERS = 100_000


def main():
    database = setup_django("reminders")
    try:
        run(database)
    finally:
        drop(database)


def run(database):
    from django.contrib.auth import get_user_model
    from django.db import connection

    from xietong.core.actions import do_create_unit, do_set_membership
    from xietong.core.models import Role, UnitKind
    from xietong.supervision.models import CoUnit, Matter, Reminder
    from xietong.supervision.reminders import run_reminders

    rng = random.Random(7)
    office = do_create_unit(name="办公室", kind=UnitKind.OFFICE, slug="office")
    cities = [do_create_unit(name=f"市{i}", kind=UnitKind.CITY, parent=office, slug=f"c{i}") for i in range(5)]
    User = get_user_model()
    for i, city in enumerate(cities):
        for role in (Role.STAFF, Role.MANAGER):
            user = User.objects.create(username=f"u{i}-{role}")
            do_set_membership(user=user, unit=city, role=role)
    do_set_membership(user=User.objects.create(username="office"), unit=office, role=Role.MANAGER)

    today = datetime.date(2022, 9, 15)
    started = time.perf_counter()
    rows = []
    for i in range(MATTERS):
        due = today + datetime.timedelta(days=rng.randint(-90, 180))
        rows.append(
            Matter(
                code=f"M{i:06d}",
                title=f"事项{i}",
                domain="infrastructure",
                lead_unit=cities[i % 5],
                start_date=due - datetime.timedelta(days=120),
                due_date=due,
                state=rng.choice(["assigned", "in_progress", "in_progress", "submitted", "done"]),
                reporting_frequency=rng.choice(["weekly", "biweekly", "monthly", "quarterly"]),
            )
        )
    Matter.objects.bulk_create(rows, batch_size=5000)
    ids = list(Matter.objects.values_list("id", flat=True))
    CoUnit.objects.bulk_create(
        [CoUnit(matter_id=m, unit=cities[(m + 1) % 5]) for m in ids if m % 3 == 0], batch_size=5000
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"set-up: {MATTERS} matters in {time.perf_counter() - started:.1f} s")

    baseline_started = time.perf_counter()
    list(
        Matter.objects.filter(state__in=["assigned", "in_progress", "submitted"]).values_list(
            "id", "lead_unit_id", "due_date", "reporting_frequency", "state"
        )
    )
    baseline = time.perf_counter() - baseline_started

    started = time.perf_counter()
    sent = run_reminders(today)
    elapsed = time.perf_counter() - started
    again_started = time.perf_counter()
    resent = run_reminders(today)
    again = time.perf_counter() - again_started

    print(
        f"reminder run over {MATTERS} matters: {elapsed:.2f} s, {sent} reminders sent "
        f"({Reminder.objects.count()} stored); target ≤ 10 s"
    )
    print(f"second run the same day: {again:.2f} s, {resent} sent (each reminder once per rule and period)")
    print(f"baseline (reading the open matters once): {baseline:.3f} s")
    print(f"reminder_run_ratio: {elapsed / baseline:.1f} × baseline ({elapsed:.2f} s vs target 10 s)")


if __name__ == "__main__":
    main()
