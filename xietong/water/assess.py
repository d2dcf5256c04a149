"""Monthly classes from samples, and the summaries of rivers and cities.

评价办法 一(二)1: a month with one sampling is assessed on it; with several (the automatic
stations' 4-hourly results), on the arithmetic mean of each parameter. Flagged values stay
out of the means except those below the detection limit, which count as half the limit as
the national network's statistics rule says (《地表水环境质量监测数据统计技术规定（试行）》,
环办监测函〔2020〕82号: 未检出按检出限的1/2参与统计). A value written "ND" with no limit
cannot be counted and is left out.

Every function costs a fixed number of queries whatever the number of sections.
"""

import datetime as dt
import zoneinfo
from collections import Counter, defaultdict

from django.conf import settings
from django.utils import timezone

from .grading import (
    CLASSES,
    EXCELLENT,
    GOOD,
    GRADE_RANK,
    HEAVILY,
    MODERATELY,
    SLIGHTLY,
    WORST,
    classify,
    main_pollutants,
)
from .models import MEASURED, VALUE_FIELDS, Flag, MonthlyResult, Sample, Section, SectionTarget


def month_start(day):
    return day.replace(day=1)


def next_month(month):
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_bounds(month):
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(month, dt.time(0), tzinfo=tz)
    return start, dt.datetime.combine(next_month(month), dt.time(0), tzinfo=tz)


def usable(value, flag):
    """The number a value contributes to the means, or None."""
    if flag is None:
        return value
    if flag == Flag.BELOW_DETECTION and value is not None:
        return value / 2
    return None


def means_of(samples):
    """{key: arithmetic mean of usable values} over samples given as (values dict, flags dict): the
    graded parameters, and water temperature and flow for the monthly table (classify ignores them)."""
    sums, counts = defaultdict(float), Counter()
    for values, flags in samples:
        for parameter in MEASURED:
            number = usable(values.get(parameter), flags.get(parameter))
            if number is not None:
                sums[parameter] += number
                counts[parameter] += 1
    return {p: sums[p] / counts[p] for p in MEASURED if counts[p]}


def targets_for(section_ids, years):
    rows = SectionTarget.objects.filter(section_id__in=section_ids, year__in=years)
    return {(t.section_id, t.year): t.grade for t in rows}


def recompute(pairs):
    """Recompute the MonthlyResult of each (section id, month first day); returns them by pair.

    Four queries for any number of pairs: sections, targets, samples, the upsert.
    """
    pairs = sorted(set(pairs))
    if not pairs:
        return {}
    section_ids = {s for s, _m in pairs}
    sections = Section.objects.in_bulk(section_ids)
    months = sorted({m for _s, m in pairs})
    targets = targets_for(section_ids, {m.year for m in months})
    first, _ = month_bounds(months[0])
    _, last = month_bounds(months[-1])
    by_pair = defaultdict(list)
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    wanted = set(pairs)
    rows = Sample.objects.filter(section_id__in=section_ids, taken_at__gte=first, taken_at__lt=last).values_list(
        "id", "section_id", "taken_at", "flags", *VALUE_FIELDS
    )
    for sample_id, section_id, taken_at, flags, *values in rows:
        key = (section_id, taken_at.astimezone(tz).date().replace(day=1))
        if key in wanted:
            by_pair[key].append((sample_id, dict(zip(MEASURED, values, strict=True)), flags))
    now = timezone.now()
    results = []
    for section_id, month in pairs:
        section = sections[section_id]
        samples = by_pair.get((section_id, month), [])
        target = targets.get((section_id, month.year))
        means = means_of([(v, f) for _id, v, f in samples])
        graded = classify(means, kind=section.water_body, target=target)
        results.append(
            MonthlyResult(
                section_id=section_id,
                month=month,
                samples=len(samples),
                sample_ids=[sample_id for sample_id, _v, _f in samples],
                means=means,
                grade=graded.grade or "",
                worst=list(graded.worst),
                target=target or "",
                met=graded.meets,
                exceeding={p: round(m, 3) for p, m in graded.exceeding.items()},
                failing=list(graded.failing),
                pollutants=[[p, round(m, 3)] for p, m in main_pollutants(means, kind=section.water_body)],
                computed_at=now,
            )
        )
    MonthlyResult.objects.bulk_create(
        results,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["section", "month"],
        update_fields=[
            "samples",
            "sample_ids",
            "means",
            "grade",
            "worst",
            "target",
            "met",
            "exceeding",
            "failing",
            "pollutants",
            "computed_at",
        ],
    )
    return {
        (r.section_id, r.month): r for r in MonthlyResult.objects.filter(section_id__in=section_ids, month__in=months)
    }


def recompute_year(year):
    """Every section's twelve months (the benchmark's figure and the operators' command)."""
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    ids = list(Section.objects.filter(active=True).values_list("id", flat=True))
    return recompute([(s, m) for s in ids for m in months])


# --- summaries ------------------------------------------------------------------------------------------------


def summary(results):
    """Share of sections in I–III and in 劣V, and the main pollutants (评价办法 二(一)2 and 二(三)2).

    Main pollutants of a river or city: the parameters over class III at the most sections,
    at most three, with the share of sections over (断面超标率).
    """
    graded = [r for r in results if r.grade]
    total = len(graded)
    over = Counter()
    for r in graded:
        for parameter, _multiple in r.pollutants:
            over[parameter] += 1
    good = sum(1 for r in graded if GRADE_RANK[r.grade] <= GRADE_RANK["III"])
    worst = sum(1 for r in graded if r.grade == WORST)
    counts = Counter(r.grade for r in graded)
    return {
        "sections": total,
        "good_share": good / total if total else None,
        "worst_share": worst / total if total else None,
        "by_grade": [(g, counts.get(g, 0)) for g in (*CLASSES, WORST)],
        "pollutants": [(p, n / total) for p, n in sorted(over.items(), key=lambda item: (-item[1], item[0]))[:3]],
        "quality": river_quality(good / total, worst / total) if total >= 5 else None,
    }


def river_quality(good_share, worst_share):
    """评价办法 二(一)2 表2: a river's quality by the shares of its sections (five sections or more)."""
    if good_share >= 0.9:
        return EXCELLENT
    if good_share >= 0.75:
        return GOOD
    if worst_share < 0.2:
        return SLIGHTLY
    if good_share >= 0.6 or worst_share < 0.4:
        return MODERATELY
    return HEAVILY
