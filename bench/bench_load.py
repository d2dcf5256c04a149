"""Mixed traffic against gunicorn: requests per second and p50/p95/p99 per kind.

Production-shaped: gunicorn with the production settings (DEBUG off, CSP, sessions) on a PostgreSQL cluster of
its own holding the demo data, clients on loopback keeping their connections. The kinds are what the platform
serves all day: travellers' declarations (API), residents' concerns (Open311), the office's dashboard, the
daily declarations bulletin, the matter list through the API, and the public home page. The baseline, measured
in the same run under the same load, is /healthz, which touches neither the database nor a template.

BENCH_LOAD_SECONDS (default 60, measured), BENCH_WARMUP_SECONDS (15, the same traffic unmeasured: each gunicorn
worker loads the division tables, the word lists and its database connection on its first requests, and those
seconds-long first answers are no figure of the platform under load), BENCH_CLIENTS (8) and BENCH_WORKERS (4
gunicorn workers) bound the run; with the set-up (a fresh cluster, migrate, the demo data) it takes about three
minutes on a two-core machine.
"""

import datetime
import os
import random
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _live import Client, Cluster, Gunicorn, concern_fields, declaration, manage, new_key, percentile, prepare  # noqa: E402

SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", 60))
WARMUP = int(os.environ.get("BENCH_WARMUP_SECONDS", 15))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", 8))
WORKERS = int(os.environ.get("BENCH_WORKERS", 4))

# Weights: the public intake dominates in an epidemic wave; staff read dashboards and lists.
MIX = [
    ("declaration", 30),
    ("concern", 15),
    ("dashboard", 15),
    ("report", 10),
    ("api", 15),
    ("home", 10),
    ("healthz", 5),
]


def community_pk(env):
    code = "from xietong.core.models import Unit; print(Unit.objects.get(slug='wucheng-community').pk)"
    return int(manage(env, "shell", "-c", code).strip())


def main():
    began_setup = time.monotonic()
    cluster = Cluster()
    server = None
    try:
        env, open311_key, token = prepare(cluster)
        community = community_pk(env)
        server = Gunicorn(env, workers=WORKERS)
        samples, errors = defaultdict(list), defaultdict(int)
        lock = threading.Lock()
        seq = iter(range(10**6))
        arrival = datetime.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
        setup = time.monotonic() - began_setup
        measure_from = time.monotonic() + WARMUP
        stop_at = measure_from + SECONDS

        def run(index):
            rng = random.Random(index)
            office, prevention, public = Client(server.port), Client(server.port), Client(server.port)
            office.login("office")
            prevention.login("prevention")
            kinds = [k for k, w in MIX for _ in range(w)]
            while time.monotonic() < stop_at:
                kind = rng.choice(kinds)
                with lock:
                    n = next(seq)
                started = time.perf_counter()
                if kind == "declaration":
                    status = public.post_json(
                        "/api/v1/declarations/declare/taiyuan",
                        declaration(n, community, arrival),
                        {"Idempotency-Key": new_key()},
                    )[0]
                elif kind == "concern":
                    status = public.post_form(
                        "/open311/v2/requests.json", concern_fields(open311_key, n), {"Idempotency-Key": new_key()}
                    )[0]
                elif kind == "dashboard":
                    status = office.get("/supervision/")[0]
                elif kind == "report":
                    status = prevention.get("/declarations/bulletin/")[0]
                elif kind == "api":
                    status = public.request(
                        "GET", "/api/v1/supervision/matters", headers={"Authorization": f"Bearer {token}"}
                    )[0]
                elif kind == "home":
                    status = public.get("/")[0]
                else:
                    status = public.get("/healthz")[0]
                elapsed = time.perf_counter() - started
                if time.monotonic() < measure_from:
                    continue
                with lock:
                    if status < 400:
                        samples[kind].append(elapsed)
                    else:
                        errors[kind] += 1

        threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # From the end of the warm-up to the last answer (a request begun before the stop counts).
        duration = time.monotonic() - measure_from
        total = sum(len(v) for v in samples.values())
        base = percentile(samples["healthz"], 0.95)
        print(
            f"{SECONDS} s of mixed traffic after {WARMUP} s of warm-up, {CLIENTS} clients, gunicorn {WORKERS} workers, "
            f"PostgreSQL on loopback (set-up {setup:.0f} s)"
        )
        print(
            f"{'kind':<12} {'requests':>8} {'rps':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'p95/base':>9} errors"
        )
        for kind, _weight in MIX:
            values = samples[kind]
            print(
                f"{kind:<12} {len(values):>8} {len(values) / duration:>7.1f} {percentile(values, 0.5) * 1000:>8.1f} "
                f"{percentile(values, 0.95) * 1000:>8.1f} {percentile(values, 0.99) * 1000:>8.1f} "
                f"{percentile(values, 0.95) / base:>9.1f} {errors[kind]}"
            )
        print(
            f"total: {total} requests in {duration:.0f} s = {total / duration:.1f} rps; "
            f"errors {sum(errors.values())}; baseline /healthz p95 {base * 1000:.1f} ms"
        )
        if sum(errors.values()):
            sys.exit(1)
    finally:
        if server:
            server.stop()
        cluster.stop()


if __name__ == "__main__":
    main()
