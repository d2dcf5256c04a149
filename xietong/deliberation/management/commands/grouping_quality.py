import csv
import random
from pathlib import Path

from django.core.management.base import BaseCommand

from xietong.deliberation import grouping

LABELLED = Path(__file__).resolve().parents[2] / "tests" / "concerns_labelled.tsv"
# Other wordings of the same 30 kinds, written after the stop words and synonyms were settled and never used to
# choose them or the threshold: precision and recall on these say how grouping meets a resident's new wording.
HELD_OUT = LABELLED.with_name("concerns_heldout.tsv")


def load_labelled(path=LABELLED):
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    # Single-pass grouping depends on arrival order: a fixed shuffle stands for residents writing in any order.
    random.Random(7).shuffle(rows)
    return [row["label"] for row in rows], [row["text"] for row in rows]


def measure(threshold=grouping.THRESHOLD, path=LABELLED):
    labels, texts = load_labelled(path)
    groups = grouping.group_texts(texts, threshold)
    precision, recall = grouping.pair_scores(labels, groups)
    return {
        "concerns": len(texts),
        "kinds": len(set(labels)),
        "groups": len(set(groups)),
        "precision": precision,
        "recall": recall,
    }


class Command(BaseCommand):
    help = (
        "Pairwise precision and recall of concern grouping on the labelled set, at the threshold in use and around it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--threshold", type=float, action="append")

    def handle(self, *args, threshold=None, **options):
        for name, path in (("labelled set (tuned on)", LABELLED), ("held-out set", HELD_OUT)):
            self.stdout.write(name)
            for value in threshold or [0.1, 0.15, grouping.THRESHOLD, 0.25, 0.3]:
                m = measure(value, path)
                mark = "  ← in use" if value == grouping.THRESHOLD else ""
                self.stdout.write(
                    f"  threshold {value:.2f}: {m['concerns']} concerns of {m['kinds']} kinds → {m['groups']} groups; "
                    f"precision {m['precision']:.3f}, recall {m['recall']:.3f}{mark}"
                )
