"""On a 390 px phone: a resident reports a concern and follows it by its code; the hall's manager groups it with
a similar one, runs a session with sign-in and votes and resolves it; the matter reaches supervision and the
owners' work queue; the resident sees the progress and rates it."""

import datetime
import re

import pytest
from django.utils import timezone

from xietong.conftest import browser_login, make_user, screenshot
from xietong.core.models import Role
from xietong.deliberation.models import Concern
from xietong.supervision import actions as supervision
from xietong.supervision.models import Matter, Source

from .conftest import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server, request):
    from xietong.conftest import TEST_OUTPUT

    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    yield page
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / f"{request.node.name}-final.png"), full_page=True)
    context.close()


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1


def test_concern_to_resolution_to_rating_on_a_phone(phone, hall, categories, hall_manager, owners, office_user):
    page = phone
    owner_staff = make_user("dqfw-staff", owners[0], Role.STAFF)
    earlier = submit(hall, categories["townscape"], text="河口镇大街上商铺的门头牌匾破损褪色，影响镇容镇貌")

    # The resident reports without an account.
    page.goto(page.base_url + "/deliberation/report/")
    page.select_option("#id_category", str(categories["townscape"].pk))
    page.fill("#id_text", "主街两边的门头招牌又旧又破，刮风时怕掉下来砸人")
    page.fill("#id_address", "河口镇主街")
    page.fill("#id_contact", "13912345678")
    _no_sideways_scroll(page)
    screenshot(page, "deliberation-phone-1-report")
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r"/deliberation/c/\w+/$"))
    code = page.locator(".code-box").inner_text().strip()
    concern = Concern.objects.get(code=code)
    assert "已收到" in page.inner_text("main")
    _no_sideways_scroll(page)
    screenshot(page, "deliberation-phone-2-tracking")

    # Following it later by its code.
    page.goto(page.base_url + "/deliberation/track/")
    page.fill("#code", code.lower())
    page.click("button[type=submit].primary")
    page.wait_for_url(f"**/deliberation/c/{code}/")

    # The hall's manager confirms the proposed topic of the two similar concerns.
    browser_login(page, "hekou-manager", "pw-hekou-manager")
    page.goto(page.base_url + f"/deliberation/hall/{hall.pk}/")
    suggestion = page.locator("form.suggestion").first
    assert suggestion.locator("input[name=concern]").count() == 2
    _no_sideways_scroll(page)
    screenshot(page, "deliberation-phone-3-hall")
    suggestion.locator("input[name=title]").fill("主街门头招牌改造")
    suggestion.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/deliberation/topic/\d+/$"))
    assert "2位群众" in page.inner_text("main")

    # Schedule the session with three stakeholder groups.
    day = timezone.localdate() + datetime.timedelta(days=2)
    page.fill("#s-when", f"{day:%Y-%m-%d}T09:30")
    page.fill("#s-place", "河口镇党群议事厅")
    page.fill("#s-invitees", "理发店：王师傅、李老板\n饭店：黄老板\n药店：郑店长")
    page.click("#schedule button[type=submit]")
    page.wait_for_url(re.compile(r"/deliberation/session/\d+/$"))
    for name in ("王师傅", "李老板", "黄老板", "郑店长"):
        page.click(f"button[aria-label='签到 {name}']")
        page.wait_for_load_state()
    assert page.locator(".signed").count() == 4

    page.fill("#p-title", "统一风格、一店一色")
    page.fill("#p-details", "统一底板和字体，保留行业标识")
    page.locator("input[name=payer]").nth(0).fill("商户自筹")
    page.locator("input[name=percent]").nth(0).fill("40")
    page.locator("input[name=payer]").nth(1).fill("镇财政补贴")
    page.locator("input[name=percent]").nth(1).fill("60")
    page.click("#proposal form:last-of-type button[type=submit]")
    page.wait_for_load_state()
    votes = [
        ("理发店", "王师傅", "for"),
        ("理发店", "李老板", "against"),
        ("饭店", "黄老板", "for"),
        ("药店", "郑店长", "for"),
    ]
    for group, voter, choice in votes:
        form = page.locator("form[id^=vote-]").first
        form.locator("select[name=attendee]").select_option(label=f"{group} · {voter}")
        form.locator(f"button[value={choice}]").click()
        page.wait_for_load_state()
    summary = page.locator(".results-summary").first.inner_text()
    assert "理发店" in summary and "50%" in summary and "75%" in summary
    _no_sideways_scroll(page)
    screenshot(page, "deliberation-phone-4-votes")

    page.select_option("#r-proposal", label="统一风格、一店一色")
    page.fill("#r-text", "主街门头统一改造，商户自筹40%、镇财政补贴60%，8月中旬完成。")
    page.fill("#r-date", f"{day + datetime.timedelta(days=20):%Y-%m-%d}")
    page.select_option("#r-lead", label="河口镇党群服务中心")
    page.select_option("#r-co", label="河口镇环卫所")
    page.click("#resolve button[type=submit]")
    page.wait_for_load_state()
    matter = Matter.objects.get(source=Source.DELIBERATION)
    assert matter.code in page.inner_text("#resolve")

    # The matter is in the supervision list and in the owners' work queue.
    page.goto(page.base_url + "/supervision/matters/")
    assert matter.code in page.inner_text("main")
    page.context.clear_cookies()
    browser_login(page, "dqfw-staff", "pw-dqfw-staff")
    page.goto(page.base_url + "/work/")
    assert "主街门头招牌改造" in page.inner_text("main")
    screenshot(page, "deliberation-phone-5-owner-queue")

    # The owner unit reports progress; the resident sees it and rates the result.
    supervision.do_submit_report(
        actor=owner_staff,
        matter=matter,
        unit=owners[0],
        period_start=timezone.localdate(),
        period_end=timezone.localdate(),
        text="旧招牌已拆除，新门头制作中",
        percent=60,
    )
    report = matter.reports.get()
    supervision.do_review_report(actor=office_user, report=report, accept=True)
    page.context.clear_cookies()
    page.goto(page.base_url + f"/deliberation/c/{code}/")
    assert "60%" in page.inner_text("#delivery")
    page.check("input[name=value][value=satisfied]")
    page.fill("#id_comment", "改得很好")
    page.click("#rate button[type=submit]")
    page.wait_for_load_state()
    concern.refresh_from_db()
    assert concern.closed_at is not None and concern.ratings.get().value == "satisfied"
    _no_sideways_scroll(page)
    screenshot(page, "deliberation-phone-6-rated")
    assert earlier.pk != concern.pk
