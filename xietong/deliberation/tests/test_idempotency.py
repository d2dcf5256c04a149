"""Open311 clients that resend a service request with the same Idempotency-Key create one concern."""

import threading

import pytest
from django.test import Client

from xietong.core.models import IdempotentRequest
from xietong.deliberation.models import Concern

URL = "/open311/v2/requests.json"


@pytest.fixture
def api_key(db):
    from xietong.deliberation.open311 import create_key

    return create_key("测试客户端")[1]


@pytest.fixture
def request_data(hall, categories, api_key):
    return {"api_key": api_key, "service_code": "roads", "lat": "37.9", "long": "112.2", "description": "路灯不亮"}


def test_a_resend_with_the_same_key_gets_the_first_answer_and_stores_nothing_more(request_data, settings):
    settings.CONCERN_LIMIT_PER_ADDRESS_HOUR = 100
    first = Client().post(URL, request_data, HTTP_IDEMPOTENCY_KEY="phone-7f3a-0001")
    again = Client().post(URL, request_data, HTTP_IDEMPOTENCY_KEY="phone-7f3a-0001")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Concern.objects.count() == 1
    other = Client().post(URL, request_data, HTTP_IDEMPOTENCY_KEY="phone-7f3a-0002")
    assert other.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]
    assert Concern.objects.count() == 2
    assert Client().post(URL, request_data).status_code == 201  # without a key, every post is a new request
    assert Concern.objects.count() == 3


def test_a_key_reused_for_another_request_is_refused(request_data):
    Client().post(URL, request_data, HTTP_IDEMPOTENCY_KEY="phone-7f3a-0003")
    changed = Client().post(URL, {**request_data, "description": "井盖丢了"}, HTTP_IDEMPOTENCY_KEY="phone-7f3a-0003")
    assert changed.status_code == 422
    assert Concern.objects.count() == 1
    assert Client().post(URL, request_data, HTTP_IDEMPOTENCY_KEY="short").status_code == 400


def test_a_refused_request_keeps_its_key_free_for_the_corrected_one(request_data):
    refused = Client().post(URL, {**request_data, "service_code": "nope"}, HTTP_IDEMPOTENCY_KEY="phone-7f3a-0004")
    assert refused.status_code == 404 and not IdempotentRequest.objects.exists()
    assert Client().post(URL, request_data, HTTP_IDEMPOTENCY_KEY="phone-7f3a-0004").status_code == 201
    assert Concern.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_twins_sent_at_the_same_moment_store_one_concern(live_server, hall, categories, api_key, settings):
    import urllib.parse
    import urllib.request

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the in-memory SQLite test database locks whole tables between threads; twins race on PostgreSQL")
    settings.CONCERN_LIMIT_PER_ADDRESS_HOUR = 100
    body = urllib.parse.urlencode(
        {"api_key": api_key, "service_code": "roads", "lat": "37.9", "long": "112.2", "description": "桥栏杆松了"}
    ).encode()
    answers, start = [], threading.Barrier(4)

    def send():
        request = urllib.request.Request(live_server.url + URL, body, {"Idempotency-Key": "twin-request-0001"})
        start.wait()
        with urllib.request.urlopen(request, timeout=30) as response:
            answers.append((response.status, response.read()))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 4 and {status for status, _body in answers} == {201}
    assert len({body for _status, body in answers}) == 1
    assert Concern.objects.count() == 1 and IdempotentRequest.objects.count() == 1
