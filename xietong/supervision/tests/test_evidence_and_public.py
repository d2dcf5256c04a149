"""Evidence downloads (access-checked) and the public page of a matter (no personal data)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xietong.conftest import client_for
from xietong.supervision import actions
from xietong.supervision.models import Matter
from xietong.supervision.tests.factories import make_matter


@pytest.fixture
def evidence(led_matter, jinzhong_staff, cluster):
    report = actions.do_submit_report(
        actor=jinzhong_staff,
        matter=led_matter,
        unit=cluster["jinzhong"],
        period_start=datetime.date(2022, 9, 1),
        period_end=datetime.date(2022, 9, 30),
        text="晋中联络员张某某报告：站点建成",
        percent=50,
        evidence=[SimpleUploadedFile("验收单.pdf", b"%PDF-1.4 test", content_type="application/pdf")],
    )
    return report.evidence.get()


def download(user, evidence):
    return client_for(user).get(f"/supervision/evidence/{evidence.pk}/")


def test_evidence_download_needs_a_login(evidence, client):
    response = client.get(f"/supervision/evidence/{evidence.pk}/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("who", ["outsider", "other_city_user"])
def test_evidence_is_a_404_outside_the_matter(evidence, who, request):
    assert download(request.getfixturevalue(who), evidence).status_code == 404


@pytest.mark.parametrize("who", ["office_user", "member", "jinzhong_staff"])
def test_evidence_downloads_for_the_matters_people(evidence, who, request):
    response = download(request.getfixturevalue(who), evidence)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]


def test_evidence_whose_file_is_gone_is_a_404(evidence, office_user):
    evidence.file.delete(save=False)
    assert download(office_user, evidence).status_code == 404


# --- public page ------------------------------------------------------------------------------------------


def public_url(matter):
    return f"/supervision/public/{matter.code}/"


def test_a_matter_not_marked_public_is_a_404(led_matter, client):
    assert client.get(public_url(led_matter)).status_code == 404


def test_an_unknown_code_is_a_404(db, client):
    assert client.get("/supervision/public/NOPE/").status_code == 404


def test_a_draft_is_not_public_yet(cluster, office_user, client, frozen_day):
    draft = make_matter(office_user, cluster["taiyuan"], public=True, assign=False)
    assert client.get(public_url(draft)).status_code == 404


def test_the_public_page_shows_progress_without_people(evidence, led_matter, office_user, client, jinzhong_staff):
    actions.do_update_matter(
        actor=office_user, matter=led_matter, version=Matter.objects.get(pk=led_matter.pk).version, public=True
    )
    actions.do_review_report(actor=office_user, report=evidence.report, accept=True, comment="督办员李某某：同意")
    actions.do_urge(actor=office_user, matter=Matter.objects.get(pk=led_matter.pk), message="请联系王某某尽快推进")
    actions.do_complete_milestone(actor=office_user, milestone=led_matter.milestones.get())
    response = client.get(public_url(led_matter))
    html = response.content.decode()
    assert response.status_code == 200
    for shown in [led_matter.title, "太原市人民政府", "晋中市人民政府", "签订联防联控协议", "50%", "25%"]:
        assert shown in html
    for hidden in [
        "督办员",  # the office user's name
        "office-supervisor",
        "jz-staff",
        "张某某",  # report text
        "李某某",  # review comment
        "王某某",  # urge message
        "验收单.pdf",
        "/supervision/evidence/",
    ]:
        assert hidden not in html
    assert "ms-done" in html  # the milestone shows as done
    verbs = [row["code"] for row in response.context["timeline"]]
    assert "report_accepted" in verbs and "milestone_done" in verbs
    assert "urged" not in verbs and "edited" not in verbs
