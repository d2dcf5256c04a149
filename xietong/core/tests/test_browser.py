import pytest

from xietong.conftest import browser_login, screenshot
from xietong.core import demo as core_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_city_liaison_logs_in_sees_chinese_and_switches_to_english(page, regions):
    core_demo.load()
    browser_login(page, "taiyuan", "xietong-demo")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.get_by_text("太原联络员").first.is_visible()
    # The first page after login is the person's work queue; the cluster is one click away.
    assert page.get_by_role("heading", name="工作台").is_visible()
    screenshot(page, "work-queue-zh")
    page.click("a.brand")
    page.wait_for_load_state()
    assert page.locator(".city-card").count() == 5
    assert page.get_by_role("heading", name="山西中部城市群").is_visible()
    screenshot(page, "home-zh")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Shanxi Central City Cluster").is_visible()
    assert page.locator(".city-card", has_text="Taiyuan Municipal Government").is_visible()
    screenshot(page, "home-en")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Log in").is_visible()


def test_wrong_password_gets_a_clear_message(page, regions):
    core_demo.load()
    browser_login(page, "taiyuan", "not-the-password")
    assert page.get_by_role("alert").inner_text().startswith("用户名或密码不正确")
