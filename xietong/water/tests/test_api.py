"""The JSON API: samples in (flags, replacement, refusal), sections and monthly classes out."""

import json

from xietong.conftest import client_for
from xietong.water.models import Sample

URL = "/api/v1/water/samples"


def post(client, items):
    return client.post(URL, json.dumps({"samples": items}), content_type="application/json")


def test_samples_are_stored_flagged_and_replaced(fenhe, office_user):
    client = client_for(office_user)
    item = {"section": "FH03", "sampled_at": "2026-07-10 10:00", "nh3n": "2.5", "tp": "<0.01", "do": 5.2, "ph": 7.4}
    answer = post(client, [item])
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["created"] == 1 and body["flagged_count"] == 1
    assert body["flagged"][0]["values"] == {"tp": "<0.01"}
    assert body["missed_targets"] == ["FH03 2026-07"]
    again = post(client, [{**item, "nh3n": 0.4}]).json()
    assert again["replaced"] == 1 and Sample.objects.get().nh3n == 0.4


def test_a_bad_item_stores_nothing_and_answers_in_the_one_error_shape(fenhe, office_user):
    answer = post(client_for(office_user), [{"section": "NOPE", "sampled_at": "2026-07-10"}, 7])
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert len(detail) == 2 and detail[0]["loc"] == ["body", "samples"]
    assert not Sample.objects.exists()


def test_outsiders_and_other_cities_are_refused(fenhe, outsider, other_city_user, client):
    item = {"section": "FH02", "sampled_at": "2026-07-10 10:00", "nh3n": 0.2}
    assert post(client_for(outsider), [item]).status_code == 403
    assert post(client_for(other_city_user), [item]).status_code == 422
    assert client.get("/api/v1/water/sections").status_code == 401
    assert client_for(outsider).get("/api/v1/water/months?month=2026-07").status_code == 403


def test_sections_and_months_read_back(fenhe, member, office_user):
    post(client_for(office_user), [{"section": "FH03", "sampled_at": "2026-07-10 10:00", "nh3n": 2.5}])
    sections = client_for(member).get("/api/v1/water/sections").json()
    assert {s["code"] for s in sections} == {"FH01", "FH02", "FH03"}
    boundary = next(s for s in sections if s["code"] == "FH03")
    assert boundary["upstream_city"] == "taiyuan" and boundary["targets"]["2026"] == "IV"
    months = client_for(member).get("/api/v1/water/months?month=2026-07").json()
    assert months[0]["grade"] == "劣V" and months[0]["exceeding"]["nh3n"] == 0.667
    assert client_for(member).get("/api/v1/water/months?month=July").status_code == 422
