"""The work queue (工作台): what needs this person now, from every workflow.

A workflow contributes kinds of work (reports to review, urgings to answer,
concerns to triage, measures due, …) by registering a `WorkKind` in its
AppConfig.ready(). The first page after login shows every kind that has items
for the person, soonest deadline first, and the navigation shows the total.

A kind's `collect(user, today, limit)` returns a `Bucket`: how many items there
are and the first `limit` of them. Most kinds need no `collect` of their own: given
the queryset of their rows (`count_query`) and how one row reads (`item`), the kind
collects with `bucket()`. It must cost a fixed number of queries
whatever the size of the data (one count and one limited select is typical),
because the navigation badge runs every kind on every page. `applies(user)` is a
cheap test from the cached memberships, so that a town worker's page never runs
the office's queries. A kind that can say which rows it counts as a queryset
(`count_query(user, today)`) is counted together with the other such kinds in one
SQL statement, so the navigation badge costs one query however many kinds there are.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.utils import timezone


@dataclass(frozen=True)
class WorkItem:
    title: str
    url: str
    # What tells items of one kind apart at a glance: a matter code, a unit, a place.
    subtitle: str = ""
    due: date | None = None
    # The due date was counted in working days (a reply deadline), so it may rest on a guessed calendar.
    working_days: bool = False

    def is_overdue(self, today):
        return self.due is not None and self.due < today

    @property
    def due_is_estimate(self):
        """A working-day date in a year whose official holidays are not published yet (see core.workdays)."""
        from .workdays import is_estimate

        return self.working_days and self.due is not None and is_estimate(self.due)


@dataclass(frozen=True)
class Bucket:
    count: int
    items: list = field(default_factory=list)


EMPTY = Bucket(0, [])


def bucket(rows, limit, item):
    """One count and, when `limit`, one limited select of `rows`, each row read by `item(row)`."""
    count = rows.count()
    return Bucket(count, [item(row) for row in rows[:limit]] if count and limit else [])


@dataclass(frozen=True)
class WorkKind:
    key: str  # "<app>.<what>", unique
    label: str  # short, as offices say it: 待审核, 被催办 …
    collect: Callable | None = None  # (user, today, limit) -> Bucket; by default bucket(count_query, item)
    applies: Callable = lambda user: True  # noqa: E731
    order: int = 100
    # The explanation shown when a person opens the kind's section.
    description: str = ""
    # (user, today) -> the queryset whose rows the kind counts; lets count_for count kinds together.
    count_query: Callable | None = None
    # row -> WorkItem, for the default collect.
    item: Callable | None = None

    def __post_init__(self):
        if self.collect is None:
            if self.count_query is None or self.item is None:
                raise TypeError(f"work kind {self.key!r} needs collect, or count_query and item")
            rows, item = self.count_query, self.item
            object.__setattr__(self, "collect", lambda user, today, limit: bucket(rows(user, today), limit, item))


_registry: dict[str, WorkKind] = {}


def register(kind):
    if kind.key in _registry and _registry[kind.key] is not kind:
        raise ValueError(f"work kind {kind.key!r} is registered twice")
    _registry[kind.key] = kind
    return kind


def unregister(key):
    _registry.pop(key, None)


def kinds():
    return sorted(_registry.values(), key=lambda k: (k.order, k.key))


def queue_for(user, *, today=None, limit=20):
    """The non-empty buckets of the person's queue, as (kind, bucket) pairs in registry order."""
    if user is None or not user.is_authenticated:
        return []
    today = today or timezone.localdate()
    queue = []
    for kind in kinds():
        if not kind.applies(user):
            continue
        bucket = kind.collect(user, today, limit)
        if bucket.count:
            queue.append((kind, bucket))
    return queue


def count_for(user, *, today=None):
    """The number shown beside 工作台 in the navigation."""
    if user is None or not user.is_authenticated:
        return 0
    today = today or timezone.localdate()
    total = 0
    together = []
    for kind in kinds():
        if not kind.applies(user):
            continue
        if kind.count_query is None:
            total += kind.collect(user, today, 0).count
        else:
            together.append(kind.count_query(user, today))
    return total + sum(_count_together(together))


def _count_together(querysets):
    """COUNT(*) of each queryset, all in one SELECT of scalar subqueries."""
    if not querysets:
        return []
    parts, params = [], []
    for index, queryset in enumerate(querysets):
        sql, query_params = queryset.order_by().values("pk").query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted_{index})")
        params.extend(query_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return list(cursor.fetchone())
