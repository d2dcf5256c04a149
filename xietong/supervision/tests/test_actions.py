import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from xietong.conftest import make_user
from xietong.core.models import Notification, Role
from xietong.core.timeline import history
from xietong.supervision import actions
from xietong.supervision.access import get_matter_for_user, visible_matters
from xietong.supervision.models import Health, Matter, ProgressReport, ReportStatus, State
from xietong.supervision.tests.factories import deliver, make_matter

AUG = datetime.date(2022, 8, 1)


@pytest.fixture(autouse=True)
def august_2022():
    """The matters of these tests run from August 2022; the clock stands there unless a test moves it."""
    with time_machine.travel(datetime.datetime(2022, 8, 10, 9, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def jinzhong_manager(cluster):
    return make_user("jz-manager", cluster["jinzhong"], Role.MANAGER)


@pytest.fixture
def jinzhong_staff(cluster):
    return make_user("jz-staff", cluster["jinzhong"], Role.STAFF)


@pytest.fixture
def matter(cluster, office_user):
    """Led by 晋中, with 太原 as co-unit."""
    return make_matter(office_user, cluster["jinzhong"], co_units=[cluster["taiyuan"]])


def report(actor, matter, unit, percent, text="完成路基施工", **extra):
    return actions.do_submit_report(
        actor=actor,
        matter=matter,
        unit=unit,
        period_start=AUG,
        period_end=datetime.date(2022, 8, 31),
        text=text,
        percent=percent,
        **extra,
    )


def test_only_the_office_creates_matters(cluster, member):
    with pytest.raises(PermissionDenied):
        make_matter(member, cluster["taiyuan"])
    assert not Matter.objects.exists()


def test_due_before_start_is_refused(cluster, office_user):
    with pytest.raises(ValidationError) as error:
        make_matter(office_user, cluster["taiyuan"], start=datetime.date(2022, 9, 1), due=datetime.date(2022, 8, 1))
    assert "due_date" in error.value.message_dict
    assert not Matter.objects.exists()


def test_sub_area_must_belong_to_the_domain(cluster, office_user):
    with pytest.raises(ValidationError):
        make_matter(office_user, cluster["taiyuan"], domain="ecology", sub_area="transport")


def test_visibility_follows_lead_and_co_units(matter, member, other_city_user, outsider, jinzhong_staff, cluster):
    assert get_matter_for_user(member, matter.pk) == matter  # 太原 is a co-unit
    assert get_matter_for_user(jinzhong_staff, matter.pk) == matter
    town = make_user("town", cluster["hekou"])  # below 太原: rights flow down, a town does not see its city's matters
    assert not visible_matters(town).exists()
    for user in (other_city_user, outsider):
        assert not visible_matters(user).exists()


def test_the_whole_life_of_a_matter(matter, office_user, member, jinzhong_staff, jinzhong_manager, cluster):
    assert matter.state == State.ASSIGNED
    report(jinzhong_staff, matter, cluster["jinzhong"], 60)
    matter.refresh_from_db()
    assert matter.state == State.IN_PROGRESS
    taiyuan_report = report(member, matter, cluster["taiyuan"], 40)

    actions.do_review_report(actor=office_user, report=taiyuan_report, accept=False, comment="请补充施工照片")
    resubmitted = report(member, matter, cluster["taiyuan"], 50, resubmission_of=taiyuan_report)
    for r in ProgressReport.objects.filter(status=ReportStatus.SUBMITTED):
        actions.do_review_report(actor=office_user, report=r, accept=True)
    matter.refresh_from_db()
    assert matter.progress == 55  # (60 × 1 + 50 × 1) / 2
    assert resubmitted.resubmission_of == taiyuan_report

    with pytest.raises(PermissionDenied):
        actions.do_transition(actor=jinzhong_staff, matter=matter, name="submit")
    with pytest.raises(ValidationError, match="55%"):  # 提请核验 checks what 确认办结 checks
        actions.do_transition(actor=jinzhong_manager, matter=matter, name="submit")
    for unit, person in ((cluster["taiyuan"], member), (cluster["jinzhong"], jinzhong_staff)):
        actions.do_review_report(actor=office_user, report=report(person, matter, unit, 100), accept=True)
    actions.do_transition(actor=jinzhong_manager, matter=matter, name="submit")
    with pytest.raises(PermissionDenied):
        actions.do_transition(actor=jinzhong_manager, matter=matter, name="verify")
    with time_machine.travel(datetime.datetime(2022, 12, 1, 10, tzinfo=datetime.UTC)):
        done = actions.do_transition(actor=office_user, matter=matter, name="verify")
    assert done.state == State.DONE and done.progress == 100
    assert done.health() == Health.DONE_ON_TIME
    verbs = [e.verb for e in history(done)]
    assert verbs[0] == "created" and "report_returned" in verbs and verbs[-1] == "verify"


def test_a_transition_not_allowed_from_the_state_is_refused(matter, office_user):
    with pytest.raises(ValidationError) as error:
        actions.do_transition(actor=office_user, matter=matter, name="verify")
    assert "不能" in str(error.value) or "cannot" in str(error.value)
    matter.refresh_from_db()
    assert matter.state == State.ASSIGNED


def test_suspend_and_cancel_need_a_reason(matter, office_user):
    with pytest.raises(ValidationError):
        actions.do_transition(actor=office_user, matter=matter, name="suspend")
    suspended = actions.do_transition(actor=office_user, matter=matter, name="suspend", reason="征地手续待批")
    assert suspended.state_reason == "征地手续待批"
    assert actions.do_transition(actor=office_user, matter=matter, name="resume").state == State.IN_PROGRESS


def test_percent_outside_0_100_is_refused(matter, jinzhong_staff, cluster):
    for bad in (-1, 101):
        with pytest.raises(ValidationError) as error:
            report(jinzhong_staff, matter, cluster["jinzhong"], bad)
        assert "percent" in error.value.message_dict
    assert not ProgressReport.objects.exists()


def test_a_unit_not_part_of_the_matter_cannot_report(matter, cluster, other_city_user, jinzhong_staff):
    with pytest.raises(PermissionDenied):
        report(other_city_user, matter, cluster["xinzhou"], 10)
    with pytest.raises(PermissionDenied):  # 晋中 staff cannot report 太原's part
        report(jinzhong_staff, matter, cluster["taiyuan"], 10)
    assert not ProgressReport.objects.exists()


def test_evidence_type_and_size_are_checked(matter, jinzhong_staff, cluster, settings):
    exe = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError):
        report(jinzhong_staff, matter, cluster["jinzhong"], 10, evidence=[exe])
    settings.UPLOAD_MAX_BYTES = 10
    big = SimpleUploadedFile("photo.jpg", b"x" * 11, content_type="image/jpeg")
    with pytest.raises(ValidationError):
        report(jinzhong_staff, matter, cluster["jinzhong"], 10, evidence=[big])
    assert not ProgressReport.objects.exists()
    settings.UPLOAD_MAX_BYTES = 1000
    ok = report(
        jinzhong_staff,
        matter,
        cluster["jinzhong"],
        10,
        evidence=[SimpleUploadedFile("现场.jpg", b"\xff\xd8\xff" + b"x" * 8)],
    )
    assert ok.evidence.get().name == "现场.jpg"


def test_a_stale_edit_is_refused_with_a_conflict(matter, office_user, cluster):
    first = actions.do_update_matter(actor=office_user, matter=matter, version=matter.version, title="太忻大道（一期）")
    with pytest.raises(actions.ConflictError) as error:
        actions.do_update_matter(actor=office_user, matter=matter, version=matter.version, title="太忻大道（二期）")
    assert "督办员" in str(error.value)
    assert Matter.objects.get(pk=matter.pk).title == first.title == "太忻大道（一期）"


def test_children_roll_up_weighted(cluster, office_user):
    parent = make_matter(office_user, cluster["taiyuan"], title="轨道交通")
    a = make_matter(office_user, cluster["taiyuan"], parent=parent, weight=3)
    make_matter(office_user, cluster["jinzhong"], parent=parent, weight=1)
    deliver(a, office_user)
    parent.refresh_from_db()
    assert parent.progress == 75


def test_progress_rolls_up_to_the_grandparent(cluster, office_user):
    top = make_matter(office_user, cluster["taiyuan"], title="太忻一体化经济区")
    middle = make_matter(office_user, cluster["taiyuan"], title="轨道交通", parent=top, weight=3)
    make_matter(office_user, cluster["xinzhou"], title="城际公交", parent=top, weight=1)
    leaf = make_matter(office_user, cluster["taiyuan"], title="太忻城际铁路", parent=middle, weight=1)
    make_matter(office_user, cluster["jinzhong"], title="站前广场", parent=middle, weight=3)

    deliver(leaf, office_user)

    middle.refresh_from_db()
    top.refresh_from_db()
    assert middle.progress == 25  # 100 × 1/4
    assert top.progress == 19  # 25 × 3/4 = 18.75

    # A cancelled grandchild leaves its parent's weighting, and the change reaches the top too.
    cancelled = middle.children.exclude(pk=leaf.pk).get()
    actions.do_transition(actor=office_user, matter=cancelled, name="cancel", reason="并入城际铁路")
    middle.refresh_from_db()
    top.refresh_from_db()
    assert (middle.progress, top.progress) == (100, 75)


def test_urge_notifies_the_units_and_needs_a_message(matter, office_user, jinzhong_staff, member, other_city_user):
    with pytest.raises(PermissionDenied):
        actions.do_urge(actor=other_city_user, matter=matter, message="快")
    with pytest.raises(ValidationError):
        actions.do_urge(actor=office_user, matter=matter, message=" ")
    actions.do_urge(actor=office_user, matter=matter, message="请本周内报送进展")
    assert set(Notification.objects.filter(kind="matter.urged").values_list("recipient__username", flat=True)) == {
        "jz-staff",
        "taiyuan-staff",
    }


@pytest.mark.parametrize(
    "today,health",
    [
        (datetime.date(2022, 12, 1), Health.ON_TRACK),
        (datetime.date(2022, 12, 24), Health.DUE_SOON),
        (datetime.date(2022, 12, 31), Health.DUE_SOON),
        (datetime.date(2023, 1, 1), Health.OVERDUE),
    ],
)
def test_health_is_derived_from_dates_in_python_and_sql(matter, today, health):
    assert matter.health(today) == health
    assert Matter.objects.with_health(today).get(pk=matter.pk).health_code == health


def test_done_late_is_derived(matter, office_user):
    deliver(matter, office_user, verify=False)
    with time_machine.travel(datetime.datetime(2023, 1, 5, 10, tzinfo=datetime.UTC)):
        done = actions.do_transition(actor=office_user, matter=matter, name="verify")
    assert done.health() == Health.DONE_LATE
    assert Matter.objects.with_health().get(pk=matter.pk).health_code == Health.DONE_LATE
