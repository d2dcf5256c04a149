"""100,000 concerns in Chinese for the deliberation benchmarks: the labelled set's 300 wordings of 30 town
problems, each put in one of 40 places and given one of 12 endings (deterministic, seeded)."""

import csv
import random
from pathlib import Path

LABELLED = Path(__file__).resolve().parent.parent / "xietong/deliberation/tests/concerns_labelled.tsv"
PLACES = [
    f"{name}{suffix}"
    for name in ["河口村", "东街", "西街", "南沟", "北坡", "新村", "老街", "矿区"]
    for suffix in ["", "一组", "二组", "路口", "小区"]
]
ENDINGS = [
    "",
    "，希望尽快解决",
    "，已经一个多月了",
    "，反映过好几次",
    "，请领导重视",
    "，老人孩子都受影响",
    "！",
    "，谢谢",
    "，麻烦看一下",
    "，周边居民意见很大",
    "，晚上尤其明显",
    "，盼复",
]


def labelled():
    with LABELLED.open(encoding="utf-8") as handle:
        return [(row["label"], row["text"]) for row in csv.DictReader(handle, delimiter="\t")]


def concerns(n, seed=20220727):
    rng = random.Random(seed)
    rows = labelled()
    out = []
    for _ in range(n):
        label, text = rng.choice(rows)
        out.append((label, f"{rng.choice(PLACES)}{text}{rng.choice(ENDINGS)}"))
    return out
