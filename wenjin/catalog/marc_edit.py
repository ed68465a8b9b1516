"""The common-fields form over MARC: which MARC21 and CNMARC fields hold each form field,
reading them out and writing changes back without disturbing the rest of the record.

A field linked to an 880 (original script) is read and written in its 880 partner, so a
Chinese book catalogued by the Library of Congress is edited in Chinese.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pymarc
from django.utils import timezone

from wenjin.lib.isbn import isbn13
from wenjin.lib.marc.mapping import clean

SINGLE_FIELDS = (
    "title",
    "other_title",
    "responsibility",
    "publisher",
    "place",
    "year",
    "language",
    "clc",
    "edition",
    "physical_description",
    "summary",
)
LIST_FIELDS = ("authors", "isbns", "subjects", "series")
COMMON_FIELDS = SINGLE_FIELDS + LIST_FIELDS


@dataclass(frozen=True)
class Spot:
    """Where a form field lives: tag, subfield code, indicators for a new field."""

    tag: str
    code: str
    indicators: tuple[str, str] = (" ", " ")


SPOTS: dict[str, dict[str, Spot]] = {
    "marc21": {
        "title": Spot("245", "a", ("1", "0")),
        "other_title": Spot("245", "b", ("1", "0")),
        "responsibility": Spot("245", "c", ("1", "0")),
        "publisher": Spot("264", "b", (" ", "1")),
        "place": Spot("264", "a", (" ", "1")),
        "year": Spot("264", "c", (" ", "1")),
        "language": Spot("041", "a", ("0", " ")),
        "clc": Spot("084", "a"),
        "edition": Spot("250", "a"),
        "physical_description": Spot("300", "a"),
        "summary": Spot("520", "a"),
        "authors": Spot("700", "a", ("1", " ")),
        "isbns": Spot("020", "a"),
        "subjects": Spot("650", "a", (" ", "4")),
        "series": Spot("490", "a", ("0", " ")),
    },
    "cnmarc": {
        "title": Spot("200", "a", ("1", " ")),
        "other_title": Spot("200", "e", ("1", " ")),
        "responsibility": Spot("200", "f", ("1", " ")),
        "publisher": Spot("210", "c"),
        "place": Spot("210", "a"),
        "year": Spot("210", "d"),
        "language": Spot("101", "a", ("0", " ")),
        "clc": Spot("690", "a"),
        "edition": Spot("205", "a"),
        "physical_description": Spot("215", "a"),
        "summary": Spot("330", "a"),
        "authors": Spot("701", "a", (" ", "0")),
        "isbns": Spot("010", "a"),
        "subjects": Spot("606", "a", ("0", " ")),
        "series": Spot("225", "a", ("2", " ")),
    },
}


def empty_record(flavour: str) -> pymarc.Record:
    """A new record with a leader and the coded fields each format expects."""
    today = timezone.localdate()
    record = pymarc.Record(force_utf8=True)
    if flavour == "marc21":
        record.leader = pymarc.Leader("00000nam a2200000 i 4500")
        # 008: entered, single date, year, place cc (China), book codes, language chi.
        fixed = (
            f"{today:%y%m%d}s{today.year}    cc " + " " * 4 + "  " + " " * 4 + "000 0 " + "chi d"
        )
        record.add_field(pymarc.Field(tag="008", data=fixed))
    else:
        record.leader = pymarc.Leader("00000nam0 2200000   450 ")
        general = f"{today:%Y%m%d}d{today.year}    em y0chiy50      ea"
        record.add_field(
            pymarc.Field(
                tag="100",
                indicators=pymarc.Indicators(" ", " "),
                subfields=[pymarc.Subfield("a", general[:36].ljust(36))],
            )
        )
        record.add_field(
            pymarc.Field(
                tag="101",
                indicators=pymarc.Indicators("0", " "),
                subfields=[pymarc.Subfield("a", "chi")],
            )
        )
    return record


def _linked(record: pymarc.Record, field: pymarc.Field) -> pymarc.Field:
    """The 880 partner holding the original script, or the field itself."""
    link = field.get("6") or ""
    if field.tag != "880" and link.startswith("880-"):
        for alternate in record.get_fields("880"):
            if (alternate.get("6") or "").startswith(f"{field.tag}-{link[4:6]}"):
                return alternate
    return field


def _first(record: pymarc.Record, tag: str) -> pymarc.Field | None:
    fields = record.get_fields(tag)
    if not fields and tag == "264":
        fields = record.get_fields("260")
    return _linked(record, fields[0]) if fields else None


def common_fields(record: pymarc.Record, flavour: str) -> dict[str, Any]:
    """The form's values as the MARC holds them now."""
    spots = SPOTS[flavour]
    values: dict[str, Any] = {}
    for name in SINGLE_FIELDS:
        spot = spots[name]
        field = _first(record, spot.tag)
        values[name] = clean(field.get(spot.code) or "") if field else ""
    for name in LIST_FIELDS:
        spot = spots[name]
        tags = [spot.tag]
        if name == "authors":
            tags = ["100", "700"] if flavour == "marc21" else ["700", "701", "702"]
        values[name] = [
            clean(_linked(record, field).get(spot.code) or "")
            for tag in tags
            for field in record.get_fields(tag)
            if _linked(record, field).get(spot.code)
        ]
    return values


# Subfield order within the fields the form writes to.
SUBFIELD_ORDER = {
    "245": "abfgknpsc6",
    "264": "abc",
    "260": "abcefg",
    "200": "aefghi",
    "210": "acdeg",
    "084": "ab2",
}


def _set_subfield(field: pymarc.Field, code: str, value: str) -> None:
    if not value:
        field.delete_subfield(code)
        return
    if field.get(code) is not None:
        field[code] = value
        return
    order = SUBFIELD_ORDER.get(field.tag, "")
    rank = order.find(code) if code in order else len(order)
    position = len(field.subfields)
    for index, subfield in enumerate(field.subfields):
        other = order.find(subfield.code) if subfield.code in order else len(order)
        if other > rank:
            position = index
            break
    field.subfields.insert(position, pymarc.Subfield(code, value))


def apply_common_fields(record: pymarc.Record, flavour: str, values: Mapping[str, Any]) -> None:
    """Write the changed form values into the record."""
    spots = SPOTS[flavour]
    current = common_fields(record, flavour)
    for name in SINGLE_FIELDS:
        if name not in values:
            continue
        value = str(values[name] or "").strip()
        if value == current[name]:
            continue
        spot = spots[name]
        field = _first(record, spot.tag)
        if field is None:
            if not value:
                continue
            field = pymarc.Field(
                tag=spot.tag, indicators=pymarc.Indicators(*spot.indicators), subfields=[]
            )
            record.add_ordered_field(field)
        _set_subfield(field, spot.code, value)
        if name == "clc" and flavour == "marc21":
            _set_subfield(field, "2", "clc" if value else "")
        if not field.subfields:
            record.remove_field(field)
        if name == "language" and value:
            _set_fixed_language(record, flavour, value)
        if name == "year" and value[:4].isdigit():
            _set_fixed_year(record, flavour, value[:4])
    for name in LIST_FIELDS:
        if name not in values:
            continue
        items = [str(v).strip() for v in values[name] if str(v).strip()]
        if items == current[name]:
            continue
        _apply_list(record, flavour, name, items)


def _apply_list(record: pymarc.Record, flavour: str, name: str, items: list[str]) -> None:
    """Remove the fields whose value left the list and add fields for new values; fields
    whose value stays are kept whole (other subfields, indicators, 880 partners)."""
    spot = SPOTS[flavour][name]
    tags = [spot.tag]
    if name == "authors":
        tags = ["100", "700"] if flavour == "marc21" else ["700", "701", "702"]
    # ISBNs are the same whatever their hyphens; other values compare as written.
    key = (lambda value: isbn13(value) or value) if name == "isbns" else (lambda value: value)
    wanted = {key(item) for item in items}
    present = set()
    for tag in tags:
        for field in record.get_fields(tag):
            partner = _linked(record, field)
            value = key(clean(partner.get(spot.code) or ""))
            if value in wanted:
                present.add(value)
                continue
            if partner is not field:
                record.remove_field(partner)
            record.remove_field(field)
    for item in items:
        if key(item) in present:
            continue
        tag = spot.tag
        if name == "authors" and flavour == "marc21" and not record.get_fields("100"):
            tag = "100"
        subfields = [pymarc.Subfield(spot.code, item)]
        if name == "subjects" and flavour == "marc21":
            subfields.append(pymarc.Subfield("2", "local"))
        record.add_ordered_field(
            pymarc.Field(
                tag=tag, indicators=pymarc.Indicators(*spot.indicators), subfields=subfields
            )
        )
        present.add(key(item))


def _set_fixed_language(record: pymarc.Record, flavour: str, language: str) -> None:
    if flavour != "marc21":
        return
    for fixed in record.get_fields("008")[:1]:
        data = (fixed.data or "").ljust(40)
        fixed.data = data[:35] + language[:3].ljust(3) + data[38:]


def _set_fixed_year(record: pymarc.Record, flavour: str, year: str) -> None:
    if flavour == "marc21":
        for fixed in record.get_fields("008")[:1]:
            data = (fixed.data or "").ljust(40)
            fixed.data = data[:7] + year + data[11:]
    else:
        for general in record.get_fields("100")[:1]:
            data = (general.get("a") or "").ljust(36)
            general["a"] = data[:9] + year + data[13:]
