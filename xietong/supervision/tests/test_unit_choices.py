"""Unit choices in the matter forms: a tree of the units that can hold the role, with 请选择 first; the action
refuses an enterprise or a hotel whatever the caller."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from xietong.conftest import client_for
from xietong.core.actions import do_create_unit
from xietong.core.models import UnitKind
from xietong.supervision import actions


@pytest.fixture
def hotel(cluster):
    return do_create_unit(name="汾河湾酒店", kind=UnitKind.HOTEL, parent=cluster["gujiao"], slug="hotel")


def options(html, name):
    start = html.index(f'name="{name}"')
    select = html[start : html.index("</select>", start)]
    return [part.split(">", 1)[1].split("</option")[0] for part in select.split("<option")[1:]]


def test_the_lead_unit_is_a_tree_without_hotels_and_asks_to_choose(cluster, office_user, hotel):
    page = client_for(office_user).get("/supervision/matters/new/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    lead = options(page, "lead_unit")
    assert lead[0] == "请选择"
    assert lead[1:] == ["太原市人民政府", "\u3000古交市", "\u3000\u3000河口镇", "忻州市人民政府", "晋中市人民政府"]
    assert "汾河湾酒店" not in options(page, "co_units")


def test_siblings_are_listed_by_kind_then_name_whatever_their_ids(cluster, office_user):
    # Created last, so with the larger ids (10 and up once the cluster has nine units): ordered by the path's
    # text they would land among or before their elder siblings by the digits alone.
    for number in range(6):
        do_create_unit(name=f"补位{number}", kind=UnitKind.TASK_FORCE, parent=cluster["office"], slug=f"pad{number}")
    do_create_unit(name="大同市人民政府", kind=UnitKind.CITY, parent=cluster["office"], slug="datong")
    do_create_unit(name="阳曲县", kind=UnitKind.DISTRICT, parent=cluster["taiyuan"], slug="yangqu")
    do_create_unit(name="古交市工信局", kind=UnitKind.DEPARTMENT, parent=cluster["taiyuan"], slug="gujiao-it")
    page = client_for(office_user).get("/supervision/matters/new/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    lead = options(page, "lead_unit")[1:]
    assert lead[:8] == [
        "大同市人民政府",
        "太原市人民政府",
        "\u3000古交市工信局",
        "\u3000古交市",
        "\u3000\u3000河口镇",
        "\u3000阳曲县",
        "忻州市人民政府",
        "晋中市人民政府",
    ]
    assert lead[8:] == [f"补位{number}" for number in range(6)]


def test_the_action_refuses_a_hotel_as_lead_or_co_unit(cluster, office_user, hotel):
    terms = {
        "actor": office_user,
        "title": "酒店牵头",
        "start_date": datetime.date(2026, 1, 1),
        "due_date": datetime.date(2026, 6, 30),
        "domain": "industry",
    }
    with pytest.raises(ValidationError) as error:
        actions.do_create_matter(code="H-1", lead_unit=hotel, **terms)
    assert set(error.value.message_dict) == {"lead_unit"}
    with pytest.raises(ValidationError) as error:
        actions.do_create_matter(code="H-2", lead_unit=cluster["taiyuan"], co_units=[hotel], **terms)
    assert set(error.value.message_dict) == {"co_units"}
    response = client_for(office_user).post(
        "/supervision/matters/new/",
        {
            "code": "H-3",
            "title": "酒店",
            "domain": "industry",
            "lead_unit": hotel.pk,
            "start_date": "2026-01-01",
            "due_date": "2026-06-30",
            "priority": 1,
            "reporting_frequency": "monthly",
        },
    )
    assert response.status_code == 400
