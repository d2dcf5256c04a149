"""Bulletins (督办通报): the figures on a worked example, issuing, the pages, and the .docx/PDF/.xlsx re-opened."""

import datetime
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext, pgettext

from xietong.conftest import client_for
from xietong.core.models import Notification
from xietong.core.tests.pdftext import assert_imprint_closes_the_page
from xietong.supervision import actions
from xietong.supervision.actions import do_issue_bulletin
from xietong.supervision.bulletins import compute
from xietong.supervision.documents import render_docx, render_pdf, render_xlsx
from xietong.supervision.models import Bulletin
from xietong.supervision.tests.factories import deliver, make_matter

AUG_1, AUG_31 = datetime.date(2022, 8, 1), datetime.date(2022, 8, 31)
SEP_1, SEP_30 = datetime.date(2022, 9, 1), datetime.date(2022, 9, 30)


def at(day):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC), tick=False)


def verify_on(office_user, matter, day):
    with at(day):
        return deliver(matter, office_user)


def chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def zh(text):
    with translation.override("zh-hans"):
        return gettext(text)


def part(text):
    """A first-level heading of a bulletin's body, e.g. 一、总体情况."""
    with translation.override("zh-hans"):
        return pgettext("bulletin section", text)


@pytest.fixture
def worked_example(cluster, office_user):
    """Matters whose August 2022 figures are known by hand (see the assertions)."""
    taiyuan, jinzhong, office = cluster["taiyuan"], cluster["jinzhong"], cluster["office"]
    m = {}
    m["t1"] = make_matter(office_user, taiyuan, title="太忻大道建设", due=datetime.date(2022, 8, 20))
    m["t2"] = make_matter(office_user, cluster["gujiao"], title="古交段征地", due=datetime.date(2022, 8, 25))
    m["t3"] = make_matter(
        office_user, taiyuan, title="大气监测数据共享", domain="ecology", sub_area="air", due=datetime.date(2022, 8, 10)
    )
    m["t4"] = make_matter(
        office_user, taiyuan, title="一体化禁煤区", domain="ecology", sub_area="air", due=datetime.date(2022, 9, 20)
    )
    m["t5"] = make_matter(
        office_user, taiyuan, title="七月已完成", start=datetime.date(2022, 7, 1), due=datetime.date(2022, 8, 15)
    )
    m["t6"] = make_matter(office_user, taiyuan, title="已撤销事项", due=datetime.date(2022, 8, 15))
    m["t7"] = make_matter(
        office_user, taiyuan, title="专项规划编制", domain="planning", sub_area="", due=datetime.date(2022, 8, 31)
    )
    m["j1"] = make_matter(office_user, jinzhong, title="太榆连接线", due=datetime.date(2022, 8, 31))
    m["j2"] = make_matter(
        office_user,
        jinzhong,
        title="企业开办跨市通办",
        domain="public_services",
        sub_area="approval",
        due=datetime.date(2022, 10, 31),
    )
    m["o1"] = make_matter(
        office_user, office, title="联络员制度", domain="planning", sub_area="", due=datetime.date(2022, 8, 5)
    )
    m["s1"] = make_matter(
        office_user, taiyuan, title="十月开始", start=datetime.date(2022, 10, 1), due=datetime.date(2022, 12, 31)
    )

    verify_on(office_user, m["t1"], datetime.date(2022, 8, 18))  # on time
    verify_on(office_user, m["t2"], datetime.date(2022, 8, 28))  # three days late
    verify_on(office_user, m["t3"], datetime.date(2022, 9, 10))  # after August: overdue in August
    verify_on(office_user, m["t5"], datetime.date(2022, 7, 30))  # before the period: out of scope
    actions.do_transition(actor=office_user, matter=m["t6"], name="cancel", reason="并入其他事项")
    verify_on(office_user, m["t7"], datetime.date(2022, 9, 5))  # due on the last day, done after
    verify_on(office_user, m["j1"], datetime.date(2022, 8, 31))  # on its due day
    verify_on(office_user, m["j2"], datetime.date(2022, 8, 20))  # early: done, not yet due
    return m


def by_key(rows):
    return {row["key"]: row for row in rows}


def test_the_figures_of_a_worked_example(worked_example, cluster):
    data = compute(AUG_1, AUG_31, today=datetime.date(2022, 9, 15))
    assert data["as_of"] == "2022-08-31"
    cities = by_key(data["by_city"])

    taiyuan = cities[str(cluster["taiyuan"].pk)]  # t1 t2 (古交 is 太原's) t3 t4 t7
    assert (taiyuan["in_scope"], taiyuan["done"], taiyuan["due"], taiyuan["done_on_time"], taiyuan["overdue"]) == (
        5,
        2,
        4,
        1,
        1,
    )
    assert taiyuan["completion_rate"] == 0.4 and taiyuan["on_time_rate"] == 0.25

    jinzhong = cities[str(cluster["jinzhong"].pk)]
    assert (jinzhong["in_scope"], jinzhong["done"], jinzhong["due"], jinzhong["done_on_time"]) == (2, 2, 1, 1)
    assert jinzhong["completion_rate"] == 1.0 and jinzhong["on_time_rate"] == 1.0

    xinzhou = cities[str(cluster["xinzhou"].pk)]  # nothing to divide by: no rate, no error
    assert xinzhou["in_scope"] == 0 and xinzhou["completion_rate"] is None and xinzhou["on_time_rate"] is None

    outside = cities["none"]  # led by the office itself
    assert (outside["in_scope"], outside["overdue"], outside["completion_rate"]) == (1, 1, 0.0)

    totals = data["totals"]
    assert (totals["in_scope"], totals["done"], totals["due"], totals["done_on_time"], totals["overdue"]) == (
        8,
        4,
        6,
        2,
        2,
    )
    assert totals["completion_rate"] == 0.5 and totals["on_time_rate"] == 0.3333

    domains = by_key(data["by_domain"])
    assert (domains["infrastructure"]["in_scope"], domains["infrastructure"]["on_time_rate"]) == (3, 0.6667)
    assert domains["ecology"]["completion_rate"] == 0.0 and domains["ecology"]["overdue"] == 1
    assert domains["public_services"]["due"] == 0 and domains["public_services"]["on_time_rate"] is None
    assert domains["industry"]["in_scope"] == 0 and domains["industry"]["completion_rate"] is None

    overdue = [(item["title"], item["lead_unit"], item["days_overdue"]) for item in data["overdue"]]
    assert overdue == [
        ("联络员制度", "山西中部城市群建设领导小组办公室", 26),
        ("大气监测数据共享", "太原市人民政府", 21),
    ]


def test_no_matter_at_all_gives_no_rates_and_no_error(db):
    data = compute(AUG_1, AUG_31, today=datetime.date(2022, 9, 15))
    assert data["totals"]["in_scope"] == 0
    assert data["totals"]["completion_rate"] is None and data["totals"]["on_time_rate"] is None
    assert data["overdue"] == [] and len(data["by_domain"]) == 6


def test_a_period_still_running_is_looked_at_today(worked_example):
    data = compute(AUG_1, AUG_31, today=datetime.date(2022, 8, 19))
    assert data["as_of"] == "2022-08-19"
    assert data["totals"]["done"] == 1  # t1 on 08-18; j2 (08-20) and j1 (08-31) not yet
    assert [item["title"] for item in data["overdue"]] == ["联络员制度", "大气监测数据共享"]
    assert data["overdue"][1]["days_overdue"] == 9


def test_figures_are_counted_in_a_few_queries(worked_example, django_assert_max_num_queries):
    # The grouped figures, the overdue and done lists, the cities; 催办单 by city, unit and matter; the named.
    with django_assert_max_num_queries(8):
        compute(AUG_1, AUG_31, today=datetime.date(2022, 9, 15))


def issue(actor, start, end, today):
    with at(today):
        return do_issue_bulletin(actor=actor, period_start=start, period_end=end)


def test_bulletins_are_numbered_and_say_what_changed(worked_example, office_user, cluster, member):
    first = issue(office_user, AUG_1, AUG_31, datetime.date(2022, 9, 15))
    second = issue(office_user, SEP_1, SEP_30, datetime.date(2022, 10, 5))
    assert (first.number, second.number) == (1, 2)
    assert first.data["changes"] is None and first.data["previous"] is None
    assert second.data["previous"] == {"id": first.pk, "number": 1}

    changes = second.data["changes"]
    taiyuan = by_key(changes["by_city"])[str(cluster["taiyuan"].pk)]
    # September, 太原: t3 and t7 done (both late), t4 overdue: 2/3 done, 0/3 on time.
    assert taiyuan["completion_rate"] == 26.7  # 66.67% − 40%
    assert taiyuan["on_time_rate"] == -25.0
    assert taiyuan["newly_done"] == 2 and taiyuan["overdue"] == 0  # t3 out, t4 in
    jinzhong = by_key(changes["by_city"])[str(cluster["jinzhong"].pk)]
    assert jinzhong["completion_rate"] is None  # nothing in scope in September
    assert [item["title"] for item in changes["newly_done"]] == ["专项规划编制", "大气监测数据共享"]
    assert [item["title"] for item in changes["newly_overdue"]] == ["一体化禁煤区"]
    assert [item["title"] for item in changes["no_longer_overdue"]] == ["大气监测数据共享"]
    assert Notification.objects.filter(recipient=member, kind="bulletin.issued").count() == 2


def test_only_the_office_issues_bulletins(worked_example, owner, other_city_user):
    for user in (owner, other_city_user):
        with pytest.raises(PermissionDenied):
            issue(user, AUG_1, AUG_31, datetime.date(2022, 9, 15))
    assert not Bulletin.objects.exists()


@pytest.mark.parametrize(
    "start,end,field",
    [
        (AUG_31, AUG_1, "period_end"),
        (datetime.date(2022, 10, 1), datetime.date(2022, 10, 31), "period_start"),
        (None, AUG_31, "period_start"),
    ],
)
def test_a_bad_period_is_refused(office_user, start, end, field):
    with pytest.raises(ValidationError) as error:
        issue(office_user, start, end, datetime.date(2022, 9, 15))
    assert field in error.value.message_dict
    assert not Bulletin.objects.exists()


# --- the files ----------------------------------------------------------------------------------------------


def docx_text(content):
    from docx import Document

    document = Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return document, paragraphs, tables


def test_the_docx_opens_with_chinese_text_fonts_and_the_figures(worked_example, office_user):
    from docx.oxml.ns import qn

    bulletin = issue(office_user, AUG_1, AUG_31, datetime.date(2022, 9, 15))
    document, paragraphs, tables = docx_text(render_docx(bulletin))

    assert bulletin.title in paragraphs
    normal_fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal_fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert document.styles["Heading 1"].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"

    by_city, by_domain, overdue = tables[0], tables[1], tables[2]
    assert by_city[0][0] == zh("City") and by_city[0][3] == zh("Completion rate")
    assert all(chinese(header) for header in by_city[0])
    # The last column counts the 催办单 of the period: none in this example.
    assert by_city[0][-1] == zh("催办单")
    assert ["太原市人民政府", "5", "2", "40.0%", "4", "1", "25.0%", "1", "0"] in by_city
    assert ["忻州市人民政府", "0", "0", "—", "0", "0", "—", "0", "0"] in by_city
    # The cluster's total row, as on the page, closes each figures table.
    assert by_city[-1] == [zh("Cluster total"), "8", "4", "50.0%", "6", "2", "33.3%", "2", "0"]
    assert by_domain[-1] == by_city[-1]
    assert [zh("Connected infrastructure"), "3", "3", "100.0%", "3", "2", "66.7%", "0", "0"] in by_domain
    assert overdue[0] == [zh(h) for h in ("Code", "Matter", "Lead unit", "City", "Domain", "Due date", "Days overdue")]
    assert [row[1:3] + row[5:] for row in overdue[1:]] == [
        ["联络员制度", "山西中部城市群建设领导小组办公室", "2022-08-05", "26"],
        ["大气监测数据共享", "太原市人民政府", "2022-08-10", "21"],
    ]
    summary = paragraphs[paragraphs.index("一、" + part("Overview")) + 1]
    assert "50.0%" in summary and "33.3%" in summary


def test_the_docx_of_a_later_bulletin_lists_the_changes(worked_example, office_user):
    issue(office_user, AUG_1, AUG_31, datetime.date(2022, 9, 15))
    second = issue(office_user, SEP_1, SEP_30, datetime.date(2022, 10, 5))
    _document, paragraphs, tables = docx_text(render_docx(second))
    changes = tables[-2]  # the last table is the 版记
    assert changes[0][0] == zh("City")
    taiyuan = next(row for row in changes if row[0] == "太原市人民政府")
    with translation.override("zh-hans"):
        assert taiyuan[1:3] == [
            gettext("%(delta)+.1f pp") % {"delta": 26.7},
            gettext("%(delta)+.1f pp") % {"delta": -25.0},
        ]
    assert taiyuan[3:] == ["2", "+0"]  # two matters newly done; one overdue left, one came
    heading = next(p for p in paragraphs if p.endswith(zh("Newly overdue")))
    assert heading.startswith("（二）")
    newly_overdue = paragraphs[paragraphs.index(heading) + 1]
    assert "一体化禁煤区" in newly_overdue


def test_the_xlsx_opens_with_chinese_sheets_and_percentages(worked_example, office_user, cluster):
    from openpyxl import load_workbook

    issue(office_user, AUG_1, AUG_31, datetime.date(2022, 9, 15))
    bulletin = issue(office_user, SEP_1, SEP_30, datetime.date(2022, 10, 5))
    workbook = load_workbook(io.BytesIO(render_xlsx(bulletin)))
    assert workbook.sheetnames == [
        zh("Summary"),
        zh("By city"),
        zh("By domain"),
        zh("Overdue matters"),
        zh("催办单 by unit"),
        zh("催办单 by matter"),
        zh("Changes"),
    ]
    assert all(chinese(name) for name in workbook.sheetnames)

    summary = workbook[zh("Summary")]
    assert summary["A1"].value == bulletin.title
    values = {row[0].value: row[1] for row in summary.iter_rows(min_row=2)}
    assert values[zh("Completion rate")].value == pytest.approx(0.5)  # t3 t7 done of t3 t4 t7 o1
    assert values[zh("Completion rate")].number_format == "0.0%"

    cities = workbook[zh("By city")]
    assert [c.value for c in cities[1]][:4] == [zh("City"), zh("Matters in scope"), zh("Done"), zh("Completion rate")]
    rows = {row[0].value: row for row in cities.iter_rows(min_row=2)}
    taiyuan = rows["太原市人民政府"]
    assert [c.value for c in taiyuan] == [
        "太原市人民政府",
        3,
        2,
        pytest.approx(0.6667),
        3,
        0,
        0.0,
        1,
        0,  # 催办单
    ]
    assert taiyuan[3].number_format == "0.0%" and taiyuan[6].number_format == "0.0%"
    assert rows["晋中市人民政府"][3].value is None  # no matter in scope: an empty cell, not an error

    overdue = workbook[zh("Overdue matters")]
    listed = [(row[1].value, row[2].value, row[5].value, row[6].value) for row in overdue.iter_rows(min_row=2)]
    assert listed == [
        ("联络员制度", "山西中部城市群建设领导小组办公室", datetime.datetime(2022, 8, 5), 56),
        ("一体化禁煤区", "太原市人民政府", datetime.datetime(2022, 9, 20), 10),
    ]
    changes = {row[0].value: row for row in workbook[zh("Changes")].iter_rows(min_row=2)}
    assert changes["太原市人民政府"][1].value == pytest.approx(0.267)


def test_the_files_of_an_empty_bulletin_open(db, office_user):
    from docx import Document
    from openpyxl import load_workbook

    bulletin = issue(office_user, AUG_1, AUG_31, datetime.date(2022, 9, 15))
    paragraphs = [p.text for p in Document(io.BytesIO(render_docx(bulletin))).paragraphs]
    assert zh("No matter is overdue.") in paragraphs
    workbook = load_workbook(io.BytesIO(render_xlsx(bulletin)))
    summary = {row[0].value: row[1].value for row in workbook[zh("Summary")].iter_rows(min_row=2)}
    assert summary[zh("Matters in scope")] == 0 and summary[zh("Completion rate")] is None


# --- the pages ----------------------------------------------------------------------------------------------


@pytest.fixture
def bulletin(worked_example, office_user):
    return issue(office_user, AUG_1, AUG_31, datetime.date(2022, 9, 15))


def pages(bulletin):
    return [
        "/supervision/bulletins/",
        f"/supervision/bulletins/{bulletin.pk}/",
        f"/supervision/bulletins/{bulletin.pk}/docx/",
        f"/supervision/bulletins/{bulletin.pk}/pdf/",
        f"/supervision/bulletins/{bulletin.pk}/xlsx/",
    ]


def test_the_urls_are_named_in_the_supervision_namespace(bulletin):
    from django.urls import reverse

    assert reverse("supervision:bulletins") == "/supervision/bulletins/"
    assert reverse("supervision:bulletin-new") == "/supervision/bulletins/new/"
    assert reverse("supervision:bulletin-docx", args=[bulletin.pk]) == f"/supervision/bulletins/{bulletin.pk}/docx/"
    assert bulletin.get_absolute_url() == f"/supervision/bulletins/{bulletin.pk}/"


def test_anonymous_people_are_sent_to_log_in(bulletin, client):
    for path in [*pages(bulletin), "/supervision/bulletins/new/"]:
        response = client.get(path)
        assert response.status_code == 302 and "/login/" in response["Location"], path


def test_an_outsider_and_a_town_are_refused(bulletin, outsider, town_staff):
    for user in (outsider, town_staff):
        client = client_for(user)
        for path in [*pages(bulletin), "/supervision/bulletins/new/"]:
            assert client.get(path).status_code == 403, (user, path)
        assert client.post("/supervision/bulletins/new/", {"period_start": "2022-09-01"}).status_code == 403


def test_every_city_reads_bulletins_but_only_the_office_issues(bulletin, member, other_city_user, office_user):
    for user in (member, other_city_user, office_user):
        client = client_for(user)
        for path in pages(bulletin):
            assert client.get(path).status_code == 200, (user, path)
    for user in (member, other_city_user):
        client = client_for(user)
        assert client.get("/supervision/bulletins/new/").status_code == 403
        response = client.post(
            "/supervision/bulletins/new/", {"period_start": "2022-09-01", "period_end": "2022-09-30"}
        )
        assert response.status_code == 403
    assert Bulletin.objects.count() == 1


def test_the_page_shows_tables_chart_data_and_downloads(bulletin, member):
    html = client_for(member).get(f"/supervision/bulletins/{bulletin.pk}/").content.decode()
    assert bulletin.title in html
    assert "太原市人民政府" in html and "40.0%" in html and "25.0%" in html
    assert "大气监测数据共享" in html
    assert 'id="bulletin-chart-data"' in html and "echarts.min.js" in html
    assert (
        f"/supervision/bulletins/{bulletin.pk}/docx/" in html and f"/supervision/bulletins/{bulletin.pk}/xlsx/" in html
    )


def test_downloads_are_word_and_excel_files_with_a_name(bulletin, member):
    from docx import Document

    client = client_for(member)
    response = client.get(f"/supervision/bulletins/{bulletin.pk}/docx/")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "attachment" in response["Content-Disposition"] and ".docx" in response["Content-Disposition"]
    assert bulletin.title in [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    response = client.get(f"/supervision/bulletins/{bulletin.pk}/xlsx/")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = client.get(f"/supervision/bulletins/{bulletin.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf" and ".pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")


def test_the_office_previews_then_issues_through_the_form(worked_example, office_user):
    client = client_for(office_user)
    with at(datetime.date(2022, 9, 15)):
        form = client.get("/supervision/bulletins/new/").content.decode()
        assert 'value="2022-08-01"' in form and 'value="2022-08-31"' in form  # last month by default
        preview = client.post(
            "/supervision/bulletins/new/", {"period_start": "2022-08-01", "period_end": "2022-08-31", "preview": "1"}
        )
        assert preview.status_code == 200 and "40.0%" in preview.content.decode()
        assert not Bulletin.objects.exists()
        response = client.post(
            "/supervision/bulletins/new/", {"period_start": "2022-08-01", "period_end": "2022-08-31"}
        )
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/supervision/bulletins/{bulletin.pk}/"
    assert bulletin.number == 1 and bulletin.data["totals"]["in_scope"] == 8


@pytest.mark.parametrize(
    "data",
    [
        {"period_start": "2022/08/01", "period_end": "2022-08-31"},
        {"period_start": "2022-08-31", "period_end": "2022-08-01"},
        {"period_start": "2022-10-01", "period_end": "2022-10-31"},
        {"period_start": "", "period_end": "2022-08-31"},
    ],
)
def test_bad_periods_on_the_form_get_a_message_and_store_nothing(db, office_user, data):
    with at(datetime.date(2022, 9, 15)):
        response = client_for(office_user).post("/supervision/bulletins/new/", data)
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Bulletin.objects.exists()


def test_the_list_costs_a_fixed_number_of_queries(worked_example, office_user, member, django_assert_max_num_queries):
    for month in range(8, 12):
        start = datetime.date(2022, month, 1)
        end = datetime.date(2022, month + 1, 1) - datetime.timedelta(days=1)
        issue(office_user, start, end, end + datetime.timedelta(days=5))
    client = client_for(member)
    with django_assert_max_num_queries(10):  # 8, a city's cached work counts and supervision's one work-count query
        response = client.get("/supervision/bulletins/")
    assert response.content.decode().count("/docx/") == 4


# --- GB/T 9704-2012, read back from the files ---------------------------------------------------------------


def test_the_docx_is_an_official_document_after_gb_t_9704(worked_example, office_user):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    bulletin = issue(office_user, AUG_1, AUG_31, datetime.date(2022, 9, 15))
    document, paragraphs, tables = docx_text(render_docx(bulletin))

    # 5.2.1 and 5.2.2: A4, 天头 37 mm, 订口 28 mm, a type area of 156 mm × 225 mm.
    section = document.sections[0]

    def mm(length):  # Word stores lengths in twips: within a tenth of a millimetre
        return round(length / 36000, 1)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.left_margin)) == (37, 28)
    assert mm(section.page_width - section.left_margin - section.right_margin) == 156
    assert mm(section.page_height - section.top_margin - section.bottom_margin) == 225
    # 5.2.4: 22 lines a page.
    grid = section._sectPr.find(qn("w:docGrid"))
    assert int(grid.get(qn("w:linePitch"))) * 22 == pytest.approx(Mm(225).pt * 20, abs=22)
    assert document.styles["Normal"].paragraph_format.line_spacing.pt * 22 == pytest.approx(Mm(225).pt, abs=0.5)

    # 5.2.3 and 7.3.1: 仿宋_GB2312 三号 body, 小标宋 二号 title; Latin text and numerals in Times New Roman.
    def fonts(element):
        return element.rPr.find(qn("w:rFonts"))

    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16) and fonts(normal.element).get(qn("w:ascii")) == "Times New Roman"
    title = next(p for p in document.paragraphs if p.text == bulletin.title)
    assert title.style.name == "Title" and title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.style.font.size == Pt(22) and fonts(title.style.element).get(qn("w:eastAsia")) == "方正小标宋简体"
    assert fonts(document.styles["Heading 2"].element).get(qn("w:eastAsia")) == "楷体_GB2312"

    # 7.2: the issuer in red and the 发文字号 with 〔year〕 and no leading zero; 7.3.2: the 主送 ends in "：".
    mark = document.paragraphs[0]
    assert mark.text == "山西中部城市群建设领导小组办公室" and str(mark.runs[0].font.color.rgb) == "FF0000"
    assert "晋中城群办〔2022〕1号" in paragraphs
    addressees = paragraphs[paragraphs.index(bulletin.title) + 2]
    assert addressees.startswith("太原市人民政府、忻州市人民政府") and addressees.endswith("：")
    assert paragraphs.index("一、" + part("Overview")) > paragraphs.index(addressees)

    # 7.3.5: the issuer and the date of issue under the text; 7.4: the 版记 with 抄送, 印发机关 and 印发日期.
    assert paragraphs[-4:] == ["", "山西中部城市群建设领导小组办公室", "2022年9月15日", ""]
    imprint = tables[-1]
    assert imprint[0][0].startswith("抄送：") and imprint[0][0].endswith("。")
    assert imprint[1] == ["山西中部城市群建设领导小组办公室", "2022年9月15日印发"]

    # 7.5: "— 1 —" in 4号 宋体, odd pages on the right, even pages on the left.
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert document.settings.odd_and_even_pages_header_footer
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert odd.text == "— 1 —" and "PAGE" in odd._p.xml
    assert {run.font.size for run in odd.runs} == {Pt(14)}
    assert fonts(odd.runs[0]._r).get(qn("w:eastAsia")) == "宋体"


def test_the_pdf_is_the_same_bulletin_on_a4(worked_example, office_user):
    from pypdf import PdfReader

    bulletin = issue(office_user, AUG_1, AUG_31, datetime.date(2022, 9, 15))
    pdf = render_pdf(bulletin)
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")
    assert bulletin.title.replace(" ", "") in text
    assert "晋中城群办〔2022〕1号" in text
    # A figures row stays on one line; an overdue matter's title may wrap in its cell, its code and date do not.
    assert "太原市人民政府5240.0%4125.0%10" in text
    assert worked_example["t3"].code in text and "2022-08-10" in text
    assert "2022年9月15日印发" in text
    # 7.4: the 版记 on the last lines of the last page's type area, below the end of the text.
    _pages, text_end, _copied = assert_imprint_closes_the_page(pdf)
    assert text_end is not None
