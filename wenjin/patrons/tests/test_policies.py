"""Reader rules: identity documents, phones, ages and categories, card numbers, PINs."""

from datetime import date

import pytest
from django.utils import translation
from stdnum import luhn

from wenjin.lib.errors import ValidationFailed
from wenjin.patrons import policies
from wenjin.patrons.tests.ids import resident_id

TODAY = date(2026, 11, 27)


def test_resident_id_gives_birth_date():
    number = resident_id(date(1990, 3, 7))
    identity = policies.check_identity(
        "resident_id", number.lower()[:-1] + number[-1].lower(), TODAY
    )
    assert identity.number == number and identity.birth_date == date(1990, 3, 7)
    spaced = " ".join([number[:6], number[6:14], number[14:]])
    assert policies.check_identity("resident_id", spaced, TODAY).number == number


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("", "missing"),
        ("44010419900307", "17 digits"),
        ("wrong-check", "check"),
        ("440104199002300011", "impossible"),  # 30 February
        ("440104209901010011", "impossible"),  # born in the future
        ("990104199001010011", "region"),  # no such region
    ],
)
def test_bad_resident_ids_are_refused_with_the_reason(number, reason):
    if number == "wrong-check":
        good = resident_id(date(1990, 3, 7))
        number = good[:-1] + ("0" if good[-1] != "0" else "1")
    elif len(number) == 18:
        number = number[:17] + policies.resident_id_check_character(number[:17])
    # The messages are checked in Chinese, whatever language an earlier test left active.
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as error:
        policies.check_identity("resident_id", number, TODAY)
    assert error.value.code == "INVALID_IDENTITY"
    assert error.value.message  # a specific Chinese message
    assert {
        "missing": "缺",
        "17 digits": "17",
        "check": "校验",
        "impossible": "出生日期",
        "region": "地区",
    }[reason] in error.value.message


def test_other_documents():
    assert policies.check_identity("passport", "e1234 5678", TODAY).number == "E12345678"
    assert policies.check_identity("hk_macau_permit", "H12345678", TODAY).birth_date is None
    assert policies.check_identity("taiwan_permit", "12345678", TODAY).number == "12345678"
    ssc = resident_id(date(1950, 1, 1))
    assert policies.check_identity("social_security", ssc, TODAY).birth_date == date(1950, 1, 1)
    for kind, number in (("hk_macau_permit", "X1234"), ("passport", "$$"), ("nope", "123456")):
        with pytest.raises(ValidationFailed):
            policies.check_identity(kind, number, TODAY)


def test_phones():
    assert policies.check_phone("+86 138-1234-5678") == "13812345678"
    assert policies.check_phone("020-83838383") == "02083838383"
    for bad in ("12345", "23812345678", "138123456789", ""):
        with pytest.raises(ValidationFailed) as error:
            policies.check_phone(bad)
        assert error.value.code == "INVALID_PHONE"


RULES = [
    policies.CategoryRule("child", True, 0, 12, True),
    policies.CategoryRule("teen", True, 12, 18),
    policies.CategoryRule("adult", True, 18, None),
    policies.CategoryRule("concession", False, None, None),
]


@pytest.mark.parametrize(
    ("age", "code"),
    [(0, "child"), (11, "child"), (12, "teen"), (17, "teen"), (18, "adult"), (90, "adult")],
)
def test_category_for_age(age, code):
    assert policies.category_for_age(age, RULES) == code


def test_age_on_birthdays():
    assert policies.age_on(date(2014, 11, 28), TODAY) == 11
    assert policies.age_on(date(2014, 11, 27), TODAY) == 12
    assert policies.age_on(date(2012, 2, 29), date(2024, 2, 28)) == 11


def test_card_numbers_carry_a_check_digit():
    number = policies.card_number(42)
    assert number == "20000000042" + number[-1] and len(number) == 12
    assert luhn.is_valid(number)


def test_pins():
    assert policies.check_pin("384920") == "384920"
    for bad, code in (
        ("12345", "INVALID_PIN"),
        ("abcdef", "INVALID_PIN"),
        ("111111", "WEAK_PIN"),
        ("123456", "WEAK_PIN"),
    ):
        with pytest.raises(ValidationFailed) as error:
            policies.check_pin(bad)
        assert error.value.code == code


def test_age_bands():
    assert [policies.age_band(a) for a in (None, 3, 10, 15, 30, 45, 70)] == [
        "unknown",
        "0-6",
        "7-11",
        "12-17",
        "18-35",
        "36-59",
        "60+",
    ]
