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


def test_a_new_notice_flags_an_earlier_declaration_for_the_community(browser, live_server, people, decl_units, regions):
    from .conftest import submit

    today = timezone.localdate()
    stops = [("湖北省武汉市江夏区", (today - datetime.timedelta(days=6)).isoformat(), today.isoformat(), "D3072")]
    earlier = submit(decl_units, seq=51, arrival=today, stops=stops)
    assert earlier.state == State.CLEAR  # nothing listed 江夏区 when the person declared

    office = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = office.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    browser_login(page, "ty-prevention", "pw-ty-prevention")
    page.goto(live_server.url + "/declarations/notices/new/")
    page.fill("input[name=title]", "太原市疫情防控办关于武汉江夏来(返)并人员的健康提示")
    page.fill("input[name=window_start]", (today - datetime.timedelta(days=7)).isoformat())
    page.fill("textarea[name=areas_text]", "湖北省武汉市江夏区")
    page.click("button[type=submit].primary")
    page.wait_for_selector("#publish")
    page.click("#publish")
    page.wait_for_selector("#screening")
    # No broker in the test server: the re-screen ran inline once the publication committed.
    assert "已追溯筛查" in page.inner_text("#screening") and "1" in page.inner_text("#screening")
    screenshot(page, "declarations-notice-published")
    office.close()

    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    browser_login(page, "wucheng-worker", "pw-wucheng-worker")
    page.goto(live_server.url + "/inbox/")
    assert earlier.receipt in page.content()
    page.goto(live_server.url + "/work/")
    assert "待接收的风险报备" in page.content() and earlier.receipt in page.content()
    page.click(f"text={earlier.receipt}")
    reasons = page.inner_text("#reasons")
    assert "江夏区" in reasons and "武汉江夏" in reasons
    history = page.inner_text("main")
    assert (
        "无风险 → 通报地区（未分级）（因《太原市疫情防控办关于武汉江夏来(返)并人员的健康提示》变更追溯筛查）" in history
    )
    screenshot(page, "declarations-flagged-retroactively")
    desk.close()


def test_a_declaration_for_another_city_reaches_its_prevention_office(
    browser, live_server, people, decl_units, regions
):
    today = timezone.localdate()
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = phone.new_page()
    page.set_default_timeout(15000)
    # The traveller uses 太原's form but will stay in 晋中市榆次区锦纶街道.
    page.goto(live_server.url + "/declarations/declare/taiyuan/")
    page.fill("input[name=name]", "钱七")
    page.fill("input[name=id_number]", id_number(43))
    page.fill("input[name=phone]", "13903510043")
    page.fill("input[name=arrival_date]", today.isoformat())
    page.fill("input[name=destination]", "晋中市榆次区锦纶街道")
    page.fill("input[name=address]", "顺城街1号")
    page.click("button.decl-submit")
    page.wait_for_selector("#result")
    receipt = page.inner_text("#receipt-code")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    phone.close()
    declaration = Declaration.objects.get(receipt=receipt)
    assert declaration.community == decl_units["jz_community"]

    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    browser_login(page, "jz-prevention", "pw-jz-prevention")
    page.goto(live_server.url + "/work/")
    assert receipt in page.content() and "太原市" in page.content()
    screenshot(page, "declarations-handover-work-queue")
    page.click(f"text={receipt}")
    assert "晋中市" in page.inner_text("#handover")
    page.click("#handover button[type=submit]")
    page.wait_for_selector("#handover >> text=已接收")
    screenshot(page, "declarations-handover-received")
    desk.close()
    declaration.handover.refresh_from_db()
    assert declaration.handover.received_by == people["jz_office"]

    # 太原's office, whose form took it, follows its state; 忻州 cannot open it.
    taiyuan = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = taiyuan.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    browser_login(page, "ty-prevention", "pw-ty-prevention")
    page.goto(live_server.url + f"/declarations/d/{declaration.pk}/")
    assert "已接收" in page.inner_text("#handover")
    taiyuan.close()
