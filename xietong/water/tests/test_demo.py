"""The demo: real rivers through the five cities, two years of months, one missed target that became a matter."""

import datetime as dt
import io

import time_machine

from xietong.core import demo as core_demo
from xietong.supervision.models import Matter
from xietong.water import demo
from xietong.water.models import BoundaryMiss, JointSampling, MonthlyResult, Sample, Section, Statement


@time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC), tick=False)
def test_the_demo_loads_once_with_one_missed_target(db, regions):
    core_demo.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())
    sections = Section.objects.all()
    assert set(sections.values_list("city__slug", flat=True)) == {
        "taiyuan",
        "xinzhou",
        "lvliang",
        "jinzhong",
        "yangquan",
    }
    assert set(sections.values_list("river__code", flat=True)) == {"fenhe", "hutuohe", "taohe", "huanghe"}
    assert sections.filter(illustrative=False).count() == 7
    # a manual sample a month at every section, and FH05's automatic station every four hours
    # over the last two weeks
    assert Sample.objects.filter(mode="manual").count() == 16 * (12 + 11)
    automatic = Sample.objects.filter(mode="auto")
    assert automatic.count() == 14 * 6 and set(automatic.values_list("section__code", flat=True)) == {"FH05"}
    assert {t.hour for t in automatic.values_list("taken_at", flat=True)} == {16, 20, 0, 4, 8, 12}  # UTC of 0:00…20:00
    november = MonthlyResult.objects.get(section__code="FH05", month=dt.date(2026, 11, 1))
    assert november.samples == 14 * 6 + 1 and 0 < november.means["wt"] < 15 and november.means["flow"] > 0
    assert Sample.objects.filter(wt__isnull=True).count() == 0
    assert Sample.objects.exclude(flags={}).exists()
    miss = BoundaryMiss.objects.get()
    assert (miss.section.code, miss.month) == ("FH06", dt.date(2026, 3, 1))
    assert miss.matter.lead_unit.slug == "taiyuan" and miss.matter.code == "SZ-FH06-202603"
    statements = Statement.objects.filter(agreement__code="ty-jz-fenhe")
    assert statements.count() == 11 and statements.filter(met=False).count() == 1
    assert JointSampling.objects.get().differences

    counts = (Sample.objects.count(), MonthlyResult.objects.count(), Matter.objects.count(), Statement.objects.count())
    demo.load(stdout=io.StringIO())
    assert (
        Sample.objects.count(),
        MonthlyResult.objects.count(),
        Matter.objects.count(),
        Statement.objects.count(),
    ) == counts
