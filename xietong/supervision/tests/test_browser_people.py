"""In a real browser: the office records a leader's instruction, 太原's liaison comments mentioning 晋中, and
晋中's staff follow the matter and find the mention in the inbox; desktop and a 390 px phone."""

import datetime

import pytest
from django.utils import timezone

from xietong.conftest import browser_login, make_user, screenshot
from xietong.core.models import Notification, Role
from xietong.supervision.models import Follow
from xietong.supervision.tests.factories import make_matter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def matter(cluster, office_user, member):
    make_user("jz-liaison", cluster["jinzhong"], Role.STAFF, first_name="晋中联络员")
    today = timezone.localdate()
    return make_matter(
        office_user,
        cluster["taiyuan"],
        co_units=[cluster["jinzhong"]],
        title="太忻一体化大气污染联防联控",
        domain="ecology",
        sub_area="air",
        start=today - datetime.timedelta(days=30),
        due=today + datetime.timedelta(days=60),
    )


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"]
)
def test_instruction_comment_mention_and_follow(browser, live_server, matter, cluster, viewport):
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    name = "phone" if viewport["width"] < 500 else "desktop"
    url = page.base_url + matter.get_absolute_url()

    browser_login(page, "office-supervisor", "pw-office-supervisor")
    page.goto(url)
    page.click("text=录入领导批示")
    page.fill("#id_instruction_leader", "李组长")
    page.fill("#id_instruction_text", "请@太原市人民政府 牵头，@晋中市人民政府 配合，本月底前拿出联防联控方案。")
    page.click("text=录入批示")
    page.wait_for_load_state()
    assert "领导批示已录入" in page.inner_text("body")
    context.clear_cookies()

    browser_login(page, "taiyuan-staff", "pw-taiyuan-staff")
    page.goto(url)
    assert page.locator("#instructions summary").count() == 0  # staff record no instructions
    page.fill("#id_comment_text", "<b>已对接</b>监测点位，请@jz-liaison 核对。")
    page.click("text=发表评论")
    page.wait_for_load_state()
    assert "评论已发表" in page.inner_text("body")
    assert page.locator(".comment .mention").inner_text() == "@jz-liaison"
    assert "<b>已对接</b>" in page.locator(".comment .comment-text").inner_text()
    context.clear_cookies()

    browser_login(page, "jz-liaison", "pw-jz-liaison")
    page.goto(url)
    instruction = page.locator("#instructions")
    assert "李组长" in instruction.inner_text()
    # The instruction stands above the facts of the matter.
    assert page.evaluate(
        "document.querySelector('#instructions').getBoundingClientRect().top"
        " < document.querySelector('#facts-h').getBoundingClientRect().top"
    )
    page.click("button:has-text('关注')")
    page.wait_for_load_state()
    assert "已关注本事项" in page.inner_text("body")
    assert Follow.objects.filter(user__username="jz-liaison", matter=matter).exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"people-matter-{name}")
    assert Notification.objects.filter(recipient__username="jz-liaison", kind="matter.mentioned").count() == 1
    context.close()
