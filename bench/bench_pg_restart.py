"""PostgreSQL restarted in the middle of intake: clients that resend with an Idempotency-Key lose nothing and
duplicate nothing.

Travellers' declarations (API) and residents' concerns (Open311) are sent by concurrent clients to gunicorn;
part-way through, the database server is restarted (`pg_ctl restart -m fast`, which cuts every connection, as a
fail-over does). A client that gets no answer or a 5xx sends the same request again with the same key until it
is acknowledged. Printed: requests sent, acknowledged and stored, and the resends. The figure is stored over
acknowledged, which must be exactly 1 (the baseline: nothing lost, nothing twice).

The cluster is a throwaway one of this benchmark (see _live.py), never the shared server.
BENCH_FAULT_SECONDS (default 40) and BENCH_CLIENTS (8) bound the run; the restart comes at a third of it.
"""

import datetime
import os
import sys
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _live import Client, Cluster, Gunicorn, concern_fields, declaration, manage, new_key, prepare  # noqa: E402

SECONDS = int(os.environ.get("BENCH_FAULT_SECONDS", 40))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", 8))
GIVE_UP = 90  # seconds a client keeps resending one request


def count(env):
    code = (
        "from xietong.declarations.models import Declaration; from xietong.deliberation.models import Concern; "
        "print(Declaration.objects.count(), Concern.objects.filter(channel='open311').count())"
    )
    declarations, concerns = manage(env, "shell", "-c", code).split()
    return int(declarations), int(concerns)


def stored_receipts(env, receipts):
    code = (
        "import sys; from xietong.declarations.models import Declaration; "
        f"print(Declaration.objects.filter(receipt__in={sorted(receipts)!r}).count())"
    )
    return int(manage(env, "shell", "-c", code))


def stored_codes(env, codes):
    code = (
        "from xietong.deliberation.models import Concern; "
        f"print(Concern.objects.filter(code__in={sorted(codes)!r}).count())"
    )
    return int(manage(env, "shell", "-c", code))


def main():
    cluster = Cluster()
    server = None
    try:
        env, open311_key, _token = prepare(cluster)
        community = int(
            manage(
                env,
                "shell",
                "-c",
                "from xietong.core.models import Unit; print(Unit.objects.get(slug='wucheng-community').pk)",
            )
        )
        server = Gunicorn(env, workers=4)
        before = count(env)
        lock = threading.Lock()
        tally = {"sent": {"declaration": 0, "concern": 0}, "acked": {"declaration": set(), "concern": set()}}
        resends, failed_answers, lost = [0], [0], []
        seq = iter(range(10**6))
        arrival = datetime.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
        stop_at = time.monotonic() + SECONDS

        def run(index):
            client = Client(server.port, timeout=20)
            kind = "declaration" if index % 2 == 0 else "concern"
            while time.monotonic() < stop_at:
                with lock:
                    n = next(seq)
                    tally["sent"][kind] += 1
                key = new_key()
                deadline = time.monotonic() + GIVE_UP
                attempt = 0
                while True:
                    attempt += 1
                    try:
                        if kind == "declaration":
                            status, body, _h = client.post_json(
                                "/api/v1/declarations/declare/taiyuan",
                                declaration(n, community, arrival),
                                {"Idempotency-Key": key},
                            )
                        else:
                            status, body, _h = client.post_form(
                                "/open311/v2/requests.json",
                                concern_fields(open311_key, n),
                                {"Idempotency-Key": key},
                            )
                    except OSError:
                        status, body = None, b""
                    if status is not None and status < 300:
                        import json

                        answer = json.loads(body)
                        ident = answer["receipt"] if kind == "declaration" else answer[0]["service_request_id"]
                        with lock:
                            tally["acked"][kind].add(ident)
                            resends[0] += attempt - 1
                        break
                    with lock:
                        failed_answers[0] += 1
                    if status is not None and status < 500:
                        with lock:
                            lost.append((kind, n, status, body[:200]))
                        break  # refused for a reason a resend cannot change: counted as not acknowledged
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.25)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(SECONDS / 3)
        restarted = time.monotonic()
        cluster.restart()
        print(f"PostgreSQL restarted in {time.monotonic() - restarted:.1f} s, {SECONDS / 3:.0f} s into the run")
        for thread in threads:
            thread.join()
        after = count(env)
        print(
            f"{SECONDS} s of intake, {CLIENTS} clients, gunicorn 4 workers; a resend carries the same Idempotency-Key"
        )
        ok = True
        for kind, column, stored_of in (
            ("declaration", 0, stored_receipts),
            ("concern", 1, stored_codes),
        ):
            acked = tally["acked"][kind]
            new_rows = after[column] - before[column]
            found = stored_of(env, acked) if acked else 0
            print(
                f"{kind + 's':<13} sent {tally['sent'][kind]:>5}  acknowledged {len(acked):>5}  stored {new_rows:>5}  "
                f"(acknowledged and found {found})  stored/acknowledged {new_rows / max(len(acked), 1):.3f}"
            )
            ok = ok and new_rows == len(acked) == found == tally["sent"][kind]
        print(f"answers that asked for a resend (5xx or no answer): {failed_answers[0]}; resends {resends[0]}")
        if lost:
            print("refused:", lost[:5])
        print("baseline: stored/acknowledged = 1.000 (nothing lost, nothing twice)", "— held" if ok else "— BROKEN")
        if not ok:
            sys.exit(1)
    finally:
        if server:
            server.stop()
        cluster.stop()


if __name__ == "__main__":
    main()
