"""Placing a few hundred risk-area list entries: how many are placed, how many go to review, and that none
is placed in a division its text does not name.

    .venv/bin/python -m pytest xietong/declarations/tests/test_placement.py -s   (prints the figures)
"""

from pathlib import Path

import pytest

from xietong.declarations import placing
from xietong.regions.resolver import PlaceError, get_index

pytestmark = pytest.mark.usefixtures("regions")
DATA = Path(__file__).parent / "data"


def entries():
    index = get_index()
    by_full_name = {node.full_name: code for code, node in index.nodes.items() if not node.placeholder}
    rows = []
    for line in (DATA / "risk_areas_published.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            text, expected = line.split("\t")[:2]
            rows.append((text, None if expected == "review" else by_full_name[expected]))
    for line in (DATA / "generated_in_list_styles.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            text, code = line.split("\t")[:2]
            rows.append((text, code))
    return rows


def test_no_entry_is_misplaced():
    counts = {"placed": 0, "placed coarser": 0, "review": 0, "misplaced": 0}
    misplaced, wrongly_reviewed = [], []
    rows = entries()
    for text, expected in rows:
        try:
            region, _rest = placing.place(text)
        except PlaceError:
            counts["review"] += 1
            wrongly_reviewed.append(text)
            continue
        if expected is not None and region.code == expected:
            counts["placed"] += 1
        elif expected is not None and expected.startswith(region.code) and len(region.code) >= 6:
            counts["placed coarser"] += 1  # the right county, not the town below it
        else:
            counts["misplaced"] += 1
            misplaced.append((text, expected, region.code))
    print(f"\nrisk-area list entries: {len(rows)}; " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    assert len(rows) >= 300
    assert misplaced == []
    # The entries the text cannot decide are among those that went to review.
    assert {t for t, e in rows if e is None} <= set(wrongly_reviewed)
    assert counts["placed"] >= 0.9 * len(rows)
