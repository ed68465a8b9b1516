"""Reader rules as pure functions: identity documents, phone numbers, ages and categories,
card numbers and validity. No database access here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _
from stdnum import luhn, numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from wenjin.lib.errors import ValidationFailed

IDENTITY_TYPES = (
    "resident_id",
    "social_security",
    "passport",
    "hk_macau_permit",
    "taiwan_permit",
)
PIN_LENGTH = 6
CARD_PREFIX = "2"  # card numbers: "2", a 10-digit serial and a Luhn check digit
_PERMITS = {
    "passport": re.compile(r"[A-Z0-9]{5,20}"),
    "hk_macau_permit": re.compile(r"[HM][0-9]{8,10}"),
    "taiwan_permit": re.compile(r"[0-9]{8}|[0-9]{10}|[A-Z][0-9]{9}"),
    "social_security": re.compile(r"[0-9A-Z]{9,18}"),
}
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[1-9][0-9]{1,2}[0-9]{7,8}")


@dataclass(frozen=True)
class Identity:
    """A checked identity document: its type, its normalised number and, where the
    document carries it, the birth date."""

    type: str
    number: str
    birth_date: date | None = None


def invalid_identity(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"identity_number": message}, code="INVALID_IDENTITY")


def check_identity(identity_type: str, number: str, today: date) -> Identity:
    """Validate and normalise an identity document number; raise ``INVALID_IDENTITY``
    with the specific reason."""
    cleaned = re.sub(r"[\s\-]", "", number or "").upper()
    if not cleaned:
        raise invalid_identity(_("The identity document number is missing."))
    if identity_type == "resident_id" or (
        identity_type == "social_security" and len(cleaned) == 18 and cleaned[:17].isdigit()
    ):
        return Identity(identity_type, cleaned, _resident_birth_date(cleaned, today))
    if identity_type not in IDENTITY_TYPES:
        raise invalid_identity(_("Unknown identity document type."))
    pattern = _PERMITS[identity_type]
    if not pattern.fullmatch(cleaned):
        raise invalid_identity(_("This is not a valid number for that identity document."))
    return Identity(identity_type, cleaned)


def _resident_birth_date(number: str, today: date) -> date:
    if len(number) != 18 or not number[:17].isdigit():
        raise invalid_identity(_("A resident ID number has 17 digits and a check character."))
    if number[-1] != ric.calc_check_digit(number):
        raise invalid_identity(_("The check character of this resident ID number is wrong."))
    try:
        born = ric.get_birth_date(number)
    except ValidationError:
        raise invalid_identity(
            _("The birth date in this resident ID number is impossible.")
        ) from None
    # The region must exist; stdnum also ties it to the birth year, but people keep the
    # code of where they were first registered, which may postdate their birth.
    if not any(props for _part, props in numdb.get("cn/loc").info(number[:6])):
        raise invalid_identity(_("The region code of this resident ID number does not exist."))
    if born > today or today.year - born.year > 130:
        raise invalid_identity(_("The birth date in this resident ID number is impossible."))
    return born


def resident_id_check_character(first17: str) -> str:
    """The check character for 17 digits (for generating demo and test identities)."""
    return ric.calc_check_digit(first17 + "0")  # stdnum expects a placeholder check place


def check_phone(phone: str) -> str:
    """A mainland mobile (11 digits from 13x to 19x) or landline number with area code;
    spaces, hyphens and a +86 prefix are dropped."""
    cleaned = re.sub(r"[\s\-()]", "", phone or "")
    cleaned = re.sub(r"^(\+86|0086)", "", cleaned)
    if _MOBILE.fullmatch(cleaned) or _LANDLINE.fullmatch(cleaned):
        return cleaned
    raise ValidationFailed(
        _(
            "The phone number is not valid: give an 11-digit mobile number or a landline with its area code."
        ),
        fields={"phone": phone},
        code="INVALID_PHONE",
    )


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@dataclass(frozen=True)
class CategoryRule:
    """What the category rules need to know about a category."""

    code: str
    follows_age: bool
    min_age: int | None
    max_age: int | None
    requires_guardian: bool = False


def category_for_age(age: int, categories: list[CategoryRule]) -> str | None:
    """The age-following category whose range holds ``age`` (None if none does)."""
    for category in categories:
        if not category.follows_age:
            continue
        if (category.min_age is None or age >= category.min_age) and (
            category.max_age is None or age < category.max_age
        ):
            return category.code
    return None


def age_band(age: int | None) -> str:
    """Age bands used by anonymous statistics facts (no birth dates there)."""
    if age is None:
        return "unknown"
    for upper, band in ((7, "0-6"), (12, "7-11"), (18, "12-17"), (36, "18-35"), (60, "36-59")):
        if age < upper:
            return band
    return "60+"


def card_number(serial: int) -> str:
    """The barcode for a serial: prefix, ten digits, Luhn check digit."""
    body = f"{CARD_PREFIX}{serial:010d}"
    return body + luhn.calc_check_digit(body)


def expiry(issued: date, validity_days: int) -> date:
    return issued + timedelta(days=validity_days)


def check_pin(pin: str) -> str:
    if not re.fullmatch(rf"[0-9]{{{PIN_LENGTH}}}", pin or ""):
        raise ValidationFailed(
            _("The PIN must be %(n)d digits.") % {"n": PIN_LENGTH},
            fields={"pin": "***"},
            code="INVALID_PIN",
        )
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        raise ValidationFailed(
            _("This PIN is too easy to guess: avoid repeated or consecutive digits."),
            fields={"pin": "***"},
            code="WEAK_PIN",
        )
    return pin
