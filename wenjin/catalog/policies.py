"""Pure catalogue rules: network-scheme membership, call-number order, location labels."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wenjin.lib.marc.mapping import CHINESE_LANGUAGES


@dataclass(frozen=True)
class SchemeCondition:
    """A rule of the SchemeRule table, as plain data (empty/None conditions match anything)."""

    material_type: str
    language_group: str
    is_rare: bool | None
    is_children: bool | None
    in_scheme: bool


def language_group(language: str) -> str:
    """ "chinese" for Chinese-language material (and unknown language), else "foreign"."""
    return "chinese" if not language or language.lower() in CHINESE_LANGUAGES else "foreign"


def in_network_scheme(
    *,
    material_type: str,
    language: str,
    is_rare: bool,
    is_children: bool,
    rules: Iterable[SchemeCondition],
) -> bool:
    """Whether an item may be borrowed and returned anywhere (通借通还): the first matching
    rule decides; with no matching rule it is in."""
    group = language_group(language)
    for rule in rules:
        if rule.material_type and rule.material_type != material_type:
            continue
        if rule.language_group and rule.language_group != group:
            continue
        if rule.is_rare is not None and rule.is_rare != is_rare:
            continue
        if rule.is_children is not None and rule.is_children != is_children:
            continue
        return rule.in_scheme
    return True


# Default rules, seeded into the SchemeRule table: rare books, ancient books, periodicals and
# foreign-language material stay with their owning library; everything else circulates.
DEFAULT_SCHEME_RULES: Sequence[tuple[int, dict, str]] = (
    (10, {"is_rare": True, "in_scheme": False}, "善本不参与通借通还"),
    (20, {"material_type": "ancient", "in_scheme": False}, "古籍不参与通借通还"),
    (30, {"material_type": "periodical", "in_scheme": False}, "期刊在产权馆借还"),
    (40, {"language_group": "foreign", "in_scheme": False}, "外文文献在产权馆借还"),
)

_CALL_NUMBER_PART = re.compile(r"(\d+)|([^\d]+)")


def call_number_key(call_number: str) -> tuple:
    """A sort key for CLC call numbers ("I247.5/123"): the class compared digit by digit as
    CLC orders it (I247.5 < I247.57 < I248), then the book number numerically."""
    text = call_number.strip().upper()
    class_part, _slash, book_part = text.partition("/")
    letters = ""
    index = 0
    while index < len(class_part) and class_part[index].isalpha():
        letters += class_part[index]
        index += 1
    digits = "".join(c for c in class_part[index:] if c.isdigit())
    rest = "".join(c for c in class_part[index:] if not c.isdigit() and c != ".")
    book = tuple(
        (0, int(number)) if number else (1, word)
        for number, word in _CALL_NUMBER_PART.findall(book_part)
    )
    return (letters, digits, rest, book)


def shelf_holds(call_number: str, first: str, last: str) -> bool:
    """Whether a shelf labelled ``first``–``last`` holds ``call_number`` (prefix-inclusive
    at the upper end: a shelf ending "I247" holds "I247.5/12")."""
    if not first and not last:
        return False
    key = call_number_key(call_number)
    if first and key < call_number_key(first):
        return False
    if last:
        upper = call_number_key(last)
        letters, digits, _rest, book = upper
        under_prefix = key[0] == letters and key[1].startswith(digits) and not book
        if key > upper and not under_prefix:
            return False
    return True


def location_label(names: Sequence[str]) -> str:
    """The readable path of a location: ["3楼", "B区", "第12排", "第4层"] → "3楼 B区 第12排 第4层"."""
    return " ".join(name for name in names if name)
