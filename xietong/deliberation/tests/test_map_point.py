"""The optional map point of a concern: typed or taken from the phone's location, checked against the box
around the cluster's five cities, carried by Open311 as lat/long."""

import decimal
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from xietong.conftest import screenshot
from xietong.deliberation import actions
from xietong.deliberation.models import Concern

from .conftest import submit

D = decimal.Decimal


@pytest.fixture(autouse=True)
def _frozen(july_2026):
    return july_2026


@pytest.mark.parametrize(
    "lat, lon",
    [
        ("37.906000", "111.955000"),  # 河口镇, 古交
        ("39.800000", "114.200000"),  # the north-east corner itself
        ("36.000000", "110.200000"),  # the south-west corner itself
        ("38.850000", "110.450000"),  # 吕梁's Yellow River bank
    ],
)
def test_points_inside_the_cluster_are_kept(hall, categories, lat, lon):
    concern = submit(hall, categories["roads"], lat=D(lat), lon=D(lon))
    concern.refresh_from_db()
    assert (concern.lat, concern.lon) == (D(lat), D(lon))


@pytest.mark.parametrize(
    "lat, lon",
    [
        ("39.800001", "112.000000"),  # just north of 忻州
        ("37.900000", "114.200001"),  # just east of 阳泉, in Hebei
        ("35.999999", "112.000000"),  # south of 晋中
        ("37.900000", "110.199999"),  # across the Yellow River, in Shaanxi
        ("112.550000", "37.870000"),  # latitude and longitude swapped
        ("0", "0"),
    ],
)
def test_points_outside_the_cluster_are_refused(hall, categories, lat, lon):
    with pytest.raises(ValidationError, match="outside the city cluster"):
        submit(hall, categories["roads"], lat=D(lat), lon=D(lon))
    assert not Concern.objects.exists()


def test_half_a_point_is_refused(hall, categories):
    with pytest.raises(ValidationError, match="both latitude and longitude"):
        submit(hall, categories["roads"], lat=D("37.9"))


def test_the_form_takes_a_typed_point(hall, categories):
    data = {"hall": hall.pk, "category": categories["roads"].pk, "text": "路口红绿灯坏了", "website": ""}
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = client.post(reverse("deliberation:report"), {**data, "lat": "37.906", "lon": "114.9"})
    body = response.content.decode()
    assert response.status_code == 200 and "地图位置不在城市群范围内" in body and "路口红绿灯坏了" in body
    response = client.post(reverse("deliberation:report"), {**data, "lat": "37.906", "lon": "abc"})
    assert response.status_code == 200 and not Concern.objects.exists()
    response = client.post(reverse("deliberation:report"), {**data, "lat": "37.906", "lon": "111.955"})
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert (concern.lat, concern.lon) == (D("37.906"), D("111.955"))


def test_open311_carries_the_point_both_ways(hall, categories, capsys):
    call_command("open311_key", "create", "测试客户端")
    key = capsys.readouterr().out.strip()
    base = {"api_key": key, "service_code": "roads", "description": "进村的路坑坑洼洼"}
    response = Client().post("/open311/v2/requests.json", {**base, "lat": "40.5", "long": "112.2"})
    error = json.loads(response.content)[0]
    assert response.status_code == 400 and error["code"] == 400 and "城市群" in error["description"]
    assert not Concern.objects.exists()
    response = Client().post("/open311/v2/requests.json", {**base, "lat": "37.906", "long": "111.955"})
    assert response.status_code == 201
    code = json.loads(response.content)[0]["service_request_id"]
    actions.do_accept(actor=_staff(hall), concern=Concern.objects.get(code=code))
    shown = json.loads(Client().get(f"/open311/v2/requests/{code}.json").content)[0]
    assert (shown["lat"], shown["long"]) == ("37.906000", "111.955000")


def _staff(hall):
    from xietong.conftest import make_user
    from xietong.core.models import Role

    return make_user("map-staff", hall.unit, Role.STAFF)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_phone_fills_the_point_from_its_location(browser, live_server, hall, categories):
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": 37.906123, "longitude": 111.955456},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(live_server.url + "/deliberation/report/")
        page.select_option("#id_category", str(categories["roads"].pk))
        page.fill("#id_text", "桥头路灯不亮，晚上过桥看不清")
        page.click("#use-location")
        page.wait_for_function("document.querySelector('#id_lon').value !== ''")
        assert page.input_value("#id_lat") == "37.906123" and page.input_value("#id_lon") == "111.955456"
        assert page.evaluate("document.documentElement.scrollWidth") <= 391
        screenshot(page, "deliberation-phone-9-map-point")
        page.click("button[type=submit].primary")
        page.wait_for_url("**/deliberation/c/*/")
        concern = Concern.objects.get()
        assert (concern.lat, concern.lon) == (D("37.906123"), D("111.955456"))
    finally:
        context.close()
