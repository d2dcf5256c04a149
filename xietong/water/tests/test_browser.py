"""In a real browser: a month's samples uploaded, a boundary section misses its target, the upstream city finds
the matter in its work queue, and the compensation statement downloads and reads back."""

import io

import pytest
from openpyxl import load_workbook

from xietong.conftest import browser_login, screenshot
from xietong.water.models import BoundaryMiss, Statement

from .conftest import csv_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JULY = [
    ("FH01", "2026-07-08 10:00", 7.9, 8.1, 2.6, 12, 2.1, 0.21, 0.05, 1.1),
    ("FH02", "2026-07-09 10:00", 7.6, 6.2, 4.8, 17, 3.4, "ND", "<0.02", 2.2),
    # 温南社, 太原 → 晋中: ammonia 2.4 is worse than V against a class IV target
    ("FH03", "2026-07-10 10:00", 7.5, 5.4, 5.6, 19, 3.6, 2.4, 0.22, 3.4),
]


def log_out(page):
    page.locator("form[action='/logout/'] button").click()
    page.wait_for_load_state()


def test_a_missed_boundary_target_reaches_the_upstream_city_and_the_statement_reads_back(
    page, agreement, office_user, member
):
    browser_login(page, "office-supervisor", "pw-office-supervisor")
    page.goto(page.base_url + "/water/samples/upload/")
    page.set_input_files(
        "#id_file", files=[{"name": "2026-07.csv", "mimeType": "text/csv", "buffer": csv_text(*JULY).encode()}]
    )
    page.get_by_role("button", name="上传", exact=True).click()
    page.wait_for_load_state()
    result = page.locator("#upload-result")
    assert "共接收3行" in result.inner_text()
    assert "低于检出限" in result.inner_text()
    misses = page.locator("#upload-misses")
    assert "温南社" in misses.inner_text() and "SZ-FH03-202607" in misses.inner_text()
    screenshot(page, "water-upload-miss")
    miss = BoundaryMiss.objects.get()
    assert miss.matter.lead_unit.slug == "taiyuan"

    page.goto(page.base_url + "/water/?month=2026-07")
    page.wait_for_selector("#wq-map[data-ready='1']")
    screenshot(page, "water-dashboard-map")
    page.goto(page.base_url + "/water/monthly/?month=2026-07")
    assert "氨氮(1.40)" in page.locator("tr[data-section='FH03']").inner_text()
    screenshot(page, "water-monthly-report")
    log_out(page)

    # 太原, upstream, lands on its work queue and finds the section to answer for.
    browser_login(page, "taiyuan-staff", "pw-taiyuan-staff")
    section = page.locator("[data-kind='water.sections_to_answer']")
    assert "SZ-FH03-202607" in section.inner_text() or "温南社" in section.inner_text()
    screenshot(page, "water-upstream-work-queue")
    section.get_by_role("link").first.click()
    page.wait_for_load_state()
    assert "SZ-FH03-202607" in page.content()
    screenshot(page, "water-upstream-matter")

    # The statement of July: 太原 pays 晋中; it downloads and names the sample it used.
    statement = Statement.objects.get()
    page.goto(page.base_url + f"/water/statements/{statement.pk}/")
    assert page.locator("#statement-amount").inner_text() == "150.00"
    screenshot(page, "water-statement")
    with page.expect_download() as download_info:
        page.locator("#statement-download").click()
    path = download_info.value.path()
    with open(path, "rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    facts = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert facts["金额（万元）"] == 150 and facts["支付方"] == "太原市人民政府"
    used = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in used] == statement.sample_ids and used[0][1] == "FH03"
    page.get_by_role("button", name="代表本市确认").click()
    page.wait_for_load_state()
    assert Statement.objects.get().upstream_confirmed_at is not None


def test_the_public_page_of_section_classes_fits_a_phone(browser, live_server, agreement, office_user):
    from xietong.water import actions
    from xietong.water.ingest import csv_rows
    from xietong.water.models import Source

    actions.do_ingest_samples(actor=office_user, rows=csv_rows(csv_text(*JULY)), source=Source.CSV)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.goto(live_server.url + "/water/public/?month=2026-07")
    assert phone.locator("[data-section]").count() == 3
    assert "劣V" in phone.locator("[data-section='FH03']").inner_text()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(phone, "water-public-phone")
    context.close()
