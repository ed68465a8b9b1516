"""REST endpoints for the catalogue: a record with its items, its MARC, one item."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pymarc
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from wenjin.api.core import ERROR_RESPONSES
from wenjin.catalog import selectors
from wenjin.catalog.models import Item, Record
from wenjin.lib.isbn import hyphenate
from wenjin.lib.marc.reader import parse_stored

router = Router(tags=["catalogue"])


class ItemOut(Schema):
    barcode: str
    owning_org: str
    current_org: str
    location: str | None = Field(description="shelving location code")
    location_label: str | None = Field(description='e.g. "3楼 B区 第12排 第4层"')
    call_number: str
    volume: str
    material_type: str
    status: str
    in_network_scheme: bool
    is_children: bool
    is_braille: bool
    is_rare: bool
    language: str
    price: Decimal | None
    acquired_on: date | None


class RecordOut(Schema):
    id: int
    marc_format: str
    title: str = Field(description="original script first (e.g. Chinese from MARC21 880)")
    title_romanized: str
    responsibility: str
    authors: list[str]
    publisher: str
    place: str
    year: int | None
    isbns: list[str]
    language: str
    clc: str
    clc_top: str
    clc_source: str
    subjects: list[str]
    series: list[str]
    edition: str
    physical_description: str
    material_type: str
    is_children: bool
    warnings: list[dict[str, str]]
    items: list[ItemOut]


class MarcQuery(Schema):
    format: str = Field("json", pattern="^(json|marcxml|iso2709)$")


def item_out(item: Item, labels: dict[int, str]) -> dict:
    return {
        "barcode": item.barcode,
        "owning_org": item.owning_org.code,
        "current_org": item.current_org.code,
        "location": item.location.code if item.location else None,
        "location_label": labels.get(item.location_id) if item.location_id else None,
        "call_number": item.call_number,
        "volume": item.volume,
        "material_type": item.material_type,
        "status": item.status,
        "in_network_scheme": item.in_network_scheme,
        "is_children": item.is_children,
        "is_braille": item.is_braille,
        "is_rare": item.is_rare,
        "language": item.language,
        "price": item.price,
        "acquired_on": item.acquired_on,
    }


def record_out(record: Record) -> dict:
    items = list(selectors.items_of(record))
    labels = selectors.location_labels({item.current_org_id for item in items})
    return {
        "id": record.pk,
        "marc_format": record.marc_format,
        "title": record.title,
        "title_romanized": record.title_romanized,
        "responsibility": record.responsibility,
        "authors": record.authors,
        "publisher": record.publisher,
        "place": record.place,
        "year": record.year,
        "isbns": [hyphenate(isbn) for isbn in record.isbns],
        "language": record.language,
        "clc": record.clc,
        "clc_top": record.clc_top,
        "clc_source": record.clc_source,
        "subjects": record.subjects,
        "series": record.series,
        "edition": record.edition,
        "physical_description": record.physical_description,
        "material_type": record.material_type,
        "is_children": record.is_children,
        "warnings": record.warnings,
        "items": [item_out(item, labels) for item in items],
    }


@router.get(
    "/records/{record_id}",
    auth=None,
    response={200: RecordOut, **ERROR_RESPONSES},
    summary="A bibliographic record with its items",
)
def get_record(request: HttpRequest, record_id: int) -> dict:
    return record_out(selectors.get_record(record_id))


@router.get(
    "/records/{record_id}/marc",
    auth=None,
    response={200: dict, **ERROR_RESPONSES},
    summary="The record's MARC: MARC-in-JSON (default), MARCXML or ISO 2709",
)
def get_record_marc(request: HttpRequest, record_id: int, query: Query[MarcQuery]) -> HttpResponse:
    record = selectors.get_record(record_id)
    if query.format == "iso2709":
        response = HttpResponse(bytes(record.marc), content_type="application/marc")
        response["Content-Disposition"] = f'attachment; filename="record-{record.pk}.mrc"'
        return response
    marc = parse_stored(record.marc)
    if query.format == "marcxml":
        xml = b'<?xml version="1.0" encoding="UTF-8"?>\n' + pymarc.record_to_xml(
            marc, namespace=True
        )
        return HttpResponse(xml, content_type="application/marcxml+xml; charset=utf-8")
    body = json.dumps(marc.as_dict(), ensure_ascii=False)
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@router.get(
    "/items/{barcode}",
    auth=None,
    response={200: ItemOut, **ERROR_RESPONSES},
    summary="One item by barcode",
)
def get_item(request: HttpRequest, barcode: str) -> dict:
    item = selectors.get_item(barcode)
    return item_out(item, selectors.location_labels({item.current_org_id}))
