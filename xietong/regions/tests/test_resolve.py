import subprocess
import sys
from pathlib import Path

import pytest

from xietong.regions import AmbiguousPlace, UnknownPlace, resolve, resolve_prefix
from xietong.regions.resolver import clear_cache, search, short_names

pytestmark = pytest.mark.usefixtures("regions")


def code_of(text):
    return resolve(text).code


# --- the places of the 2022-07-27 notice -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, code, name",
    [
        ("天津市西青区大寺镇", "120111105", "大寺镇"),
        ("湖北省武汉市江夏区", "420115", "江夏区"),
        ("四川省内江市资中县", "511025", "资中县"),
        ("广西壮族自治区南宁市江南区", "450105", "江南区"),
        ("玉林市玉州区", "450902", "玉州区"),
    ],
)
def test_the_seed_places_of_the_notice_resolve(text, code, name):
    region = resolve(text)
    assert (region.code, region.name) == (code, name)


def test_a_resolved_region_carries_its_level_and_parents_without_a_query(django_assert_num_queries):
    resolve("西青区")  # builds the index
    with django_assert_num_queries(0):
        region = resolve("天津市西青区大寺镇")
        assert region.level == 4
        assert region.parent.code == "120111"
        assert region.parent.parent.code == "1201"  # the placeholder stays in the tree, never in answers
        assert region.parent.parent.parent.name == "天津市"
    assert region.full_name == "天津市西青区大寺镇"


def test_gujiao_hekou_town():
    assert code_of("古交市河口镇") == "140181100"
    assert code_of("山西省太原市古交市河口镇") == "140181100"
    assert code_of("古交河口") == "140181100"


# --- shortened names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, code",
    [
        ("西青区大寺镇", "120111105"),
        ("西青大寺", "120111105"),
        ("内江资中", "511025"),
        ("广西玉林玉州", "450902"),
        ("广西", "45"),
        ("内蒙古", "15"),
        ("新疆", "65"),
        ("宁夏", "64"),
        ("西藏", "54"),
        ("山西古交", "140181"),
        ("凉山州", "5134"),
        ("凉山", "5134"),
        ("黔东南", "5226"),
        ("博尔塔拉", "6527"),
        ("克孜勒苏", "6530"),
        ("大厂县", "131028"),
        ("临夏东乡", "622926"),
        ("神农架", "429021"),
        ("浦东", "310115"),
        ("湖北仙桃", "429004"),  # under 湖北's placeholder 省直辖县级行政区划
    ],
)
def test_shortened_names(text, code):
    assert code_of(text) == code


def test_short_forms_of_autonomous_divisions():
    assert short_names("凉山彝族自治州", 2) == {"凉山", "凉山州"}
    assert short_names("黔东南苗族侗族自治州", 2) == {"黔东南", "黔东南州"}
    assert short_names("广西壮族自治区", 1) == {"广西"}
    assert short_names("内蒙古自治区", 1) == {"内蒙古"}  # 内 alone would be too short: 蒙古 stays
    assert short_names("东乡族自治县", 3) == {"东乡", "东乡县"}
    assert short_names("城区", 3) == set()  # one character is never a short form


@pytest.mark.parametrize(
    "text", ["湖北省 武汉市 江夏区", "湖北省，武汉市、江夏区", " 湖北 武汉 江夏 ", "湖北省/武汉市/江夏区"]
)
def test_whitespace_and_punctuation_between_parts(text):
    assert code_of(text) == "420115"


def test_full_width_and_bracketed_names():
    assert code_of("武昌东湖风景区街道") == "420106490"
    assert code_of("洪山区东湖风景区街道（洪山）") == "420111491"
    assert code_of("洪山区东湖风景区街道(洪山)") == "420111491"


# --- municipalities ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, code",
    [
        ("天津市西青区", "120111"),
        ("天津西青", "120111"),
        ("北京朝阳", "110105"),
        ("北京市东城区", "110101"),
        ("重庆市巫山县", "500237"),  # under 重庆's second placeholder, 县 (5002)
        ("重庆巫山", "500237"),
        ("重庆市渝中区", "500103"),  # under 市辖区 (5001)
        ("天津市市辖区西青区", "120111"),  # written out, the placeholder is accepted
        ("重庆市县巫山县", "500237"),
    ],
)
def test_municipalities_without_their_placeholder(text, code):
    assert code_of(text) == code


@pytest.mark.parametrize("text", ["市辖区", "县", "北京市市辖区", "重庆市县"])
def test_a_placeholder_is_never_an_answer(text):
    with pytest.raises(UnknownPlace):
        resolve(text)


def test_placeholders_are_never_candidates_or_suggestions():
    assert all(not node.placeholder for node in search("市辖区") + search("北京"))


# --- repeated names ---------------------------------------------------------------------------------------


def test_dasi_town_is_ambiguous_between_exactly_two():
    with pytest.raises(AmbiguousPlace) as raised:
        resolve("大寺镇")
    assert sorted(r.code for r in raised.value.candidates) == ["120111105", "450703109"]
    assert "天津市西青区大寺镇" in str(raised.value)
    assert "广西壮族自治区钦州市钦北区大寺镇" in str(raised.value)
    assert raised.value.text == "大寺镇"


@pytest.mark.parametrize(
    "text, code",
    [
        ("天津大寺镇", "120111105"),
        ("西青区大寺镇", "120111105"),
        ("广西大寺镇", "450703109"),
        ("钦州大寺", "450703109"),
    ],
)
def test_a_parent_name_decides_a_repeated_name(text, code):
    assert code_of(text) == code


@pytest.mark.parametrize("text, count", [("城区", 8), ("郊区", 3), ("朝阳区", 2), ("朝阳", 4), ("古交镇", 1)])
def test_repeated_district_names_are_ambiguous(text, count):
    if count == 1:
        assert code_of(text) == "140825104"
        return
    with pytest.raises(AmbiguousPlace) as raised:
        resolve(text)
    assert len(raised.value.candidates) == count


@pytest.mark.parametrize(
    "text, code",
    [
        ("阳泉城区", "140302"),
        ("晋城市城区", "140502"),
        ("北京朝阳区", "110105"),
        ("长春朝阳区", "220104"),
        ("铜陵郊区", "340711"),
    ],
)
def test_repeated_district_names_with_their_city(text, code):
    assert code_of(text) == code


def test_jiangnan_and_kuangqu_are_single_districts_in_this_snapshot():
    # 江南区 is only 南宁's in the data (no other district of that name), and 大同's 矿区 was abolished in
    # 2018: 阳泉's is the only district called 矿区. Its official name beats 枣庄's 矿区街道 written short.
    assert code_of("江南区") == "450105"
    assert code_of("矿区") == "140303"
    assert code_of("枣庄矿区街道") == "370402003"
    with pytest.raises(UnknownPlace):
        resolve("山西省大同市矿区")  # names change: the snapshot knows the 2023 divisions only


def test_a_division_that_contains_every_candidate_is_the_answer():
    # 吉林省, its 吉林市 and 长春's 吉林街道 are all "吉林": the province holds them all.
    assert code_of("吉林") == "22"
    assert code_of("吉林市") == "2202"
    assert code_of("吉林吉林") == "2202"


def test_a_province_named_alone_is_the_province():
    assert code_of("海南") == "46"
    assert code_of("海南州") == "6325"
    assert code_of("乌海海南") == "150303"


def test_a_town_short_form_comes_last_when_read_first():
    assert code_of("古交") == "140181"  # not 运城新绛县's 古交镇
    assert code_of("太原") == "1401"  # not 重庆彭水's 太原镇
    with pytest.raises(AmbiguousPlace):
        resolve("大寺")  # only towns: all of them are candidates


def test_fewer_skipped_levels_win():
    assert code_of("山西古交") == "140181"
    assert code_of("山西古交镇") == "140825104"


# --- refusals ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["不存在的地方", "大寺镇西青区", "Tianjin", "天津市江夏区", "x" * 200])
def test_unknown_text(text):
    with pytest.raises(UnknownPlace) as raised:
        resolve(text)
    if len(text) < 50:
        assert text in str(raised.value)


def test_a_code_is_its_division():
    assert code_of("140181100") == "140181100"
    assert code_of(" 511025 ") == "511025"
    for code in ["1101", "99", "1401811"]:  # a placeholder, nothing, not a whole code
        with pytest.raises(UnknownPlace):
            resolve(code)


@pytest.mark.parametrize("text", ["", "   ", "，。", None])
def test_empty_text_is_unknown(text):
    with pytest.raises(UnknownPlace):
        resolve(text)


# --- places inside a division -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, code, remainder",
    [
        ("西安市高新区", "6101", "高新区"),
        ("太原市小店区某某小区", "140105", "某某小区"),
        ("太原经济技术开发区", "1401", "经济技术开发区"),
        ("晋中经济技术开发区", "1407", "经济技术开发区"),
        ("太原市 小店区 坞城路", "140105", "坞城路"),  # a road, not 坞城街道
        ("古交河口村", "140181", "河口村"),
        ("天津市西青区大寺镇(王村)", "120111105", "(王村)"),
        ("天津市西青区大寺镇", "120111105", ""),
        ("天津市西青区大寺镇。", "120111105", ""),
        ("小店区区政府", "140105", "区政府"),
    ],
)
def test_resolve_prefix_keeps_the_named_place_for_review(text, code, remainder):
    region, rest = resolve_prefix(text)
    assert (region.code, rest) == (code, remainder)


def test_resolve_prefix_refuses_unknown_and_ambiguous_beginnings():
    with pytest.raises(UnknownPlace):
        resolve_prefix("某某小区")
    with pytest.raises(UnknownPlace):
        resolve_prefix("")
    with pytest.raises(AmbiguousPlace) as raised:
        resolve_prefix("大寺镇王村")
    assert len(raised.value.candidates) == 2


# --- search for the picker --------------------------------------------------------------------------------


def test_search_finds_a_chain_typed_in_short():
    assert [n.code for n in search("古交河口")][0] == "140181100"
    assert [n.code for n in search("古交河")][0] == "140181100"


def test_search_ranks_names_by_level_and_length_and_stops_at_the_limit():
    results = search("太原")
    assert results[0].code == "1401"
    assert len(search("山", limit=20)) == 20
    assert [n.code for n in search("1401")][:2] == ["1401", "140105"]
    assert search("") == []


# --- the cache --------------------------------------------------------------------------------------------


def test_the_index_follows_changes_to_the_table(regions):
    with pytest.raises(UnknownPlace):
        resolve("古交新区")
    created = regions.objects.create(code="140181999", name="古交新区", level=4, parent_id="140181")
    try:
        assert code_of("古交新区") == "140181999"
        created.name = "古交新城"
        created.save(update_fields=["name"])
        assert code_of("古交新城") == "140181999"
    finally:
        created.delete()
    with pytest.raises(UnknownPlace):
        resolve("古交新城")
    clear_cache()
    assert code_of("古交河口") == "140181100"


def test_importing_the_package_before_django_is_set_up():
    root = Path(__file__).resolve().parents[3]
    script = "import xietong.regions as r; print(sorted(r.__all__))"
    result = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "resolve" in result.stdout
