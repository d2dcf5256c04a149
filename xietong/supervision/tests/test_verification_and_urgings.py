"""Guarded verification, withdrawing and correcting reports, 催办单 and extensions (actions and pages)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xietong.conftest import client_for, make_user
from xietong.core import workqueue
from xietong.core.models import Role
from xietong.core.timeline import history
from xietong.supervision import actions
from xietong.supervision.models import ExtensionStatus, Matter, ProgressReport, ReportStatus, State, Urging
from xietong.supervision.tests.factories import make_matter, manager_of, prepare

SEP_15 = datetime.date(2022, 9, 15)


def report(actor, matter, unit, percent, **extra):
    return actions.do_submit_report(
        actor=actor,
        matter=Matter.objects.get(pk=matter.pk),
        unit=unit,
        period_start=datetime.date(2022, 9, 1),
        period_end=datetime.date(2022, 9, 30),
        text="完成路基施工",
        percent=percent,
        **extra,
    )


def at(day):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(2)), tick=False)


@pytest.fixture
def submitted_low(led_matter, office_user, member, owner, cluster):
    """太原 reported 15 % (accepted), 晋中 never reported: the lead unit cannot submit, so the office is
    shown a matter the lead unit would have to force; here it is put in the submitted state the honest
    way by preparing, then a returned report brings the progress down again."""
    actions.do_review_report(actor=office_user, report=report(member, led_matter, cluster["taiyuan"], 15), accept=True)
    return Matter.objects.get(pk=led_matter.pk)


def test_submitting_is_refused_until_every_unit_is_accepted_at_100(submitted_low, owner):
    with pytest.raises(ValidationError) as error:
        actions.do_transition(actor=owner, matter=submitted_low, name="submit")
    text = " ".join(error.value.messages)
    assert "晋中市人民政府尚未报送" in text and "进度为8%，未达100%" in text
    assert Matter.objects.get(pk=submitted_low.pk).state == State.IN_PROGRESS


def test_the_office_verifies_with_unmet_conditions_only_with_a_reason_then_reopens(
    led_matter, office_user, owner, cluster
):
    prepare(led_matter, office_user)
    matter = actions.do_transition(actor=owner, matter=led_matter, name="submit")
    # A co-unit's newer report lowers the picture after submission: 晋中 reports 40 % and it is returned.
    returned = report(manager_of(cluster["jinzhong"]), matter, cluster["jinzhong"], 40)
    actions.do_review_report(actor=office_user, report=returned, accept=False, comment="数据有误")
    with pytest.raises(ValidationError) as error:
        actions.do_transition(actor=office_user, matter=matter, name="verify")
    assert "reason" in error.value.message_dict
    done = actions.do_transition(actor=office_user, matter=matter, name="verify", reason="市政府常务会议已验收")
    assert done.state == State.DONE and done.verification_override == "市政府常务会议已验收"
    event = history(done).last()
    assert event.verb == "verify" and "晋中市人民政府的最新报告未审核通过" in event.changes["unmet"][1]
    with pytest.raises(ValidationError):
        actions.do_transition(actor=office_user, matter=done, name="reopen")  # a reason is required
    with pytest.raises(PermissionDenied):
        actions.do_transition(actor=owner, matter=done, name="reopen", reason="x")
    reopened = actions.do_transition(actor=office_user, matter=done, name="reopen", reason="验收材料不全")
    assert reopened.state == State.IN_PROGRESS and reopened.completed_on is None
    assert reopened.verification_override == "" and reopened.progress == 100  # recomputed from accepted reports


def test_the_office_is_not_offered_the_units_buttons(led_matter, office_user, owner):
    actions.do_transition(actor=office_user, matter=led_matter, name="start")
    page = client_for(office_user).get(led_matter.get_absolute_url())
    names = [t["name"] for t in page.context["transitions"]]
    assert "submit" not in names and page.context["report_form"] is None
    owners_page = client_for(owner).get(led_matter.get_absolute_url())
    submit = next(t for t in owners_page.context["transitions"] if t["name"] == "submit")
    assert submit["blocked"] and owners_page.context["gaps"]
    assert "data-confirm" in page.content.decode()  # cancelling asks first


def test_nobody_reviews_a_report_of_their_own_unit(led_matter, cluster, member):
    both = make_user("office-and-taiyuan", cluster["office"], Role.MANAGER)
    from xietong.core.actions import do_set_membership

    do_set_membership(user=both, unit=cluster["taiyuan"], role=Role.STAFF)
    taiyuan_report = report(member, led_matter, cluster["taiyuan"], 30)
    with pytest.raises(PermissionDenied):
        actions.do_review_report(actor=both, report=taiyuan_report, accept=True)


def test_the_weighting_is_explained(submitted_low, member):
    page = client_for(member).get(submitted_low.get_absolute_url()).content.decode()
    assert "太原市人民政府 15% × 1/2 = 7.5%" in page and "→ 8%" in page


def test_a_report_is_withdrawn_before_review_and_its_correction_keeps_the_evidence(
    led_matter, member, office_user, cluster, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    files = [
        SimpleUploadedFile("现场照片.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png"),
        SimpleUploadedFile("验收单.pdf", b"%PDF-1.4 demo", content_type="application/pdf"),
    ]
    first = report(member, led_matter, cluster["taiyuan"], 30, evidence=files)
    with pytest.raises(PermissionDenied):
        actions.do_withdraw_report(actor=office_user, report=first)
    actions.do_withdraw_report(actor=member, report=first)
    with pytest.raises(ValidationError):
        actions.do_review_report(actor=office_user, report=first, accept=True)
    photo = first.evidence.get(name="现场照片.png")
    corrected = report(member, led_matter, cluster["taiyuan"], 35, resubmission_of=first, drop_evidence=[photo.pk])
    assert [e.name for e in corrected.evidence.all()] == ["验收单.pdf"]
    assert corrected.evidence.get().file.read() == b"%PDF-1.4 demo"
    with pytest.raises(ValidationError):
        actions.do_withdraw_report(actor=member, report=ProgressReport.objects.get(pk=first.pk))
    assert ProgressReport.objects.get(pk=first.pk).status == ReportStatus.WITHDRAWN


def test_urgings_are_numbered_with_a_working_day_deadline_signed_and_answered(
    led_matter, office_user, member, other_city_user
):
    with at(datetime.date(2026, 9, 29)):
        first = actions.do_urge(actor=office_user, matter=led_matter, message="请于三个工作日内报送进展")
        second = actions.do_urge(actor=office_user, matter=led_matter, message="再次催办")
    assert (first.label, second.label) == ("催办〔2026〕1号", "催办〔2026〕2号")
    # 3 working days after 9月29日 across the National Day holiday: 30日, 10月8日, 9日.
    assert first.reply_due == datetime.date(2026, 10, 9)
    with pytest.raises(PermissionDenied):
        actions.do_sign_urging(actor=other_city_user, urging=first)
    with pytest.raises(PermissionDenied):
        actions.do_sign_urging(actor=office_user, urging=first)
    signed = actions.do_sign_urging(actor=member, urging=first)
    assert signed.signed_by == member
    with pytest.raises(ValidationError):
        actions.do_reply_urging(actor=member, urging=first, reply=" ")
    answered = actions.do_reply_urging(actor=member, urging=first, reply="已完成路基施工，本周报送进展")
    assert answered.replied_at is not None
    with pytest.raises(ValidationError):
        actions.do_reply_urging(actor=member, urging=first, reply="again")
    page = client_for(member).get(led_matter.get_absolute_url()).content.decode()
    assert "催办〔2026〕2号" in page.split('id="open-urgings-h"')[1].split("</section>")[0]


def test_the_urging_pages(led_matter, office_user, member):
    client = client_for(office_user)
    response = client.post(f"/supervision/matters/{led_matter.pk}/urge/", {"message": "请尽快报送"}, follow=True)
    urging = Urging.objects.get()
    assert urging.label in response.content.decode()
    assert client_for(member).post(f"/supervision/urgings/{urging.pk}/sign/").status_code == 302
    response = client_for(member).post(f"/supervision/urgings/{urging.pk}/reply/", {"reply": ""})
    assert response.status_code == 400
    assert client_for(member).post(f"/supervision/urgings/{urging.pk}/reply/", {"reply": "已办"}).status_code == 302
    assert Urging.objects.get().reply == "已办"


@pytest.mark.parametrize(
    "decided_on,counted",
    [
        (datetime.date(2022, 12, 20), datetime.date(2023, 3, 31)),  # granted before the original date passed
        (datetime.date(2023, 1, 5), datetime.date(2022, 12, 31)),  # granted late: on-time counts the original
    ],
)
def test_an_extension_keeps_both_dates_and_counts_per_the_rule(
    led_matter, office_user, owner, member, decided_on, counted
):
    with pytest.raises(PermissionDenied):
        actions.do_request_extension(
            actor=office_user, matter=led_matter, requested_due=datetime.date(2023, 3, 31), reason="x"
        )
    with pytest.raises(ValidationError):
        actions.do_request_extension(
            actor=member, matter=led_matter, requested_due=datetime.date(2022, 12, 1), reason="征地"
        )
    extension = actions.do_request_extension(
        actor=member, matter=led_matter, requested_due=datetime.date(2023, 3, 31), reason="征地手续待批"
    )
    with pytest.raises(ValidationError):  # one request at a time
        actions.do_request_extension(
            actor=member, matter=led_matter, requested_due=datetime.date(2023, 4, 30), reason="again"
        )
    with at(decided_on):
        with pytest.raises(ValidationError):
            actions.do_decide_extension(actor=office_user, extension=extension, grant=False)
        actions.do_decide_extension(actor=office_user, extension=extension, grant=True)
    matter = Matter.objects.get(pk=led_matter.pk)
    assert matter.due_date == datetime.date(2023, 3, 31)
    assert matter.original_due_date == datetime.date(2022, 12, 31)
    assert matter.on_time_due_date == counted
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.GRANTED


def _queue_keys(user, today):
    return {kind.key: bucket.count for kind, bucket in workqueue.queue_for(user, today=today)}


def test_the_work_queue_of_a_unit_and_of_the_office(led_matter, office_user, member, cluster):
    today = SEP_15
    keys = _queue_keys(member, today)
    assert keys["supervision.to_report"] == 1
    first = report(member, led_matter, cluster["taiyuan"], 20)
    assert "supervision.to_report" not in _queue_keys(member, today)
    assert _queue_keys(office_user, today)["supervision.to_review"] == 1
    actions.do_review_report(actor=office_user, report=first, accept=False, comment="请补充照片")
    assert _queue_keys(member, today)["supervision.returned"] == 1
    actions.do_urge(actor=office_user, matter=led_matter, message="请尽快", reply_due=today)
    assert _queue_keys(member, today)["supervision.urged"] == 1
    assert "supervision.urgings_late" not in _queue_keys(office_user, today)
    assert _queue_keys(office_user, today + datetime.timedelta(days=1))["supervision.urgings_late"] == 1
    actions.do_request_extension(
        actor=member, matter=led_matter, requested_due=datetime.date(2023, 3, 31), reason="征地手续待批"
    )
    assert _queue_keys(office_user, today)["supervision.extensions_to_decide"] == 1
    office_keys = _queue_keys(office_user, today)
    assert not any(k in office_keys for k in ("supervision.to_report", "supervision.returned", "supervision.urged"))


def test_the_work_queue_costs_the_same_queries_whatever_the_size(office_user, member, cluster, frozen_day):
    def measure(user):
        client = client_for(user)
        client.get("/work/")
        with CaptureQueriesContext(connection) as captured:
            client.get("/work/")
        return len(captured)

    def grow(count):
        for _ in range(count):
            matter = make_matter(office_user, cluster["taiyuan"], co_units=[cluster["jinzhong"]])
            r = report(member, matter, cluster["taiyuan"], 10)
            actions.do_urge(actor=office_user, matter=matter, message="催", reply_due=frozen_day)
            if r.pk % 2:
                actions.do_review_report(actor=office_user, report=r, accept=False, comment="退回")

    grow(1)
    small = (measure(office_user), measure(member))
    grow(6)
    assert (measure(office_user), measure(member)) == small
