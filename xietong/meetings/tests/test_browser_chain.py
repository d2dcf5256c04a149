"""The whole chain in a real browser: a meeting's decision becomes a matter two cities deliver,
the office verifies it, and the bulletin that counts it is downloaded and read back."""

import datetime

import pytest
from django.utils import timezone

from xietong.conftest import browser_login, make_user, screenshot
from xietong.core.models import Role
from xietong.meetings.models import AgendaItem, Decision, Meeting, MeetingState
from xietong.supervision.models import Matter, ProgressReport, ReportStatus, State

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login_as(page, user):
    page.context.clear_cookies()
    browser_login(page, user.username, "pw-" + user.username)


def open_matter(page, matter):
    page.goto(f"{page.base_url}/supervision/matters/{matter.pk}/")


def report(page, matter, percent, text):
    open_matter(page, matter)
    form = page.locator("#report form")
    form.locator("#id_percent").fill(str(percent))
    form.locator("#id_text").fill(text)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def review(page, report_pk, decision, comment=""):
    form = page.locator(f"#report-{report_pk} form.review-form")
    form.locator(f"input[name=decision][value={decision}]").check()
    if comment:
        form.locator("textarea[name=comment]").fill(comment)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def transition(page, name):
    # Submitting and verifying cannot be taken back: the page asks first, and the person confirms.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"form:has(input[name=name][value={name}]) button").click()
    page.wait_for_load_state()


def test_from_a_meeting_decision_to_a_verified_matter_and_a_downloaded_bulletin(page, cluster, office_user, member):
    from docx import Document

    jinzhong_staff = make_user("jz-staff", cluster["jinzhong"], Role.STAFF)
    jinzhong_manager = make_user("jz-manager", cluster["jinzhong"], Role.MANAGER)
    today = timezone.localdate()
    taiyuan, jinzhong = cluster["taiyuan"], cluster["jinzhong"]

    # The office records the meeting, holds it and records a decision on an agenda item.
    login_as(page, office_user)
    page.goto(page.base_url + "/meetings/")
    page.get_by_role("link", name="安排会议").click()
    page.fill("#id_title", "山西中部城市群市际联席会议（专题）")
    page.fill("#id_date", today.isoformat())
    page.fill("#id_place", "太原市")
    page.select_option("#id_host_unit", str(taiyuan.pk))
    page.check(f"input[name=participants][value='{jinzhong.pk}']")
    page.fill("#id_agenda", "研究太榆连接线建设\n通报督办事项进展")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    meeting = Meeting.objects.get()
    assert page.url.endswith(f"/meetings/{meeting.pk}/")
    page.get_by_role("button", name="标记为已召开").click()
    page.wait_for_load_state()
    assert Meeting.objects.get().state == MeetingState.HELD

    page.get_by_role("link", name="记录议定事项").click()
    item = AgendaItem.objects.get(meeting=meeting, order=1)
    page.select_option("#id_basis", f"a{item.pk}")
    page.fill("#id_text", "晋中牵头、太原配合，年内完成太榆连接线主线贯通。")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    decision = Decision.objects.get()
    assert page.url.endswith(f"/meetings/decisions/{decision.pk}/")

    # … and creates a matter for 晋中 with 太原 as co-unit.
    page.get_by_role("link", name="据此生成督办事项").click()
    page.fill("#id_title", "太榆连接线主线贯通")
    page.select_option("#id_domain", "infrastructure")
    page.select_option("#id_sub_area", "transport")
    page.select_option("#id_lead_unit", str(jinzhong.pk))
    page.select_option("#id_co_units", [str(taiyuan.pk)])
    page.fill("#id_start_date", today.isoformat())
    page.fill("#id_due_date", (today + datetime.timedelta(days=60)).isoformat())
    page.fill("#id_milestones", f"{(today + datetime.timedelta(days=30)).isoformat()} 路基完成")
    page.get_by_role("button", name="生成并交办").click()
    page.wait_for_load_state()
    matter = Matter.objects.get()
    assert matter.source_object == decision and matter.state == State.ASSIGNED
    screenshot(page, "chain-decision")
    page.get_by_role("link", name="太榆连接线主线贯通").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/supervision/matters/{matter.pk}/")
    # The matter page leads back to the decision, which leads back to the meeting.
    page.locator(".source a").click()
    page.wait_for_load_state()
    assert page.url.endswith(decision.get_absolute_url())
    assert page.locator("#trail-meeting").inner_text() == meeting.title

    # Both cities report their part.
    login_as(page, jinzhong_staff)
    report(page, matter, 60, "晋中段路基完成六成。")
    login_as(page, member)
    report(page, matter, 40, "太原段征地完成。")
    assert ProgressReport.objects.filter(matter=matter).count() == 2

    # The office accepts 晋中's report and returns 太原's, which 太原 corrects and sends again.
    login_as(page, office_user)
    open_matter(page, matter)
    by_unit = {r.unit_id: r for r in ProgressReport.objects.filter(matter=matter)}
    review(page, by_unit[jinzhong.pk].pk, "accept")
    review(page, by_unit[taiyuan.pk].pk, "return", "请补充征地补偿完成情况。")
    assert ProgressReport.objects.get(pk=by_unit[taiyuan.pk].pk).status == ReportStatus.RETURNED
    login_as(page, member)
    open_matter(page, matter)
    returned = page.locator(f"#report-{by_unit[taiyuan.pk].pk}")
    assert "请补充征地补偿完成情况。" in returned.inner_text()
    returned.locator("a[href*=resubmit]").click()
    page.wait_for_load_state()
    form = page.locator("#report form")
    form.locator("#id_percent").fill("100")
    form.locator("#id_text").fill("太原段征地补偿全部完成，附补偿协议。")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    corrected = ProgressReport.objects.get(matter=matter, unit=taiyuan, status=ReportStatus.SUBMITTED)
    assert corrected.resubmission_of_id == by_unit[taiyuan.pk].pk
    login_as(page, jinzhong_staff)
    report(page, matter, 100, "晋中段主线贯通。")
    login_as(page, office_user)
    open_matter(page, matter)
    for pending in ProgressReport.objects.filter(matter=matter, status=ReportStatus.SUBMITTED):
        review(page, pending.pk, "accept")
    assert Matter.objects.get().progress == 100

    # 晋中's manager submits for verification; the office verifies completion.
    login_as(page, jinzhong_manager)
    open_matter(page, matter)
    # Verification asks for every milestone done: the lead unit marks its milestone first.
    page.locator("#milestones li form button").click()
    page.wait_for_load_state()
    transition(page, "submit")
    login_as(page, office_user)
    open_matter(page, matter)
    transition(page, "verify")
    done = Matter.objects.get()
    assert done.state == State.DONE and done.completed_on == today
    screenshot(page, "chain-matter-done")

    # The office issues this month's bulletin and downloads it as Word.
    page.goto(page.base_url + "/supervision/bulletins/new/")
    page.fill("#id_period_start", today.replace(day=1).isoformat())
    page.fill("#id_period_end", today.isoformat())
    page.locator("#bulletin-form button.primary").click()
    page.wait_for_load_state()
    assert "/supervision/bulletins/" in page.url
    screenshot(page, "chain-bulletin")
    with page.expect_download() as download:
        page.locator("#download-docx").click()
    assert download.value.suggested_filename.endswith(".docx")
    document = Document(download.value.path())
    title = next(p for p in document.paragraphs if p.style.name == "Title")
    assert title.text.startswith("督办通报")
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    # The last column counts the period's 催办单: none in this walk.
    assert ["晋中市人民政府", "1", "1", "100.0%", "0", "0", "—", "0", "0"] in rows
    assert ["太原市人民政府", "0", "0", "—", "0", "0", "—", "0", "0"] in rows
