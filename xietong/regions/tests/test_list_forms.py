"""How the national risk-area lists and city notices write places, each read to the right division."""

import pytest

from xietong.regions import AmbiguousPlace, UnknownPlace, resolve
from xietong.regions.resolver import variants

pytestmark = pytest.mark.usefixtures("regions")


@pytest.mark.parametrize(
    "text, code",
    [
        ("天津市西青区大寺镇", "120111105"),
        # Beijing's 地区办事处 are townships: 十八里店地区 is 十八里店乡, written with the remark in brackets.
        ("北京市朝阳区十八里店（地区）乡", "110105028"),
        ("北京市朝阳区十八里店乡", "110105028"),
        ("北京市朝阳区十八里店地区", "110105028"),
        # The placeholder prefecture of province-administered counties, as the lists name it.
        ("海南省省直辖县级行政单位万宁市", "469006"),
        ("湖北省省直辖县级行政单位仙桃市", "429004"),
        ("新疆维吾尔自治区自治区直辖县级行政单位石河子市", "659001"),
        # A county-level city under the province is listed as both city and county.
        ("河北省定州市定州市", "130682"),
        # A development zone with the district it administers in brackets.
        ("湖北省武汉市经开区（汉南区）", "420113"),
        # A demonstration zone without a code of its own, followed by the district.
        ("陕西省杨凌示范区杨陵区", "610403"),
    ],
)
def test_list_forms_are_placed(text, code):
    assert resolve(text).code == code


def test_a_real_district_named_new_area_is_not_dropped_as_a_zone():
    assert resolve("上海市浦东新区").code == "310115"
    assert resolve("天津市滨海新区").code == "120116"


@pytest.mark.parametrize("text", ["西安市高新区", "湖北省武汉市经开区", "陕西省杨凌示范区"])
def test_a_zone_alone_is_not_guessed(text):
    with pytest.raises((UnknownPlace, AmbiguousPlace)):
        resolve(text)


def test_variants():
    assert variants("北京市朝阳区十八里店（地区）乡")[0] == "北京市朝阳区十八里店乡"
    assert "湖北省武汉市汉南区" in variants("湖北省武汉市经开区（汉南区）")
    assert "陕西省杨陵区" in variants("陕西省杨凌示范区杨陵区")
