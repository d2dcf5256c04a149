"""Main flows in a real browser: a traveller declares on a phone and is told to report; the community
worker finds the declaration in the work queue with its reason and records the measures to closure."""

import datetime

import pytest
from django.utils import timezone

from xietong.conftest import browser_login, screenshot
from xietong.declarations.models import Declaration, State

from .conftest import id_number, publish_notice

pytestmark = pytest.mark.django_db(transaction=True)


def test_traveller_declares_and_the_community_closes_it(browser, live_server, people, decl_units, regions):
    today = timezone.localdate()
    publish_notice(people["ty_office"], decl_units, window=today - datetime.timedelta(days=10))
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = phone.new_page()
    page.set_default_timeout(15000)
    page.goto(live_server.url + "/declarations/declare/taiyuan/")
    page.fill("input[name=name]", "赵六")
    page.fill("input[name=id_number]", id_number(42))
    page.fill("input[name=phone]", "13903510042")
    page.fill("input[name=arrival_date]", today.isoformat())
    page.fill("input[name=destination]", "太原市小店区坞城街道")
    page.fill("input[name=address]", "坞城路92号")
    page.fill("input[name=stops-0-place]", "四川省内江市资中县")
    page.fill("input[name=stops-0-start]", (today - datetime.timedelta(days=5)).isoformat())
    page.fill("input[name=stops-0-end]", (today - datetime.timedelta(days=2)).isoformat())
    page.fill("input[name=stops-0-transport]", "G1234")
    screenshot(page, "declarations-form-390")
    page.click("button.decl-submit")
    page.wait_for_selector("#result")
    assert "请主动报备并落实以下措施" in page.inner_text("#result")
    assert "资中县" in page.inner_text("#result")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "declarations-receipt-390")
    receipt = page.inner_text("#receipt-code")
    phone.close()

    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    browser_login(page, "wucheng-worker", "pw-wucheng-worker")
    page.goto(live_server.url + "/work/")
    assert "待接收的风险报备" in page.content() and receipt in page.content()
    screenshot(page, "declarations-work-queue")
    page.click(f"text={receipt}")
    assert "资中县" in page.inner_text("#reasons")
    page.click("#acknowledge")
    page.wait_for_selector("text=已接收")
    for _ in range(2):
        page.click("#measures form button[type=submit]")
        page.wait_for_load_state()
    screenshot(page, "declarations-closed")
    declaration = Declaration.objects.get(receipt=receipt)
    assert declaration.state == State.COMPLETED
    assert "已闭环" in page.content()
    desk.close()
