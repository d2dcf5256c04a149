"""Benchmark: xietong.regions.resolve against a plain dict lookup of the same names.

Run from the repository root:  python bench/bench_resolve.py

A fresh SQLite database (in a temporary directory) is migrated, which loads the ≈45,000
divisions. The figures: the time to build the resolver's index, and the throughput of resolving
10,000 place names (a third written in full, a third shortened with levels skipped as people do,
"内江资中", a third the bare name, many of them ambiguous), as a ratio against looking the same
strings up in a dict {full name: code} — the cheapest conceivable resolver, which understands
nothing but exact full names.
"""

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMES = 10_000


def setup_django(directory):
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    os.environ["XIETONG_VAR_DIR"] = directory
    os.environ["DJANGO_SETTINGS_MODULE"] = "xietong.settings"
    os.environ.setdefault("NOTIFICATION_BACKENDS", "")
    sys.path.insert(0, str(ROOT))
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True, env=os.environ)
    import django

    django.setup()


def sample_names(index, count, seed=20220727):
    from xietong.regions.resolver import short_names

    rng = random.Random(seed)
    codes = [c for c in index.codes if not index.nodes[c].placeholder and index.nodes[c].level >= 2]
    names = []
    for code in rng.sample(codes, count):
        style = len(names) % 3
        node = index.nodes[code]
        if style == 0:
            names.append(node.full_name)
        elif style == 1:
            chain = [index.nodes[c] for c in index.lineage(code)]
            kept = [chain[0], *(n for n in chain[1:-1] if rng.random() < 0.5), chain[-1]]
            names.append("".join(min(short_names(n.name, n.level) or {n.name}, key=len) for n in kept))
        else:
            names.append(node.name)
    return names


def main():
    with tempfile.TemporaryDirectory(prefix="xietong-bench-resolve-") as directory:
        setup_django(directory)
        from xietong.regions.resolver import PlaceError, clear_cache, get_index, resolve, search

        builds = []
        for _ in range(3):
            clear_cache()
            started = time.perf_counter()
            get_index()
            builds.append(time.perf_counter() - started)
        index = get_index()
        names = sample_names(index, NAMES)

        table = {index.nodes[c].full_name: c for c in index.codes}
        started = time.perf_counter()
        for name in names:
            table.get(name)
        baseline = time.perf_counter() - started

        outcomes = {"resolved": 0, "ambiguous or unknown": 0}
        started = time.perf_counter()
        for name in names:
            try:
                resolve(name)
                outcomes["resolved"] += 1
            except PlaceError:
                outcomes["ambiguous or unknown"] += 1
        elapsed = time.perf_counter() - started

        queries = [name[: max(2, len(name) // 2)] for name in names[:1000]]
        started = time.perf_counter()
        for query in queries:
            search(query)
        searching = time.perf_counter() - started

        print(f"index build: {min(builds) * 1000:.0f} ms (best of 3, {len(index.nodes)} divisions)")
        print(
            f"resolve: {NAMES} names in {elapsed * 1000:.0f} ms = {NAMES / elapsed:,.0f}/s, "
            f"{elapsed / NAMES * 1e6:.0f} µs each ({outcomes['resolved']} resolved, "
            f"{outcomes['ambiguous or unknown']} ambiguous or unknown)"
        )
        print(f"baseline dict lookup: {NAMES / baseline:,.0f}/s")
        print(f"ratio resolve / dict lookup: 1 : {elapsed / baseline:,.0f}")
        print(f"type-ahead search: {searching / len(queries) * 1000:.2f} ms per query ({len(queries)} prefixes)")


if __name__ == "__main__":
    main()
