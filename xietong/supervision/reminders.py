"""Reminders and escalation, run periodically over every open matter.

Rules (each fires at most once per matter, rule and period — the unique key on
Reminder decides, so two workers running at once send each reminder once):
- due: 7 days and 1 day before the due date, to the lead and co-units;
- milestone: 3 days before a milestone's due date, to the lead unit;
- report: in the last 3 days of each reporting period, to each participating unit that
  has not reported in that period;
- overdue_manager: every overdue week, to the managers of the lead unit;
- overdue_office: from the second overdue week on, weekly, to the coordination office.

The run reads in a few set-based queries and writes in batches, so its cost grows
with the number of reminders due, not with per-matter round trips.
"""

import datetime
from collections import defaultdict

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from xietong.core.models import Role
from xietong.core.notify import notify_bulk, office_units, recipient_ids_by_unit

from .actions import period_bounds
from .models import CoUnit, Matter, Milestone, ProgressReport, Reminder, ReminderKind, State

DUE_THRESHOLDS = (1, 7)  # ascending: the nearest threshold reached names the reminder
MILESTONE_DAYS = 3
REPORT_WINDOW_DAYS = 3
OFFICE_AFTER_DAYS = 7
BATCH = 2000


def open_matters():
    """The columns the rules need, for every open matter, in one query."""
    return list(
        Matter.objects.filter(state__in=[State.ASSIGNED, State.IN_PROGRESS, State.SUBMITTED]).values_list(
            "id", "lead_unit_id", "due_date", "reporting_frequency", "state", "title"
        )
    )


def candidates(today, matters=None):
    """(matter_id, kind, period_key, unit_ids or None for the office) for every rule that applies today."""
    matters = open_matters() if matters is None else matters
    co_units = defaultdict(list)
    for matter_id, unit_id in CoUnit.objects.filter(
        matter__state__in=[State.ASSIGNED, State.IN_PROGRESS, State.SUBMITTED]
    ).values_list("matter_id", "unit_id"):
        co_units[matter_id].append(unit_id)

    # Which units already reported in their current period: one query over recent reports.
    earliest_period_start = today - datetime.timedelta(days=100)
    report_days = defaultdict(list)
    for matter_id, unit_id, submitted_at in ProgressReport.objects.filter(
        submitted_at__date__gte=earliest_period_start,
        matter__state__in=[State.ASSIGNED, State.IN_PROGRESS, State.SUBMITTED],
    ).values_list("matter_id", "unit_id", "submitted_at"):
        report_days[(matter_id, unit_id)].append(timezone.localtime(submitted_at).date())
    periods = {}

    milestones = defaultdict(list)
    for matter_id, ms_id, due in Milestone.objects.filter(
        done_on__isnull=True,
        due_date__gte=today,
        due_date__lte=today + datetime.timedelta(days=MILESTONE_DAYS),
        matter__state__in=[State.ASSIGNED, State.IN_PROGRESS],
    ).values_list("matter_id", "id", "due_date"):
        milestones[matter_id].append((ms_id, due))

    out = []
    for matter_id, lead_id, due, frequency, state, _title in matters:
        units = [lead_id, *co_units.get(matter_id, ())]
        days_left = (due - today).days
        if days_left >= 0:
            for threshold in DUE_THRESHOLDS:
                if days_left <= threshold:
                    out.append((matter_id, ReminderKind.DUE, f"due:{threshold}", units))
                    break
        else:
            week = f"{today.isocalendar()[0]}-W{today.isocalendar()[1]:02d}"
            out.append((matter_id, ReminderKind.OVERDUE_MANAGER, week, [lead_id]))
            if -days_left > OFFICE_AFTER_DAYS:
                out.append((matter_id, ReminderKind.OVERDUE_OFFICE, week, None))
        for ms_id, _due in milestones.get(matter_id, ()):
            out.append((matter_id, ReminderKind.MILESTONE_DUE, f"milestone:{ms_id}", [lead_id]))
        if state == State.SUBMITTED:
            continue  # waiting for the office: no report is owed
        key = (frequency, today)
        if key not in periods:
            periods[key] = period_bounds(frequency, today)
        start, end, period_key = periods[key]
        if (end - today).days < REPORT_WINDOW_DAYS:
            for unit_id in units:
                if not any(start <= d <= end for d in report_days.get((matter_id, unit_id), ())):
                    out.append((matter_id, ReminderKind.REPORT, f"report:{unit_id}:{period_key}", [unit_id]))
    return out


def _claim(rows, now):
    """Insert reminder rows, skipping those that exist; return the keys this call inserted.

    INSERT … ON CONFLICT DO NOTHING RETURNING works on PostgreSQL and SQLite ≥ 3.35 alike,
    and under concurrency only one transaction gets a given key back.
    """
    table = Reminder._meta.db_table
    claimed = set()
    with connection.cursor() as cursor:
        for i in range(0, len(rows), BATCH):
            chunk = rows[i : i + BATCH]
            placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
            params = []
            for matter_id, kind, period_key, recipients in chunk:
                params += [matter_id, kind, period_key, now, "", recipients]
            cursor.execute(
                f"INSERT INTO {table} (matter_id, kind, period_key, sent_at, message, recipients) "
                f"VALUES {placeholders} ON CONFLICT (matter_id, kind, period_key) DO NOTHING "
                f"RETURNING matter_id, kind, period_key",
                params,
            )
            claimed.update((m, k, p) for m, k, p in cursor.fetchall())
    return claimed


TITLES = {
    ReminderKind.DUE: gettext_noop("%(title)s: due on %(due)s"),
    ReminderKind.MILESTONE_DUE: gettext_noop("%(title)s: a milestone is due soon"),
    ReminderKind.REPORT: gettext_noop("%(title)s: progress report due this period"),
    ReminderKind.OVERDUE_MANAGER: gettext_noop("Overdue: %(title)s (due %(due)s)"),
    ReminderKind.OVERDUE_OFFICE: gettext_noop("Escalated, overdue: %(title)s (due %(due)s)"),
}


def run_reminders(today=None):
    """Send every reminder due today that has not been sent; returns the number of reminders sent."""
    today = today or timezone.localdate()
    now = timezone.now()
    matters = open_matters()
    found = candidates(today, matters)
    if not found:
        return 0

    unit_ids = {u for *_, units in found if units for u in units}
    staff_of = recipient_ids_by_unit(unit_ids, min_role=Role.STAFF)
    managers_of = recipient_ids_by_unit(unit_ids, min_role=Role.MANAGER)
    office = set().union(*recipient_ids_by_unit([u.pk for u in office_units()], min_role=Role.STAFF).values())

    def recipients_for(kind, units):
        if units is None:
            return office
        pool = managers_of if kind == ReminderKind.OVERDUE_MANAGER else staff_of
        return set().union(*(pool[u] for u in units))

    rows = [(m, kind, key, len(recipients_for(kind, units))) for m, kind, key, units in found]
    sent = 0
    with transaction.atomic():
        claimed = _claim(rows, now)
        if not claimed:
            return 0
        about = {matter_id: (title, due) for matter_id, _lead, due, _f, _s, title in matters}
        notifications = []
        for matter_id, kind, key, units in found:
            if (matter_id, kind, key) not in claimed:
                continue
            sent += 1
            matter_title, due = about[matter_id]
            params = {"title": matter_title, "due": due.isoformat()}
            url = reverse("supervision:matter", args=[matter_id])
            for user_id in recipients_for(kind, units):
                notifications.append((user_id, f"reminder.{kind}", TITLES[kind], params, url))
        notify_bulk(notifications, at=now)
    return sent
