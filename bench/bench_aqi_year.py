"""A year of daily AQI for the five cities, as the dashboard asks for it, against the raw query alone.

Creates and drops its own PostgreSQL database (xietong_bench_aqi_year): 21 stations in five
cities with a year of hourly readings (2022, 184,000 rows) ingested and turned into daily
values by the application itself. Then, through Django's test client as a logged-in city
user (middleware, session, permission check, JSON), the median and 95th percentile of:

- GET /api/v1/airquality/daily for 2022 (five cities and the cluster, 6 × 365 values);
- GET /api/v1/airquality/calendar of one city for 2022;
- GET /airquality/ (the dashboard page that loads them);

against the baseline: the SELECT behind the daily endpoint run on a cursor and fetched.
Target: the year of daily AQI ≤ 200 ms.
"""

import os
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
NAME = "xietong_bench_aqi_year"
RUNS = 50
TARGET_MS = 200


def admin(sql):
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def main():
    admin(f"DROP DATABASE IF EXISTS {NAME}")
    admin(f"CREATE DATABASE {NAME}")
    try:
        run()
    finally:
        from django.db import connections

        connections.close_all()
        admin(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")


def timed(call, runs=RUNS):
    for _ in range(3):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def readings(codes, year=2022):
    import datetime as dt

    rng = random.Random(2022)
    first = dt.datetime(year, 1, 1, 1)
    for hour in range(365 * 24):
        timepoint = (first + dt.timedelta(hours=hour)).strftime("%Y-%m-%d %H:%M:%S")
        winter = 1.8 if hour < 80 * 24 or hour > 310 * 24 else 0.7
        for code in codes:
            pm25 = rng.uniform(15, 110) * winter
            o3 = rng.uniform(10, 120) * (2.2 - winter)
            values = [
                rng.randint(5, 40),
                rng.randint(15, 70),
                round(pm25 * 1.6),
                round(pm25),
                round(0.5 + pm25 / 120, 1),
            ]
            yield hour + 2, code, timepoint, [*values, round(o3)]


def run():
    os.environ["DATABASE_URL"] = f"{SERVER}/{NAME}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "xietong.settings"
    os.environ["DEBUG"] = "0"
    os.environ["NOTIFICATION_BACKENDS"] = ""
    # Static files are not collected for a benchmark; WhiteNoise says so once, harmlessly.
    warnings.filterwarnings("ignore", message="No directory at")
    import datetime as dt

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from xietong.airquality.derive import recompute
    from xietong.airquality.ingest import ingest
    from xietong.airquality.models import AreaDay, Source, Station
    from xietong.core.actions import do_create_unit, do_set_membership
    from xietong.core.models import Role, UnitKind

    call_command("migrate", verbosity=0)
    office = do_create_unit(name="山西中部城市群建设领导小组办公室", kind=UnitKind.OFFICE, slug="office")
    cities = [
        do_create_unit(name=f"{name}市人民政府", kind=UnitKind.CITY, parent=office, slug=slug, sort_order=i)
        for i, (slug, name) in enumerate(
            [("taiyuan", "太原"), ("xinzhou", "忻州"), ("lvliang", "吕梁"), ("jinzhong", "晋中"), ("yangquan", "阳泉")]
        )
    ]
    codes = [f"Y{c:01d}{s:02d}" for c in range(5) for s in range(5 if c == 0 else 4)]
    Station.objects.bulk_create(
        Station(code=code, name=code, city=cities[int(code[1])], latitude=37.8 + int(code[2:]) / 50, longitude=112.5)
        for code in codes
    )
    started = time.perf_counter()
    ingest(readings(codes), source=Source.COMMAND, recompute=False)
    recompute(list(Station.objects.values_list("pk", flat=True)), dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    prepared = time.perf_counter() - started
    user = get_user_model().objects.create_user("bench-taiyuan", password="x")
    do_set_membership(user=user, unit=cities[0], role=Role.STAFF)

    client = Client()
    client.force_login(user)
    year = "/api/v1/airquality/daily?start=2022-01-01&end=2022-12-31"
    answer = client.get(year).json()
    assert len(answer["days"]) == 365 and len(answer["series"]) == 6, answer.keys()
    filled = sum(v is not None for s in answer["series"] for v in s["aqi"])

    units = [*cities, office]
    query = AreaDay.objects.filter(unit__in=units, day__gte=dt.date(2022, 1, 1), day__lte=dt.date(2022, 12, 31))
    sql, params = query.values_list("unit_id", "day", "aqi", "level").query.sql_with_params()

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    base_median, base_p95 = timed(raw)
    year_median, year_p95 = timed(lambda: client.get(year))
    calendar_median, calendar_p95 = timed(lambda: client.get("/api/v1/airquality/calendar?unit=taiyuan&year=2022"))
    page_median, page_p95 = timed(lambda: client.get("/airquality/?start=2022-01-01&end=2022-12-31"))

    print(
        f"data: {len(codes)} stations, {365 * 24 * len(codes):,} hourly readings "
        f"ingested and derived in {prepared:.1f} s"
    )
    print(f"baseline  raw query of {filled:,} daily values:   median {base_median:6.1f} ms  p95 {base_p95:6.1f} ms")
    print(
        f"year      GET daily, 5 cities + cluster, 2022:   median {year_median:6.1f} ms  p95 {year_p95:6.1f} ms"
        f"  = {year_median / base_median:5.1f} × raw query (target ≤ {TARGET_MS} ms: "
        f"{'met' if year_p95 <= TARGET_MS else 'MISSED'})"
    )
    print(
        f"calendar  GET calendar, one city, 2022:         median {calendar_median:6.1f} ms  p95 {calendar_p95:6.1f} ms"
        f"  = {calendar_median / base_median:5.1f} × raw query"
    )
    print(
        f"page      GET the dashboard page:               median {page_median:6.1f} ms  p95 {page_p95:6.1f} ms"
        f"  = {page_median / base_median:5.1f} × raw query"
    )
    connection.close()


if __name__ == "__main__":
    main()
