"""The daily work of supervision in a real browser, on a desktop and on a 390 px phone: a liaison's report
from the work queue returned and corrected, a 催办单 signed for and answered, an extension granted, a
verification with unmet conditions overridden and reopened, and the bulletin downloaded as .docx and PDF."""

import datetime

import pytest
from django.utils import timezone

from xietong.conftest import browser_login, make_user, screenshot
from xietong.core.models import Role
from xietong.supervision import actions
from xietong.supervision.models import (
    ExtensionRequest,
    ExtensionStatus,
    Matter,
    ProgressReport,
    ReportStatus,
    State,
    Urging,
)
from xietong.supervision.tests.factories import make_matter, prepare

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [{"width": 1280, "height": 900}, {"width": 390, "height": 844}]


@pytest.fixture(params=VIEWPORTS, ids=["desktop", "phone"])
def page(browser, live_server, request):
    context = browser.new_context(locale="zh-CN", viewport=request.param)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    page.width = request.param["width"]
    page.kind = "phone" if page.width < 500 else "desktop"
    # Steps that cannot be taken back ask first; the person confirms.
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()


@pytest.fixture
def people(cluster, office_user, member, owner):
    return {"office": office_user, "liaison": member, "manager": owner}


def login_as(page, user):
    page.context.clear_cookies()
    browser_login(page, user.username, "pw-" + user.username)
    # The first page after login is the person's work queue.
    assert page.url.endswith("/work/")


def open_from_queue(page, kind, title):
    section = page.locator(f"section[data-kind='{kind}']")
    with page.expect_navigation():
        section.get_by_role("link", name=title).first.click()


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.width


def matter_for(office_user, cluster, title, due_in, **extra):
    today = timezone.localdate()
    return make_matter(
        office_user,
        cluster["taiyuan"],
        title=title,
        start=today - datetime.timedelta(days=40),
        due=today + datetime.timedelta(days=due_in),
        **extra,
    )


def test_a_liaison_reports_from_the_queue_and_corrects_the_returned_report(page, people, cluster):
    matter = matter_for(people["office"], cluster, "太原片区公交线网优化", 20)
    login_as(page, people["liaison"])
    open_from_queue(page, "supervision.to_report", matter.title)
    form = page.locator("#report form")
    form.locator("#id_percent").fill("30")
    form.locator("#id_text").fill("完成线网现状调查。")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    report = ProgressReport.objects.get(matter=matter)

    login_as(page, people["office"])
    open_from_queue(page, "supervision.to_review", matter.title)
    review = page.locator(f"#report-{report.pk} form.review-form")
    review.locator("input[name=decision][value=return]").check()
    review.locator("textarea[name=comment]").fill("请附线网调查报告。")
    review.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.RETURNED

    login_as(page, people["liaison"])
    returned = page.locator("section[data-kind='supervision.returned']")
    assert "请附线网调查报告。" in returned.inner_text()
    fits(page)
    screenshot(page, f"workbench-returned-{page.kind}")
    open_from_queue(page, "supervision.returned", matter.title)
    form = page.locator("#report form")
    assert form.locator("#id_text").input_value() == "完成线网现状调查。"
    form.locator("#id_text").fill("完成线网现状调查，调查报告已附。")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    corrected = ProgressReport.objects.get(matter=matter, status=ReportStatus.SUBMITTED)
    assert corrected.resubmission_of_id == report.pk

    login_as(page, people["office"])
    open_from_queue(page, "supervision.to_review", matter.title)
    review = page.locator(f"#report-{corrected.pk} form.review-form")
    review.locator("input[name=decision][value=accept]").check()
    review.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert ProgressReport.objects.get(pk=corrected.pk).status == ReportStatus.ACCEPTED
    assert Matter.objects.get(pk=matter.pk).progress == 30
    page.goto(page.base_url + "/work/")
    assert page.locator("section[data-kind='supervision.to_review']").count() == 0


def test_an_urging_is_signed_for_and_answered_and_the_office_reads_the_reply(page, people, cluster):
    matter = matter_for(people["office"], cluster, "太原片区雨污分流改造", -3)
    login_as(page, people["office"])
    open_from_queue(page, "supervision.overdue", matter.title)
    page.locator("#actions summary", has_text="催办").click()
    page.locator("#actions textarea[name=message]").fill("请说明逾期原因并报送完成时限。")
    page.locator("#actions form:has(textarea[name=message]) button[type=submit]").click()
    page.wait_for_load_state()
    urging = Urging.objects.get(matter=matter)
    assert urging.reply_due >= timezone.localdate()

    login_as(page, people["liaison"])
    section = page.locator("section[data-kind='supervision.urged']")
    assert urging.label in section.inner_text() and urging.reply_due.isoformat() in section.inner_text()
    open_from_queue(page, "supervision.urged", matter.title)
    card = page.locator(f"#urging-{urging.pk}")
    with page.expect_navigation():
        card.get_by_role("button", name="签收").click()
    assert Urging.objects.get(pk=urging.pk).signed_at is not None
    card = page.locator(f"#urging-{urging.pk}")
    card.locator("summary", has_text="回复").click()
    card.locator("textarea[name=reply]").fill("管网接驳本周完成，月底前完工。")
    with page.expect_navigation():
        card.get_by_role("button", name="提交回复").click()
    fits(page)
    assert Urging.objects.get(pk=urging.pk).replied_at is not None

    login_as(page, people["office"])
    page.goto(page.base_url + matter.get_absolute_url())
    card = page.locator(f"#urging-{urging.pk}")
    assert "管网接驳本周完成，月底前完工。" in card.inner_text() and "已回复" in card.inner_text()
    screenshot(page, f"workbench-urging-{page.kind}")


def test_an_extension_requested_by_the_unit_is_granted_and_both_dates_are_shown(page, people, cluster):
    matter = matter_for(people["office"], cluster, "太原片区充电桩布局", 5)
    original = matter.due_date
    wanted = original + datetime.timedelta(days=30)
    login_as(page, people["liaison"])
    page.goto(page.base_url + matter.get_absolute_url())
    extensions = page.locator("#extensions")
    extensions.locator("summary", has_text="申请延期").click()
    extensions.locator("#id_ext_requested_due").fill(wanted.isoformat())
    extensions.locator("#id_ext_reason").fill("电网接入方案需供电公司批复。")
    with page.expect_navigation():
        extensions.get_by_role("button", name="提交申请").click()
    extension = ExtensionRequest.objects.get(matter=matter)

    login_as(page, people["office"])
    open_from_queue(page, "supervision.extensions_to_decide", matter.title)
    decide = page.locator(f"#extension-{extension.pk} form")
    decide.locator("input[name=decision][value=grant]").check()
    with page.expect_navigation():
        decide.locator("button[type=submit]").click()
    assert ExtensionRequest.objects.get(pk=extension.pk).status == ExtensionStatus.GRANTED
    text = page.locator("#extensions").inner_text()
    assert original.isoformat() in text and wanted.isoformat() in text

    login_as(page, people["liaison"])
    answered = page.locator("section[data-kind='supervision.extensions_answered']")
    assert matter.title in answered.inner_text() and wanted.isoformat() in answered.inner_text()
    fits(page)
    screenshot(page, f"workbench-extension-{page.kind}")


def test_verification_with_unmet_conditions_needs_a_reason_and_the_matter_can_be_reopened(page, people, cluster):
    matter = matter_for(people["office"], cluster, "太原片区垃圾分类全覆盖", 10, co_units=[cluster["jinzhong"]])
    prepare(matter, people["office"])
    actions.do_transition(actor=people["manager"], matter=Matter.objects.get(pk=matter.pk), name="submit")
    # 晋中's newer report, accepted, brings the progress down after the lead unit submitted.
    today = timezone.localdate()
    lower = actions.do_submit_report(
        actor=make_user("jz-staff", cluster["jinzhong"], Role.STAFF),
        matter=Matter.objects.get(pk=matter.pk),
        unit=cluster["jinzhong"],
        period_start=today,
        period_end=today,
        text="复核发现两个小区未覆盖。",
        percent=40,
    )
    actions.do_review_report(actor=people["office"], report=lower, accept=True)

    login_as(page, people["office"])
    open_from_queue(page, "supervision.to_verify", matter.title)
    actions_card = page.locator("#actions")
    assert "进度为70%，未达100%" in actions_card.locator(".gaps").inner_text()
    verify = actions_card.locator("details", has=page.locator("input[name=name][value=verify]"))
    verify.locator("summary").click()
    verify.locator("button[type=submit]").click()
    # Without a reason the browser refuses to send, and nothing changes.
    assert verify.locator("textarea[name=reason]").evaluate("e => e.validity.valueMissing")
    assert Matter.objects.get(pk=matter.pk).state == State.SUBMITTED
    verify.locator("textarea[name=reason]").fill("市政府常务会议已验收，两个小区纳入下一阶段。")
    with page.expect_navigation():
        verify.locator("button[type=submit]").click()
    done = Matter.objects.get(pk=matter.pk)
    assert done.state == State.DONE and done.verification_override.startswith("市政府常务会议已验收")

    reopen = page.locator("#actions details", has=page.locator("input[name=name][value=reopen]"))
    reopen.locator("summary").click()
    reopen.locator("textarea[name=reason]").fill("复查发现验收材料不全。")
    with page.expect_navigation():
        reopen.locator("button[type=submit]").click()
    reopened = Matter.objects.get(pk=matter.pk)
    assert reopened.state == State.IN_PROGRESS and reopened.completed_on is None
    assert "复查发现验收材料不全。" in page.locator("#timeline").inner_text()
    fits(page)
    screenshot(page, f"workbench-reopened-{page.kind}")


def test_the_bulletin_downloads_as_a4_docx_and_pdf(page, people, cluster):
    from docx import Document
    from docx.oxml.ns import qn
    from pypdf import PdfReader

    matter = matter_for(people["office"], cluster, "太原片区停车资源共享", -2)
    today = timezone.localdate()
    bulletin = actions.do_issue_bulletin(actor=people["office"], period_start=matter.start_date, period_end=today)
    login_as(page, people["office"])
    page.goto(page.base_url + "/supervision/bulletins/")
    with page.expect_navigation():
        page.locator(f"a[href='{bulletin.get_absolute_url()}']").first.click()
    fits(page)

    with page.expect_download() as download:
        page.locator("#download-docx").click()
    assert download.value.suggested_filename.endswith(".docx")
    document = Document(download.value.path())
    for section in document.sections:
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)

    # The body in 仿宋_GB2312 (the Normal style) and the title in 小标宋, as Word on a Chinese desktop names them.
    def east_asian(element):
        fonts = element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        return None if fonts is None else fonts.get(qn("w:eastAsia"))

    assert east_asian(document.styles["Normal"].element) == "仿宋_GB2312"
    title = next(p for p in document.paragraphs if p.style.name == "Title")
    assert "方正小标宋简体" in {east_asian(run._r) for run in title.runs} | {east_asian(title.style.element)}
    assert any(matter.title in cell.text for table in document.tables for row in table.rows for cell in row.cells)

    with page.expect_download(timeout=120_000) as download:
        page.locator("#download-pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    reader = PdfReader(download.value.path())
    for pdf_page in reader.pages:
        assert (
            round(float(pdf_page.mediabox.width) / 72 * 25.4),
            round(float(pdf_page.mediabox.height) / 72 * 25.4),
        ) == (
            210,
            297,
        )
    text = "".join(pdf_page.extract_text() for pdf_page in reader.pages).replace(" ", "").replace("\n", "")
    assert matter.title in text
