"""Reads about the catalogue: records with their items, filters for export and staff
lists, shelving-location trees and labels."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from wenjin.catalog.models import Item, Location, Record, RecordIsbn
from wenjin.catalog.policies import location_label
from wenjin.lib.errors import NotFound
from wenjin.lib.isbn import isbn13
from wenjin.network.models import OrgUnit


class QueryError(ValueError):
    """A filter expression that cannot be understood."""


def get_record(record_id: int) -> Record:
    record = Record.objects.filter(pk=record_id).first()
    if record is None:
        raise NotFound("RECORD_NOT_FOUND", _("No record with id %(id)s.") % {"id": record_id})
    return record


def get_item(barcode: str) -> Item:
    if "\x00" in barcode:  # PostgreSQL refuses NUL in text; no barcode has one
        raise NotFound("ITEM_NOT_FOUND", _("No item with barcode %(barcode)s.") % {"barcode": ""})
    item = (
        Item.objects.select_related("record", "owning_org", "current_org", "location")
        .filter(barcode=barcode)
        .first()
    )
    if item is None:
        raise NotFound(
            "ITEM_NOT_FOUND", _("No item with barcode %(barcode)s.") % {"barcode": barcode}
        )
    return item


def items_of(record: Record) -> QuerySet[Item]:
    return (
        Item.objects.filter(record=record)
        .select_related("owning_org", "current_org", "location")
        .order_by("owning_org__path", "barcode")
    )


def records_with_isbn(value: str) -> QuerySet[Record]:
    normalised = isbn13(value)
    if not normalised:
        return Record.objects.none()
    ids = RecordIsbn.objects.filter(isbn13=normalised).values("record_id")
    return Record.objects.filter(pk__in=ids)


def _range(value: str) -> tuple[int, int]:
    low, _dash, high = value.partition("-")
    try:
        return int(low), int(high or low)
    except ValueError:
        raise QueryError(f"not a number or range: {value}") from None


def records_matching(query: str) -> QuerySet[Record]:
    """Records matching simple ``key:value`` filters (ANDed); a bare word searches titles.

    Full-text search comes with the search module; this serves export and staff lists.
    """
    records = Record.objects.all()
    for term in query.split():
        key, colon, value = term.partition(":")
        if not colon:
            key, value = "title", term
        if not value:
            raise QueryError(f"empty filter: {term}")
        if key == "id":
            low, high = _range(value)
            records = records.filter(pk__gte=low, pk__lte=high)
        elif key == "isbn":
            normalised = isbn13(value)
            if not normalised:
                raise QueryError(f"not a valid ISBN: {value}")
            records = records.filter(
                pk__in=RecordIsbn.objects.filter(isbn13=normalised).values("record_id")
            )
        elif key == "clc":
            records = records.filter(clc__startswith=value.upper())
        elif key == "year":
            low, high = _range(value)
            records = records.filter(year__gte=low, year__lte=high)
        elif key == "lang":
            records = records.filter(language=value.lower())
        elif key == "type":
            records = records.filter(material_type=value)
        elif key == "org":
            unit = OrgUnit.objects.filter(code=value).first()
            if unit is None:
                raise QueryError(f"unknown org unit: {value}")
            records = records.filter(
                pk__in=Item.objects.filter(owning_org__path__startswith=unit.path).values(
                    "record_id"
                )
            )
        elif key == "title":
            records = records.filter(
                Q(title__icontains=value) | Q(title_romanized__icontains=value)
            )
        else:
            raise QueryError(
                f"unknown filter {key}: (use id, isbn, clc, year, lang, type, org, title)"
            )
    return records


def find_exact(text: str) -> QuerySet[Record]:
    """Records an exact identifier points at: an item barcode or a record number."""
    text = text.strip()
    condition = Q(pk__in=Item.objects.filter(barcode=text).values("record_id"))
    if text.isdigit() and len(text) < 10:
        condition |= Q(pk=int(text))
    return Record.objects.filter(condition)


# --- Shelving locations ----------------------------------------------------------------------


@dataclass
class LocationNode:
    location: Location
    label: str
    children: list[LocationNode] = field(default_factory=list)


def _labels(locations: dict[int, Location]) -> dict[int, str]:
    labels = {}
    for pk, location in locations.items():
        names: list[str] = []
        current: Location | None = location
        while current is not None:
            names.append(current.name)
            current = locations.get(current.parent_id) if current.parent_id else None
        labels[pk] = location_label(list(reversed(names)))
    return labels


def location_tree(unit: OrgUnit) -> list[LocationNode]:
    """A unit's locations nested floor → … → layer, each with its readable label (one query)."""
    locations = {
        loc.pk: loc for loc in Location.objects.filter(org_unit=unit).order_by("sort_order", "code")
    }
    labels = _labels(locations)
    nodes = {pk: LocationNode(location, labels[pk]) for pk, location in locations.items()}
    roots: list[LocationNode] = []
    for pk, location in locations.items():
        parent = nodes.get(location.parent_id) if location.parent_id else None
        (parent.children if parent else roots).append(nodes[pk])
    return roots


def location_labels(unit_ids: set[int]) -> dict[int, str]:
    """Readable labels ("3楼 B区 第12排 第4层") for every location of some units."""
    return _labels({loc.pk: loc for loc in Location.objects.filter(org_unit_id__in=unit_ids)})
