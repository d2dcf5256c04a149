"""The office opens the dashboard in a real browser, filters by city and opens a matter; desktop and phone."""

import datetime

import pytest
from django.utils import timezone

from xietong.conftest import browser_login, screenshot
from xietong.supervision import actions
from xietong.supervision.models import ProgressSnapshot
from xietong.supervision.tests.factories import make_matter, manager_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def matters(cluster, office_user, member):
    today = timezone.localdate()
    start = today - datetime.timedelta(days=60)
    make_matter(
        office_user,
        cluster["taiyuan"],
        co_units=[cluster["jinzhong"]],
        title="太忻一体化大气污染联防联控",
        domain="ecology",
        sub_area="air",
        start=start,
        due=today + datetime.timedelta(days=90),
        milestones=[("签订联防联控协议", today + datetime.timedelta(days=20))],
    )
    make_matter(
        office_user,
        cluster["gujiao"],
        title="古交至太原快速通道",
        domain="infrastructure",
        sub_area="transport",
        start=start,
        due=today - datetime.timedelta(days=5),
    )
    late = make_matter(
        office_user,
        cluster["xinzhou"],
        title="忻州文旅线路联合推广",
        domain="industry",
        sub_area="tourism",
        start=start,
        due=today - datetime.timedelta(days=3),
    )
    make_matter(
        office_user,
        cluster["xinzhou"],
        title="忻州医保异地结算",
        domain="public_services",
        sub_area="health",
        start=start,
        due=today + datetime.timedelta(days=4),
    )
    actions.do_submit_report(
        actor=manager_of(cluster["xinzhou"]),
        matter=late,
        unit=cluster["xinzhou"],
        period_start=start,
        period_end=today,
        text="完成线路设计",
        percent=60,
    )
    cities = [cluster["taiyuan"], cluster["xinzhou"], cluster["jinzhong"]]
    ProgressSnapshot.objects.bulk_create(
        ProgressSnapshot(
            date=today - datetime.timedelta(days=29 - d),
            unit=city,
            total=40,
            done=min(40, 4 + d * (i + 1) // 2),
            overdue=3,
            mean_progress=30 + d,
        )
        for d in range(30)
        for i, city in enumerate(cities)
    )
    return late


def test_the_office_reads_the_dashboard_filters_by_city_and_opens_a_matter(page, office_user, matters):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    browser_login(page, "office-supervisor", "pw-office-supervisor")
    page.goto(page.base_url + "/supervision/")
    assert page.get_by_role("heading", name="督办清单").is_visible()
    scorecard = page.locator("table.scorecard")
    assert scorecard.get_by_role("rowheader", name="太原市人民政府").is_visible()
    assert scorecard.get_by_role("columnheader", name="生态治理").is_visible()
    page.wait_for_selector("#trend-chart canvas")
    assert page.locator("#trend-chart canvas").first.bounding_box()["width"] > 300
    assert page.locator("#overdue-h").inner_text().endswith("2")
    screenshot(page, "supervision-dashboard-desktop")

    # Filtering swaps the results in place (htmx) and keeps the URL shareable.
    page.select_option("#id_city", label="忻州市人民政府")
    page.wait_for_url(f"**/supervision/?city={matters.lead_unit_id}")
    overdue = page.locator("section[aria-labelledby=overdue-h] table.matters")
    overdue.get_by_role("link", name="忻州文旅线路联合推广").wait_for()
    assert "古交至太原快速通道" not in overdue.inner_text()
    page.wait_for_selector("#trend-chart canvas")
    screenshot(page, "supervision-dashboard-filtered")

    with page.expect_navigation(url="**/supervision/matters/*/"):
        overdue.get_by_role("link", name="忻州文旅线路联合推广").click()
    assert page.get_by_role("heading", name="忻州文旅线路联合推广").is_visible()
    assert page.locator(".pill.health-overdue").first.is_visible()
    assert page.get_by_text("完成线路设计").is_visible()
    screenshot(page, "supervision-matter-desktop")
    assert errors == []


def test_the_pages_work_on_a_phone_and_with_the_keyboard(page, office_user, matters):
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, "office-supervisor", "pw-office-supervisor")
    page.goto(page.base_url + "/supervision/")
    page.wait_for_selector("#trend-chart canvas")
    # Nothing but the scorecard itself scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "supervision-dashboard-phone")

    # One input event (not a keystroke each) so that htmx sends a single live search before Enter submits.
    page.fill("#id_q", "医保")
    page.press("#id_q", "Enter")
    page.wait_for_url("**/supervision/?q=%E5%8C%BB%E4%BF%9D")  # empty filters are left out of the URL
    page.wait_for_load_state("networkidle")  # typing may have sent a second search; let both land
    soon = page.locator("section[aria-labelledby=soon-h]")
    soon.get_by_role("link", name="忻州医保异地结算").focus()
    with page.expect_navigation(url="**/supervision/matters/*/"):
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="忻州医保异地结算").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "supervision-matter-phone")

    page.goto(page.base_url + f"/supervision/matters/{matters.pk}/")
    screenshot(page, "supervision-matter-with-report-phone")


def test_the_office_creates_a_matter_with_the_sub_area_narrowed_to_the_domain(page, office_user, cluster):
    browser_login(page, "office-supervisor", "pw-office-supervisor")
    page.goto(page.base_url + "/supervision/")
    with page.expect_navigation(url="**/matters/new/"):
        page.get_by_role("link", name="新建事项").click()
    page.fill("#id_code", "2022-DQ-01")
    page.fill("#id_title", "重污染天气同步预警")
    page.select_option("#id_domain", label="生态治理")
    options = page.locator("#id_sub_area option").all_inner_texts()
    assert options[1:] == ["大气", "水环境"]
    page.select_option("#id_sub_area", label="大气")
    page.select_option("#id_lead_unit", label="太原市人民政府")
    page.select_option("#id_co_units", label=["忻州市人民政府", "晋中市人民政府"])
    page.fill("#id_start_date", "2022-08-01")
    page.fill("#id_due_date", "2022-07-01")  # before the start: refused with a message, nothing lost
    page.fill("#id_ms-0-title", "制定预警方案")
    page.fill("#id_ms-0-due_date", "2022-09-30")
    screenshot(page, "supervision-create-desktop")
    page.get_by_role("button", name="创建事项").click()
    page.wait_for_load_state()
    assert page.get_by_text("截止日期不能早于开始日期。").is_visible()
    assert page.input_value("#id_title") == "重污染天气同步预警"
    page.fill("#id_due_date", "2022-12-31")
    with page.expect_navigation(url="**/supervision/matters/*/"):
        page.get_by_role("button", name="创建事项").click()
    assert page.get_by_role("heading", name="重污染天气同步预警").is_visible()
    assert page.locator(".ms-title", has_text="制定预警方案").is_visible()
    screenshot(page, "supervision-created-matter")
