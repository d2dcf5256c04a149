"""POST /supervision/reports/<pk>/review/: the office accepts or returns a report."""

import datetime

import pytest

from xietong.conftest import client_for
from xietong.supervision import actions
from xietong.supervision.models import Matter, ProgressReport, ReportStatus


@pytest.fixture
def report(led_matter, jinzhong_staff, cluster):
    return actions.do_submit_report(
        actor=jinzhong_staff,
        matter=led_matter,
        unit=cluster["jinzhong"],
        period_start=datetime.date(2022, 9, 1),
        period_end=datetime.date(2022, 9, 30),
        text="晋中段完成 60%",
        percent=60,
    )


def post(user, report, **data):
    return client_for(user).post(f"/supervision/reports/{report.pk}/review/", data)


def status_of(report):
    return ProgressReport.objects.get(pk=report.pk).status


def test_anonymous_is_sent_to_log_in(report, client):
    response = client.post(f"/supervision/reports/{report.pk}/review/", {"decision": "accept"})
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("who", ["outsider", "other_city_user"])
def test_those_outside_the_matter_get_a_404(report, who, request):
    assert post(request.getfixturevalue(who), report, decision="accept").status_code == 404
    assert status_of(report) == ReportStatus.SUBMITTED


@pytest.mark.parametrize("who", ["member", "owner", "jinzhong_staff"])
def test_only_the_office_reviews(report, who, request):
    assert post(request.getfixturevalue(who), report, decision="accept").status_code == 403
    assert status_of(report) == ReportStatus.SUBMITTED


def test_the_office_accepts_and_the_progress_rolls_up(report, office_user, led_matter):
    response = post(office_user, report, decision="accept")
    assert response.status_code == 302 and response["Location"].endswith("#reports")
    assert status_of(report) == ReportStatus.ACCEPTED
    assert Matter.objects.get(pk=led_matter.pk).progress == 30  # 晋中 60% of an equal share


def test_returning_needs_a_comment(report, office_user):
    response = post(office_user, report, decision="return", comment="")
    assert response.status_code == 400
    assert "请说明退回的原因，以便该单位修改。" in response.content.decode()
    assert status_of(report) == ReportStatus.SUBMITTED
    assert post(office_user, report, decision="return", comment="请附照片").status_code == 302
    stored = ProgressReport.objects.get(pk=report.pk)
    assert (stored.status, stored.review_comment) == (ReportStatus.RETURNED, "请附照片")


def test_a_report_reviewed_already_gets_a_message(report, office_user):
    post(office_user, report, decision="accept")
    response = post(office_user, report, decision="return", comment="改主意了")
    assert response.status_code == 400 and "该报告已审核过。" in response.content.decode()
    assert status_of(report) == ReportStatus.ACCEPTED


def test_a_missing_decision_gets_a_message(report, office_user):
    response = post(office_user, report, comment="x")
    assert response.status_code == 400 and "这个字段是必填项。" in response.content.decode()
