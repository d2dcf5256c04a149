"""Grouping 100,000 Chinese concerns (target ≤ 60 s), and matching a new concern against the topics
(target median ≤ 20 ms).

Run from the repository root:  python bench/bench_deliberation_grouping.py

Grouping is xietong.deliberation.grouping: jieba segmentation, TF-IDF vectors, single-pass grouping against
the centroids through an inverted index. Baseline, measured in the same run on the same texts: jieba's
segmentation alone (jieba.lcut), the floor under any grouping of Chinese text by words. The ratio says what
vectors and grouping add on top of segmenting.

Matching: after grouping, the groups' signatures stand for the hall's open topics; 1,000 new concerns are
matched one at a time with the same code `match_topic` runs (`Grouper.best` over the signatures, seeded once
per call as the view does) and the median is printed, with the median of segmenting one concern as baseline.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _concerns import concerns  # noqa: E402

N = 100_000
MATCHES = 1_000
TARGET_S = 60
TARGET_MATCH_MS = 20


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xietong.settings")
    import jieba

    from xietong.deliberation import grouping

    rows = concerns(N)
    texts = [text for _label, text in rows]
    grouping.vector("预热")  # load jieba's dictionary outside the timings

    started = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    baseline = time.perf_counter() - started

    started = time.perf_counter()
    grouper = grouping.Grouper()
    groups = [grouper.add(grouping.vector(text)) for text in texts]
    elapsed = time.perf_counter() - started
    precision, recall = grouping.pair_scores([label for label, _ in rows], groups)
    verdict = "meets" if elapsed <= TARGET_S else "MISSES"
    print(f"baseline: jieba.lcut of {N:,} concerns {baseline:.1f} s")
    print(
        f"grouping {N:,} concerns: {elapsed:.1f} s = {elapsed / baseline:.2f} × baseline; target {TARGET_S} s "
        f"({verdict}); {len(set(groups)):,} groups, pairwise precision {precision:.3f} recall {recall:.3f}"
    )

    signatures = [grouper.signature(g) for g in range(len(grouper.sums))]
    new = [text for _label, text in concerns(MATCHES, seed=2026)]
    segment, match = [], []
    for text in new:
        t0 = time.perf_counter()
        jieba.lcut(text)
        segment.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        topics = grouping.Grouper()
        for signature in signatures:
            topics.add_signature(signature)
        topics.best(grouping.vector(text))
        match.append((time.perf_counter() - t0) * 1000)
    base, median = statistics.median(segment), statistics.median(match)
    verdict = "meets" if median <= TARGET_MATCH_MS else "MISSES"
    print(f"baseline: segmenting one concern, median {base:.3f} ms")
    print(
        f"matching a new concern against {len(signatures):,} topics: median {median:.2f} ms = "
        f"{median / base:.0f} × baseline; target {TARGET_MATCH_MS} ms ({verdict})"
    )


if __name__ == "__main__":
    main()
