import pytest
from django.utils import translation

from xietong.conftest import client_for
from xietong.regions.forms import PlaceField
from xietong.regions.resolver import get_index

pytestmark = pytest.mark.usefixtures("regions")


@pytest.fixture
def warm_index():
    get_index()


# --- the lookup page --------------------------------------------------------------------------------------


def test_lookup_page_shows_the_picker_to_anyone(client):
    response = client.get("/regions/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "行政区划查询" in html
    assert 'name="place"' in html and 'name="place_code"' in html
    assert "regions/placepicker.js" in html and "regions/regions.css" in html


@pytest.mark.parametrize("user_fixture", ["outsider", "other_city_user", "member"])
def test_lookup_page_is_the_same_public_data_for_every_user(request, user_fixture):
    # Division names and codes are published by the statistics bureau: nothing here is refused.
    user = request.getfixturevalue(user_fixture)
    response = client_for(user).get("/regions/", {"place": "古交河口"})
    assert response.status_code == 200
    assert "140181100" in response.content.decode()


def test_typed_text_without_javascript_is_resolved(client):
    html = client.get("/regions/", {"place": "天津市 西青区"}).content.decode()
    assert 'data-testid="region-code">120111<' in html
    assert "天津市西青区" in html
    assert "县级" in html  # its level
    assert "大寺镇" in html and "120111105" in html  # its subdivisions


def test_a_picked_code_is_used(client):
    html = client.get("/regions/", {"place": "", "place_code": "140181"}).content.decode()
    assert 'data-testid="region-code">140181<' in html
    assert "河口镇" in html


def test_a_municipality_lists_its_districts_not_the_placeholder(client):
    html = client.get("/regions/", {"place_code": "11"}).content.decode()
    assert "东城区" in html and "110101" in html
    assert "市辖区" not in html


def test_an_unknown_place_gets_a_chinese_error(client):
    response = client.get("/regions/", {"place": "不存在的地方"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "没有找到名为“不存在的地方”的行政区划" in html


def test_an_ambiguous_place_lists_the_candidates_with_links(client):
    html = client.get("/regions/", {"place": "大寺镇"}).content.decode()
    assert "“大寺镇”可能指多个地方" in html
    assert "天津市西青区大寺镇" in html and "广西壮族自治区钦州市钦北区大寺镇" in html
    assert "?place_code=120111105" in html and "?place_code=450703109" in html


def test_the_lookup_page_refuses_post(client):
    assert client.post("/regions/", {"place": "太原"}).status_code == 405


def test_lookup_page_queries(client, warm_index, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        assert client.get("/regions/", {"place": "太原"}).status_code == 200


def test_the_home_page_links_to_the_lookup(client):
    html = client.get("/").content.decode()
    assert 'href="/regions/"' in html and "行政区划查询" in html


# --- JSON for the picker ----------------------------------------------------------------------------------


def test_children_without_parent_are_the_provinces(client):
    data = client.get("/regions/children/").json()
    assert data["parent"] is None
    assert len(data["results"]) == 31
    assert data["results"][0] == {
        "code": "11",
        "name": "北京市",
        "level": 1,
        "level_label": "省级",
        "full_name": "北京市",
        "parent": None,
        "lineage": ["11"],
        "has_children": True,
    }


def test_children_of_a_municipality_skip_the_placeholder(client):
    beijing = client.get("/regions/children/", {"parent": "11"}).json()["results"]
    assert beijing[0]["name"] == "东城区" and beijing[0]["parent"] == "11"
    chongqing = [r["code"] for r in client.get("/regions/children/", {"parent": "50"}).json()["results"]]
    assert "500103" in chongqing and "500237" in chongqing  # from both 市辖区 and 县
    assert not {"5001", "5002"} & set(chongqing)


def test_children_of_a_town_are_none_and_of_unknown_codes_a_404(client):
    assert client.get("/regions/children/", {"parent": "140181100"}).json()["results"] == []
    response = client.get("/regions/children/", {"parent": "99"})
    assert response.status_code == 404 and "99" in response.json()["detail"]
    assert client.get("/regions/children/", {"parent": "1101"}).status_code == 404  # a placeholder


def test_search_for_the_picker(client):
    results = client.get("/regions/search/", {"q": "古交河口"}).json()["results"]
    assert results[0]["code"] == "140181100"
    assert results[0]["lineage"] == ["14", "1401", "140181", "140181100"]
    assert len(client.get("/regions/search/", {"q": "山"}).json()["results"]) == 20
    assert client.get("/regions/search/", {"q": ""}).json()["results"] == []
    assert client.get("/regions/search/", {"q": "x" * 5000}).status_code == 200


@pytest.mark.parametrize("user_fixture", ["outsider", "other_city_user"])
def test_json_endpoints_are_public_reads(request, user_fixture, client):
    user = request.getfixturevalue(user_fixture)
    for c in (client, client_for(user)):
        assert c.get("/regions/children/", {"parent": "14"}).status_code == 200
        assert c.get("/regions/search/", {"q": "太原"}).status_code == 200
        assert c.post("/regions/search/", {"q": "太原"}).status_code == 405


def test_json_endpoint_queries(client, warm_index, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        client.get("/regions/children/", {"parent": "14"})
        client.get("/regions/search/", {"q": "太原"})


# --- the form field ---------------------------------------------------------------------------------------


def clean(data):
    return PlaceField().clean(data)


def test_field_takes_a_code_or_text():
    assert clean({"text": "", "code": "140181100"}).code == "140181100"
    assert clean({"text": "古交河口", "code": ""}).code == "140181100"
    assert clean("内江资中").code == "511025"
    # The picker fills in the full name with the code: both agree.
    assert clean({"text": "山西省太原市古交市河口镇", "code": "140181100"}).code == "140181100"


def test_field_text_typed_after_picking_decides():
    assert clean({"text": "内江资中", "code": "140181100"}).code == "511025"


def test_field_errors_in_chinese():
    with translation.override("zh-hans"):
        with pytest.raises(Exception) as unknown:
            clean({"text": "不存在的地方", "code": ""})
        assert unknown.value.messages == ["没有找到名为“不存在的地方”的行政区划。请检查名称，或从列表中选择。"]
        with pytest.raises(Exception) as ambiguous:
            clean({"text": "大寺镇", "code": ""})
        assert ambiguous.value.messages == [
            "“大寺镇”可能指多个地方：天津市西青区大寺镇、广西壮族自治区钦州市钦北区大寺镇。"
            "请同时写出省或市，或从列表中选择。"
        ]
        with pytest.raises(Exception) as placeholder:
            clean({"text": "", "code": "1101"})
        assert placeholder.value.messages == ["该行政区划不存在，请重新选择。"]
        with pytest.raises(Exception) as required:
            clean({"text": "", "code": ""})
        assert required.value.messages == ["这个字段是必填项。"]


def test_field_errors_in_english():
    with translation.override("en"):
        with pytest.raises(Exception) as ambiguous:
            clean({"text": "大寺镇", "code": ""})
        assert ambiguous.value.messages[0].startswith("“大寺镇” could be several places: 天津市西青区大寺镇, ")


def test_field_shows_a_region_as_its_full_name():
    from xietong.regions.forms import PlacePicker

    field = PlaceField()
    region = clean("古交河口")
    assert field.prepare_value(region) == {"text": "山西省太原市古交市河口镇", "code": "140181100"}
    html = PlacePicker().render("place", field.prepare_value(region), {"id": "id_place"})
    assert 'value="山西省太原市古交市河口镇"' in html and 'value="140181100"' in html
    assert "已选：山西省太原市古交市河口镇，代码 140181100" in html
    assert not field.has_changed(region, {"text": "", "code": "140181100"})
    assert field.has_changed(region, {"text": "内江资中", "code": ""})


def test_picker_keeps_the_forms_own_description_of_the_input():
    from django import forms

    class DestinationForm(forms.Form):
        place = PlaceField(help_text="到达后的居住地")

    html = str(DestinationForm()["place"])
    assert 'aria-describedby="id_place-help id_place_helptext"' in html
