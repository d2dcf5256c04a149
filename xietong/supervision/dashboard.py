"""Dashboard, scorecard and trend queries.

Every figure is aggregated in the database (GROUP BY over the lead unit's path and
the domain), so a page costs the same handful of queries whether the cluster tracks
fifty matters or a hundred thousand; nothing loads all matters into Python.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from xietong.core.access import role_for
from xietong.core.models import Unit, UnitKind

from .access import visible_matters
from .models import DUE_SOON_DAYS, OPEN_STATES, Domain, Health, ProgressSnapshot, State, Urging

LIST_LIMIT = 10
TREND_DAYS = 180


def city_units():
    """The city governments directly under the coordination office, in their display order."""
    return Unit.objects.filter(kind=UnitKind.CITY, parent__kind=UnitKind.OFFICE, parent__parent__isnull=True)


def city_for_path(path, cities):
    """The city whose subtree holds the unit with this path, or None (the office, a cluster task force)."""
    for city in cities:
        if path.startswith(city.path):
            return city
    return None


def health_q(code, today):
    """The same partition as `MatterQuerySet.with_health`, as a plain filter the indexes can serve."""
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    open_ = Q(state__in=OPEN_STATES)
    return {
        Health.OVERDUE: open_ & Q(due_date__lt=today),
        Health.DUE_SOON: open_ & Q(due_date__gte=today, due_date__lte=soon),
        Health.ON_TRACK: open_ & Q(due_date__gt=soon),
        Health.DONE_ON_TIME: Q(state=State.DONE) & (Q(completed_on__isnull=True) | Q(completed_on__lte=F("due_date"))),
        Health.DONE_LATE: Q(state=State.DONE, completed_on__gt=F("due_date")),
        Health.NONE: ~Q(state__in=[*OPEN_STATES, State.DONE]),
    }[Health(code)]


def search_q(text):
    """Substring search on code, title and description, every whitespace-separated term must match.

    Chinese has no spaces between words, so a word-based index would need segmentation;
    a substring test (LIKE '%…%') finds "大气" inside "大气污染联防联控" on SQLite and
    PostgreSQL alike, and lets people narrow down by typing several fragments.
    """
    condition = Q()
    for term in text.split()[:8]:
        # A term without upper and lower case (Chinese, digits) needs no case folding, and a plain
        # LIKE skips UPPER() on every row: more than twice as fast on PostgreSQL.
        lookup = "contains" if term.upper() == term.lower() else "icontains"
        condition &= (
            Q(**{f"title__{lookup}": term}) | Q(**{f"description__{lookup}": term}) | Q(**{f"code__{lookup}": term})
        )
    return condition


@dataclass
class Filters:
    city: Unit | None = None
    domain: str = ""
    state: str = ""
    health: str = ""
    lead_unit: Unit | None = None
    q: str = ""


def filtered_matters(user, filters, today=None, queryset=None):
    """The matters this user may see that pass the filters (no ordering, no annotation)."""
    today = today or timezone.localdate()
    matters = visible_matters(user, queryset)
    if filters.city is not None:
        matters = matters.filter(lead_unit__path__startswith=filters.city.path)
    if filters.lead_unit is not None:
        matters = matters.filter(lead_unit=filters.lead_unit)
    if filters.domain:
        matters = matters.filter(domain=filters.domain)
    if filters.state:
        matters = matters.filter(state=filters.state)
    if filters.health:
        matters = matters.filter(health_q(filters.health, today))
    if filters.q:
        matters = matters.filter(search_q(filters.q))
    return matters


def counted_matters(user, filters, today=None):
    """What the scorecard counts: drafts and cancelled matters only when asked for by state."""
    matters = filtered_matters(user, filters, today)
    if not filters.state:
        matters = matters.exclude(state__in=[State.DRAFT, State.CANCELLED])
    return matters


@dataclass
class Cell:
    total: int = 0
    done: int = 0
    overdue: int = 0
    due_soon: int = 0
    progress_sum: int = 0
    urgings: int = 0  # 催办单 issued on these matters

    def add(self, row):
        self.total += row["total"]
        self.done += row["done"]
        self.overdue += row["overdue"]
        self.due_soon += row["due_soon"]
        self.progress_sum += row["progress_sum"] or 0

    @property
    def mean_progress(self):
        return round(self.progress_sum / self.total) if self.total else None

    @property
    def done_rate(self):
        return round(100 * self.done / self.total) if self.total else None


@dataclass
class ScoreRow:
    unit: Unit | None
    cells: list = field(default_factory=list)
    total: Cell = field(default_factory=Cell)


def _aggregates(matters, today):
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    return (
        matters.order_by()
        .values("lead_unit_id", "domain")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(state=State.DONE)),
            overdue=Count("id", filter=Q(state__in=OPEN_STATES, due_date__lt=today)),
            due_soon=Count("id", filter=Q(state__in=OPEN_STATES, due_date__gte=today, due_date__lte=soon)),
            progress_sum=Sum("progress"),
        )
    )


def scorecard(matters, cities, today):
    """City × domain matrix of counts, done, overdue and mean progress, plus row and column totals.

    A matter counts for the city its lead unit lies under; matters led by the office or a
    cluster-wide task force go to a last row without a city.
    """
    domains = list(Domain)
    index = {d.value: i for i, d in enumerate(domains)}
    rows = {city.pk: ScoreRow(city, [Cell() for _ in domains]) for city in cities}
    other = ScoreRow(None, [Cell() for _ in domains])
    columns = [Cell() for _ in domains]
    grand = Cell()
    aggregates = list(_aggregates(matters, today))
    urgings = list(
        Urging.objects.filter(matter__in=matters.order_by().values("pk"))
        .values("matter__lead_unit_id", "matter__domain")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # Grouping by the lead unit's id spares the big query a join; the few paths are fetched after.
    paths = dict(Unit.objects.filter(pk__in={a["lead_unit_id"] for a in aggregates}).values_list("pk", "path"))

    def cells_of(lead_unit_id, domain):
        city = city_for_path(paths[lead_unit_id], cities)
        row = rows[city.pk] if city is not None else other
        i = index[domain]
        return (row.cells[i], row.total, columns[i], grand)

    for agg in aggregates:
        for cell in cells_of(agg["lead_unit_id"], agg["domain"]):
            cell.add(agg)
    for urged in urgings:
        for cell in cells_of(urged["matter__lead_unit_id"], urged["matter__domain"]):
            cell.urgings += urged["n"]
    ordered = list(rows.values())
    if other.total.total:
        ordered.append(other)
    return {"domains": domains, "rows": ordered, "columns": columns, "total": grand}


def overdue_list(matters, today, limit=LIST_LIMIT):
    return (
        matters.filter(health_q(Health.OVERDUE, today))
        .select_related("lead_unit")
        .with_health(today)
        .order_by("due_date", "id")[:limit]
    )


def due_soon_list(matters, today, limit=LIST_LIMIT):
    return (
        matters.filter(health_q(Health.DUE_SOON, today))
        .select_related("lead_unit")
        .with_health(today)
        .order_by("due_date", "id")[:limit]
    )


def trend_cities(user, cities):
    """Cities whose whole-city figures this user may see: the office all, a city's own people their city."""
    return [city for city in cities if role_for(user, city) is not None]


def trend(cities, today, days=TREND_DAYS):
    """ECharts-ready completion trend: per city and for the cities together, done / total in percent."""
    if not cities:
        return {"dates": [], "series": []}
    # The last `days` snapshot dates, not calendar days: a platform whose snapshots stopped (or demo data
    # from an earlier year) still shows its history rather than an empty chart.
    recent = (
        ProgressSnapshot.objects.filter(unit__in=[c.pk for c in cities], date__lte=today)
        .values_list("date", flat=True)
        .distinct()
        .order_by("-date")[:days]
    )
    snapshots = ProgressSnapshot.objects.filter(unit__in=[c.pk for c in cities], date__in=recent).values_list(
        "date", "unit_id", "total", "done"
    )
    by_day = {}
    for day, unit_id, total, done in snapshots:
        by_day.setdefault(day, {})[unit_id] = (total, done)
    dates = sorted(by_day)

    def rate(total, done):
        return round(100 * done / total, 1) if total else None

    series = []
    for city in cities:
        points = [rate(*by_day[d][city.pk]) if city.pk in by_day[d] else None for d in dates]
        series.append({"name": city.display_name, "data": points})
    if len(cities) > 1:
        together = []
        for d in dates:
            total = sum(t for t, _ in by_day[d].values())
            done = sum(x for _, x in by_day[d].values())
            together.append(rate(total, done))
        series.append({"name": None, "data": together})
    return {"dates": [d.isoformat() for d in dates], "series": series}


def urgings_by_unit(matters, today, limit=LIST_LIMIT):
    """The units most urged on these matters: 催办单 in all, still unanswered, and past their reply deadline."""
    unanswered = Q(replied_at__isnull=True)
    return (
        Urging.objects.filter(matter__in=matters.order_by().values("pk"))
        .values("unit_id", "unit__name", "unit__name_en")
        .annotate(
            total=Count("pk"),
            unanswered=Count("pk", filter=unanswered),
            late=Count("pk", filter=unanswered & Q(reply_due__lt=today)),
        )
        .order_by("-total", "unit__name")[:limit]
    )
