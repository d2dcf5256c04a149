"""The matter register (督办台账): exported as .xlsx with the list's filters, imported all-or-nothing."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import Workbook, load_workbook

from xietong.conftest import client_for
from xietong.supervision.models import CoUnit, Domain, Matter, State
from xietong.supervision.tests.factories import make_matter

HEADER = ["编号", "标题", "领域", "牵头单位", "开始日期", "截止日期", "配合单位", "优先级", "报送频次"]


def zh(text):
    with translation.override("zh-hans"):
        return gettext(text)


def workbook(rows, header=HEADER):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("台账.xlsx", buffer.getvalue())


def read(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.fixture
def matters(cluster, office_user):
    return {
        "road": make_matter(office_user, cluster["taiyuan"], title="太忻大道建设", co_units=[cluster["xinzhou"]]),
        "air": make_matter(
            office_user, cluster["taiyuan"], title="大气监测数据共享", domain=Domain.ECOLOGY, sub_area=""
        ),
        "xinzhou": make_matter(
            office_user, cluster["xinzhou"], title="忻州文旅一卡通", domain=Domain.PUBLIC_SERVICES, sub_area=""
        ),
    }


def test_the_register_follows_the_list_filters_and_what_the_reader_may_see(matters, member, office_user):
    rows = read(client_for(office_user).get("/supervision/matters/xlsx/?domain=ecology"))
    assert rows[0][:6] == HEADER[:6]
    assert [row[1] for row in rows[1:]] == ["大气监测数据共享"]
    assert rows[1][2] == zh("Joint ecological protection") and rows[1][4] == datetime.datetime(2022, 8, 1)

    everything = read(client_for(office_user).get("/supervision/matters/xlsx/"))
    assert sorted(row[1] for row in everything[1:]) == ["大气监测数据共享", "太忻大道建设", "忻州文旅一卡通"]
    road = next(row for row in everything if row[1] == "太忻大道建设")
    assert road[3] == "太原市人民政府" and road[6] == "忻州市人民政府"
    # 太原's staff see 太原's matters only.
    mine = read(client_for(member).get("/supervision/matters/xlsx/"))
    assert sorted(row[1] for row in mine[1:]) == ["大气监测数据共享", "太忻大道建设"]


def test_the_list_links_the_export_with_its_filters(matters, office_user):
    html = client_for(office_user).get("/supervision/matters/?domain=ecology").content.decode()
    assert 'href="/supervision/matters/xlsx/?domain=ecology"' in html
    assert 'href="/supervision/matters/import/"' in html


def test_outsiders_are_refused_and_only_the_office_imports(matters, outsider, member, client):
    assert client.get("/supervision/matters/xlsx/").status_code == 302
    assert client_for(outsider).get("/supervision/matters/xlsx/").status_code == 403
    for user in (outsider, member):
        assert client_for(user).get("/supervision/matters/import/").status_code == 403
        upload = workbook([["X-1", "新事项", "生态治理", "太原市人民政府", "2026-01-01", "2026-06-30"]])
        assert client_for(user).post("/supervision/matters/import/", {"file": upload}).status_code == 403
    assert Matter.objects.count() == 3


def test_a_good_register_is_imported_as_drafts(cluster, office_user):
    upload = workbook(
        [
            [
                "DB-2026-01",
                "太榆连接线主线贯通",
                "基础设施",
                "太原市人民政府",
                "2026-01-01",
                "2026-12-31",
                "晋中市人民政府",
                "重要",
                "每月",
            ],
            [
                "DB-2026-02",
                "汾河流域联合巡河",
                "ecology",
                "晋中市人民政府",
                datetime.date(2026, 2, 1),
                datetime.date(2026, 9, 30),
                "太原市人民政府、忻州市人民政府",
                None,
                None,
            ],
        ]
    )
    response = client_for(office_user).post("/supervision/matters/import/", {"file": upload})
    assert response.status_code == 302, response.context and response.context.get("refused")
    assert response["Location"] == "/supervision/matters/?state=draft"
    first, second = Matter.objects.order_by("code")
    assert (first.title, first.domain, first.priority, first.state) == (
        "太榆连接线主线贯通",
        "infrastructure",
        2,
        State.DRAFT,
    )
    assert first.lead_unit == cluster["taiyuan"] and first.due_date == datetime.date(2026, 12, 31)
    assert sorted(CoUnit.objects.filter(matter=second).values_list("unit__name", flat=True)) == [
        "太原市人民政府",
        "忻州市人民政府",
    ]


def test_a_register_exported_here_reads_back(matters, office_user):
    rows = read(client_for(office_user).get("/supervision/matters/xlsx/"))
    for row in rows[1:]:
        row[0] = "COPY-" + row[0]
    response = client_for(office_user).post("/supervision/matters/import/", {"file": workbook(rows[1:], rows[0])})
    assert response.status_code == 302
    copy = Matter.objects.get(code="COPY-" + matters["road"].code)
    assert copy.title == "太忻大道建设" and copy.domain == matters["road"].domain
    assert list(copy.co_units.values_list("unit__name", flat=True)) == ["忻州市人民政府"]


def test_one_wrong_row_stores_nothing_and_every_wrong_row_is_reported(cluster, office_user):
    upload = workbook(
        [
            ["DB-01", "正确的一行", "生态治理", "太原市人民政府", "2026-01-01", "2026-06-30"],
            ["DB-02", "牵头单位不存在", "生态治理", "太原市政府", "2026-01-01", "2026-06-30"],
            ["DB-03", "日期写错", "生态治理", "太原市人民政府", "2026/01/01", "2026-06-30"],
            ["DB-01", "编号重复", "生态治理", "太原市人民政府", "2026-01-01", "2026-06-30"],
            ["DB-05", "截止早于开始", "生态治理", "太原市人民政府", "2026-06-30", "2026-01-01"],
            ["DB-06", "", "不存在的领域", "太原市人民政府", "2026-01-01", "2026-06-30"],
        ]
    )
    with translation.override("zh-hans"):
        response = client_for(office_user).post(
            "/supervision/matters/import/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    assert response.status_code == 200
    assert not Matter.objects.exists()
    refused = dict(response.context["refused"])
    assert sorted(refused) == [3, 4, 5, 6, 7]  # the header is row 1; row 2 was right
    assert any("太原市政府" in message for message in refused[3])
    assert any(message.startswith("开始日期") for message in refused[4])
    assert any("编号" in message for message in refused[5])
    assert len(refused[7]) == 2  # no title and an unknown domain
    html = response.content.decode()
    assert 'id="import-errors"' in html and "太原市政府" in html


def test_a_file_that_is_not_a_register_gets_a_message(cluster, office_user):
    client = client_for(office_user)
    response = client.post("/supervision/matters/import/", {"file": SimpleUploadedFile("a.xlsx", b"not a workbook")})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    response = client.post("/supervision/matters/import/", {"file": workbook([["x"]], header=["名称"])})
    assert "errorlist" in response.content.decode()
    assert not Matter.objects.exists()
