"""ISBNs: validation and normalisation to ISBN-13 with python-stdnum."""

from __future__ import annotations

import re
from collections.abc import Iterable

from stdnum import isbn as stdnum_isbn
from stdnum.exceptions import ValidationError

_CANDIDATE = re.compile(r"[0-9][0-9\- ]{8,16}[0-9Xx]")


def isbn13(value: str) -> str | None:
    """The ISBN-13 (digits only) for a valid ISBN-10 or -13 anywhere in ``value``, else None.

    Catalogue data carries qualifiers ("9787020002207 (平装)", "0-19-852663-6 (pbk.)").
    """
    match = _CANDIDATE.search(value or "")
    if not match:
        return None
    try:
        return stdnum_isbn.to_isbn13(stdnum_isbn.validate(match.group(0).replace(" ", "")))
    except (ValidationError, ValueError):
        return None


def candidate(value: str) -> str:
    """The ISBN-like part of ``value`` without hyphens and spaces ("" when there is none)."""
    match = _CANDIDATE.search(value or "")
    return re.sub(r"[ \-]", "", match.group(0)).upper() if match else ""


def split_isbns(values: Iterable[str]) -> tuple[list[str], list[str]]:
    """(valid ISBN-13s without duplicates, invalid ISBN-like values as written)."""
    valid: list[str] = []
    invalid: list[str] = []
    for value in values:
        normalised = isbn13(value)
        if normalised:
            if normalised not in valid:
                valid.append(normalised)
        elif candidate(value):
            invalid.append(value.strip())
    return valid, invalid


def hyphenate(isbn: str) -> str:
    """Readable form of an ISBN-13 ("978-7-02-000220-7")."""
    try:
        return stdnum_isbn.format(isbn)
    except ValidationError:
        return isbn
