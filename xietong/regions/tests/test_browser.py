import re

import pytest
from playwright.sync_api import expect

from xietong.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, selector, limit=40):
    """Moves the focus with Tab until it reaches `selector`: the element is reachable by keyboard."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def test_pick_a_town_with_the_keyboard_only(page, regions):
    page.goto(page.base_url + "/regions/")
    tab_to(page, "#id_place")
    combobox = page.get_by_role("combobox", name="地点")
    expect(combobox).to_have_attribute("aria-expanded", "false")

    page.keyboard.type("古交河口")
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option").first).to_contain_text("河口镇")
    expect(combobox).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    first = listbox.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(combobox).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    screenshot(page, "regions-picker-suggestions")

    page.keyboard.press("Enter")
    expect(page.locator(".placepicker-picked")).to_have_text("已选：山西省太原市古交市河口镇，代码 140181100")
    expect(combobox).to_have_value("山西省太原市古交市河口镇")
    expect(page.locator("input[name=place_code]")).to_have_value("140181100")
    # The lists follow the pick: 山西省 › 太原市 › 古交市 › 河口镇.
    for depth, code in enumerate(["14", "1401", "140181", "140181100"]):
        expect(page.locator(f"select[data-depth='{depth}']")).to_have_value(code)
    assert page.url.endswith("/regions/")  # Enter chose the place; it did not submit

    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"place_code=140181100"))
    expect(page.get_by_test_id("region-code")).to_have_text("140181100")
    expect(page.locator(".regions-facts")).to_contain_text("山西省太原市古交市河口镇")
    expect(page.locator("select[data-depth='3']")).to_have_value("140181100")
    screenshot(page, "regions-lookup-result")


def test_an_ambiguous_name_shows_the_candidates(page, regions):
    page.goto(page.base_url + "/regions/")
    tab_to(page, "#id_place")
    page.keyboard.type("大寺镇")
    expect(page.get_by_role("option").first).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("“大寺镇”可能指多个地方")
    expect(alert).to_contain_text("天津市西青区大寺镇")
    expect(alert).to_contain_text("广西壮族自治区钦州市钦北区大寺镇")
    expect(page.get_by_role("link", name="天津市西青区大寺镇")).to_be_visible()
    screenshot(page, "regions-lookup-ambiguous")

    # Following a candidate with the keyboard opens it.
    tab_to(page, "a[href='?place_code=120111105']")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("region-code")).to_have_text("120111105")


def test_cascading_lists_skip_the_placeholder_of_a_municipality(page, regions):
    page.goto(page.base_url + "/regions/")
    expect(page.locator("select[data-depth='0'] option").nth(1)).to_have_text("北京市")  # loaded
    tab_to(page, "select[data-depth='0']")
    page.keyboard.press("ArrowDown")  # a closed select steps to its next option: 北京市
    expect(page.locator("select[data-depth='0']")).to_have_value("11")
    second = page.locator("select[data-depth='1']")
    expect(second.locator("option").nth(1)).to_have_text("东城区")
    expect(page.locator(".placepicker-level[data-depth='1'] span")).to_have_text("县级")
    tab_to(page, "select[data-depth='1']")
    page.keyboard.press("ArrowDown")
    expect(second).to_have_value("110101")
    expect(page.locator("input[name=place_code]")).to_have_value("110101")
    expect(page.locator("#id_place")).to_have_value("北京市东城区")
    expect(page.locator("select[data-depth='2'] option").nth(1)).to_have_text(re.compile("街道"))


def test_the_lookup_on_a_phone(page, regions):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + "/regions/?place=天津市西青区")
    expect(page.get_by_test_id("region-code")).to_have_text("120111")
    expect(page.locator("select[data-depth='1']")).to_have_value("120111")  # 天津市 › 西青区
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    screenshot(page, "regions-lookup-phone")
    page.locator("#id_place").fill("")
    page.locator("#id_place").type("古交河")
    expect(page.get_by_role("option").first).to_contain_text("河口镇")
    screenshot(page, "regions-picker-phone")


def test_without_javascript_the_text_input_works(browser, live_server, regions):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/regions/")
        expect(page.locator(".placepicker-cascade")).to_be_hidden()
        page.fill("#id_place", "内江资中")
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("region-code")).to_have_text("511025")
        screenshot(page, "regions-lookup-nojs")
    finally:
        context.close()
