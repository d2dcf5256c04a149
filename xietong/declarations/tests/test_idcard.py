"""GB 11643-1999 resident ID numbers: length, ISO 7064 MOD 11-2 check character, birth date, province."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from xietong.declarations.idcard import WEIGHTS, check_character, validate_id_number

TODAY = datetime.date(2022, 7, 28)


def test_weights_are_those_of_the_standard():
    assert WEIGHTS == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the standard's example (北京市朝阳区, 1949-12-31, 女)
        "440524188001010014",  # the standard's second example (广东省汕头市潮阳县, 1880-01-01)
        "11010519491231002x",  # a lowercase x is read as X
        " 1101 0519 4912 3100 2X ",  # spaces typed in groups
    ],
)
def test_worked_examples_are_valid(number):
    assert validate_id_number(number, today=TODAY) == "".join(number.split()).upper()


def test_check_character_worked_by_hand():
    # 1*7+1*9+0*10+1*5+0*8+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10+1*5+0*8+0*4+2*2 = 189; 189 mod 11 = 2 → "X"
    assert check_character("11010519491231002") == "X"


def codes(number):
    with pytest.raises(ValidationError) as caught:
        validate_id_number(number, today=TODAY)
    return caught.value.code, caught.value.messages[0]


def test_a_wrong_check_character_is_refused():
    assert codes("110105194912310021")[0] == "check"


def test_a_transposition_is_caught_by_the_check_character():
    assert codes("110105194912310O2X")[0] == "characters"
    assert codes("11010519491213002X")[0] in ("check", "birth")


@pytest.mark.parametrize("number", ["", "11010519491231002", "1101051949123100211", "110105491231002"])
def test_length(number):
    code, message = codes(number)
    assert code in ("required", "length")


def test_a_province_code_that_does_not_exist():
    first17 = "99010519491231002"
    assert codes(first17 + check_character(first17))[0] == "province"


def test_an_old_county_code_is_accepted():
    # 140103 (太原市南城区) was abolished in 1997; numbers issued there stay valid.
    first17 = "14010319700101001"
    assert validate_id_number(first17 + check_character(first17), today=TODAY)


@pytest.mark.parametrize("birth", ["19490230", "19491301", "20220729", "17991231"])
def test_birth_date_must_be_real_and_past(birth):
    first17 = f"110105{birth}002"
    assert codes(first17 + check_character(first17))[0] == "birth"


def test_born_today_is_possible():
    first17 = "11010520220728002"
    assert validate_id_number(first17 + check_character(first17), today=TODAY)


def test_messages_are_in_the_users_language():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert "18" in codes("123")[1] and "位" in codes("123")[1]
    with translation.override("en"):
        assert "18 characters" in codes("123")[1]
