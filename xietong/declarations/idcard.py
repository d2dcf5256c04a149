"""Resident identity numbers (公民身份号码) per GB 11643-1999.

Eighteen characters (clause 4): a six-digit address code (GB/T 2260), an eight-digit birth date
(YYYYMMDD, GB/T 7408), a three-digit sequence code (odd for men, even for women) and a check
character computed with ISO 7064:1983 MOD 11-2 (clause 7), where 10 is written "X".

The address code is the county where the number was first issued; counties are merged and
renamed, so only its province part is checked against today's list (an old county code is valid).
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# GB/T 2260 province-level codes, plus 71 Taiwan, 81 Hong Kong, 82 Macao and 83 (the residence permits
# of Taiwan residents, which share this format).
PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    ]
)
# Clause 7.1: W_i = 2^(i-1) mod 11 for positions i = 18 … 2, read from the left.
WEIGHTS = [2 ** (17 - position) % 11 for position in range(17)]
CHECK_CHARACTERS = "10X98765432"
# The standard's own example (440524188001010014) was born in 1880.
EARLIEST_BIRTH = datetime.date(1800, 1, 1)


def check_character(first17):
    """The MOD 11-2 check character of the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def normalize(value):
    """Spaces removed, a lowercase x read as X (people type both)."""
    return "".join(str(value or "").split()).upper()


def validate_id_number(value, today=None):
    """The normalized number, or ValidationError saying in plain words what is wrong with it."""
    number = normalize(value)
    today = today or timezone.localdate()
    if not number:
        raise ValidationError(_("Enter the resident ID number."), code="required")
    if len(number) != 18:
        raise ValidationError(
            _("A resident ID number has 18 characters; this one has %(count)d.") % {"count": len(number)},
            code="length",
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("A resident ID number is 17 digits followed by a digit or X."), code="characters")
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("The first two digits (%(code)s) are not a province code.") % {"code": number[:2]}, code="province"
        )
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("Digits 7 to 14 (%(digits)s) are not a date of birth.") % {"digits": number[6:14]}, code="birth"
        ) from None
    if birth > today or birth < EARLIEST_BIRTH:
        raise ValidationError(
            _("The date of birth in the number (%(date)s) is not possible.") % {"date": birth.isoformat()},
            code="birth",
        )
    if check_character(number[:17]) != number[17]:
        raise ValidationError(
            _("The last character does not match the others; please check the number for a typing mistake."),
            code="check",
        )
    return number
