"""Writes to the catalogue: records (from MARC or from the common-fields form), items and
shelving locations. Batch import lives in ``importer``; it shares the helpers here."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import pymarc
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import audit_record
from wenjin.catalog import policies
from wenjin.catalog.marc_edit import apply_common_fields, empty_record
from wenjin.catalog.models import (
    AcquisitionSource,
    Item,
    ItemStatus,
    LccClcMapping,
    Location,
    LocationKind,
    MaterialType,
    Record,
    RecordIsbn,
    SchemeRule,
)
from wenjin.lib.clc import DEFAULT_LCC_TO_CLC
from wenjin.lib.errors import Conflict, DomainError, NotFound, ValidationFailed
from wenjin.lib.marc.mapping import BibFields, MappingError, map_record
from wenjin.lib.marc.reader import MarcError, to_iso2709
from wenjin.network.models import OrgUnit
from wenjin.network.selectors import get_unit
from wenjin.search.analysis import sort_key
from wenjin.search.services import index_records, unindex_records

# Statuses a cataloguer may set by hand; loan-related ones belong to circulation.
CATALOGUING_STATUSES = frozenset(
    {ItemStatus.IN_PROCESSING, ItemStatus.AVAILABLE, ItemStatus.MISSING, ItemStatus.DAMAGED}
)
MAX_BATCH_COPIES = 500


# --- Configuration tables -------------------------------------------------------------------


def lcc_table() -> dict[str, str]:
    """The LCC → CLC prefix table (the built-in default until one is configured)."""
    table = dict(LccClcMapping.objects.values_list("lcc_prefix", "clc_class"))
    return table or dict(DEFAULT_LCC_TO_CLC)


def scheme_rules() -> list[policies.SchemeCondition]:
    return [
        policies.SchemeCondition(
            rule.material_type, rule.language_group, rule.is_rare, rule.is_children, rule.in_scheme
        )
        for rule in SchemeRule.objects.order_by("priority")
    ]


def apply_scheme(item: Item, rules: Sequence[policies.SchemeCondition]) -> None:
    item.in_network_scheme = policies.in_network_scheme(
        material_type=item.material_type,
        language=item.language,
        is_rare=item.is_rare,
        is_children=item.is_children,
        rules=rules,
    )


# --- Records ----------------------------------------------------------------------------------


def fill_record(record: Record, flavour: str, utf8: bytes, bib: BibFields) -> Record:
    """Set a Record's columns from its MARC bytes and what the mapping read out of them."""
    record.marc_format = flavour
    record.marc = utf8
    record.marc_digest = hashlib.sha1(utf8, usedforsecurity=False).hexdigest()
    record.control_number = bib.control_number[:64]
    record.title = bib.title[:1000]
    record.title_romanized = bib.title_romanized[:1000]
    record.title_sort = sort_key(bib.title_filing or bib.title)
    record.responsibility = bib.responsibility[:1000]
    record.authors = bib.authors
    record.romanized = bib.romanized
    record.publisher = bib.publisher[:500]
    record.place = bib.place[:200]
    record.year = bib.year if bib.year is None or -32768 < bib.year < 32767 else None
    record.isbns = bib.isbns
    record.language = bib.language[:3]
    record.clc = bib.clc[:40]
    record.clc_top = bib.clc_top
    record.clc_source = bib.clc_source
    record.subjects = bib.subjects
    record.series = bib.series
    record.edition = bib.edition[:200]
    record.physical_description = bib.physical_description[:500]
    record.summary = bib.summary
    record.material_type = bib.material_type
    record.is_children = bib.is_children
    record.warnings = bib.warnings
    return record


def prepare_marc(marc: pymarc.Record, flavour: str) -> tuple[bytes, BibFields]:
    """Serialise and map a record, turning MARC problems into validation errors."""
    try:
        utf8 = to_iso2709(marc)
        bib = map_record(marc, flavour, lcc_table())
    except (MarcError, MappingError) as error:
        raise ValidationFailed(
            error.message, fields={"marc": error.message}, code=error.code
        ) from None
    return utf8, bib


def sync_isbns(record: Record) -> None:
    RecordIsbn.objects.filter(record=record).delete()
    RecordIsbn.objects.bulk_create(RecordIsbn(record=record, isbn13=isbn) for isbn in record.isbns)


def record_save_marc(
    *, actor: Actor, marc: pymarc.Record, flavour: str, record_id: int | None = None
) -> Record:
    """Create a record from MARC, or replace an existing record's MARC (items stay)."""
    actor.require_anywhere(Perm.CATALOG_EDIT)
    if flavour not in ("marc21", "cnmarc"):
        raise ValidationFailed(_("Unknown MARC format."), fields={"marc_format": flavour})
    utf8, bib = prepare_marc(marc, flavour)
    with transaction.atomic():
        if record_id is None:
            record = fill_record(Record(), flavour, utf8, bib)
            record.save()
            action = "catalog.record_create"
        else:
            record = Record.objects.select_for_update().filter(pk=record_id).first()
            if record is None:
                raise NotFound("RECORD_NOT_FOUND", _("No such record."))
            fill_record(record, flavour, utf8, bib)
            record.save()
            action = "catalog.record_update"
        sync_isbns(record)
        index_records([record])
        audit_record(
            actor,
            action,
            target=record,
            changes={"title": record.title, "warnings": [w["code"] for w in bib.warnings]},
        )
    return record


def record_save_fields(
    *,
    actor: Actor,
    values: Mapping[str, Any],
    record_id: int | None = None,
    flavour: str = "cnmarc",
) -> Record:
    """Create or edit a record through the common-fields form: the values are written into
    the MARC fields they come from, the rest of the MARC is left as it was."""
    if record_id is None:
        marc = empty_record(flavour)
    else:
        existing = Record.objects.filter(pk=record_id).first()
        if existing is None:
            raise NotFound("RECORD_NOT_FOUND", _("No such record."))
        from wenjin.lib.marc.reader import parse_stored

        marc, flavour = parse_stored(existing.marc), existing.marc_format
    apply_common_fields(marc, flavour, values)
    return record_save_marc(actor=actor, marc=marc, flavour=flavour, record_id=record_id)


def record_delete(*, actor: Actor, record_id: int) -> None:
    actor.require_anywhere(Perm.CATALOG_EDIT)
    with transaction.atomic():
        record = Record.objects.select_for_update().filter(pk=record_id).first()
        if record is None:
            raise NotFound("RECORD_NOT_FOUND", _("No such record."))
        if record.items.exists():
            raise Conflict(
                "RECORD_HAS_ITEMS", _("The record still has items, so it cannot be deleted.")
            )
        audit_record(actor, "catalog.record_delete", target=record, changes={"title": record.title})
        unindex_records([record.pk])
        record.delete()


# --- Items ------------------------------------------------------------------------------------


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: message})


def _clean_price(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        price = Decimal(str(value).replace("CNY", "").replace("¥", "").strip())
    except InvalidOperation:
        raise _invalid("price", _("Not an amount: %(value)s") % {"value": value}) from None
    if not price.is_finite() or price < 0 or price >= Decimal("1e8"):
        raise _invalid("price", _("The price is out of range."))
    return price.quantize(Decimal("0.01"))


def _clean_barcode(barcode: str) -> str:
    barcode = (barcode or "").strip()
    if not barcode or len(barcode) > 32 or not barcode.isprintable() or " " in barcode:
        raise _invalid("barcode", _("A barcode is 1–32 characters without spaces."))
    return barcode


def _location_in(unit: OrgUnit, location_id: int | None) -> Location | None:
    if location_id in (None, ""):
        return None
    location = Location.objects.filter(pk=location_id).first()
    if location is None or location.org_unit_id != unit.pk:
        raise _invalid(
            "location", _("That shelving location is not in %(unit)s.") % {"unit": unit.code}
        )
    return location


def _locked_item(barcode: str) -> Item:
    """The item, row-locked for the rest of the transaction, or ITEM_NOT_FOUND."""
    item = (
        Item.objects.select_for_update(of=("self",))
        .select_related("owning_org", "current_org", "location")
        .filter(barcode=barcode)
        .first()
    )
    if item is None:
        raise NotFound(
            "ITEM_NOT_FOUND", _("No item with barcode %(barcode)s.") % {"barcode": barcode}
        )
    return item


ITEM_FIELDS = (
    "call_number",
    "volume",
    "material_type",
    "is_children",
    "is_braille",
    "is_rare",
    "is_open_shelf",
    "language",
    "price",
    "acquired_on",
    "acquisition_source",
    "rfid",
)


def _apply_item_fields(item: Item, values: Mapping[str, Any]) -> None:
    for name in ITEM_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if name == "material_type" and value not in MaterialType.values:
            raise _invalid(name, _("Unknown material type: %(value)s") % {"value": value})
        if name == "acquisition_source" and value not in AcquisitionSource.values:
            raise _invalid(name, _("Unknown acquisition source: %(value)s") % {"value": value})
        if name == "price":
            value = _clean_price(value)
        if name in ("call_number", "volume", "language"):
            value = (value or "").strip()
        if name == "rfid":
            value = (value or "").strip() or None
        if name == "acquired_on" and isinstance(value, str):
            try:
                value = date.fromisoformat(value) if value else None
            except ValueError:
                raise _invalid(
                    name, _("Not a date (YYYY-MM-DD): %(value)s") % {"value": value}
                ) from None
        setattr(item, name, value)


def items_add(
    *,
    actor: Actor,
    record_id: int,
    owning_org_code: str,
    barcodes: Sequence[str],
    location_id: int | None = None,
    status: str = ItemStatus.AVAILABLE,
    **values: Any,
) -> list[Item]:
    """Add copies of a record at a unit, one per barcode (all or none)."""
    unknown = set(values) - set(ITEM_FIELDS)
    if unknown:
        raise _invalid(sorted(unknown)[0], _("Unknown field."))
    cleaned = [_clean_barcode(barcode) for barcode in barcodes]
    if not cleaned:
        raise _invalid("barcodes", _("Give at least one barcode."))
    if len(cleaned) > MAX_BATCH_COPIES:
        raise _invalid("barcodes", _("At most %(n)d copies at a time.") % {"n": MAX_BATCH_COPIES})
    duplicates = sorted({b for b in cleaned if cleaned.count(b) > 1})
    if duplicates:
        raise Conflict(
            "DUPLICATE_BARCODE",
            _("Barcode given twice: %(barcodes)s") % {"barcodes": ", ".join(duplicates)},
        )
    if status not in CATALOGUING_STATUSES:
        raise _invalid("status", _("This status is set by circulation, not by cataloguing."))
    unit = get_unit(owning_org_code)
    actor.require(Perm.ITEMS_EDIT, unit)
    record = Record.objects.filter(pk=record_id).first()
    if record is None:
        raise NotFound("RECORD_NOT_FOUND", _("No such record."))
    location = _location_in(unit, location_id)
    rules = scheme_rules()
    items = []
    for barcode in cleaned:
        item = Item(
            barcode=barcode,
            record=record,
            owning_org=unit,
            current_org=unit,
            location=location,
            material_type=record.material_type,
            language=record.language,
            is_children=record.is_children,
            status=status,
            acquired_on=timezone.localdate(),
        )
        _apply_item_fields(item, values)
        apply_scheme(item, rules)
        items.append(item)
    with transaction.atomic():
        taken = list(Item.objects.filter(barcode__in=cleaned).values_list("barcode", flat=True))
        if taken:
            raise Conflict(
                "BARCODE_TAKEN",
                _("Barcode already in use: %(barcodes)s") % {"barcodes": ", ".join(sorted(taken))},
            )
        try:
            with transaction.atomic():
                Item.objects.bulk_create(items)
        except IntegrityError:
            raise Conflict("BARCODE_TAKEN", _("A barcode or RFID tag is already in use.")) from None
        audit_record(
            actor,
            "catalog.items_add",
            org_unit=unit,
            target=record,
            changes={"barcodes": cleaned},
        )
    return items


def item_update(*, actor: Actor, barcode: str, changes: Mapping[str, Any]) -> Item:
    """Edit an item's cataloguing data (and the cataloguing statuses)."""
    allowed = set(ITEM_FIELDS) | {"status", "location_id"}
    unknown = set(changes) - allowed
    if unknown:
        raise _invalid(sorted(unknown)[0], _("This field cannot be changed here."))
    with transaction.atomic():
        item = _locked_item(barcode)
        actor.require(Perm.ITEMS_EDIT, item.owning_org)
        before = {name: getattr(item, name) for name in changes if name != "location_id"}
        _apply_item_fields(item, changes)
        if "status" in changes:
            if (
                item.status not in CATALOGUING_STATUSES
                or changes["status"] not in CATALOGUING_STATUSES
            ):
                raise DomainError(
                    "STATUS_OWNED_BY_CIRCULATION",
                    _(
                        "Items on loan, in transit, on the hold shelf, lost or withdrawn change status through circulation or withdrawal."
                    ),
                    status=409,
                )
            item.status = changes["status"]
        if "location_id" in changes:
            item.location = _location_in(item.current_org, changes["location_id"])
        apply_scheme(item, scheme_rules())
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError:
            raise Conflict("RFID_TAKEN", _("That RFID tag is already on another item.")) from None
        diff = {
            name: [before[name], getattr(item, name)]
            for name in before
            if before[name] != getattr(item, name)
        }
        audit_record(
            actor, "catalog.item_update", org_unit=item.owning_org, target=item, changes=diff
        )
    return item


def item_move(*, actor: Actor, barcode: str, location_id: int | None) -> Item:
    """Shelve an item at another location of the unit where it is."""
    with transaction.atomic():
        item = _locked_item(barcode)
        actor.require(Perm.ITEMS_EDIT, item.current_org)
        before = item.location.code if item.location else None
        item.location = _location_in(item.current_org, location_id)
        item.save(update_fields=["location", "updated_at"])
        audit_record(
            actor,
            "catalog.item_move",
            org_unit=item.current_org,
            target=item,
            changes={"location": [before, item.location.code if item.location else None]},
        )
    return item


def item_withdraw(*, actor: Actor, barcode: str, reason: str, on: date | None = None) -> Item:
    """Withdraw an item (剔旧, lost for good, transferred): it stays on record for statistics."""
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("Give the reason for withdrawal."))
    with transaction.atomic():
        item = _locked_item(barcode)
        actor.require(Perm.ITEMS_EDIT, item.owning_org)
        if item.status == ItemStatus.WITHDRAWN:
            raise Conflict("ALREADY_WITHDRAWN", _("The item is already withdrawn."))
        if item.status in (ItemStatus.CHECKED_OUT, ItemStatus.IN_TRANSIT, ItemStatus.ON_HOLD_SHELF):
            raise Conflict(
                "ITEM_IN_CIRCULATION",
                _("The item's status is “%(status)s”; it must be checked in first.")
                % {"status": item.get_status_display()},
            )
        previous = item.status
        item.status = ItemStatus.WITHDRAWN
        item.withdrawn_on = on or timezone.localdate()
        item.withdrawal_reason = reason[:200]
        item.save(update_fields=["status", "withdrawn_on", "withdrawal_reason", "updated_at"])
        audit_record(
            actor,
            "catalog.item_withdraw",
            org_unit=item.owning_org,
            target=item,
            changes={"status": [previous, item.status], "reason": reason},
        )
    return item


# --- Locations --------------------------------------------------------------------------------

# Which kind of location may hold which.
CHILD_KINDS = {
    None: {LocationKind.FLOOR, LocationKind.AREA, LocationKind.RANGE, LocationKind.SHELF},
    LocationKind.FLOOR: {LocationKind.AREA, LocationKind.RANGE, LocationKind.SHELF},
    LocationKind.AREA: {LocationKind.RANGE, LocationKind.SHELF},
    LocationKind.RANGE: {LocationKind.SHELF},
    LocationKind.SHELF: {LocationKind.LAYER},
    LocationKind.LAYER: set(),
}


def location_create(
    *,
    actor: Actor,
    org_code: str,
    kind: str,
    code: str,
    name: str,
    parent_id: int | None = None,
    call_number_from: str = "",
    call_number_to: str = "",
    geometry: tuple[int, int, int, int] | None = None,
    sort_order: int = 0,
) -> Location:
    """Add a shelving location inside a unit (under ``parent_id`` or at the top)."""
    code, name = (code or "").strip(), (name or "").strip()
    if not code or len(code) > 40:
        raise _invalid("code", _("A location code is 1–40 characters."))
    if not name:
        raise _invalid("name", _("A location needs a name."))
    if kind not in LocationKind.values:
        raise _invalid("kind", _("Unknown kind of location: %(kind)s") % {"kind": kind})
    if (
        call_number_from
        and call_number_to
        and policies.call_number_key(call_number_to) < policies.call_number_key(call_number_from)
    ):
        raise ValidationFailed(
            _("The call-number range ends before it starts."),
            fields={"call_number_to": call_number_to},
            code="INVERTED_RANGE",
        )
    if geometry is not None and (
        len(geometry) != 4 or any(v is None or not 0 <= v <= 100_000 for v in geometry)
    ):
        raise _invalid("geometry", _("Position and size are four whole numbers from 0 to 100,000."))
    with transaction.atomic():
        unit = get_unit(org_code)
        actor.require(Perm.NETWORK_EDIT, unit)
        parent = None
        if parent_id is not None:
            parent = Location.objects.filter(pk=parent_id, org_unit=unit).first()
            if parent is None:
                raise _invalid("parent", _("The parent location is not in this unit."))
        if kind not in CHILD_KINDS[parent.kind if parent else None]:
            raise ValidationFailed(
                _("This kind of location cannot go there: %(kind)s.")
                % {"kind": LocationKind(kind).label},
                fields={"kind": kind},
                code="BAD_LOCATION_NESTING",
            )
        if Location.objects.filter(org_unit=unit, code=code).exists():
            raise Conflict(
                "LOCATION_CODE_TAKEN",
                _("%(unit)s already has a location %(code)s.") % {"unit": unit.code, "code": code},
            )
        x, y, width, height = geometry or (None, None, None, None)
        location = Location.objects.create(
            org_unit=unit,
            parent=parent,
            kind=kind,
            code=code,
            name=name,
            call_number_from=call_number_from.strip(),
            call_number_to=call_number_to.strip(),
            x=x,
            y=y,
            width=width,
            height=height,
            sort_order=sort_order,
        )
        audit_record(actor, "catalog.location_create", org_unit=unit, target=location)
    return location


def location_delete(*, actor: Actor, location_id: int) -> None:
    with transaction.atomic():
        location = Location.objects.select_related("org_unit").filter(pk=location_id).first()
        if location is None:
            raise NotFound("LOCATION_NOT_FOUND", _("No such shelving location."))
        actor.require(Perm.NETWORK_EDIT, location.org_unit)
        if location.children.exists() or location.items.exists():
            raise Conflict("LOCATION_IN_USE", _("The location still holds locations or items."))
        audit_record(actor, "catalog.location_delete", org_unit=location.org_unit, target=location)
        location.delete()
