"""The retroactive re-screen after a notice, on 100,000 and then 1,000,000 declarations (3 stops each).

Creates and drops its own PostgreSQL database (xietong_bench_declarations_rescreen). Declarations
arrive over June and July 2022, each with three stops (towns drawn evenly from the division table)
in the two weeks before arrival. Figures, at each size:

- join: the hand-written SQL join that does the same matching (every stop inside one of the notice's
  areas, within its window and the 7-day look-back), stored into a scratch table — the baseline;
- wide: the real re-screen (`actions.run_rescreen`, what the task runs) after a notice of 50 areas
  (45 counties, 5 towns; high, medium and untiered): matches, tiers, measures, timeline,
  notifications to the receiving units;
- few: the re-screen after a notice of one county that 20 people passed through, at either size.

Targets: wide ≤ 10 s and ≤ 1.5 × join at 1,000,000; few ≤ 0.5 s, and at 1,000,000 ≤ 1.5 × few at 100,000.
Between runs the screening results are reset, so each run starts from the same state.
"""

import datetime
import sys
import time

from _pg import drop, setup_django

SIZES = [100_000, 1_000_000]
FEW_COUNTY = "140311"  # 阳泉市郊区: no random stop lies there; 20 planted ones do
FEW_PEOPLE = 20


def main():
    database = setup_django("declarations_rescreen")
    try:
        return run()
    finally:
        drop(database)


def sql(statement, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else cursor.rowcount


def setup():
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from xietong.core.actions import do_create_unit, do_set_membership
    from xietong.core.models import Role, UnitKind
    from xietong.declarations.models import PreventionOffice, RuleEdition
    from xietong.declarations.partitions import ensure_partitions
    from xietong.regions.models import Region

    office = do_create_unit(name="办公室", kind=UnitKind.OFFICE, slug="office")
    city = do_create_unit(name="太原市", kind=UnitKind.CITY, parent=office, slug="taiyuan")
    prevention = do_create_unit(name="太原市疫情防控办", kind=UnitKind.DEPARTMENT, parent=city, slug="ty-prevention")
    town = do_create_unit(
        name="坞城街道", kind=UnitKind.TOWN, parent=city, slug="wucheng", region=Region.objects.get(code="140105001")
    )
    community = do_create_unit(name="坞城社区", kind=UnitKind.COMMUNITY, parent=town, slug="wucheng-community")
    PreventionOffice.objects.create(city=city, unit=prevention)
    User = get_user_model()
    for name, unit in (("worker", community), ("prevention", prevention)):
        do_set_membership(user=User.objects.create(username=name), unit=unit, role=Role.STAFF)
    for month in (datetime.date(2022, 6, 1), datetime.date(2022, 7, 1)):
        ensure_partitions(today=month, months_ahead=0)
    sql(
        "CREATE TABLE bench_towns AS SELECT (row_number() OVER (ORDER BY code) - 1)::int AS i, code "
        "FROM regions_region WHERE level = 4 AND code NOT LIKE %s",
        [FEW_COUNTY + "%"],
    )
    sql("CREATE UNIQUE INDEX ON bench_towns (i)")
    # A worker that has run a task before has its URL patterns loaded (the first reverse() imports them).
    reverse("declarations:dashboard")
    return {
        "city": city.pk,
        "community": community.pk,
        "edition": RuleEdition.objects.get().pk,
        "towns": sql("SELECT count(*) FROM bench_towns")[0][0],
        "few_town": Region.objects.filter(code__startswith=FEW_COUNTY, level=4).order_by("code").first().code,
        "office": PreventionOffice.objects.get().pk,
    }


TABLES = ["declarations_declaration", "declarations_stop"]


def without_indexes(build):
    """Run `build()` with the two tables' secondary indexes, unique and foreign-key constraints taken off, and
    put every one back under its own name and definition afterwards.

    Millions of rows inserted into ten B-trees and checked row by row against four tables take minutes; the
    same indexes built once from sorted data and the keys checked by one join take seconds. Only the data
    build goes this way: everything timed runs with the schema as migrated.
    """
    tables = ", ".join(f"'{t}'::regclass" for t in TABLES)
    constraints = sql(
        f"SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        f"WHERE conrelid IN ({tables}) AND contype IN ('u', 'f') ORDER BY contype DESC"
    )
    indexes = sql(
        f"SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i WHERE indrelid IN ({tables}) "
        "AND NOT indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
    )
    for table, name, _definition in constraints:
        sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        sql(f"DROP INDEX {name}")
    try:
        build()
    finally:
        # On the partitioned table (not ONLY it): each partition gets its index, as the migration made them.
        for _name, definition in indexes:
            sql(definition.replace(" ON ONLY ", " ON "))
        for table, name, definition in constraints:
            sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def grow(ids, first, last):
    """Declarations first..last (arrivals 2022-06-01 … 07-31) and their three stops, in one SQL statement."""
    sql("SET synchronous_commit = off")
    sql("SET maintenance_work_mem = '256MB'")

    def build():
        # Stop k of 0..2 runs 4 days each, ending 9, 5 and 1 days before arrival.
        sql(
            """
            WITH d AS (
                INSERT INTO declarations_declaration (receipt, name, id_number, id_index, phone, phone_index,
                    arrival_date, address, symptoms, origin_province, state, tier, submitted_at, updated_at,
                    screened_at, version, city_id, community_id, destination_id, intake_city_id, edition_id)
                SELECT 'B' || lpad(g::text, 10, '0'), '', '', 'bench:' || g, '', '', date '2022-06-01' + (g %% 61),
                    '', '[]', '', 'clear', '', now(), now(), now(), 1, %(city)s, %(community)s, '140105001',
                    %(city)s, %(edition)s
                FROM generate_series(%(first)s, %(last)s) g
                RETURNING id, arrival_date
            )
            INSERT INTO declarations_stop (declaration_id, arrival_date, region_id, place, start, "end", transport)
            SELECT d.id, d.arrival_date, t.code, '', d.arrival_date - (3 - k) * 4, d.arrival_date - (3 - k) * 4 + 3,
                ''
            FROM d CROSS JOIN generate_series(0, 2) k
            JOIN bench_towns t ON t.i = ((d.id * 2654435761 + k * 40503) %% %(towns)s)
            """,
            {**ids, "first": first, "last": last},
        )

    without_indexes(build)
    # The few people of the small notice: arrivals of 07-28, their last stop in FEW_COUNTY.
    planted = [f"bench:{57 + 61 * 80 * j}" for j in range(FEW_PEOPLE)]
    sql(
        "UPDATE declarations_stop s SET region_id = %s FROM declarations_declaration d WHERE d.id = s.declaration_id "
        'AND d.id_index = ANY(%s) AND s."end" = d.arrival_date - 1',
        [ids["few_town"], planted],
    )
    sql("RESET synchronous_commit")
    sql("RESET maintenance_work_mem")
    sql("ANALYZE declarations_declaration")
    sql("ANALYZE declarations_stop")


def notice(ids, codes_and_tiers, title):
    from xietong.declarations.models import Notice, RiskArea

    window = datetime.date(2022, 7, 19)
    created = Notice.objects.create(
        office_id=ids["office"],
        title=title,
        window_start=window,
        state="published",
        published_on=datetime.date(2022, 7, 27),
        version=1,
        screening="pending",
    )
    RiskArea.objects.bulk_create(
        RiskArea(notice=created, position=n, text=code, region_id=code, tier=tier, window_start=window)
        for n, (code, tier) in enumerate(codes_and_tiers)
    )
    return created


def wide_areas():
    counties = [
        r[0] for r in sql("SELECT code FROM regions_region WHERE level = 3 AND code NOT LIKE '1403%%' ORDER BY code")
    ]
    towns = [
        r[0] for r in sql("SELECT code FROM regions_region WHERE level = 4 AND code NOT LIKE '1403%%' ORDER BY code")
    ]
    picked = counties[:: len(counties) // 45][:45] + towns[7 :: len(towns) // 5][:5]
    tiers = ["high"] * 10 + ["medium"] * 20 + ["listed"] * 20
    return list(zip(picked, tiers, strict=True))


def reset():
    """Back to every declaration screened clear, no notice, no results (plain SQL, not timed)."""
    sql("TRUNCATE declarations_match, declarations_measure, core_timelineevent, core_notification")
    sql("DELETE FROM declarations_riskarea")
    sql("DELETE FROM declarations_notice")
    sql("UPDATE declarations_declaration SET state = 'clear', tier = '' WHERE state <> 'clear' OR tier <> ''")
    sql("VACUUM ANALYZE declarations_declaration")


def join_seconds(notice_id):
    """The baseline: the matching as one hand-written join, stored into a scratch table."""
    started = time.perf_counter()
    count = sql(
        """
        CREATE TEMP TABLE baseline_matches AS
        SELECT s.declaration_id, s.id AS stop_id, a.id AS area_id, a.tier, s."end" AS left_on
        FROM declarations_stop s JOIN declarations_riskarea a
          ON a.region_id IN (substr(s.region_id, 1, 2), substr(s.region_id, 1, 4), substr(s.region_id, 1, 6),
                             s.region_id)
        WHERE a.notice_id = %s AND a.status = 'placed' AND a.lifted_on IS NULL
          AND s."end" >= greatest(a.window_start, s.arrival_date - 7)
        """,
        [notice_id],
    )
    elapsed = time.perf_counter() - started
    sql("DROP TABLE baseline_matches")
    return elapsed, count


def rescreen_seconds(notice_id):
    from xietong.declarations.actions import run_rescreen
    from xietong.declarations.models import Match

    started = time.perf_counter()
    changed = run_rescreen(notice_id, 1)
    elapsed = time.perf_counter() - started
    return elapsed, changed, Match.objects.filter(notice_id=notice_id).count()


def run():
    # Smaller sizes for a trial run: bench_declarations_rescreen.py 10000 100000
    sizes = [int(arg) for arg in sys.argv[1:]] or SIZES
    ids = setup()
    results = {}
    grown = 0
    for size in sizes:
        started = time.perf_counter()
        grow(ids, grown + 1, size)
        grown = size
        print(f"{size:,} declarations, {3 * size:,} stops built in {time.perf_counter() - started:.1f} s")
        reset()
        wide = notice(ids, wide_areas(), "50个地区")
        join, join_rows = join_seconds(wide.pk)
        seconds, changed, matches = rescreen_seconds(wide.pk)
        assert matches == join_rows, (matches, join_rows)
        reset()
        few = notice(ids, [(FEW_COUNTY, "high")], "阳泉市郊区")
        few_seconds, few_changed, _ = rescreen_seconds(few.pk)
        assert few_changed == FEW_PEOPLE, few_changed
        results[size] = (join, seconds, few_seconds)
        print(
            f"  join (baseline) {join:.2f} s for {join_rows:,} matches; wide notice re-screen {seconds:.2f} s "
            f"({changed:,} declarations changed) = {seconds / join:.2f} × join; "
            f"few-people notice {few_seconds:.3f} s"
        )
    join, wide, few = results[sizes[-1]]
    few_small = results[sizes[0]][2]
    ok = wide <= 10 and wide <= 1.5 * join and few <= 0.5 and few <= 1.5 * few_small
    print(
        f"{sizes[-1]:,}: wide re-screen {wide:.2f} s (target ≤ 10 s) = {wide / join:.2f} × the join (target ≤ 1.5); "
        f"few-people {few:.3f} s (target ≤ 0.5 s) = {few / few_small:.2f} × at {sizes[0]:,} (target ≤ 1.5)"
        f" — {'met' if ok else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
