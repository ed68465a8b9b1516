"""Writing catalogue records out as ISO 2709 or MARCXML, optionally with holdings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

import pymarc
from django.db.models import Prefetch, QuerySet

from wenjin.catalog.models import Item, Record
from wenjin.lib.marc.reader import parse_stored, to_iso2709

FORMATS = ("iso2709", "marcxml")
XML_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="http://www.loc.gov/MARC21/slim">\n'
)
XML_TAIL = b"</collection>\n"


def holdings_fields(record: Record, items: Iterable[Item]) -> list[pymarc.Field]:
    """852 (MARC21) or 905 (CNMARC) fields for the items, as import-marc reads them."""
    fields = []
    for item in items:
        class_part, _slash, item_part = item.call_number.partition("/")
        location = item.location.code if item.location else ""
        price = f"CNY{item.price}" if item.price is not None else ""
        if record.marc_format == "marc21":
            codes = [
                ("a", item.owning_org.code),
                ("b", location),
                ("h", class_part),
                ("i", item_part),
                ("p", item.barcode),
                ("t", item.volume),
                ("9", price),
            ]
            tag = "852"
        else:
            codes = [
                ("a", item.owning_org.code),
                ("b", item.barcode),
                ("c", location),
                ("d", class_part),
                ("e", item_part),
                ("f", item.volume),
                ("9", price),
            ]
            tag = "905"
        fields.append(
            pymarc.Field(
                tag=tag,
                indicators=pymarc.Indicators(" ", " "),
                subfields=[pymarc.Subfield(code, value) for code, value in codes if value],
            )
        )
    return fields


def export_records(
    records: QuerySet[Record], out: BinaryIO, *, format: str = "iso2709", with_items: bool = False
) -> int:
    """Write records to ``out``; returns how many. Streams in primary-key order."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}")
    if with_items:
        records = records.prefetch_related(
            Prefetch("items", queryset=Item.objects.select_related("owning_org", "location"))
        )
    count = 0
    if format == "marcxml":
        out.write(XML_HEAD)
    for record in records.order_by("pk").iterator(chunk_size=2000):
        if with_items or format == "marcxml":
            marc = parse_stored(record.marc)
            if with_items:
                for field in holdings_fields(record, record.items.all()):
                    marc.add_ordered_field(field)
            if format == "iso2709":
                out.write(to_iso2709(marc))
            else:
                out.write(pymarc.record_to_xml(marc, namespace=False) + b"\n")
        else:
            out.write(bytes(record.marc))
        count += 1
    if format == "marcxml":
        out.write(XML_TAIL)
    return count
