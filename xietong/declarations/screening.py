"""Screening: which stops lay in a risk area in force, which tier wins, which measures follow.

A stop matches an area when (DESIGN, Declarations):
- the stop's region lies inside the area's region (codes nest by prefix);
- the person was there on or after the area's window start ("7月19日(含)以来");
- and within the edition's look-back period before arrival (the stop ended no earlier than
  arrival − lookback days).
The strongest tier among the matches wins; its rule, counted from the last day the person was in
an area of that tier, gives the measures still ahead on arrival.

`rescreen(ids)` is the one implementation, used at submission (one declaration) and by the
retroactive re-screen after a notice changes (`affected_by_notice` finds the candidates in SQL).
It works in batches with a fixed number of queries per batch.
"""

import datetime
from collections import defaultdict

from django.db import connection
from django.utils import timezone

from .models import (
    AreaStatus,
    Declaration,
    Match,
    Measure,
    MeasureKind,
    MeasureState,
    NoticeState,
    Quarantine,
    RiskArea,
    RuleEdition,
    ScreeningStamp,
    State,
    Stop,
)
from .rows import insert_rows, update_rows

BATCH = 500
PREFIX_LENGTHS = (2, 4, 6, 9)


def editions():
    """Every edition with its tier rules, newest first (a handful of rows)."""
    return list(RuleEdition.objects.prefetch_related("tiers").order_by("-effective_from"))


def edition_for(all_editions, day):
    return next((e for e in all_editions if e.effective_from <= day), None)


def prefixes(code):
    return [code[:n] for n in PREFIX_LENGTHS if n <= len(code)]


def stop_matches_area(stop, area, lookback_days):
    """The rule of the module docstring for one stop and one area in force."""
    if not stop.region_id.startswith(area.region_id):
        return False
    earliest = max(area.window_start, stop.arrival_date - datetime.timedelta(days=lookback_days))
    return stop.end >= earliest


def areas_in_force(stops):
    """Areas in force whose region contains one of the stops' regions, in one query."""
    codes = {p for stop in stops for p in prefixes(stop.region_id)}
    if not codes:
        return []
    return list(
        RiskArea.objects.filter(
            region_id__in=codes,
            status=AreaStatus.PLACED,
            lifted_on__isnull=True,
            notice__state=NoticeState.PUBLISHED,
        ).select_related("notice")
    )


def plan(declaration, rule, left_on):
    """The measures (unsaved) a tier rule asks for, counted from `left_on`, that are still ahead on arrival."""
    arrival = declaration.arrival_date
    measures = []

    def day(n):
        return left_on + datetime.timedelta(days=n)

    if rule.quarantine and rule.quarantine_days:
        start, end = max(arrival, day(1)), day(rule.quarantine_days)
        if end >= start:
            kind = MeasureKind.CENTRALIZED if rule.quarantine == Quarantine.CENTRALIZED else MeasureKind.HOME
            measures.append(Measure(kind=kind, due=start, end=end, day=max(1, (start - left_on).days)))
    if rule.monitoring_days:
        start = max(arrival, day(rule.quarantine_days + 1))
        end = day(rule.quarantine_days + rule.monitoring_days)
        if end >= start:
            measures.append(
                Measure(kind=MeasureKind.MONITORING, due=start, end=end, day=max(1, (start - left_on).days))
            )
    for n in rule.test_days:
        if day(n) >= arrival:
            measures.append(Measure(kind=MeasureKind.TEST, due=day(n), day=n))
    for measure in measures:
        measure.declaration = declaration
        measure.tier = rule.tier
    return measures


def _key(measure):
    return (measure.kind, measure.due, measure.end)


class Change:
    """What re-screening changed for one declaration (for the timeline and the notifications)."""

    def __init__(self, declaration, old_tier, new_tier, added, removed):
        self.declaration = declaration
        self.old_tier, self.new_tier = old_tier, new_tier
        self.added_matches, self.removed_matches = added, removed

    @property
    def tier_changed(self):
        return self.old_tier != self.new_tier

    @property
    def relaxed(self):
        return relaxed(self.old_tier, self.new_tier)


# The order of tiers for telling whether a change relaxes (the rules' strengths are per edition).
TIER_ORDER = {"high": 4, "medium": 3, "listed": 2, "low": 1, "": 0}


def relaxed(old_tier, new_tier):
    return TIER_ORDER[new_tier] < TIER_ORDER[old_tier]


def rescreen(declaration_ids, now=None):
    """Screen these declarations against the areas in force; returns the Changes (matches or tier)."""
    now = now or timezone.now()
    all_editions = editions()
    ids = sorted(set(declaration_ids))
    changes = []
    for start in range(0, len(ids), BATCH):
        changes.extend(_rescreen_batch(ids[start : start + BATCH], all_editions, now))
    return changes


def _rescreen_batch(ids, all_editions, now):
    declarations = {d.pk: d for d in Declaration.objects.filter(pk__in=ids).only(*SCREEN_FIELDS)}
    stops = defaultdict(list)
    for stop in Stop.objects.filter(declaration_id__in=ids):
        stops[stop.declaration_id].append(stop)
    areas = by_region(areas_in_force([s for group in stops.values() for s in group]))
    existing_matches = defaultdict(dict)
    for match in Match.objects.filter(declaration_id__in=ids):
        existing_matches[match.declaration_id][(match.stop_id, match.area_id)] = match
    existing_measures = defaultdict(list)
    for measure in Measure.objects.filter(declaration_id__in=ids):
        existing_measures[measure.declaration_id].append(measure)
    items = [
        (declarations[pk], stops[pk], existing_matches[pk], existing_measures[pk]) for pk in ids if pk in declarations
    ]
    outcome = screen(items, areas, all_editions, now)
    if outcome.stale_matches:
        Match.objects.filter(pk__in=outcome.stale_matches).delete()
    insert_rows(Match, outcome.new_matches)
    insert_rows(Measure, outcome.new_measures)
    update_rows(Measure, outcome.changed_measures, ["state", "tier"])
    update_rows(Declaration, outcome.changed_declarations, ["tier", "state", "edition", "screened_at", "completed_at"])
    return outcome.changes


def by_region(areas):
    grouped = defaultdict(list)
    for area in areas:
        grouped[area.region_id].append(area)
    return grouped


class Outcome:
    """What screening some declarations asks to write, and the Changes to tell."""

    def __init__(self):
        self.new_matches, self.stale_matches, self.new_measures = [], [], []
        self.changed_measures, self.changed_declarations, self.changes = [], [], []


def screen(items, areas_by_prefix, all_editions, now):
    """The rule of the module docstring applied in memory; returns the Outcome, writes nothing.

    `items` are (declaration, its stops, {(stop id, area id): Match} it has, [Measure] it has). The
    declaration and its stops may be unsaved (a new submission, screened before its insert): matches and
    measures point at the objects, and take their ids when they are inserted after them. The declarations'
    tier, state, edition and dates are set on the objects.
    """
    outcome = Outcome()
    for declaration, stops, old, have in items:
        edition = edition_for(all_editions, declaration.arrival_date)
        lookback = edition.lookback_days if edition else 0
        found = {}
        for n, stop in enumerate(stops):
            # An unsaved stop has no id yet; its place in the list keeps its matches apart.
            stop_key = stop.pk if stop.pk is not None else ("new", n)
            for prefix in prefixes(stop.region_id):
                for area in areas_by_prefix.get(prefix, ()):
                    if edition and stop_matches_area(stop, area, lookback):
                        found[(stop_key, area.pk)] = (stop, area)
        added = [found[k] for k in found.keys() - old.keys()]
        removed = [old[k] for k in old.keys() - found.keys()]
        for stop, area in added:
            outcome.new_matches.append(
                Match(
                    declaration=declaration,
                    stop=stop,
                    area_id=area.pk,
                    notice_id=area.notice_id,
                    tier=area.tier,
                    left_on=stop.end,
                    created_at=now,
                )
            )
        outcome.stale_matches.extend(m.pk for m in removed)

        # The strongest tier wins; its measures count from the last day in an area of that tier.
        best_rule, left_on = None, None
        for stop, area in found.values():
            rule = edition.rule_for(area.tier)
            if rule is None:
                continue
            if best_rule is None or rule.strength > best_rule.strength:
                best_rule, left_on = rule, stop.end
            elif rule.strength == best_rule.strength and stop.end > left_on:
                left_on = stop.end
        new_tier = best_rule.tier if best_rule else ""
        old_tier = declaration.tier

        wanted = plan(declaration, best_rule, left_on) if best_rule else []
        wanted_keys = {_key(m) for m in wanted}
        have_keys = {_key(m) for m in have if m.state != MeasureState.CANCELLED}
        for measure in have:
            # A measure no longer asked for is relaxed; one recorded as done stays as the record it is.
            if measure.state == MeasureState.PENDING and _key(measure) not in wanted_keys:
                measure.state = MeasureState.CANCELLED
                outcome.changed_measures.append(measure)
            elif measure.state == MeasureState.CANCELLED and _key(measure) in wanted_keys:
                measure.state = MeasureState.PENDING
                measure.tier = new_tier
                outcome.changed_measures.append(measure)
                have_keys.add(_key(measure))
        outcome.new_measures.extend(m for m in wanted if _key(m) not in have_keys)

        state = _state_after(declaration, new_tier, wanted)
        if (declaration.tier, declaration.state, declaration.edition_id) != (
            new_tier,
            state,
            getattr(edition, "pk", None),
        ) or declaration.screened_at is None:
            declaration.tier, declaration.state = new_tier, state
            declaration.edition_id = getattr(edition, "pk", None)
            declaration.screened_at = now
            if state == State.COMPLETED and declaration.completed_at is None:
                declaration.completed_at = now
            outcome.changed_declarations.append(declaration)
        if added or removed or old_tier != new_tier:
            outcome.changes.append(Change(declaration, old_tier, new_tier, added, removed))
    return outcome


# --- what a submission screens against, kept in process memory --------------------------------------------------

_memory = {}


def read_stamp():
    """The screening stamp's token (see models.ScreeningStamp), or None when its row is missing."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {ScreeningStamp._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


def rules_in_force():
    """(every edition, {region code: [areas in force]}): what a submission is screened against.

    Read from the database once per change of the screening stamp and kept in this process's memory
    meanwhile, so screening one submission reads neither. The stamp is read first: what is read after it is
    at least as new, so a change committed in between only costs a second reading on the next submission and
    can never leave older data under the newer token. Without a stamp row (a flushed test database) nothing
    is kept.
    """
    token = read_stamp()
    key = (connection.settings_dict["NAME"], token)
    kept = _memory.get(connection.alias)
    if token is not None and kept is not None and kept[0] == key:
        return kept[1], kept[2]
    all_editions = editions()
    areas = by_region(
        RiskArea.objects.filter(
            status=AreaStatus.PLACED,
            lifted_on__isnull=True,
            region__isnull=False,
            notice__state=NoticeState.PUBLISHED,
        )
    )
    if token is not None:
        _memory[connection.alias] = (key, all_editions, areas)
    return all_editions, areas


# With what the timeline and the notifications of a change read (receipt, receiving units, city).
SCREEN_FIELDS = [
    "id",
    "receipt",
    "arrival_date",
    "tier",
    "state",
    "edition",
    "screened_at",
    "acknowledged_at",
    "completed_at",
    "community",
    "employer",
    "hotel",
    "city",
]


def _state_after(declaration, tier, wanted):
    """The state screening leaves: clear, at risk (until a receiving unit takes it on), or unchanged."""
    if declaration.state == State.COMPLETED and declaration.tier == tier:
        return State.COMPLETED
    if not tier:
        return State.CLEAR
    if declaration.acknowledged_at is not None:
        return State.MEASURES
    return State.AT_RISK


# --- the retroactive part: which stored declarations a notice may concern ------------------------------------


def affected_by_notice(notice):
    """Ids of declarations that have a match of this notice, or a stop inside one of its areas in force.

    The second half reads only the stops that can match, whatever the number of declarations stored:
    one index range scan per area (a stop's region code begins with the area's, `LIKE 'code%'` on the
    region index), and on PostgreSQL only the monthly partitions of arrivals on or after the earliest
    window start (a stop that counts ends on or after the window start and no later than the arrival).
    It is bounded by the longest look-back; `rescreen` then applies the exact rule per declaration.
    """
    ids = set(Match.objects.filter(notice=notice).values_list("declaration_id", flat=True))
    if notice.state != NoticeState.PUBLISHED:
        return ids
    areas = list(
        notice.areas.filter(status=AreaStatus.PLACED, lifted_on__isnull=True, region__isnull=False).values_list(
            "region_id", "window_start"
        )
    )
    if not areas:
        return ids
    lookback = max((e.lookback_days for e in RuleEdition.objects.all()), default=0)
    if connection.vendor == "postgresql":
        since = f"s.arrival_date - {int(lookback)}"
    else:
        since = f"date(s.arrival_date, '-{int(lookback)} days')"
    each_area = " OR ".join(['(s.region_id LIKE %s AND s."end" >= %s)'] * len(areas))
    sql = f"""
        SELECT DISTINCT s.declaration_id FROM {Stop._meta.db_table} s
        WHERE s.arrival_date >= %s AND ({each_area}) AND s."end" >= {since}
    """
    params = [min(start for _code, start in areas)]
    for code, start in areas:
        params += [code + "%", start]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids.update(row[0] for row in cursor.fetchall())
    return ids
