"""Declarations taken through the real HTTP stack: gunicorn on loopback, the public JSON API.

Creates and drops its own PostgreSQL database (xietong_bench_declarations_intake). gunicorn serves
`xietong.wsgi` with production settings (DEBUG off); client threads post declarations (each a new
person, one to three stops, some in the areas of a published notice, so screening matches and plans
measures) for a bounded time and count. Figures:

- baseline: a raw single-row INSERT loop (psycopg, one connection, each row committed) of rows shaped
  like a declaration into a bare table of the same database, in the same run — the floor cost of
  storing one row;
- intake: declarations stored per second (each answered 200 with its receipt) and the p99 latency.

Targets: intake ≥ 0.25 × the INSERT loop's rows per second; p99 ≤ 50 ms.
"""

import datetime
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time

from _pg import ROOT, drop, setup_django

WORKERS = 4  # gunicorn processes
CLIENTS = 4  # concurrent senders: one request in flight per worker
SECONDS = 20  # bounded: whichever of time and count comes first
MAX_REQUESTS = 4000
BASELINE_ROWS = 2000
PLACES = ["四川省内江市资中县", "山西省晋中市榆次区", "北京市朝阳区", "湖北省武汉市江夏区", "广东省深圳市南山区"]


def main():
    database = setup_django("declarations_intake")
    try:
        return run()
    finally:
        drop(database)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup(today):
    from xietong.core.actions import do_create_unit
    from xietong.core.models import UnitKind
    from xietong.declarations.models import Notice, PreventionOffice, RiskArea
    from xietong.declarations.partitions import ensure_partitions
    from xietong.regions.models import Region

    office = do_create_unit(name="办公室", kind=UnitKind.OFFICE, slug="office")
    city = do_create_unit(name="太原市", kind=UnitKind.CITY, parent=office, slug="taiyuan")
    prevention = do_create_unit(name="太原市疫情防控办", kind=UnitKind.DEPARTMENT, parent=city, slug="ty-prevention")
    town = do_create_unit(
        name="坞城街道", kind=UnitKind.TOWN, parent=city, slug="wucheng", region=Region.objects.get(code="140105001")
    )
    community = do_create_unit(name="坞城社区", kind=UnitKind.COMMUNITY, parent=town, slug="wucheng-community")
    office_row = PreventionOffice.objects.create(city=city, unit=prevention)
    ensure_partitions(today=today)
    window = today - datetime.timedelta(days=10)
    notice = Notice.objects.create(
        office=office_row, title="健康提示", window_start=window, state="published", published_on=today
    )
    for n, code in enumerate(["511025", "420115"]):  # 资中县, 江夏区
        RiskArea.objects.create(
            notice=notice, position=n, text=code, region_id=code, tier="listed", window_start=window
        )
    return community.pk


def payload(seq, today, community):
    from xietong.declarations.idcard import check_character

    first17 = f"140105{1970 + seq % 40}{1 + seq % 12:02d}{1 + seq % 28:02d}{seq % 1000:03d}"
    stops = []
    for k in range(1 + seq % 3):
        end = today - datetime.timedelta(days=1 + 4 * k)
        stops.append(
            {
                "place": PLACES[(seq + k) % len(PLACES)],
                "start": (end - datetime.timedelta(days=3)).isoformat(),
                "end": end.isoformat(),
                "transport": f"G{seq % 9000}",
            }
        )
    return {
        "name": f"旅客{seq}",
        "id_number": first17 + check_character(first17),
        "phone": f"139{seq:08d}",
        "arrival_date": today.isoformat(),
        "destination": "太原市小店区坞城街道",
        "address": "坞城路92号",
        "community": community,
        "stops": stops,
    }


def baseline(url):
    """Rows per second of a single-row INSERT loop, each committed, into a bare declaration-shaped table."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE bench_raw (id bigserial PRIMARY KEY, receipt varchar(12), name text, id_number text, "
            "id_index varchar(64), phone text, arrival_date date, state varchar(12), submitted_at timestamptz)"
        )
        started = time.perf_counter()
        for i in range(BASELINE_ROWS):
            conn.execute(
                "INSERT INTO bench_raw (receipt, name, id_number, id_index, phone, arrival_date, state, submitted_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, now())",
                [f"R{i:09d}", "x" * 100, "x" * 120, f"{i:064d}", "x" * 100, datetime.date(2026, 12, 1), "clear"],
            )
        elapsed = time.perf_counter() - started
        conn.execute("DROP TABLE bench_raw")
    return BASELINE_ROWS / elapsed


def serve(port):
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY="bench-secret-key-not-for-production",
        ALLOWED_HOSTS="127.0.0.1",
        NOTIFICATION_BACKENDS="",
        CELERY_BROKER_URL="",
        # As deployed: each worker keeps its database connection between requests.
        DATABASE_CONN_MAX_AGE="600",
    )
    process = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "xietong.wsgi",
            "-w",
            str(WORKERS),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("gunicorn did not answer within 60 s")


def load(port, today, community):
    """Post declarations from CLIENTS threads; returns (stored, seconds, latencies in seconds, failures)."""
    bodies = [json.dumps(payload(seq, today, community)).encode() for seq in range(MAX_REQUESTS)]
    latencies, failures, lock = [], [], threading.Lock()
    counter = iter(range(MAX_REQUESTS))
    stop_at = None

    def sender():
        while time.perf_counter() < stop_at:
            with lock:
                seq = next(counter, None)
            if seq is None:
                return
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request(
                "POST", "/api/v1/declarations/declare/taiyuan", bodies[seq], {"Content-Type": "application/json"}
            )
            response = conn.getresponse()
            body = response.read()
            conn.close()
            elapsed = time.perf_counter() - started
            with lock:
                if response.status == 200 and json.loads(body).get("created"):
                    latencies.append(elapsed)
                else:
                    failures.append((response.status, body[:200]))

    # A few requests first so every worker has loaded the place index and opened its connection.
    warm = [json.dumps(payload(MAX_REQUESTS + i, today, community)).encode() for i in range(WORKERS * 3)]
    for body in warm:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("POST", "/api/v1/declarations/declare/taiyuan", body, {"Content-Type": "application/json"})
        conn.getresponse().read()
        conn.close()
    started = time.perf_counter()
    stop_at = started + SECONDS
    threads = [threading.Thread(target=sender) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), time.perf_counter() - started, sorted(latencies), failures


def run():
    from django.db import connections
    from django.utils import timezone

    from xietong.declarations.models import Declaration

    today = timezone.localdate()
    community = setup(today)
    connections.close_all()
    url = os.environ["DATABASE_URL"]
    insert_rate = baseline(url)
    port = free_port()
    server = serve(port)
    try:
        stored, seconds, latencies, failures = load(port, today, community)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if failures:
        print(f"{len(failures)} requests failed, first: {failures[0]}")
    at_risk = Declaration.objects.filter(tier="listed").count()
    rate = stored / seconds
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    ok = rate >= 0.25 * insert_rate and p99 <= 0.050 and not failures
    print(
        f"raw INSERT loop (baseline): {insert_rate:.0f} rows/s; intake through gunicorn ({WORKERS} workers, "
        f"{CLIENTS} clients): {stored} declarations in {seconds:.1f} s = {rate:.0f}/s "
        f"({at_risk} screened at risk), p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"
    )
    print(
        f"intake = {rate / insert_rate:.2f} × the INSERT loop (target ≥ 0.25); p99 {p99 * 1000:.1f} ms "
        f"(target ≤ 50 ms) — {'met' if ok else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
