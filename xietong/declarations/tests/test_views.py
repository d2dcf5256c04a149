"""The pages: the public form and receipt, and who may open what."""

import pytest
from django.test import Client
from django.urls import reverse

from xietong.conftest import client_for
from xietong.core.models import PersonalDataAccess
from xietong.declarations.models import Declaration, MeasureState, State

from .conftest import id_number, submit

pytestmark = pytest.mark.django_db


def form_data(units, **extra):
    data = {
        "name": "李四",
        "id_number": id_number(7),
        "phone": "139 0351 0007",
        "arrival_date": "2022-07-28",
        "destination": "太原市小店区坞城街道",
        "address": "坞城路92号",
        "community": "",
        "employer": "",
        "hotel": "",
        "stops-TOTAL_FORMS": "3",
        "stops-INITIAL_FORMS": "0",
        "stops-MIN_NUM_FORMS": "0",
        "stops-MAX_NUM_FORMS": "10",
        "stops-0-place": "四川内江资中",
        "stops-0-start": "2022-07-20",
        "stops-0-end": "2022-07-26",
        "stops-0-transport": "G1234",
    }
    data.update(extra)
    return data


def test_a_traveller_declares_without_an_account_and_is_told_to_report(notice, decl_units):
    client = Client()
    url = reverse("declarations:declare", args=["taiyuan"])
    assert client.get(url).status_code == 200
    response = client.post(url, form_data(decl_units))
    declaration = Declaration.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "declarations:receipt", args=[declaration.receipt]
    )
    assert declaration.community == decl_units["community"]  # found from the town: the only community there
    page = client.get(response["Location"]).content.decode()
    assert declaration.receipt in page and "资中县" in page and "第一时间向所在社区" in page
    assert "李四" not in page and id_number(7) not in page  # the receipt page shows the name masked
    # Sending the form again (a double tap) updates the same declaration.
    client.post(url, form_data(decl_units))
    assert Declaration.objects.count() == 1 and Declaration.objects.get().version == 2


def test_field_errors_are_shown_in_the_users_language(notice, decl_units):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = client.post(
        reverse("declarations:declare", args=["taiyuan"]),
        form_data(
            decl_units,
            id_number="110105194912310021",
            **{"stops-0-end": "2022-07-19"},
            **{"stops-0-start": "2022-07-25"},
        ),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "最后一位" in page and "结束日期早于开始日期" in page
    assert not Declaration.objects.exists()


def test_an_unknown_city_form_is_a_404(db):
    assert Client().get(reverse("declarations:declare", args=["nowhere"])).status_code == 404


def test_who_may_open_a_declaration(notice, people, decl_units):
    declaration = submit(decl_units, hotel=decl_units["hotel"])
    url = reverse("declarations:declaration", args=[declaration.pk])
    for who in ("community", "ty_office", "hotel"):
        assert client_for(people[who]).get(url).status_code == 200, who
    for who in ("employer", "city_staff", "xinzhou", "outsider", "jz_office"):
        assert client_for(people[who]).get(url).status_code == 404, who
    response = Client().get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_lists_show_personal_data_masked_and_unmasking_is_logged(notice, people, decl_units):
    declaration = submit(decl_units)
    client = client_for(people["community"])
    page = client.get(reverse("declarations:dashboard")).content.decode()
    assert declaration.receipt in page and "张*" in page and "139****0001" in page and "13903510001" not in page
    url = reverse("declarations:declaration", args=[declaration.pk])
    detail = client.get(url).content.decode()
    assert id_number(1) not in detail and "1401**********" in detail
    assert client.post(url, {"purpose": ""}).status_code == 400
    revealed = client.post(url, {"purpose": "电话联系本人"}).content.decode()
    assert id_number(1) in revealed
    log = PersonalDataAccess.objects.get()
    assert log.actor == people["community"] and log.purpose == "电话联系本人"


def test_the_community_takes_on_and_records_until_closure(notice, people, decl_units, frozen):
    declaration = submit(decl_units)
    client = client_for(people["community"])
    client.post(reverse("declarations:acknowledge", args=[declaration.pk]))
    declaration.refresh_from_db()
    assert declaration.state == State.MEASURES
    test = declaration.measures.get(kind="test")
    client.post(reverse("declarations:record-measure", args=[test.pk]), {"result": "negative"})
    test.refresh_from_db()
    assert test.state == MeasureState.DONE and test.result == "negative"
    monitoring = declaration.measures.get(kind="monitoring")
    # Another city's staff cannot record it (the measure is not even found).
    assert (
        client_for(people["xinzhou"]).post(reverse("declarations:record-measure", args=[monitoring.pk])).status_code
        == 404
    )
    client.post(reverse("declarations:record-measure", args=[monitoring.pk]))
    declaration.refresh_from_db()
    assert declaration.state == State.COMPLETED


def test_dashboard_and_work_queue_query_counts_do_not_grow(notice, people, decl_units):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(user, url):
        client = client_for(user)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    submit(decl_units, seq=1)
    small = {
        (who, name): count(people[who], reverse(name))
        for who in ("ty_office", "community")
        for name in ("declarations:dashboard", "work")
    }
    for seq in range(20):
        submit(decl_units, seq=seq + 10, employer=decl_units["employer"])
    large = {
        (who, name): count(people[who], reverse(name))
        for who in ("ty_office", "community")
        for name in ("declarations:dashboard", "work")
    }
    assert small == large


def test_notices_bulletin_and_statistics_pages(notice, people, decl_units):
    submit(decl_units)
    office = client_for(people["ty_office"])
    assert "资中县" in office.get(reverse("declarations:notice", args=[notice.pk])).content.decode()
    bulletin = office.get(reverse("declarations:bulletin") + "?day=2022-07-28").content.decode()
    assert "太原市人民政府" in bulletin and "内江市资中县" in bulletin
    for name in ("declarations:bulletin-docx", "declarations:bulletin-xlsx", "declarations:statistics-xlsx"):
        response = office.get(reverse(name) + "?day=2022-07-28")
        assert response.status_code == 200 and response.content[:2] == b"PK"
    assert office.get(reverse("declarations:statistics")).status_code == 200
    # The bulletin is shared with every unit of the cluster; statistics only with prevention offices.
    assert client_for(people["xinzhou"]).get(reverse("declarations:bulletin")).status_code == 200
    assert client_for(people["xinzhou"]).get(reverse("declarations:statistics")).status_code == 403
    assert client_for(people["outsider"]).get(reverse("declarations:bulletin")).status_code == 403
    assert client_for(people["outsider"]).get(reverse("declarations:notice", args=[notice.pk])).status_code == 403


def test_only_the_office_creates_and_publishes_notices(notice, people, decl_units):
    assert client_for(people["ty_office"]).get(reverse("declarations:notice-create")).status_code == 200
    for who in ("community", "city_staff", "jz_office"):
        client = client_for(people[who])
        if who == "jz_office":
            assert client.get(reverse("declarations:notice-create")).status_code == 200  # its own office
        else:
            assert client.get(reverse("declarations:notice-create")).status_code == 403
        assert client.post(reverse("declarations:notice-lift", args=[notice.pk])).status_code == 403
    notice.refresh_from_db()
    assert notice.state == "published"


def test_pasting_a_list_shows_what_goes_to_review(frozen, people, decl_units):
    client = client_for(people["ty_office"])
    response = client.post(
        reverse("declarations:notice-create"),
        {
            "title": "健康提示",
            "window_start": "2022-07-19",
            "default_tier": "listed",
            "areas_text": "高风险区：北京市朝阳区十八里店（地区）乡\n城区\n湖北省武汉市经开区（汉南区）",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "3 条中已定位 2 条" in page or "2 of 3 entries placed" in page
    assert "阳泉市城区" in page and "晋城市城区" in page  # the candidates are shown


def test_the_api_takes_declarations_and_answers_errors_in_one_shape(notice, decl_units):
    import json

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    url = "/api/v1/declarations/declare/taiyuan"
    payload = {
        "name": "王五",
        "id_number": id_number(9),
        "phone": "13903510009",
        "arrival_date": "2022-07-28",
        "destination": "太原市小店区坞城街道",
        "community": decl_units["community"].pk,
        "stops": [{"place": "湖北省武汉市江夏区", "start": "2022-07-22", "end": "2022-07-26", "transport": "G508"}],
    }
    response = client.post(url, json.dumps(payload), content_type="application/json")
    assert response.status_code == 200 and response.json()["tier"] == "listed" and response.json()["created"]
    again = client.post(url, json.dumps(payload), content_type="application/json").json()
    assert again["receipt"] == response.json()["receipt"] and not again["created"]
    bad = client.post(
        url,
        json.dumps({**payload, "id_number": "110105194912310021", "stops": [{**payload["stops"][0], "place": "城区"}]}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    fields = {tuple(e["loc"]): e["msg"] for e in bad.json()["detail"]}
    assert ("body", "stops") in fields and "城区" in fields[("body", "stops")]
    status = client.get(f"/api/v1/declarations/receipts/{again['receipt']}").json()
    assert status["state"] == "at_risk"
    assert client.get("/api/v1/declarations/receipts/NOPE").status_code == 404


def test_the_history_reads_in_the_users_language(
    notice, people, decl_units, frozen, django_capture_on_commit_callbacks
):
    from xietong.declarations import actions

    declaration = submit(decl_units)
    actions.do_acknowledge(actor=people["community"], declaration=declaration)
    test = declaration.measures.filter(kind="test").order_by("due").first()
    actions.do_record_measure(actor=people["community"], measure=test, result="negative")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_lift_notice(actor=people["ty_office"], notice=notice)
    client = client_for(people["community"])
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("declarations:declaration", args=[declaration.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert "提交报备" in html and "无风险 → 通报地区（未分级）（提交时筛查）" in html
    assert "接收单位已接手" in html and "核酸检测 · 阴性" in html
    assert "通报地区（未分级） → 无风险（因《太原市疫情防控办健康提示》变更追溯筛查）" in html
    # A measure's "Done" is 已完成 here, not the supervised matter's 已办结.
    assert "已完成" in html and "已办结" not in html
    for raw in ("submitted", "screened", "acknowledged", "measure_recorded"):
        assert f"· {raw}" not in html
    office_page = client_for(people["ty_office"]).get(
        reverse("declarations:notice", args=[notice.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "起草" in office_page.content.decode() and "已有报备追溯筛查完毕" in office_page.content.decode()
    english = client_for(people["community"]).get(
        reverse("declarations:declaration", args=[declaration.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Declared" in english.content.decode() and "Nucleic acid test · Negative" in english.content.decode()
