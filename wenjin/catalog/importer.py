"""Batch import of MARC files (ISO 2709 or MARCXML) into the catalogue.

Records are read, checked and mapped one by one (a bad one is reported with its position
and skipped), then written in chunks: one transaction per chunk with bulk inserts, so a
large file goes fast. A chunk that fails at the database is retried record by record, so
no record is ever half-written and no good record is lost with a bad one.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

import pymarc
from django.db import DatabaseError, transaction

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import audit_record
from wenjin.catalog.batch import StatisticsUpkeep, batch_settings
from wenjin.catalog.models import Item, ItemStatus, Location, Record, RecordIsbn
from wenjin.catalog.services import apply_scheme, fill_record, lcc_table, scheme_rules
from wenjin.lib.bulk import bulk_insert
from wenjin.lib.errors import ValidationFailed
from wenjin.lib.marc.mapping import BibFields, MappingError, map_record
from wenjin.lib.marc.reader import (
    DecodedRecord,
    MarcError,
    decode,
    drop_fields,
    is_marcxml,
    iter_iso2709,
    iter_marcxml,
    to_iso2709,
)
from wenjin.network.models import OrgUnit
from wenjin.search.services import index_records

FORMATS = ("auto", "marc21", "cnmarc")
ITEM_SOURCES = ("none", "852", "905")
MATCH_RULES = ("001", "isbn", "none")
ON_MATCH = ("skip", "overlay", "new")
MAX_FAILURES_KEPT = 1000


@dataclass
class ImportOptions:
    """What ``wenjin import-marc`` was asked to do (defaults as documented)."""

    format: str = "auto"
    encoding: str = "utf-8"
    owning_org: str | None = None
    items_from: str = "none"
    match: str = "001"
    on_match: str = "skip"
    # Records per transaction. Each commit rewrites every page of the random-order
    # indexes (digest, title sort key, ISBN, suggestion key) that its records touched, so
    # fewer, larger chunks write less; beyond ~2,000 the gain stops (and a chunk's texts
    # no longer fit the analysis cache).
    chunk_size: int = 2000

    def validate(self) -> None:
        for name, allowed in (
            ("format", FORMATS),
            ("encoding", ("utf-8", "gb18030", "marc8")),
            ("items_from", ITEM_SOURCES),
            ("match", MATCH_RULES),
            ("on_match", ON_MATCH),
        ):
            if getattr(self, name) not in allowed:
                raise ValidationFailed(
                    f"--{name.replace('_', '-')} 只能是 {' / '.join(allowed)}",
                    fields={name: getattr(self, name)},
                )


@dataclass
class Failure:
    position: int
    code: str
    message: str


@dataclass
class ImportSummary:
    """What happened: counts, and the failures with their record positions."""

    read: int = 0
    created: int = 0
    merged: int = 0
    skipped: int = 0
    failed: int = 0
    items_created: int = 0
    warnings: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    def fail(self, position: int, code: str, message: str) -> None:
        self.failed += 1
        if len(self.failures) < MAX_FAILURES_KEPT:
            self.failures.append(Failure(position, code, message))

    def as_dict(self) -> dict:
        return {
            "read": self.read,
            "created": self.created,
            "merged": self.merged,
            "skipped": self.skipped,
            "failed": self.failed,
            "items_created": self.items_created,
            "warnings": self.warnings,
        }


@dataclass
class ItemSpec:
    barcode: str
    owning_org: OrgUnit
    location: Location | None
    call_number: str
    volume: str
    price: str


@dataclass
class Pending:
    """One record read and mapped, waiting to be written with its chunk."""

    position: int
    flavour: str
    utf8: bytes
    digest: str
    bib: BibFields
    items: list[ItemSpec]


class _Context:
    """Lookups loaded once per import: units by code, their locations, rules, LCC table."""

    def __init__(self, options: ImportOptions) -> None:
        self.units = {unit.code: unit for unit in OrgUnit.objects.all()}
        self.locations = {
            (location.org_unit_id, location.code): location for location in Location.objects.all()
        }
        self.rules = scheme_rules()
        self.lcc = lcc_table()
        self.default_org = self.units.get(options.owning_org) if options.owning_org else None


def _item_specs(
    record: pymarc.Record, options: ImportOptions, context: _Context, summary: ImportSummary
) -> list[ItemSpec]:
    """Items described in 852 (MARC21) or 905 (CNMARC) holdings fields.

    852: $a owning unit code, $b shelving location code, $h class part, $i item part,
    $p barcode, $t copy, $9 price. 905: $a owning unit code, $b barcode, $c shelving
    location code, $d class number, $e book number, $f volume, $9 price.
    """
    specs = []
    tag = options.items_from
    for holding in record.get_fields(tag):
        if tag == "852":
            org_code, location_code, barcode = holding.get("a"), holding.get("b"), holding.get("p")
            class_part, item_part, volume = holding.get("h"), holding.get("i"), holding.get("t")
        else:
            org_code, barcode, location_code = holding.get("a"), holding.get("b"), holding.get("c")
            class_part, item_part, volume = holding.get("d"), holding.get("e"), holding.get("f")
        barcode = (barcode or "").strip()
        if not barcode:
            raise MarcError("ITEM_WITHOUT_BARCODE", f"馆藏字段 {tag} 缺少条码。")
        if len(barcode) > 32 or " " in barcode:
            raise MarcError(
                "BAD_BARCODE", f"条码 {barcode[:40]} 无效（最多 32 个字符，不含空格）。"
            )
        org_code = (org_code or "").strip()
        if org_code:
            unit = context.units.get(org_code)
            if unit is None:
                raise MarcError("UNKNOWN_ORG", f"条码 {barcode} 的产权馆 {org_code} 不存在。")
        elif context.default_org is not None:
            unit = context.default_org
        else:
            raise MarcError(
                "NO_OWNING_ORG", f"条码 {barcode} 没有产权馆（馆藏字段缺少，也未给 --owning-org）。"
            )
        location = None
        if location_code:
            location = context.locations.get((unit.pk, location_code.strip()))
            if location is None:
                summary.warnings += 1
        call_number = "/".join(
            part.strip() for part in (class_part, item_part) if part and part.strip()
        )
        specs.append(
            ItemSpec(
                barcode,
                unit,
                location,
                call_number[:64],
                (volume or "")[:40],
                holding.get("9") or "",
            )
        )
    return specs


def _read(
    stream: BinaryIO, options: ImportOptions, context: _Context, summary: ImportSummary
) -> Iterator[Pending]:
    """Yield Pending records; failures are counted in ``summary`` and skipped."""
    head = stream.read(64)
    stream.seek(0)
    flavour_hint = None if options.format == "auto" else options.format
    if is_marcxml(head):
        source = ((position, item) for position, item in iter_marcxml(stream))
    else:
        source = ((raw.position, raw) for raw in iter_iso2709(stream))
    for position, item in source:
        summary.read += 1
        try:
            if isinstance(item, MarcError):
                raise item
            if isinstance(item, pymarc.Record):
                tags = {f.tag for f in item.fields}
                flavour = flavour_hint or (
                    "marc21" if "245" in tags or "200" not in tags else "cnmarc"
                )
                decoded = DecodedRecord(item, flavour, to_iso2709(item))
            else:
                decoded = decode(
                    item.data, flavour=flavour_hint, encoding=options.encoding, lite=True
                )
            bib = map_record(decoded.record, decoded.flavour, context.lcc)
            items = (
                _item_specs(decoded.record, options, context, summary)
                if options.items_from != "none"
                else []
            )
        except (MarcError, MappingError) as error:
            summary.fail(position, error.code, error.message)
            continue
        except Exception as error:  # any other surprise in one record must not sink the batch
            summary.fail(position, "UNREADABLE_RECORD", f"记录无法读取：{type(error).__name__}")
            continue
        if bib.warnings:
            summary.warnings += 1
        if options.items_from != "none" and decoded.record.get_fields(options.items_from):
            # The items now hold the holdings; export --with-items writes them back.
            decoded.utf8 = drop_fields(decoded.utf8, {options.items_from.encode("ascii")})
        digest = hashlib.sha1(decoded.utf8, usedforsecurity=False).hexdigest()
        yield Pending(position, decoded.flavour, decoded.utf8, digest, bib, items)


def _match_keys(pending: Pending, rule: str) -> list[str]:
    if rule == "001":
        control = pending.bib.control_number
        return [f"001:{control}"] if control else [f"sha1:{pending.digest}"]
    if rule == "isbn":
        return [f"isbn:{isbn}" for isbn in pending.bib.isbns]
    return []


def _existing_matches(chunk: list[Pending], rule: str) -> dict[str, int]:
    """Match keys → id of a record already in the catalogue."""
    if rule == "001":
        controls = [p.bib.control_number for p in chunk if p.bib.control_number]
        digests = [p.digest for p in chunk if not p.bib.control_number]
        found = {
            f"001:{control}": pk
            for pk, control in Record.objects.filter(control_number__in=controls)
            .order_by("pk")
            .values_list("pk", "control_number")
        }
        found.update(
            {
                f"sha1:{digest}": pk
                for pk, digest in Record.objects.filter(marc_digest__in=digests)
                .order_by("pk")
                .values_list("pk", "marc_digest")
            }
        )
        return found
    if rule == "isbn":
        isbns = {isbn for p in chunk for isbn in p.bib.isbns}
        return {
            f"isbn:{isbn}": pk
            for pk, isbn in RecordIsbn.objects.filter(isbn13__in=isbns)
            .order_by("-record_id")
            .values_list("record_id", "isbn13")
        }
    return {}


def _price(text: str) -> Decimal | None:
    """The amount in a holdings price ("CNY45.00", "2册 CNY50" → 50), if plausible."""
    numbers = re.findall(r"\d+(?:\.\d+)?", text or "")
    if not numbers:
        return None
    amount = Decimal(numbers[-1])
    return amount.quantize(Decimal("0.01")) if amount < Decimal("1e7") else None


def _build_items(record: Record, pending: Pending, context: _Context) -> list[Item]:
    items = []
    for spec in pending.items:
        price = _price(spec.price)
        item = Item(
            barcode=spec.barcode,
            record=record,
            owning_org=spec.owning_org,
            current_org=spec.owning_org,
            location=spec.location,
            call_number=spec.call_number,
            volume=spec.volume,
            material_type=record.material_type,
            language=record.language,
            is_children=record.is_children,
            is_braille=pending.bib.is_braille,
            price=price,
            status=ItemStatus.AVAILABLE,
        )
        apply_scheme(item, context.rules)
        items.append(item)
    return items


def _write_chunk(
    chunk: list[Pending], options: ImportOptions, context: _Context, summary: ImportSummary
) -> None:
    """Match, then write a chunk in one transaction; on a database error, one by one."""
    existing = _existing_matches(chunk, options.match) if options.match != "none" else {}
    barcodes = [spec.barcode for p in chunk for spec in p.items]
    owners = dict(Item.objects.filter(barcode__in=barcodes).values_list("barcode", "record_id"))
    seen_keys: dict[str, int] = {}  # match keys of records earlier in this chunk
    seen_barcodes: set[str] = set()
    plan: list[tuple[Pending, str, int | None]] = []  # (pending, action, record id)
    for pending in chunk:
        keys = _match_keys(pending, options.match)
        match_id = next((existing[k] for k in keys if k in existing), None)
        earlier = next((seen_keys[k] for k in keys if k in seen_keys), None)
        if (match_id is not None or earlier is not None) and options.on_match == "skip":
            summary.skipped += 1
            continue
        if earlier is not None and match_id is None and options.on_match == "overlay":
            summary.skipped += 1  # the same record twice in one file: the first one counts
            continue
        action = "overlay" if match_id is not None and options.on_match == "overlay" else "create"
        if action == "overlay":
            # Copies the matched record already has are kept as they are, not added again.
            pending.items = [s for s in pending.items if owners.get(s.barcode) != match_id]
        clash = next(
            (s.barcode for s in pending.items if s.barcode in owners or s.barcode in seen_barcodes),
            None,
        )
        if clash:
            summary.fail(pending.position, "DUPLICATE_BARCODE", f"条码 {clash} 已被其他单册使用。")
            continue
        for key in keys:
            seen_keys[key] = len(plan)
        seen_barcodes.update(s.barcode for s in pending.items)
        plan.append((pending, action, match_id))
    try:
        with transaction.atomic():
            _apply(plan, context, summary)
    except DatabaseError:
        for entry in plan:
            try:
                with transaction.atomic():
                    _apply([entry], context, summary)
            except DatabaseError as error:
                summary.fail(
                    entry[0].position, "DATABASE_ERROR", f"写入失败：{type(error).__name__}"
                )


def _apply(
    plan: list[tuple[Pending, str, int | None]], context: _Context, summary: ImportSummary
) -> None:
    created, merged, items = 0, 0, 0
    new_records = [
        (pending, fill_record(Record(), pending.flavour, pending.utf8, pending.bib))
        for pending, action, _id in plan
        if action == "create"
    ]
    bulk_insert(Record, [record for _pending, record in new_records])
    created = len(new_records)
    overlays = [(pending, record_id) for pending, action, record_id in plan if action == "overlay"]
    overlaid: list[tuple[Pending, Record]] = []
    if overlays:
        by_id = Record.objects.select_for_update().in_bulk([rid for _p, rid in overlays])
        for pending, record_id in overlays:
            record = fill_record(by_id[record_id], pending.flavour, pending.utf8, pending.bib)
            record.save()
            overlaid.append((pending, record))
        RecordIsbn.objects.filter(record_id__in=[rid for _p, rid in overlays]).delete()
        merged = len(overlaid)
    everything = new_records + overlaid
    bulk_insert(
        RecordIsbn,
        [
            RecordIsbn(record_id=record.pk, isbn13=isbn)
            for _p, record in everything
            for isbn in record.isbns
        ],
    )
    index_records([record for _pending, record in everything])
    new_items = [
        item for pending, record in everything for item in _build_items(record, pending, context)
    ]
    bulk_insert(Item, new_items)
    items = len(new_items)
    summary.created += created
    summary.merged += merged
    summary.items_created += items


ProgressCallback = Callable[[int, int, int], None]  # (records read, bytes read, total bytes)


def import_marc(
    path: Path,
    options: ImportOptions,
    *,
    actor: Actor,
    progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Import a MARC file; returns the summary. Raises ValidationFailed for bad options and
    MarcError when the file as a whole cannot be read (e.g. malformed XML)."""
    actor.require_anywhere(Perm.CATALOG_EDIT)
    options.validate()
    context = _Context(options)
    if options.owning_org and context.default_org is None:
        raise ValidationFailed(
            f"--owning-org：单位 {options.owning_org} 不存在。",
            fields={"owning_org": options.owning_org},
        )
    summary = ImportSummary()
    started = time.monotonic()
    total = path.stat().st_size
    statistics = StatisticsUpkeep(first=options.chunk_size)
    with path.open("rb") as stream, batch_settings():
        chunk: list[Pending] = []
        for pending in _read(stream, options, context, summary):
            chunk.append(pending)
            if len(chunk) >= options.chunk_size:
                _write_chunk(chunk, options, context, summary)
                statistics.written(summary.created + summary.merged)
                chunk = []
                if progress:
                    progress(summary.read, stream.tell(), total)
        if chunk:
            _write_chunk(chunk, options, context, summary)
        if progress:
            progress(summary.read, total, total)
    summary.seconds = time.monotonic() - started
    with transaction.atomic():
        audit_record(
            actor,
            "catalog.import",
            changes={"file": path.name, "options": vars(options), **summary.as_dict()},
        )
    return summary
