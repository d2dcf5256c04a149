"""Ingest 1,000,000 hourly readings through the management command's path, against COPY of the same rows.

Creates and drops its own PostgreSQL database (xietong_bench_ingest). The readings are a
national-feed CSV of 100 stations × 10,000 hours with the usual flaws (about 1 % missing
values, a few negative ones). Figures:

- baseline: psycopg COPY of the same CSV into a bare table (no checks, no upsert);
- ingest: `manage.py ingest_readings file.csv` without recomputation: every value checked
  and flagged, COPY into a staging table, INSERT … ON CONFLICT DO UPDATE into readings;
- recompute: the daily values (means, O3 8-hour, AQI) of all station-days, cities and cluster;
- re-send: the same file again (every station-hour unchanged, nothing rewritten).

Target: ingest ≤ 60 s.
"""

import io
import os
import random
import sys
import tempfile
import time
import warnings
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
NAME = "xietong_bench_ingest"
STATIONS, HOURS = 100, 10_000
TARGET_SECONDS = 60


def admin(sql):
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def feed_csv():
    """The CSV text of the national feed for all station-hours (timepoint = hour ending, local time)."""
    import datetime as dt

    rng = random.Random(7)
    start = dt.datetime(2021, 1, 1, 1)
    out = io.StringIO()
    out.write("stationcode,timepoint,so2,no2,pm10,pm2_5,co,o3\n")
    times = [(start + dt.timedelta(hours=h)).strftime("%Y-%m-%d %H:%M:%S") for h in range(HOURS)]
    for h, timepoint in enumerate(times):
        season = 1.6 if (h // 24) % 365 < 80 or (h // 24) % 365 > 300 else 0.8
        for s in range(STATIONS):
            pm25 = rng.randint(10, 90) * season
            values = [
                rng.randint(3, 40),
                rng.randint(10, 70),
                round(pm25 * 1.6),
                round(pm25),
                round(0.4 + pm25 / 100, 1),
            ]
            values.append(rng.randint(5, 180))
            roll = rng.random()
            if roll < 0.01:
                values[rng.randrange(6)] = "—"
            elif roll < 0.011:
                values[0] = -1
            out.write(
                f"BS{s:03d},{timepoint},{values[0]},{values[1]},{values[2]},{values[3]},{values[4]},{values[5]}\n"
            )
    return out.getvalue()


def main():
    admin(f"DROP DATABASE IF EXISTS {NAME}")
    admin(f"CREATE DATABASE {NAME}")
    try:
        run()
    finally:
        from django.db import connections

        connections.close_all()
        admin(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")


def run():
    os.environ["DATABASE_URL"] = f"{SERVER}/{NAME}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "xietong.settings"
    os.environ["DEBUG"] = "0"  # no query log
    os.environ["NOTIFICATION_BACKENDS"] = ""
    # Static files are not collected for a benchmark; WhiteNoise says so once, harmlessly.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from xietong.airquality.derive import recompute
    from xietong.airquality.models import Reading, Station, StationDay
    from xietong.core.actions import do_create_unit
    from xietong.core.models import UnitKind

    call_command("migrate", verbosity=0)
    office = do_create_unit(name="山西中部城市群建设领导小组办公室", kind=UnitKind.OFFICE, slug="office")
    cities = [
        do_create_unit(name=f"{name}市人民政府", kind=UnitKind.CITY, parent=office, slug=slug)
        for slug, name in [
            ("taiyuan", "太原"),
            ("xinzhou", "忻州"),
            ("lvliang", "吕梁"),
            ("jinzhong", "晋中"),
            ("yangquan", "阳泉"),
        ]
    ]
    Station.objects.bulk_create(
        Station(code=f"BS{s:03d}", name=f"站点{s}", city=cities[s % 5], latitude=37.8, longitude=112.5)
        for s in range(STATIONS)
    )
    text = feed_csv()
    rows = STATIONS * HOURS

    # Baseline: COPY of the same rows into a bare table.
    with psycopg.connect(f"{SERVER}/{NAME}") as conn:
        conn.execute(
            "CREATE TABLE bench_copy (stationcode text, timepoint timestamptz, so2 double precision, "
            "no2 double precision, pm10 double precision, pm2_5 double precision, co double precision, "
            "o3 double precision)"
        )
        conn.execute("SET TIME ZONE 'Asia/Shanghai'")
        started = time.perf_counter()
        with conn.cursor().copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true, NULL '—')") as copy:
            copy.write(text)
        conn.commit()
        baseline = time.perf_counter() - started
        conn.execute("DROP TABLE bench_copy")
        conn.commit()

    with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8", delete=False) as handle:
        handle.write(text)
        path = handle.name
    try:
        out = io.StringIO()
        started = time.perf_counter()
        call_command("ingest_readings", path, "--no-recompute", stdout=out)
        ingested = time.perf_counter() - started
        assert Reading.objects.count() == rows, Reading.objects.count()

        started = time.perf_counter()
        ids = list(Station.objects.values_list("pk", flat=True))
        import datetime as dt

        recompute(ids, dt.date(2021, 1, 1), dt.date(2021, 1, 1) + dt.timedelta(days=HOURS // 24))
        recomputed = time.perf_counter() - started
        station_days = StationDay.objects.count()

        started = time.perf_counter()
        call_command("ingest_readings", path, "--no-recompute", stdout=io.StringIO())
        resent = time.perf_counter() - started
    finally:
        os.unlink(path)
    connection.close()

    print(f"rows: {rows:,} ({STATIONS} stations × {HOURS:,} hours), CSV {len(text.encode()) / 1e6:.0f} MB")
    print(f"baseline  COPY of the same rows:            {baseline:6.1f} s")
    print(
        f"ingest    manage.py ingest_readings:        {ingested:6.1f} s  = {ingested / baseline:4.1f} × COPY "
        f"({rows / ingested:,.0f} rows/s; target ≤ {TARGET_SECONDS} s: "
        f"{'met' if ingested <= TARGET_SECONDS else 'MISSED'})"
    )
    print(
        f"recompute {station_days:,} station-days, cities, cluster: "
        f"{recomputed:6.1f} s  = {recomputed / baseline:4.1f} × COPY"
    )
    print(f"re-send   the same file, all unchanged:     {resent:6.1f} s  = {resent / baseline:4.1f} × COPY")
    print(f"ingest + recompute:                         {ingested + recomputed:6.1f} s")


if __name__ == "__main__":
    main()
