"""Reminders and the escalation ladder: which rules fire today, as set-based SQL.

Rules (each fires at most once per matter, rule and period — the unique key on Reminder decides,
so two workers running at once send each reminder once):
- due: 7 days and 1 day before the due date, to the lead and co-units;
- milestone: 3 days before a milestone's due date, to the lead unit;
- report: in the last 3 days of each reporting period, to each participating unit that has not
  reported in that period.

Past the due date the escalation ladder takes over (`EscalationLadder`, dated data in the admin;
common practice by default). It replaced weekly overdue reminders to the managers and the office
(kinds overdue_manager and overdue_office, kept for the rows they left):
- urging: a 催办单 to the lead unit on the `urge_after_working_days`-th working day after the due
  date, to be answered within `reply_working_days` working days (once per due date: an extension
  that moves the date starts the ladder again);
- escalated: a 催办单 not answered by its reply deadline goes to the urged unit's leaders (managers);
- named: `name_after_working_days` working days after that escalation, a matter still overdue is
  named in the next bulletin (the office and the lead unit are told).
Working days follow the official calendar (`xietong.core.workdays`).

This module only says what is due; `actions.do_send_reminders` writes it. Every rule is one SELECT
with dates computed here in Python, so the statements run unchanged on PostgreSQL and SQLite and
the run's cost does not grow with per-matter round trips.
"""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_noop

from xietong.core import workdays
from xietong.core.models import Role

from .models import (
    CoUnit,
    EscalationLadder,
    Frequency,
    Matter,
    Milestone,
    ProgressReport,
    Reminder,
    ReminderKind,
    ReportStatus,
    State,
    Urging,
)

DUE_THRESHOLDS = (1, 7)  # ascending: the nearest threshold reached names the reminder
MILESTONE_DAYS = 3
REPORT_WINDOW_DAYS = 3

OPEN = [State.ASSIGNED, State.IN_PROGRESS, State.SUBMITTED]
# A matter submitted for verification waits for the office: nobody urges the unit about it.
UNDER_WAY = [State.ASSIGNED, State.IN_PROGRESS]

# Who is told of each kind: the unit stored on the reminder, with at least this role.
ROLE = {ReminderKind.ESCALATED: Role.MANAGER}
# Kinds that also go to every co-unit, and kinds the coordination office hears of.
TO_CO_UNITS = {ReminderKind.DUE}
TO_OFFICE = {ReminderKind.NAMED}

TITLES = {
    ReminderKind.DUE: gettext_noop("%(title)s: due on %(due)s"),
    ReminderKind.MILESTONE_DUE: gettext_noop("%(title)s: a milestone is due soon"),
    ReminderKind.REPORT: gettext_noop("%(title)s: progress report due this period"),
    ReminderKind.URGING: gettext_noop("催办单 issued: %(title)s was due on %(due)s"),
    ReminderKind.ESCALATED: gettext_noop("催办单 not answered in time: %(title)s (due %(due)s)"),
    ReminderKind.NAMED: gettext_noop("To be named in the next bulletin: %(title)s (due %(due)s)"),
}
# Inbox rows of the weekly overdue reminders the ladder replaced still carry these keys.
EARLIER_TITLES = [
    gettext_noop("Overdue: %(title)s (due %(due)s)"),
    gettext_noop("Escalated, overdue: %(title)s (due %(due)s)"),
]
# The text of a 催办单 the ladder issues, stored as written (like a person's), in the offices' language.
URGING_TEXT = "该事项已超过办理期限，请抓紧办理，并在回复期限内书面回复办理情况。"


def ladder_on(day):
    """The escalation ladder in force on `day` (the defaults when the operator has entered none)."""
    return EscalationLadder.objects.filter(effective_from__lte=day).order_by("-effective_from").first() or (
        EscalationLadder(effective_from=datetime.date.min)
    )


# Fortnights are counted from one fixed Monday, not from ISO week numbers: an ISO year of 53 weeks
# (2020, 2026, 2032) would otherwise end in a fortnight that overlaps the next year's first one.
# 2025-12-29 starts ISO week 2026-W01, so the fortnights of 2026 pair the weeks as before.
BIWEEKLY_ANCHOR = datetime.date(2025, 12, 29)


def period_bounds(frequency, day):
    """The reporting period that contains `day`: (start, end, key).

    Periods of one frequency tile the calendar: each day lies in exactly one, and each key names
    exactly one period, across year ends too.
    """
    if frequency == "weekly":
        start = day - datetime.timedelta(days=day.weekday())
        iso_year, iso_week, _weekday = day.isocalendar()
        return start, start + datetime.timedelta(days=6), f"{iso_year}-W{iso_week:02d}"
    if frequency == "biweekly":
        start = BIWEEKLY_ANCHOR + datetime.timedelta(days=14 * ((day - BIWEEKLY_ANCHOR).days // 14))
        return start, start + datetime.timedelta(days=13), f"B{start.isoformat()}"
    if frequency == "quarterly":
        quarter = (day.month - 1) // 3
        start = datetime.date(day.year, 3 * quarter + 1, 1)
        end = datetime.date(day.year + (quarter == 3), (3 * quarter + 3) % 12 + 1, 1) - datetime.timedelta(days=1)
        return start, end, f"{day.year}-Q{quarter + 1}"
    start = day.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return start, end, f"{day:%Y-%m}"


def latest_day_reaching(today, working_days):
    """The latest day d with add_working_days(d, working_days) ≤ today: what lies that far behind today.

    add_working_days is non-decreasing in d, so walking back from today finds it in a few steps.
    """
    day = today
    while workdays.add_working_days(day, working_days) > today:
        day -= datetime.timedelta(days=1)
    return day


def start_of(day):
    """The first instant of a local day, for comparing stored times with calendar days."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass(frozen=True)
class Plan:
    """The dates today's rules compare with, worked out once per run."""

    today: datetime.date
    ladder: EscalationLadder
    urge_due_by: datetime.date  # a matter due on or before this day gets its 催办单 today
    reply_due: datetime.date  # the reply deadline of a 催办单 issued today
    name_reply_due_by: datetime.date  # escalated 催办单 with a deadline up to this day name their matter

    @classmethod
    def on(cls, today):
        ladder = ladder_on(today)
        return cls(
            today=today,
            ladder=ladder,
            urge_due_by=latest_day_reaching(today, max(ladder.urge_after_working_days, 1)),
            reply_due=workdays.add_working_days(today, ladder.reply_working_days),
            # Escalation comes on the first working day after the deadline, naming N working days later.
            name_reply_due_by=latest_day_reaching(today, 1 + ladder.name_after_working_days),
        )


def table(model):
    return connection.ops.quote_name(model._meta.db_table)


def iso_date(column):
    """A date column as YYYY-MM-DD text (SQLite stores dates as that text already)."""
    return f"to_char({column}, 'YYYY-MM-DD')" if connection.vendor == "postgresql" else column


def _in(values):
    return "(" + ", ".join(["%s"] * len(values)) + ")"


def candidates_sql(plan):
    """One SELECT of (matter_id, kind, period_key, unit_id) for every rule that applies on `plan.today`.

    unit_id is the unit told (NULL: the office only); the unique key (matter, kind, period_key) then
    decides what is new.
    """
    today = plan.today
    # Dates and times in each database's own form (SQLite compares them as text).
    day, instant = connection.ops.adapt_datefield_value, connection.ops.adapt_datetimefield_value
    m, c, ms, r, u, rem = (table(x) for x in (Matter, CoUnit, Milestone, ProgressReport, Urging, Reminder))
    params = []
    parts = []

    # Before the due date.
    soon, tomorrow = today + datetime.timedelta(days=DUE_THRESHOLDS[-1]), today + datetime.timedelta(days=1)
    parts.append(
        f"SELECT m.id AS matter_id, %s AS kind, "
        f"CASE WHEN m.due_date <= %s THEN 'due:1' ELSE 'due:7' END AS period_key, m.lead_unit_id AS unit_id "
        f"FROM {m} m "
        f"WHERE m.state IN {_in(OPEN)} AND m.due_date >= %s AND m.due_date <= %s"
    )
    params += [ReminderKind.DUE.value, day(tomorrow), *map(str, OPEN), day(today), day(soon)]

    parts.append(
        f"SELECT ms.matter_id, %s, 'milestone:' || ms.id, m.lead_unit_id FROM {ms} ms "
        f"JOIN {m} m ON m.id = ms.matter_id WHERE ms.done_on IS NULL AND ms.due_date >= %s AND ms.due_date <= %s "
        f"AND m.state IN {_in(UNDER_WAY)}"
    )
    params += [ReminderKind.MILESTONE_DUE.value, day(today), day(today + datetime.timedelta(days=MILESTONE_DAYS))]
    params += [str(s) for s in UNDER_WAY]

    # Reports owed at the end of each reporting period, per participating unit.
    for frequency in Frequency:
        start, end, key = period_bounds(frequency, today)
        if (end - today).days >= REPORT_WINDOW_DAYS:
            continue
        participants = (
            f"SELECT m.id AS matter_id, m.lead_unit_id AS unit_id FROM {m} m "
            f"WHERE m.reporting_frequency = %s AND m.state IN {_in(UNDER_WAY)} "
            f"UNION ALL SELECT c.matter_id, c.unit_id FROM {c} c JOIN {m} m ON m.id = c.matter_id "
            f"WHERE m.reporting_frequency = %s AND m.state IN {_in(UNDER_WAY)}"
        )
        parts.append(
            f"SELECT p.matter_id, %s, 'report:' || p.unit_id || ':' || %s, p.unit_id FROM ({participants}) p "
            f"WHERE NOT EXISTS (SELECT 1 FROM {r} r WHERE r.matter_id = p.matter_id AND r.unit_id = p.unit_id "
            f"AND r.submitted_at >= %s AND r.submitted_at < %s AND r.status <> %s)"
        )
        params += [ReminderKind.REPORT.value, key, frequency.value, *map(str, UNDER_WAY)]
        params += [frequency.value, *map(str, UNDER_WAY)]
        params += [instant(start_of(start)), instant(start_of(end + datetime.timedelta(days=1)))]
        params.append(ReportStatus.WITHDRAWN.value)

    # The ladder: 催办单, escalation of unanswered ones, naming in the bulletin.
    parts.append(
        f"SELECT m.id, %s, 'due:' || {iso_date('m.due_date')}, m.lead_unit_id FROM {m} m "
        f"WHERE m.state IN {_in(UNDER_WAY)} AND m.due_date <= %s"
    )
    params += [ReminderKind.URGING.value, *map(str, UNDER_WAY), day(plan.urge_due_by)]
    parts.append(
        f"SELECT u.matter_id, %s, 'urging:' || u.id, u.unit_id FROM {u} u JOIN {m} m ON m.id = u.matter_id "
        f"WHERE u.replied_at IS NULL AND u.reply_due < %s AND m.state IN {_in(UNDER_WAY)}"
    )
    params += [ReminderKind.ESCALATED.value, day(today), *map(str, UNDER_WAY)]
    # Named: still overdue, with a 催办单 about the current due date (deadline after it) that was
    # escalated and whose deadline lies far enough back.
    parts.append(
        f"SELECT m.id, %s, 'due:' || {iso_date('m.due_date')}, m.lead_unit_id FROM {m} m "
        f"WHERE m.state IN {_in(UNDER_WAY)} AND m.due_date < %s AND EXISTS ("
        f"SELECT 1 FROM {u} u JOIN {rem} e ON e.matter_id = u.matter_id AND e.kind = %s "
        f"AND e.period_key = 'urging:' || u.id "
        f"WHERE u.matter_id = m.id AND u.reply_due > m.due_date AND u.reply_due <= %s)"
    )
    params += [ReminderKind.NAMED.value, *map(str, UNDER_WAY), day(today), ReminderKind.ESCALATED.value]
    params.append(day(plan.name_reply_due_by))
    return " UNION ALL ".join(parts), params


def candidates(today):
    """The (matter_id, kind, period_key, unit_id) rows due on `today` (sent or not): for tests and checks."""
    sql, params = candidates_sql(Plan.on(today))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(matter_id, kind, key, unit_id) for matter_id, kind, key, unit_id in cursor.fetchall()]
