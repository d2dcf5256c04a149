import pytest

from xietong.conftest import client_for
from xietong.regions.resolver import get_index

pytestmark = pytest.mark.usefixtures("regions")


def test_children(client):
    provinces = client.get("/api/v1/regions/children").json()
    assert len(provinces) == 31 and provinces[0]["name"] == "北京市"
    shanxi = client.get("/api/v1/regions/children", {"parent": "1401"}).json()
    assert "140181" in [r["code"] for r in shanxi]
    assert client.get("/api/v1/regions/children", {"parent": "5001"}).status_code == 404
    assert client.get("/api/v1/regions/children", {"parent": "abc"}).status_code == 404


def test_search(client):
    results = client.get("/api/v1/regions/search", {"q": "古交河口"}).json()
    assert results[0]["full_name"] == "山西省太原市古交市河口镇"
    assert len(client.get("/api/v1/regions/search", {"q": "山", "limit": 5}).json()) == 5
    response = client.get("/api/v1/regions/search", {"q": "山", "limit": 500})
    assert response.status_code == 422 and "50" in response.json()["detail"][0]["msg"]


def test_resolve(client):
    response = client.get("/api/v1/regions/resolve", {"text": "重庆市巫山县"})
    assert response.status_code == 200
    assert response.json()["code"] == "500237"
    assert response.json()["lineage"] == ["50", "500237"]


def test_resolve_unknown_is_a_404_naming_the_text(client):
    response = client.get("/api/v1/regions/resolve", {"text": "不存在的地方"})
    assert response.status_code == 404
    assert "不存在的地方" in response.json()["detail"]


def test_resolve_ambiguous_is_a_409_with_the_candidates(client):
    response = client.get("/api/v1/regions/resolve", {"text": "大寺镇"})
    assert response.status_code == 409
    body = response.json()
    assert [c["code"] for c in body["candidates"]] == ["120111105", "450703109"]
    assert "天津市西青区大寺镇" in body["detail"]


def test_resolve_empty_is_a_422(client):
    response = client.get("/api/v1/regions/resolve", {"text": "  "})
    assert response.status_code == 422 and response.json()["detail"][0]["msg"] == "没有给出地名。"


def test_one_region_by_code(client):
    assert client.get("/api/v1/regions/140181100").json()["name"] == "河口镇"
    assert client.get("/api/v1/regions/1201").status_code == 404  # a placeholder
    assert client.get("/api/v1/regions/0").status_code == 404


@pytest.mark.parametrize("user_fixture", ["outsider", "other_city_user"])
def test_region_endpoints_are_public_reads_for_everyone(request, user_fixture, client):
    # Public data: anonymous callers, outsiders and other cities' users read the same; nothing writes.
    user = request.getfixturevalue(user_fixture)
    for c in (client, client_for(user)):
        assert c.get("/api/v1/regions/resolve", {"text": "古交河口"}).json()["code"] == "140181100"
        assert c.get("/api/v1/regions/children", {"parent": "14"}).status_code == 200
        assert c.post("/api/v1/regions/resolve", {"text": "古交河口"}).status_code == 405


def test_api_queries(client, django_assert_max_num_queries):
    get_index()
    with django_assert_max_num_queries(0):
        client.get("/api/v1/regions/children", {"parent": "14"})
        client.get("/api/v1/regions/search", {"q": "太原"})
        client.get("/api/v1/regions/resolve", {"text": "太原"})


def test_the_api_documents_the_region_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/regions/children", "/api/v1/regions/search", "/api/v1/regions/resolve"} <= set(paths)
