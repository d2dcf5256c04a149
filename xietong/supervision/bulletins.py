"""Supervision bulletins (督办通报): a period's completion and on-time rates by city and by domain.

A bulletin freezes the figures of its period when it is issued, so that what was sent
to the cities stays what it said, and the next bulletin can say what changed.

Definitions (for a period [start, end], looked at on the day `as_of` = min(today, end)):
- in scope: matters under way or done (not draft, suspended or cancelled), started by the end
  of the period and not already done before it began;
- done: verified as done by `as_of`; completion rate = done / in scope;
- due: in scope with a due date on or before `as_of`; on-time rate = due matters done by their
  due date / due matters (an overdue matter lowers it; one done early does not count yet). The due
  date of on-time rates is the original one unless an extension was granted before it passed
  (`Matter.on_time_due_date`); the overdue list follows the date in force;
- overdue: due before `as_of` and not done by then, with the days it is late on `as_of`.
A rate with nothing to divide by is None (shown as "—"), never a division by zero.

Beside the rates: 催办单 issued in the period per city, domain, urged unit and matter; matters verified
as done with a stated reason although conditions were unmet; and matters the escalation ladder named
in the period (a bulletin names those named since its period began, so consecutive bulletins name each
once).

The city of a matter is the city unit above its lead unit (found by path prefix); matters led by
units outside any city (the office, a task force) are grouped apart. Figures are counted in the
database (GROUP BY city and domain); only the overdue and done lists are read row by row.
"""

import datetime

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import StartsWith
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xietong.core.access import is_office, memberships_of
from xietong.core.models import Unit, UnitKind

from .models import Domain, Matter, Reminder, ReminderKind, State, Urging, local_today
from .reminders import ladder_on, start_of

SCOPE_STATES = [State.ASSIGNED, State.IN_PROGRESS, State.SUBMITTED, State.DONE]
NO_CITY = "none"
COUNTS = ["in_scope", "done", "due", "done_on_time", "overdue"]


def can_read_bulletins(user):
    """The office and the members of the city governments read bulletins; they are circulated to all cities."""
    if not user.is_authenticated:
        return False
    return is_office(user) or any(m.unit.kind == UnitKind.CITY for m in memberships_of(user))


def rate(numerator, denominator):
    return round(numerator / denominator, 4) if denominator else None


def _city_of_lead_unit(prefix=""):
    cities = Unit.objects.filter(StartsWith(OuterRef(f"{prefix}lead_unit__path"), F("path")), kind=UnitKind.CITY)
    return Subquery(cities.values("pk")[:1])


def _with_rates(row):
    row["completion_rate"] = rate(row["done"], row["in_scope"])
    row["on_time_rate"] = rate(row["done_on_time"], row["due"])
    return row


def _empty(**extra):
    return {**extra, **dict.fromkeys(COUNTS, 0)}


def compute(period_start, period_end, today=None):
    """The figures of a period as a JSON-ready dict (see the module's docstring for the definitions)."""
    today = today or local_today()
    as_of = min(today, period_end)
    done = Q(state=State.DONE, completed_on__lte=as_of)
    due = Q(counted_due__lte=as_of)
    scope = (
        Matter.objects.filter(state__in=SCOPE_STATES, start_date__lte=period_end)
        .exclude(completed_on__lt=period_start)
        .annotate(counted_due=Coalesce("on_time_due_date", "due_date"))
    )
    grouped = (
        scope.annotate(city_id=_city_of_lead_unit())
        .values("city_id", "domain")
        .annotate(
            in_scope=Count("pk"),
            done=Count("pk", filter=done),
            due=Count("pk", filter=due),
            done_on_time=Count("pk", filter=done & due & Q(completed_on__lte=F("counted_due"))),
            overdue=Count("pk", filter=Q(due_date__lt=as_of) & ~done),
        )
        .order_by()
    )

    cities = {str(c.pk): c for c in Unit.objects.filter(kind=UnitKind.CITY).order_by("sort_order", "pk")}
    by_city = {
        key: _empty(key=key, unit_id=city.pk, name=city.name, name_en=city.name_en) for key, city in cities.items()
    }
    by_domain = {d.value: _empty(key=d.value, domain=d.value) for d in Domain}
    totals = _empty()
    by_city_domain = []
    for row in grouped:
        key = str(row["city_id"]) if row["city_id"] else NO_CITY
        if key not in by_city:
            by_city[key] = _empty(key=key, unit_id=None, name="", name_en="")
        cell = {name: row[name] for name in COUNTS}
        by_city_domain.append(_with_rates({"city": key, "domain": row["domain"], **cell}))
        for target in (by_city[key], by_domain.setdefault(row["domain"], _empty(key=row["domain"])), totals):
            for name in COUNTS:
                target[name] += cell[name]

    overdue = [
        {
            "id": m.pk,
            "code": m.code,
            "title": m.title,
            "lead_unit": m.lead_unit.name,
            "city": str(m.city_id) if m.city_id else NO_CITY,
            "domain": m.domain,
            "due_date": m.due_date.isoformat(),
            "days_overdue": (as_of - m.due_date).days,
            "progress": m.progress,
        }
        for m in scope.filter(Q(due_date__lt=as_of) & ~done)
        .annotate(city_id=_city_of_lead_unit())
        .select_related("lead_unit")
        .order_by("due_date", "code")
    ]
    done_list = [
        {
            "id": m.pk,
            "code": m.code,
            "title": m.title,
            "lead_unit": m.lead_unit.name,
            "city": str(m.city_id) if m.city_id else NO_CITY,
            "domain": m.domain,
            "on_time": m.completed_on <= m.counted_due,
            "override": m.verification_override,
        }
        for m in scope.filter(done)
        .annotate(city_id=_city_of_lead_unit())
        .select_related("lead_unit")
        .only("pk", "code", "title", "domain", "completed_on", "due_date", "verification_override", "lead_unit__name")
        .order_by("completed_on", "code")
    ]
    ladder = _ladder_figures(scope, period_start, as_of, by_city, by_domain, totals)
    return {
        "period_start": period_start.isoformat(),
        "period_end": period_end.isoformat(),
        "as_of": as_of.isoformat(),
        "totals": _with_rates(totals),
        "by_city": [_with_rates(row) for row in by_city.values()],
        "by_domain": [_with_rates(row) for row in by_domain.values()],
        "by_city_domain": by_city_domain,
        "overdue": overdue,
        "done": done_list,
        "overrides": [item for item in done_list if item["override"]],
        **ladder,
    }


def _ladder_figures(scope, period_start, as_of, by_city, by_domain, totals):
    """催办单 of the period (adding `urgings` to the city, domain and total rows) and the matters named."""
    issued = Q(issued_at__gte=start_of(period_start), issued_at__lt=start_of(as_of + datetime.timedelta(days=1)))
    urgings = Urging.objects.filter(issued, matter__in=scope.values("pk"))
    for row in (*by_city.values(), *by_domain.values(), totals):
        row["urgings"] = 0
    for row in (
        urgings.annotate(city_id=_city_of_lead_unit("matter__"))
        .values("city_id", "matter__domain")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        key = str(row["city_id"]) if row["city_id"] else NO_CITY
        for target in (by_city.get(key), by_domain.get(row["matter__domain"]), totals):
            if target is not None:
                target["urgings"] += row["n"]
    open_ = Q(replied_at__isnull=True)
    by_unit = [
        {
            "unit_id": row["unit_id"],
            "name": row["unit__name"],
            "name_en": row["unit__name_en"],
            "urgings": row["n"],
            "unanswered": row["unanswered"],
        }
        for row in urgings.values("unit_id", "unit__name", "unit__name_en")
        .annotate(n=Count("pk"), unanswered=Count("pk", filter=open_))
        .order_by("-n", "unit__name")
    ]
    by_matter = [
        {
            "id": row["matter_id"],
            "code": row["matter__code"],
            "title": row["matter__title"],
            "lead_unit": row["matter__lead_unit__name"],
            "urgings": row["n"],
            "unanswered": row["unanswered"],
        }
        for row in urgings.values("matter_id", "matter__code", "matter__title", "matter__lead_unit__name")
        .annotate(n=Count("pk"), unanswered=Count("pk", filter=open_))
        .order_by("-n", "matter__code")
    ]
    named = [
        {
            "id": r.matter_id,
            "code": r.matter.code,
            "title": r.matter.title,
            "lead_unit": r.matter.lead_unit.name,
            "due_date": r.period_key.removeprefix("due:"),
            "named_on": timezone.localtime(r.sent_at).date().isoformat(),
        }
        for r in Reminder.objects.filter(
            kind=ReminderKind.NAMED,
            sent_at__gte=start_of(period_start),
            sent_at__lt=start_of(as_of + datetime.timedelta(days=1)),
        )
        .select_related("matter__lead_unit")
        .order_by("sent_at", "matter__code")
    ]
    return {"urgings_by_unit": by_unit, "urgings_by_matter": by_matter, "named": named}


def _delta(current, previous):
    if current is None or previous is None:
        return None
    return round((current - previous) * 100, 1)


def changes_between(previous, current):
    """What changed since the previous bulletin: rate deltas in percentage points, newly done and overdue."""

    was_done = {item["id"] for item in previous.get("done", [])}
    was_overdue = {item["id"] for item in previous.get("overdue", [])}
    now_overdue = {item["id"] for item in current["overdue"]}
    newly_done = [item for item in current["done"] if item["id"] not in was_done]

    def rows_delta(name, attribute):
        before = {row["key"]: row for row in previous.get(name, [])}
        out = []
        for row in current[name]:
            old = before.get(row["key"])
            out.append(
                {
                    "key": row["key"],
                    "completion_rate": _delta(row["completion_rate"], old and old["completion_rate"]),
                    "on_time_rate": _delta(row["on_time_rate"], old and old["on_time_rate"]),
                    "newly_done": sum(1 for item in newly_done if item.get(attribute) == row["key"]),
                    "overdue": row["overdue"] - (old["overdue"] if old else 0),
                }
            )
        return out

    return {
        "totals": {
            "completion_rate": _delta(current["totals"]["completion_rate"], previous["totals"]["completion_rate"]),
            "on_time_rate": _delta(current["totals"]["on_time_rate"], previous["totals"]["on_time_rate"]),
        },
        "by_city": rows_delta("by_city", "city"),
        "by_domain": rows_delta("by_domain", "domain"),
        "newly_done": newly_done,
        "newly_overdue": [item for item in current["overdue"] if item["id"] not in was_overdue],
        "no_longer_overdue": [item for item in previous.get("overdue", []) if item["id"] not in now_overdue],
    }


# --- presentation shared by the page and the files ----------------------------------------------------------


def percent(value):
    return "—" if value is None else f"{value * 100:.1f}%"


def points(value):
    if value is None:
        return "—"
    return _("%(delta)+.1f pp") % {"delta": value}


def present(bulletin):
    """The bulletin's figures with labels in the active language, for the page and the files."""
    data = bulletin.data
    cities = {row["key"]: row for row in data["by_city"]}

    english = (translation.get_language() or "").startswith("en")

    def city_name(key):
        row = cities.get(key) or {}
        return (english and row.get("name_en")) or row.get("name") or _("Units outside the cities")

    def domain_label(code):
        try:
            return str(Domain(code).label)
        except ValueError:
            return code

    def row_view(row, label):
        return {
            **row,
            "label": label,
            "completion": percent(row["completion_rate"]),
            "on_time": percent(row["on_time_rate"]),
        }

    changes = data.get("changes")
    change_view = None
    if changes:
        change_view = {
            "totals": {name: points(value) for name, value in changes["totals"].items()},
            "by_city": [{**row, "label": city_name(row["key"]), **_points(row)} for row in changes["by_city"]],
            "by_domain": [{**row, "label": domain_label(row["key"]), **_points(row)} for row in changes["by_domain"]],
            "newly_done": changes["newly_done"],
            "newly_overdue": [_overdue_view(item, city_name, domain_label) for item in changes["newly_overdue"]],
            "no_longer_overdue": changes["no_longer_overdue"],
        }
    return {
        "bulletin": bulletin,
        "totals": row_view(data["totals"], _("The cluster")),
        "by_city": [row_view(row, city_name(row["key"])) for row in data["by_city"]],
        "by_domain": [row_view(row, domain_label(row["key"])) for row in data["by_domain"]],
        "overdue": [_overdue_view(item, city_name, domain_label) for item in data["overdue"]],
        "changes": change_view,
        "previous": data.get("previous"),
        "as_of": data["as_of"],
        # Bulletins issued before 催办单 were counted carry none of these.
        "urgings": data["totals"].get("urgings"),
        "urgings_by_unit": [
            {**row, "label": (english and row["name_en"]) or row["name"]} for row in data.get("urgings_by_unit", [])
        ],
        "urgings_by_matter": data.get("urgings_by_matter", []),
        "overrides": data.get("overrides", []),
        "named": data.get("named", []),
        # The ladder is dated data: the one in force at the end of the period is the rule that named them.
        "name_after_working_days": ladder_on(datetime.date.fromisoformat(data["as_of"])).name_after_working_days,
    }


def _points(row):
    return {"completion_delta": points(row["completion_rate"]), "on_time_delta": points(row["on_time_rate"])}


def _overdue_view(item, city_name, domain_label):
    return {**item, "city_name": city_name(item["city"]), "domain_label": domain_label(item["domain"])}


def summary_sentence(view):
    t = view["totals"]
    return _(
        "%(in_scope)d matters under supervision, %(done)d done: a completion rate of %(completion)s. "
        "%(due)d were due by %(as_of)s, %(done_on_time)d of them done on time: an on-time rate of %(on_time)s. "
        "%(overdue)d are overdue."
    ) % {
        "in_scope": t["in_scope"],
        "done": t["done"],
        "completion": t["completion"],
        "due": t["due"],
        "as_of": view["as_of"],
        "done_on_time": t["done_on_time"],
        "on_time": t["on_time"],
        "overdue": t["overdue"],
    }


def figure_headers(first):
    return [
        first,
        _("Matters in scope"),
        _("Done"),
        _("Completion rate"),
        _("Due"),
        _("Done on time"),
        _("On-time rate"),
        _("Overdue"),
    ]


def overdue_headers():
    return [_("Code"), _("Matter"), _("Lead unit"), _("City"), _("Domain"), _("Due date"), _("Days overdue")]


def filename(bulletin, extension):
    return _("supervision-bulletin-%(number)d") % {"number": bulletin.number} + f".{extension}"
