"""Loads the division tables shipped in xietong/regions/data/ (see its README)."""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES = [
    ("provinces.csv", 1, None),
    ("cities.csv", 2, "provinceCode"),
    ("areas.csv", 3, "cityCode"),
    ("streets.csv", 4, "areaCode"),
]


def rows():
    for filename, level, parent_column in FILES:
        with open(DATA_DIR / filename, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                yield row["code"], row["name"].strip(), level, row[parent_column] if parent_column else None


def load_regions(Region, batch_size=5000):
    """Insert the regions not yet stored; returns how many were added. Safe to run again."""
    existing = set(Region.objects.values_list("code", flat=True))
    new = [
        Region(code=code, name=name, level=level, parent_id=parent)
        for code, name, level, parent in rows()
        if code not in existing
    ]
    Region.objects.bulk_create(new, batch_size=batch_size)
    return len(new)
