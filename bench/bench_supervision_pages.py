"""Server time of the supervision dashboard, work queue and matter list at 100,000 matters (target p95 ≤ 50 ms).

Runs on a PostgreSQL database of its own (xietong_bench_supervision_pages, dropped at
the end): 100,000 matters with co-units and 1,000,000 progress reports are written with
COPY, then each page is requested ~30 times through Django's test client, logged in as
the coordination office, and the 95th percentile of the server time is printed.

Baseline, measured in the same run: the p95 of the home page requested the same way
(same middleware, session, login and base template; a handful of small queries), so the
ratio says what the supervision pages cost on top of any page. The p95 of `SELECT 1`
round trips is printed too, for scale. Query counts per page are compared at 1,000 and
at 100,000 matters: they must be equal.
"""

import datetime
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pg import drop, setup_django  # noqa: E402

MATTERS = 100_000
REPORTS = 1_000_000
FIRST = 1_000  # matters present when the query counts are first taken
REQUESTS = 30
WARM_UP = 3
TARGET_MS = 50

PHRASES = [
    "大气污染联防联控",
    "太忻一体化经济区建设",
    "交通互联互通",
    "汾河流域生态修复",
    "政务服务跨市通办",
    "公共数据共享",
    "文旅线路联合推广",
    "医保异地结算",
    "人才互认",
    "产业链协同招商",
    "城际铁路前期工作",
    "水电气热设施衔接",
]


def main():
    database = setup_django("supervision_pages")
    try:
        run()
    finally:
        drop(database)


def run():
    from django.conf import settings

    # setup_django runs with DEBUG on (for migrations); the timings are taken as in production.
    settings.DEBUG = False
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: collectstatic has not run

    rng = random.Random(20220728)
    world = build_units()
    from django.utils import timezone

    today = timezone.localdate()

    started = time.perf_counter()
    write_matters(world, rng, today, 0, FIRST)
    write_reports(world, rng, today, FIRST * REPORTS // MATTERS, 0)
    write_snapshots(world, today)
    analyze()
    client = office_client(world)
    pages = page_urls(world)
    counts_small = {name: query_count(client, url) for name, url in pages.items()}

    write_matters(world, rng, today, FIRST, MATTERS)
    write_reports(world, rng, today, REPORTS - FIRST * REPORTS // MATTERS, FIRST * REPORTS // MATTERS)
    analyze()
    print(f"set-up: {MATTERS:,} matters, {REPORTS:,} progress reports in {time.perf_counter() - started:.1f} s")

    counts_large = {name: query_count(client, url) for name, url in pages.items()}
    baseline = p95_ms(client, "/")
    select_one = p95_select_one()
    print(f"baseline: home page p95 {baseline:.1f} ms (same middleware, session and base template)")
    print(f"for scale: SELECT 1 round trip p95 {select_one:.2f} ms")
    for name, url in pages.items():
        p95 = p95_ms(client, url)
        verdict = "meets" if p95 <= TARGET_MS else "MISSES"
        print(
            f"{name}: p95 {p95:.1f} ms = {p95 / baseline:.1f} × baseline; target {TARGET_MS} ms ({verdict}); "
            f"queries {counts_small[name]} at {FIRST:,} matters, {counts_large[name]} at {MATTERS:,}  [{url}]"
        )
    city_client = staff_client(world)
    for name, url in (("dashboard", "/supervision/"), ("work queue", "/work/")):
        queries = query_count(city_client, url)
        p95 = p95_ms(city_client, url)
        verdict = "meets" if p95 <= TARGET_MS else "MISSES"
        print(
            f"{name} as a city's staff (visibility filter): p95 {p95:.1f} ms = {p95 / baseline:.1f} × baseline; "
            f"target {TARGET_MS} ms ({verdict}); {queries} queries"
        )
    flat = all(counts_small[n] == counts_large[n] for n in pages)
    print(f"query counts {'do not grow' if flat else 'GROW'} with the number of matters")


# --- data ---------------------------------------------------------------------------------------------------


def build_units():
    from django.contrib.auth import get_user_model

    from xietong.core.actions import do_create_unit, do_set_membership
    from xietong.core.models import Role, UnitKind

    office = do_create_unit(name="山西中部城市群建设领导小组办公室", kind=UnitKind.OFFICE, slug="office")
    names = ["太原市人民政府", "忻州市人民政府", "吕梁市人民政府", "晋中市人民政府", "阳泉市人民政府"]
    cities, leads = [], []
    for i, name in enumerate(names):
        city = do_create_unit(name=name, kind=UnitKind.CITY, parent=office, slug=f"city{i}", sort_order=i)
        cities.append(city)
        leads.append(city)
        for j in range(8):
            kind = UnitKind.DISTRICT if j < 5 else UnitKind.DEPARTMENT
            leads.append(do_create_unit(name=f"{name[:2]}{j}区", kind=kind, parent=city, slug=f"u{i}-{j}"))
    leads.append(do_create_unit(name="交通互联互通工作专班", kind=UnitKind.TASK_FORCE, parent=office, slug="tf"))
    User = get_user_model()
    office_user = User.objects.create_user(username="office", password="x")
    do_set_membership(user=office_user, unit=office, role=Role.MANAGER)
    staff = User.objects.create_user(username="taiyuan", password="x")
    do_set_membership(user=staff, unit=cities[0], role=Role.STAFF)
    return {"office": office, "cities": cities, "leads": leads, "office_user": office_user, "staff": staff}


def matter_columns():
    from xietong.supervision.models import Matter

    return [f.column for f in Matter._meta.concrete_fields]


def write_matters(world, rng, today, start, stop):
    """Matters `start`..`stop`-1 with ids start+1.., spread over units, domains, states and dates."""
    from django.db import connection
    from django.utils import timezone

    from xietong.supervision.models import SUB_AREAS, CoUnit

    columns = matter_columns()
    domains = list(SUB_AREAS)
    states = ["draft"] * 3 + ["assigned"] * 15 + ["in_progress"] * 45 + ["submitted"] * 7 + ["done"] * 25
    states += ["suspended"] * 3 + ["cancelled"] * 2
    leads = world["leads"]
    now = timezone.now()
    lead_of = world.setdefault("lead_of", {})
    co_rows = []
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY supervision_matter ({', '.join(columns)}) FROM STDIN") as copy:
            for i in range(start, stop):
                pk = i + 1
                domain = domains[i % len(domains)]
                lead = leads[rng.randrange(len(leads))]
                lead_of[pk] = lead.pk
                begin = today - datetime.timedelta(days=rng.randint(30, 720))
                due = begin + datetime.timedelta(days=rng.randint(30, 540))
                state = states[rng.randrange(len(states))]
                completed = due + datetime.timedelta(days=rng.randint(-60, 20)) if state == "done" else None
                if completed is not None and completed < begin:
                    completed = begin
                row = {
                    "id": pk,
                    "code": f"M{pk:06d}",
                    "title": f"{lead.name[:2]}{PHRASES[i % len(PHRASES)]}（第{pk}项）",
                    "description": f"推进{PHRASES[(i * 7) % len(PHRASES)]}，按季度报送进展。",
                    "domain": domain.value,
                    "sub_area": SUB_AREAS[domain][i % len(SUB_AREAS[domain])].value,
                    "source": "manual",
                    "source_type_id": None,
                    "source_id": "",
                    "lead_unit_id": lead.pk,
                    "lead_share": 1,
                    "start_date": begin,
                    "due_date": due,
                    "priority": 1 + (i % 3),
                    "reporting_frequency": ["weekly", "biweekly", "monthly", "quarterly"][i % 4],
                    "state": state,
                    "state_reason": "",
                    "completed_on": completed,
                    "verification_override": "",
                    "original_due_date": None,
                    "on_time_due_date": None,
                    "parent_id": None,
                    "weight": 1,
                    "progress": 100 if state == "done" else rng.randint(0, 95),
                    "public": i % 10 == 0,
                    "version": 1,
                    "created_by_id": world["office_user"].pk,
                    "created_at": now,
                    "updated_at": now,
                }
                copy.write_row([row[c] for c in columns])
                if i % 3 == 0:
                    other = leads[(leads.index(lead) + 9) % len(leads)]
                    co_rows.append(CoUnit(matter_id=pk, unit_id=other.pk))
        cursor.execute("SELECT setval(pg_get_serial_sequence('supervision_matter', 'id'), %s)", [stop])
    CoUnit.objects.bulk_create(co_rows, batch_size=10_000)


def write_reports(world, rng, today, count, first_id):
    from django.db import connection
    from django.utils import timezone

    lead_of = world["lead_of"]
    matter_ids = list(lead_of)
    columns = [
        "id",
        "matter_id",
        "unit_id",
        "period_start",
        "period_end",
        "text",
        "percent",
        "status",
        "submitted_by_id",
        "submitted_at",
        "reviewed_by_id",
        "reviewed_at",
        "review_comment",
        "resubmission_of_id",
    ]
    statuses = ["accepted"] * 7 + ["submitted"] * 2 + ["returned"]
    now = timezone.now()
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY supervision_progressreport ({', '.join(columns)}) FROM STDIN") as copy:
            for n in range(count):
                matter = matter_ids[rng.randrange(len(matter_ids))]
                days_ago = rng.randint(0, 700)
                start = today - datetime.timedelta(days=days_ago + 30)
                at = now - datetime.timedelta(days=days_ago)
                status = statuses[n % len(statuses)]
                copy.write_row(
                    [
                        first_id + n + 1,
                        matter,
                        lead_of[matter],
                        start,
                        start + datetime.timedelta(days=29),
                        "本期完成前期调研和方案编制，下一步推进实施。",
                        rng.randint(0, 100),
                        status,
                        world["staff"].pk,
                        at,
                        world["office_user"].pk if status != "submitted" else None,
                        at if status != "submitted" else None,
                        "",
                        None,
                    ]
                )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('supervision_progressreport', 'id'), %s)", [first_id + count]
        )


def write_snapshots(world, today):
    """Half a year of daily figures per city, for the trend chart."""
    from xietong.supervision.models import ProgressSnapshot

    rows = []
    for d in range(180):
        day = today - datetime.timedelta(days=179 - d)
        for i, city in enumerate(world["cities"]):
            total = 20_000
            done = int(total * (0.10 + 0.0012 * d + 0.01 * i))
            figures = {"total": total, "done": done, "overdue": 900 - d, "mean_progress": 40 + d // 9}
            rows.append(ProgressSnapshot(date=day, unit=city, **figures))
    ProgressSnapshot.objects.bulk_create(rows)


def analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- measuring ----------------------------------------------------------------------------------------------


def office_client(world):
    from django.test import Client

    client = Client()
    client.force_login(world["office_user"])
    return client


def staff_client(world):
    from django.test import Client

    client = Client()
    client.force_login(world["staff"])
    return client


def page_urls(world):
    taiyuan = world["cities"][0].pk
    return {
        "dashboard": "/supervision/",
        "work queue": "/work/",
        "filtered list": f"/supervision/matters/?city={taiyuan}&domain=ecology&state=in_progress",
        "filtered list, page 5": f"/supervision/matters/?city={taiyuan}&domain=ecology&state=in_progress&page=5",
        "search (substring, Chinese)": "/supervision/matters/?q=大气污染",
    }


def query_count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def p95(samples):
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def p95_ms(client, url):
    for _ in range(WARM_UP):
        client.get(url)
    samples = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return p95(samples)


def p95_select_one():
    from django.db import connection

    samples = []
    with connection.cursor() as cursor:
        for _ in range(REQUESTS * 10):
            started = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            samples.append((time.perf_counter() - started) * 1000)
    return p95(samples)


if __name__ == "__main__":
    main()
