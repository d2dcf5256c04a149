"""Open311 GeoReport v2, field by field as the specification's examples write them, in JSON and XML."""

import datetime
import json
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.test import Client

from xietong.deliberation import actions
from xietong.deliberation.models import Concern, Hall, Open311Key

from .conftest import submit

BASE = "/open311/v2"
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


@pytest.fixture(autouse=True)
def _frozen(july_2026):
    return july_2026


@pytest.fixture
def api_key(db, capsys):
    call_command("open311_key", "create", "测试客户端")
    return capsys.readouterr().out.strip()


def _xml(response):
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(response.content)


def test_discovery_lists_the_endpoint_and_jurisdictions(hall):
    data = Client().get(f"{BASE}/discovery.json").json()
    assert set(data) == {"changeset", "contact", "key_service", "endpoints", "jurisdictions"}
    [endpoint] = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["type"] == "production" and endpoint["formats"] == ["text/xml", "application/json"]
    assert data["jurisdictions"] == [{"jurisdiction_id": "hekou", "name": "河口镇党群议事厅"}]
    root = _xml(Client().get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]


def test_services_in_json_and_xml(hall, categories):
    services = Client().get(f"{BASE}/services.json").json()
    assert services[0] == {
        "service_code": "townscape",
        "service_name": "市容环境",
        "description": "",
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "",
    }
    root = _xml(Client().get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    first = root.find("service")
    assert [child.tag for child in first] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert first.find("metadata").text == "false" and first.find("type").text == "realtime"


def test_service_definition_and_unknown_service(hall, categories):
    assert Client().get(f"{BASE}/services/roads.json").json() == {"service_code": "roads", "attributes": []}
    root = _xml(Client().get(f"{BASE}/services/roads.xml"))
    assert root.tag == "service_definition" and root.find("service_code").text == "roads"
    response = Client().get(f"{BASE}/services/nope.json")
    assert response.status_code == 404
    [error] = response.json()
    assert error["code"] == 404 and "nope" in error["description"]


def test_post_request_needs_a_valid_key(hall, categories, api_key):
    data = {"service_code": "roads", "lat": "37.9", "long": "112.2", "description": "进村的路坑坑洼洼"}
    response = Client().post(f"{BASE}/requests.json", data)
    assert response.status_code == 403 and response.json()[0]["code"] == 403
    root = _xml(Client().post(f"{BASE}/requests.xml", {**data, "api_key": "wrong"}))
    assert root.tag == "errors" and root.find("error/code").text == "403"
    response = Client().post(f"{BASE}/requests.json", {**data, "api_key": api_key})
    assert response.status_code == 201
    [created] = response.json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    concern = Concern.objects.get(code=created["service_request_id"])
    assert concern.channel == "open311" and str(concern.lat) == "37.900000" and str(concern.lon) == "112.200000"


def test_revoked_keys_are_refused(hall, categories, api_key, capsys):
    call_command("open311_key", "revoke", "测试客户端")
    assert Open311Key.objects.get().revoked_at is not None
    response = Client().post(
        f"{BASE}/requests.json",
        {"api_key": api_key, "service_code": "roads", "lat": "1", "long": "1", "description": "x"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "data, status, words",
    [
        ({"lat": "1", "long": "1", "description": "x"}, 400, "service_code"),
        ({"service_code": "nope", "lat": "1", "long": "1", "description": "x"}, 404, "nope"),
        ({"service_code": "roads", "description": "x"}, 400, "location"),
        ({"service_code": "roads", "lat": "abc", "long": "1", "description": "x"}, 400, "lat"),
        ({"service_code": "roads", "address_string": "主街", "description": ""}, 400, "problem"),
    ],
)
def test_malformed_posts_get_the_spec_error_format_and_store_nothing(hall, categories, api_key, data, status, words):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(f"{BASE}/requests.json", {**data, "api_key": api_key})
    assert response.status_code == status
    [error] = response.json()
    assert error["code"] == status and words in error["description"]
    assert not Concern.objects.exists()


def test_get_requests_fields_filters_and_statuses(hall, categories, hall_manager, owners):
    open_one = submit(hall, categories["roads"], text="路面塌陷", address="主街12号")
    signs = submit(hall, categories["townscape"], text="门头破旧")
    unreviewed = submit(hall, categories["roads"], text="还没受理的")
    actions.do_accept(actor=hall_manager, concern=open_one)
    topic = actions.do_create_topic(actor=hall_manager, hall=hall, title="门头", concerns=[signs])
    session = actions.do_schedule_session(
        actor=hall_manager,
        topic=topic,
        title="议事会",
        starts_at=datetime.datetime(2026, 7, 27, 1, tzinfo=datetime.UTC),
        place="议事厅",
        invitees=[("商店", ["甲"])],
    )
    actions.do_resolve(
        actor=hall_manager,
        session=session,
        text="统一改造",
        target_date=datetime.date(2026, 8, 15),
        lead_unit=owners[0],
    )

    listing = Client().get(f"{BASE}/requests.json").json()
    assert [r["service_request_id"] for r in listing] == [signs.code, open_one.code]
    closed = listing[0]
    assert list(closed) == REQUEST_FIELDS
    assert closed["status"] == "closed" and "统一改造" in closed["status_notes"]
    assert closed["expected_datetime"] == "2026-08-15T18:00:00+08:00"
    assert closed["requested_datetime"].endswith("+08:00") and closed["service_code"] == "townscape"
    assert (
        listing[1]["status"] == "open"
        and listing[1]["address"] == "主街12号"
        and listing[1]["expected_datetime"] is None
    )

    only_open = Client().get(f"{BASE}/requests.json", {"status": "open"}).json()
    assert [r["service_request_id"] for r in only_open] == [open_one.code]
    by_code = Client().get(f"{BASE}/requests.json", {"service_code": "townscape"}).json()
    assert [r["service_request_id"] for r in by_code] == [signs.code]
    before = {"start_date": "2026-07-20T00:00:00+08:00", "end_date": "2026-07-26T23:59:59+08:00"}
    assert Client().get(f"{BASE}/requests.json", before).json() == []
    after = Client().get(f"{BASE}/requests.json", {**before, "end_date": "2026-07-27T23:59:59+08:00"}).json()
    assert len(after) == 2
    # With service_request_id the other filters are ignored, and an unreviewed request can be asked for.
    ids = (
        Client()
        .get(f"{BASE}/requests.json", {"service_request_id": f"{unreviewed.code},{signs.code}", "status": "open"})
        .json()
    )
    assert {r["service_request_id"] for r in ids} == {unreviewed.code, signs.code}

    root = _xml(Client().get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests"
    first = root.find("request")
    assert [child.tag for child in first] == REQUEST_FIELDS
    assert first.find("status").text == "closed" and first.find("lat").text is None

    bad = Client().get(f"{BASE}/requests.xml", {"status": "pending"})
    assert bad.status_code == 400 and _xml(bad).find("error/code").text == "400"


def test_one_request_and_its_token(hall, categories):
    concern = submit(hall, categories["roads"], text="路灯不亮")
    [one] = Client().get(f"{BASE}/requests/{concern.code}.json").json()
    assert one["service_request_id"] == concern.code and one["status"] == "open"
    root = _xml(Client().get(f"{BASE}/requests/{concern.code}.xml"))
    assert root.find("request/service_request_id").text == concern.code
    assert Client().get(f"{BASE}/requests/NOPE2345.json").status_code == 404
    assert Client().get(f"{BASE}/tokens/{concern.code}.json").json() == [
        {"service_request_id": concern.code, "token": concern.code}
    ]
    root = _xml(Client().get(f"{BASE}/tokens/{concern.code}.xml"))
    assert root.find("request/token").text == concern.code


def test_jurisdiction_selects_a_hall_when_there_are_several(hall, categories, cluster):
    Hall.objects.create(unit=cluster["gujiao"], name="古交市议事厅", slug="gujiao")
    response = Client().get(f"{BASE}/services.json")
    assert response.status_code == 400 and "jurisdiction_id" in response.json()[0]["description"]
    assert Client().get(f"{BASE}/services.json", {"jurisdiction_id": "hekou"}).status_code == 200
    assert Client().get(f"{BASE}/services.json", {"jurisdiction_id": "mars"}).status_code == 404


def test_unknown_format_is_an_error(hall):
    response = Client().get(f"{BASE}/services.yaml")
    assert response.status_code == 400 and _xml(response).find("error/code").text == "400"
    assert json.loads(Client().get(f"{BASE}/services.json").content) == []
