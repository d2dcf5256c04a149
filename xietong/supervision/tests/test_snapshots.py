"""Daily completion snapshots per city: the function, the command and the Celery task."""

import datetime
import io

from django.core.management import call_command

from xietong.supervision.actions import do_write_snapshots
from xietong.supervision.dashboard import health_q
from xietong.supervision.models import Health, Matter, ProgressSnapshot
from xietong.supervision.snapshot_tasks import snapshot_progress_task
from xietong.supervision.tests.factories import deliver, make_matter


def figures(day):
    return {
        s.unit.slug: (s.total, s.done, s.overdue, s.mean_progress)
        for s in ProgressSnapshot.objects.filter(date=day).select_related("unit")
    }


def test_snapshot_counts_each_city_by_its_lead_units(cluster, office_user, frozen_day):
    make_matter(office_user, cluster["gujiao"], due=datetime.date(2022, 9, 1))  # overdue, under 太原
    done = make_matter(office_user, cluster["taiyuan"])
    deliver(done, office_user)
    make_matter(office_user, cluster["xinzhou"], assign=False)  # a draft does not count
    make_matter(office_user, cluster["office"])  # led by the office: no city
    do_write_snapshots(day=frozen_day)
    assert figures(frozen_day) == {
        "taiyuan": (2, 1, 1, 50),
        "xinzhou": (0, 0, 0, 0),
        "jinzhong": (0, 0, 0, 0),
    }


def test_running_twice_a_day_overwrites(cluster, office_user, frozen_day):
    do_write_snapshots(day=frozen_day)
    make_matter(office_user, cluster["xinzhou"])
    do_write_snapshots(day=frozen_day)
    assert ProgressSnapshot.objects.count() == 3
    assert figures(frozen_day)["xinzhou"] == (1, 0, 0, 0)


def test_a_past_day_reads_as_of_that_day(cluster, office_user, frozen_day):
    make_matter(office_user, cluster["taiyuan"], due=datetime.date(2022, 9, 10))
    do_write_snapshots(day=datetime.date(2022, 9, 1))
    assert figures(datetime.date(2022, 9, 1))["taiyuan"] == (1, 0, 0, 0)  # not yet overdue on 1 September


def test_the_command_takes_a_date(cluster, office_user, frozen_day):
    make_matter(office_user, cluster["taiyuan"])
    out = io.StringIO()
    call_command("snapshotprogress", "--date", "2022-09-10", stdout=out)
    assert "2022-09-10 太原市人民政府: 0/1 done" in out.getvalue()
    call_command("snapshotprogress", stdout=io.StringIO())
    assert set(ProgressSnapshot.objects.values_list("date", flat=True)) == {datetime.date(2022, 9, 10), frozen_day}


def test_the_task_writes_todays_snapshot(cluster, frozen_day):
    assert snapshot_progress_task.delay().get() == 3
    assert snapshot_progress_task.delay("2022-09-01").get() == 3
    assert ProgressSnapshot.objects.filter(date=frozen_day).count() == 3


def test_health_filter_is_the_same_partition_as_the_health_annotation(cluster, office_user, frozen_day):
    make_matter(office_user, cluster["taiyuan"], due=datetime.date(2022, 9, 1))
    make_matter(office_user, cluster["taiyuan"], due=datetime.date(2022, 9, 20))
    make_matter(office_user, cluster["taiyuan"], due=datetime.date(2022, 12, 31))
    make_matter(office_user, cluster["taiyuan"], assign=False)
    late = make_matter(office_user, cluster["taiyuan"], due=datetime.date(2022, 9, 1))
    on_time = make_matter(office_user, cluster["taiyuan"])
    for matter in (late, on_time):
        deliver(matter, office_user)
    annotated = Matter.objects.with_health(frozen_day)
    for code in Health:
        expected = set(annotated.filter(health_code=code).values_list("pk", flat=True))
        assert set(Matter.objects.filter(health_q(code, frozen_day)).values_list("pk", flat=True)) == expected
    assert Matter.objects.filter(health_q(Health.DONE_LATE, frozen_day)).get() == late
