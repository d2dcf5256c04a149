import pytest

from xietong.conftest import client_for
from xietong.core.actions import do_create_api_token


@pytest.fixture
def meeting_with_matter(matter):
    return matter.source_object.meeting


def test_anonymous_callers_are_refused(meeting_with_matter, client):
    assert client.get("/api/v1/meetings/meetings").status_code == 401
    assert client.get(f"/api/v1/meetings/meetings/{meeting_with_matter.pk}").status_code == 401


def test_an_outsider_is_refused(meeting_with_matter, outsider):
    client = client_for(outsider)
    response = client.get("/api/v1/meetings/meetings")
    assert response.status_code == 403 and "不属于" in response.json()["detail"]
    assert client.get(f"/api/v1/meetings/meetings/{meeting_with_matter.pk}").status_code == 403


def test_a_city_that_did_not_take_part_sees_nothing(meeting_with_matter, other_city_user):
    client = client_for(other_city_user)
    assert client.get("/api/v1/meetings/meetings").json() == {"items": [], "count": 0}
    assert client.get(f"/api/v1/meetings/meetings/{meeting_with_matter.pk}").status_code == 404


def test_a_participant_lists_meetings_with_a_token(meeting_with_matter, jinzhong_staff):
    _, key = do_create_api_token(user=jinzhong_staff, name="晋中脚本")
    from django.test import Client

    response = Client().get("/api/v1/meetings/meetings", headers={"Authorization": f"Bearer {key}"})
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["title"] == "山西中部城市群第一次市际联席会议"
    assert item["host_unit"] == "太原市人民政府"
    assert set(item["participants"]) == {"太原市人民政府", "晋中市人民政府", "山西中部城市群建设领导小组办公室"}


def test_the_detail_has_documents_decisions_and_their_matters(meeting_with_matter, matter, member):
    body = client_for(member).get(f"/api/v1/meetings/meetings/{meeting_with_matter.pk}").json()
    assert body["agenda"][0].startswith("审议《山西中部城市群")
    assert body["documents"][0]["clauses"] == 2
    (decision,) = body["decisions"]
    assert decision["clause"]["number"] == 2
    assert decision["clause"]["document"] == "山西中部城市群“6+1”合作协议"
    assert decision["matters"] == [
        {
            "code": matter.code,
            "title": "太榆连接线建设",
            "lead_unit": "晋中市人民政府",
            "due_date": "2022-12-31",
            "state": "assigned",
            "health": matter.health().value,
            "progress": 0,
        }
    ]


def test_the_list_costs_a_fixed_number_of_queries(meeting_with_matter, office_user, django_assert_max_num_queries):
    client = client_for(office_user)
    with django_assert_max_num_queries(7):
        assert client.get("/api/v1/meetings/meetings").status_code == 200
