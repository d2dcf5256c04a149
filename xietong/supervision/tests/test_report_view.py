"""POST /supervision/matters/<pk>/reports/: a unit reports its part, with evidence."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xietong.conftest import client_for
from xietong.supervision.models import Evidence, Matter, ProgressReport, State


def post(user, matter, **overrides):
    data = {
        "unit": matter.lead_unit_id,
        "period_start": "2022-09-01",
        "period_end": "2022-09-30",
        "percent": "30",
        "text": "完成监测站点选址",
        **overrides,
    }
    return client_for(user).post(f"/supervision/matters/{matter.pk}/reports/", data)


def test_anonymous_is_sent_to_log_in(led_matter, client):
    response = client.post(f"/supervision/matters/{led_matter.pk}/reports/", {})
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("who", ["outsider", "other_city_user"])
def test_those_outside_the_matter_get_a_404(led_matter, who, request):
    assert post(request.getfixturevalue(who), led_matter).status_code == 404
    assert not ProgressReport.objects.exists()


def test_the_lead_units_staff_report_and_the_matter_starts(led_matter, member):
    response = post(member, led_matter)
    assert response.status_code == 302 and response["Location"].endswith("#reports")
    report = ProgressReport.objects.get()
    assert (report.unit_id, report.percent, report.submitted_by) == (led_matter.lead_unit_id, 30, member)
    assert Matter.objects.get(pk=led_matter.pk).state == State.IN_PROGRESS


def test_a_co_unit_reports_its_own_part(led_matter, jinzhong_staff, cluster):
    assert post(jinzhong_staff, led_matter, unit=cluster["jinzhong"].pk).status_code == 302
    assert ProgressReport.objects.get().unit == cluster["jinzhong"]


def test_a_co_unit_cannot_report_the_lead_units_part(led_matter, jinzhong_staff, cluster):
    assert post(jinzhong_staff, led_matter, unit=cluster["taiyuan"].pk).status_code == 403
    assert not ProgressReport.objects.exists()


def test_a_viewer_without_a_unit_to_report_for_is_refused(led_matter, cluster):
    from xietong.conftest import make_user
    from xietong.core.models import Role

    viewer = make_user("ty-viewer", cluster["taiyuan"], Role.VIEWER)
    assert post(viewer, led_matter).status_code == 403


def test_a_unit_that_is_not_part_of_the_matter_gets_a_message(led_matter, office_user, owner, cluster):
    response = post(office_user, led_matter, unit=cluster["xinzhou"].pk)
    assert response.status_code == 403  # the office supervises; it does not report a city's part
    response = post(owner, led_matter, unit=cluster["xinzhou"].pk)
    assert response.status_code == 400
    assert "该单位不是本事项的参与单位。" in response.content.decode()
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("percent", ["-1", "101", "150"])
def test_a_percentage_outside_0_100_gets_a_message(led_matter, member, percent):
    response = post(member, led_matter, percent=percent)
    assert response.status_code == 400
    assert "百分比必须在 0 到 100 之间。" in response.content.decode()
    assert not ProgressReport.objects.exists()
    assert Matter.objects.get(pk=led_matter.pk).state == State.ASSIGNED


def test_a_period_ending_before_it_starts_gets_a_message(led_matter, member):
    response = post(member, led_matter, period_start="2022-09-30", period_end="2022-09-01")
    assert response.status_code == 400 and "报告期的结束日期不能早于开始日期。" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_the_entered_text_is_kept_when_the_form_comes_back(led_matter, member):
    html = post(member, led_matter, percent="101", text="这段文字不应丢失").content.decode()
    assert "这段文字不应丢失" in html


def test_evidence_is_stored_and_listed(led_matter, member):
    photo = SimpleUploadedFile("现场照片.jpg", b"\xff\xd8\xff" + b"0" * 100, content_type="image/jpeg")
    pdf = SimpleUploadedFile("方案.pdf", b"%PDF-1.4", content_type="application/pdf")
    assert post(member, led_matter, evidence=[photo, pdf]).status_code == 302
    assert sorted(Evidence.objects.values_list("name", flat=True)) == ["方案.pdf", "现场照片.jpg"]
    html = client_for(member).get(f"/supervision/matters/{led_matter.pk}/").content.decode()
    assert "现场照片.jpg" in html and "/supervision/evidence/" in html


def test_a_disallowed_attachment_gets_a_message(led_matter, member):
    exe = SimpleUploadedFile("setup.exe", b"MZ", content_type="application/octet-stream")
    response = post(member, led_matter, evidence=[exe])
    assert response.status_code == 400
    assert "“setup.exe”不是可接受的文件类型" in response.content.decode()
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()


def test_a_web_page_renamed_jpg_is_refused_as_evidence_and_nothing_is_stored(led_matter, member):
    response = post(
        member,
        led_matter,
        evidence=[
            SimpleUploadedFile(
                "现场照片.jpg", b"<!DOCTYPE html><html><script>alert(1)</script></html>", content_type="image/jpeg"
            )
        ],
    )
    assert response.status_code == 400
    assert "“现场照片.jpg”的内容不是 JPEG 文件" in response.content.decode()
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()


def test_an_oversize_attachment_gets_a_message(led_matter, member, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("扫描件.pdf", b"0" * (2 * 1024 * 1024), content_type="application/pdf")
    response = post(member, led_matter, evidence=[big])
    assert response.status_code == 400
    assert "“扫描件.pdf”大小为 2.0 MB，上限为 1 MB。" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_no_report_on_a_matter_that_is_not_under_way(led_matter, office_user, member):
    from xietong.supervision import actions

    actions.do_transition(actor=office_user, matter=led_matter, name="suspend", reason="暂停")
    assert client_for(member).get(f"/supervision/matters/{led_matter.pk}/").context["report_form"] is None
    response = post(member, led_matter)
    assert response.status_code == 400 and "只有正在办理的事项才能报送进展。" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_period_defaults_to_the_current_reporting_period(led_matter, member, frozen_day):
    form = client_for(member).get(f"/supervision/matters/{led_matter.pk}/").context["report_form"]
    assert form.initial["period_start"] == datetime.date(2022, 9, 1)
    assert form.initial["period_end"] == datetime.date(2022, 9, 30)


@pytest.fixture
def returned(led_matter, member, office_user, cluster):
    from xietong.supervision import actions

    report = actions.do_submit_report(
        actor=member,
        matter=led_matter,
        unit=cluster["taiyuan"],
        period_start=datetime.date(2022, 9, 1),
        period_end=datetime.date(2022, 9, 30),
        text="初稿",
        percent=20,
    )
    return actions.do_review_report(actor=office_user, report=report, accept=False, comment="请补充数据")


def test_a_returned_report_is_corrected_and_resubmitted_by_its_unit(led_matter, member, returned):
    page = client_for(member).get(f"/supervision/matters/{led_matter.pk}/", {"resubmit": returned.pk})
    html = page.content.decode()
    assert "修改后重新报送被退回的报告" in html and "初稿" in html
    assert page.context["report_form"].initial["resubmission_of"] == returned.pk
    response = post(member, led_matter, text="补充了监测数据", percent="25", resubmission_of=returned.pk)
    assert response.status_code == 302
    latest = ProgressReport.objects.first()
    assert (latest.text, latest.resubmission_of) == ("补充了监测数据", returned)
    assert not client_for(member).get(f"/supervision/matters/{led_matter.pk}/").context["reports"][1].may_resubmit


def test_another_unit_cannot_resubmit_a_returned_report(led_matter, jinzhong_staff, cluster, returned):
    page = client_for(jinzhong_staff).get(f"/supervision/matters/{led_matter.pk}/", {"resubmit": returned.pk})
    assert page.context["report_form"].initial.get("resubmission_of") is None
    assert not any(r.may_resubmit for r in page.context["reports"])
    response = post(jinzhong_staff, led_matter, unit=cluster["jinzhong"].pk, resubmission_of=returned.pk)
    assert response.status_code == 400 and "只能更正本单位被退回或已撤回的报告。" in response.content.decode()
    assert post(jinzhong_staff, led_matter, unit=cluster["taiyuan"].pk, resubmission_of=returned.pk).status_code == 403
    assert ProgressReport.objects.count() == 1
