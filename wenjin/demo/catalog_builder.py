"""Demo catalogue: shelving locations with floor plans, real LC records and generated
Chinese records, and copies spread over the branches the way a district library holds
them (English books at 光塔, children's books at the children's library, some braille
and audiovisual items). Records and copies go in through the MARC importer, as holdings
fields, so the demo exercises the same path as a real migration."""

from __future__ import annotations

import itertools
import random
import tempfile
from collections import defaultdict
from pathlib import Path

import pymarc

from wenjin.accounts.actor import Actor
from wenjin.catalog import services as catalog
from wenjin.catalog.importer import ImportOptions, import_marc
from wenjin.catalog.models import Location
from wenjin.catalog.policies import shelf_holds
from wenjin.demo.chinese_records import generate_cnmarc
from wenjin.lib.clc import CLC_TOP_CLASSES, DEFAULT_LCC_TO_CLC
from wenjin.lib.marc.mapping import map_record
from wenjin.lib.marc.reader import decode, iter_iso2709
from wenjin.network.models import OrgUnit

LC_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "lc-books-sample.mrc"
# (take every Nth LC fixture record, 0 for none; generated Chinese records) by size.
CATALOG_SIZES = {"full": (1, 4000), "tiny": (40, 120), "none": (0, 0)}
HOLDING_KINDS = ("district_main", "branch", "special_branch", "children_library")
SMALL_HOLDING_KINDS = ("service_point", "self_service_library", "lending_atm")
CLASSES = list(CLC_TOP_CLASSES)


def _shelf_ranges(count: int) -> list[tuple[str, str]]:
    """Split the 22 CLC top classes over ``count`` shelves, in order."""
    ranges = []
    for index in range(count):
        first = CLASSES[index * len(CLASSES) // count]
        last = CLASSES[max((index + 1) * len(CLASSES) // count - 1, index * len(CLASSES) // count)]
        ranges.append((first, f"{last}99"))
    return ranges


def build_locations(actor: Actor, units: list[OrgUnit]) -> None:
    """A plausible floor plan per unit: floors → areas → shelves (→ layers at the larger
    libraries), with call-number ranges and positions in decimetres."""
    for unit in units:
        floors = {"district_main": 3, "children_library": 2}.get(unit.kind, 1)
        with_layers = unit.kind in ("district_main", "children_library") or unit.code == "YX-GT"
        if unit.kind in SMALL_HOLDING_KINDS:
            shelf = catalog.location_create(
                actor=actor,
                org_code=unit.code,
                kind="shelf",
                code="S1",
                name="书架",
                call_number_from="A",
                call_number_to="Z99",
                geometry=(10, 10, 20, 5),
            )
            continue
        for floor_number in range(1, floors + 1):
            floor = catalog.location_create(
                actor=actor,
                org_code=unit.code,
                kind="floor",
                code=f"F{floor_number}",
                name=f"{floor_number}楼",
                sort_order=floor_number,
            )
            for area_index, area_letter in enumerate("AB"):
                area = catalog.location_create(
                    actor=actor,
                    org_code=unit.code,
                    kind="area",
                    code=f"F{floor_number}-{area_letter}",
                    name=f"{area_letter}区",
                    parent_id=floor.pk,
                    geometry=(20 + area_index * 220, 20, 200, 260),
                    sort_order=area_index,
                )
                for shelf_index, (first, last) in enumerate(_shelf_ranges(6)):
                    shelf = catalog.location_create(
                        actor=actor,
                        org_code=unit.code,
                        kind="shelf",
                        code=f"F{floor_number}-{area_letter}-{shelf_index + 1:02d}",
                        name=f"第{shelf_index + 1}排",
                        parent_id=area.pk,
                        call_number_from=first,
                        call_number_to=last,
                        geometry=(40 + area_index * 220, 40 + shelf_index * 40, 160, 8),
                        sort_order=shelf_index,
                    )
                    if with_layers:
                        for layer in range(1, 6):
                            catalog.location_create(
                                actor=actor,
                                org_code=unit.code,
                                kind="layer",
                                code=f"{shelf.code}-{layer}",
                                name=f"第{layer}层",
                                parent_id=shelf.pk,
                                call_number_from=first,
                                call_number_to=last,
                                sort_order=layer,
                            )


class _Shelver:
    """Chooses the shelf (or layer) of a unit whose call-number range holds a call number."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.by_unit: dict[int, list[Location]] = defaultdict(list)
        has_children = set(
            Location.objects.filter(parent__isnull=False).values_list("parent_id", flat=True)
        )
        for location in Location.objects.filter(kind__in=("shelf", "layer")).order_by("pk"):
            if location.pk not in has_children:
                self.by_unit[location.org_unit_id].append(location)

    def code_for(self, unit: OrgUnit, call_number: str) -> str:
        candidates = [
            loc
            for loc in self.by_unit.get(unit.pk, ())
            if shelf_holds(call_number, loc.call_number_from, loc.call_number_to)
        ]
        return self.rng.choice(candidates).code if candidates else ""


class _Holdings:
    """Decides which units own copies of a record, and numbers barcodes and call numbers."""

    def __init__(self, rng: random.Random, units: dict[str, OrgUnit]) -> None:
        self.rng = rng
        self.units = units
        self.branches = [
            u for u in units.values() if u.kind == "branch" and u.code.startswith("YX-")
        ]
        self.haizhu = [u for u in units.values() if u.code.startswith("HZ")]
        self.small = [
            u for u in units.values() if u.kind in SMALL_HOLDING_KINDS and u.code.startswith("YX")
        ]
        self.serial = 0
        self.book_numbers: dict[str, int] = defaultdict(int)
        self.shelver = _Shelver(rng)

    def owners(self, language: str, children: bool) -> list[OrgUnit]:
        rng, units = self.rng, self.units
        if language not in ("chi", ""):
            owners = [units["YX-GT"] if rng.random() < 0.7 else units["YX"]]
            if rng.random() < 0.3:
                owners.append(units["YX-GT"])
            return owners
        if children:
            pool = [units["YX-SE"]] * 5 + [units["YX-KQ"]] * 3 + self.branches[:4]
            return [rng.choice(pool) for _ in range(rng.randint(1, 3))]
        owners = []
        if rng.random() < 0.5:
            owners.append(units["YX"])
        owners += rng.sample(self.branches, rng.randint(0, 2))
        if rng.random() < 0.15:
            owners.append(rng.choice(self.haizhu))
        if rng.random() < 0.05:
            owners.append(rng.choice(self.small))
        return owners or [units["YX"]]

    def copy(self, unit: OrgUnit, clc: str) -> tuple[str, str, str, str]:
        """(barcode, class part, book number, location code) for a new copy at ``unit``."""
        self.serial += 1
        district = "44020" if unit.code.startswith("HZ") else "44010"
        barcode = f"{district}{self.serial:07d}"
        if not clc:
            return barcode, "", "", ""
        self.book_numbers[clc] += 1
        book_number = str(self.book_numbers[clc])
        location = self.shelver.code_for(unit, f"{clc}/{book_number}")
        return barcode, clc, book_number, location


def _with_holdings(record: pymarc.Record, flavour: str, holdings: _Holdings) -> pymarc.Record:
    bib = map_record(record, flavour, DEFAULT_LCC_TO_CLC)
    for existing in record.get_fields("852", "905"):  # the source library's own holdings
        record.remove_field(existing)
    for unit in holdings.owners(bib.language, bib.is_children):
        barcode, class_part, book_number, location = holdings.copy(unit, bib.clc)
        price = f"{holdings.rng.randint(18, 128)}.00"
        if flavour == "marc21":
            codes = [
                ("a", unit.code),
                ("b", location),
                ("h", class_part),
                ("i", book_number),
                ("p", barcode),
                ("9", price),
            ]
            tag = "852"
        else:
            codes = [
                ("a", unit.code),
                ("b", barcode),
                ("c", location),
                ("d", class_part),
                ("e", book_number),
                ("9", price),
            ]
            tag = "905"
        record.add_ordered_field(
            pymarc.Field(
                tag=tag,
                indicators=pymarc.Indicators(" ", " "),
                subfields=[pymarc.Subfield(code, value) for code, value in codes if value],
            )
        )
    return record


def _vary_material(record: pymarc.Record, rng: random.Random) -> pymarc.Record:
    """Make a few generated records audiovisual, periodicals or braille."""
    roll = rng.random()
    leader = str(record.leader)
    if roll < 0.03:
        record.leader = pymarc.Leader(leader[:6] + "g" + leader[7:])  # video
    elif roll < 0.05:
        record.leader = pymarc.Leader(leader[:6] + "i" + leader[7:])  # sound recording
    elif roll < 0.07:
        record.leader = pymarc.Leader(leader[:7] + "s" + leader[8:])  # periodical
    elif roll < 0.09:
        for field in record.get_fields("106"):
            record.remove_field(field)
        record.add_ordered_field(
            pymarc.Field(
                tag="106",
                indicators=pymarc.Indicators(" ", " "),
                subfields=[pymarc.Subfield("a", "f")],
            )
        )
    return record


def build_catalog(actor: Actor, rng: random.Random, size: str = "full") -> dict[str, int]:
    """Locations, records and items; returns counts. ``size``: full, tiny (for tests) or
    none (locations only)."""
    lc_step, chinese_count = CATALOG_SIZES[size]
    units = {unit.code: unit for unit in OrgUnit.objects.order_by("code")}
    holding_units = [
        u
        for u in units.values()
        if u.code.startswith(("YX", "HZ")) and u.kind in HOLDING_KINDS + SMALL_HOLDING_KINDS
    ]
    build_locations(actor, holding_units)
    holdings = _Holdings(rng, units)
    counts = {}
    with tempfile.TemporaryDirectory() as scratch:
        lc_path = Path(scratch) / "lc.mrc"
        with LC_FIXTURE.open("rb") as source, lc_path.open("wb") as out:
            for raw in itertools.islice(iter_iso2709(source), 0, None, lc_step) if lc_step else ():
                decoded = decode(raw.data)
                out.write(_with_holdings(decoded.record, "marc21", holdings).as_marc())
        summary = import_marc(lc_path, ImportOptions(items_from="852"), actor=actor)
        counts["lc_records"] = summary.created
        chinese_path = Path(scratch) / "chinese.mrc"
        with chinese_path.open("wb") as out:
            for record in generate_cnmarc(rng, chinese_count):
                record = _vary_material(record, rng)
                out.write(_with_holdings(record, "cnmarc", holdings).as_marc())
        chinese = import_marc(chinese_path, ImportOptions(items_from="905"), actor=actor)
        counts["chinese_records"] = chinese.created
        counts["items"] = summary.items_created + chinese.items_created
    return counts
