"""What the public catalogue reads: a record's copies grouped by library, the shelf finder's
plan, new arrivals, similar titles and the libraries themselves. Reads only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Q

from wenjin.catalog.models import Item, ItemStatus, Location, Record
from wenjin.circulation.models import Loan
from wenjin.network.models import OrgUnit, OrgUnitStatus
from wenjin.network.selectors import OpenState, local_now, open_states
from wenjin.opac.floorplan import FloorPlan, Spot, chain_of, floor_plan

# Copies a reader can see in the catalogue: withdrawn ones are gone, and a copy still
# being catalogued is listed (readers ask about new books) but marked as such.
HIDDEN_STATUSES = (ItemStatus.WITHDRAWN,)
# Where a copy is physically on the shelves of the unit it is at; otherwise it is listed
# under the library that owns it (it returns there).
PRESENT_STATUSES = (ItemStatus.AVAILABLE, ItemStatus.ON_HOLD_SHELF, ItemStatus.IN_PROCESSING)
# Units shown as libraries to readers: lending ATMs are listed with their host's services.
PUBLIC_STATUSES = (OrgUnitStatus.OPEN, OrgUnitStatus.TEMPORARILY_CLOSED)
NEW_ARRIVALS = 8
SIMILAR_TITLES = 6


@dataclass
class Copy:
    """One copy as a reader sees it."""

    item: Item
    due_date: date | None
    location_text: str
    has_plan: bool

    @property
    def is_available(self) -> bool:
        return self.item.status == ItemStatus.AVAILABLE


@dataclass
class LibraryHoldings:
    """The copies at (or belonging to) one library, with whether it is open now."""

    unit: OrgUnit
    state: OpenState | None
    copies: list[Copy] = field(default_factory=list)

    @property
    def available(self) -> int:
        return sum(1 for copy in self.copies if copy.is_available)


def _spots(unit_ids: set[int]) -> dict[int, Spot]:
    rows = Location.objects.filter(org_unit_id__in=unit_ids).values_list(
        "pk", "parent_id", "kind", "name", "x", "y", "width", "height"
    )
    return {row[0]: Spot(*row) for row in rows}


def _drawn_under(spots: dict[int, Spot], location_id: int) -> bool:
    return any(spot.drawn for spot in chain_of(spots, location_id))


def holdings(record: Record, now: datetime | None = None) -> list[LibraryHoldings]:
    """The record's copies grouped by library: available ones first, then by network
    order. Four queries whatever the number of copies."""
    items = list(
        Item.objects.filter(record=record)
        .exclude(status__in=HIDDEN_STATUSES)
        .select_related("current_org", "owning_org")
        .order_by("owning_org__path", "call_number", "barcode")
    )
    if not items:
        return []
    due = dict(
        Loan.objects.filter(item__in=items, returned_at__isnull=True).values_list(
            "item_id", "due_date"
        )
    )
    spots = _spots({item.current_org_id for item in items})
    groups: dict[int, LibraryHoldings] = {}
    for item in items:
        unit = item.current_org if item.status in PRESENT_STATUSES else item.owning_org
        group = groups.setdefault(unit.pk, LibraryHoldings(unit, None))
        located = item.location_id is not None and item.location_id in spots
        text = (
            " ".join(spot.name for spot in chain_of(spots, item.location_id) if spot.name)
            if located
            else ""
        )
        has_plan = located and item.status in PRESENT_STATUSES
        has_plan = has_plan and _drawn_under(spots, item.location_id)
        group.copies.append(Copy(item, due.get(item.pk), text, has_plan))
    states = open_states([group.unit for group in groups.values()], now or local_now())
    for group in groups.values():
        group.state = states.get(group.unit.pk)
    return sorted(groups.values(), key=lambda g: (g.available == 0, g.unit.path))


def shelf_plan(item: Item) -> FloorPlan | None:
    """The floor plan that shows where ``item`` stands (None when it has no location)."""
    if item.location_id is None:
        return None
    return floor_plan(_spots({item.current_org_id}).values(), item.location_id)


def new_arrivals(limit: int = NEW_ARRIVALS) -> list[Record]:
    """Records of the copies added most recently and ready to lend, newest first."""
    record_ids: list[int] = []
    # Newest copies by primary key (indexed), a few pages deep to find distinct records.
    recent = (
        Item.objects.filter(status__in=(ItemStatus.AVAILABLE, ItemStatus.CHECKED_OUT))
        .order_by("-pk")
        .values_list("record_id", flat=True)[: limit * 10]
    )
    for record_id in recent:
        if record_id not in record_ids:
            record_ids.append(record_id)
        if len(record_ids) == limit:
            break
    by_id = Record.objects.defer("marc", "summary", "warnings").in_bulk(record_ids)
    return [by_id[pk] for pk in record_ids if pk in by_id]


def similar_titles(record: Record, limit: int = SIMILAR_TITLES) -> list[Record]:
    """Other records of the same CLC class (newest first), else sharing the first subject."""
    others = Record.objects.defer("marc", "summary", "warnings").exclude(pk=record.pk)
    if record.clc:
        found = list(others.filter(clc=record.clc).order_by("-year", "-pk")[:limit])
        if found:
            return found
    if record.subjects:
        from wenjin.search.selectors import search

        subject = str(record.subjects[0]).replace('"', " ")
        result = search(f'subject:"{subject}"', page_size=limit + 1, facets=False)
        return [hit.record for hit in result.hits if hit.record.pk != record.pk][:limit]
    return []


def public_units() -> list[OrgUnit]:
    """Every library a reader can visit or use, in network order."""
    return list(OrgUnit.objects.filter(status__in=PUBLIC_STATUSES).order_by("path"))


def open_now(units: list[OrgUnit], now: datetime | None = None) -> list[tuple[OrgUnit, OpenState]]:
    """The units open at this moment, each with its state (closing time)."""
    states = open_states(units, now or local_now())
    return [
        (unit, states[unit.pk]) for unit in units if unit.pk in states and states[unit.pk].is_open
    ]


@dataclass
class UnitServices:
    """What a library offers, as badges on its page."""

    self_service_24h: bool
    children: bool
    english_books: int
    items: int


def unit_services(unit: OrgUnit) -> UnitServices:
    """A library's services from its kind and what it holds (one query)."""
    counts = (
        Item.objects.filter(current_org=unit)
        .exclude(status__in=HIDDEN_STATUSES)
        .aggregate(
            items=Count("pk"),
            english=Count("pk", filter=Q(language="eng")),
            children=Count("pk", filter=Q(is_children=True)),
        )
    )
    return UnitServices(
        self_service_24h=unit.kind in ("self_service_library", "lending_atm"),
        children=unit.kind == "children_library" or counts["children"] > 0,
        english_books=counts["english"],
        items=counts["items"],
    )
