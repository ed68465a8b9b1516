"""A small catalogue for the public pages' tests, built through the services: two titles
of 红楼梦 studies with copies on a drawn shelf at YX-GT and on loan from YX-DS, and an
English title. Plain functions (not fixtures) so each test module picks what it needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import count

from wenjin.accounts.actor import Actor
from wenjin.catalog.models import Item, Location, Record
from wenjin.catalog.services import items_add, location_create, record_save_fields
from wenjin.circulation.defaults import ensure_default_rules
from wenjin.circulation.models import CirculationSettings, LoanRule
from wenjin.circulation.services.lending import checkout
from wenjin.patrons.defaults import ensure_categories
from wenjin.patrons.models import Card, PatronCategory
from wenjin.patrons.services import register
from wenjin.patrons.tests.ids import resident_id

PIN = "802413"
_serials = count(500)


@dataclass
class Catalogue:
    novel: Record
    study: Record
    english: Record
    layer: Location
    shelf: Location
    on_shelf: Item
    on_loan: Item
    reader: Card


def make_reader(system: Actor, home: str = "YX-GT") -> Card:
    ensure_categories(PatronCategory)
    return register(
        actor=system,
        name="读者",
        identity_type="resident_id",
        identity_number=resident_id(date(1988, 3, 4), next(_serials)),
        phone="13812345678",
        home_org_code=home,
        pin=PIN,
    ).card


def build(system: Actor) -> Catalogue:
    """Needs the ``tree`` fixture's units (GZ, YX, YX-GT, YX-DS, HZ …)."""
    ensure_categories(PatronCategory)
    ensure_default_rules(LoanRule, PatronCategory, CirculationSettings)
    floor = location_create(actor=system, org_code="YX-GT", kind="floor", code="F3", name="3楼")
    area = location_create(
        actor=system,
        org_code="YX-GT",
        kind="area",
        code="F3-B",
        name="B区",
        parent_id=floor.pk,
        geometry=(20, 20, 200, 260),
    )
    location_create(
        actor=system,
        org_code="YX-GT",
        kind="area",
        code="F3-A",
        name="A区",
        parent_id=floor.pk,
        geometry=(240, 20, 200, 260),
    )
    shelf = location_create(
        actor=system,
        org_code="YX-GT",
        kind="shelf",
        code="F3-B-12",
        name="第12排",
        parent_id=area.pk,
        call_number_from="I",
        call_number_to="I99",
        geometry=(40, 120, 160, 8),
    )
    layer = location_create(
        actor=system,
        org_code="YX-GT",
        kind="layer",
        code="F3-B-12-4",
        name="第4层",
        parent_id=shelf.pk,
    )
    novel = record_save_fields(
        actor=system,
        values={
            "title": "红楼梦",
            "authors": ["曹雪芹"],
            "clc": "I242.4",
            "language": "chi",
            "year": "2005",
            "subjects": ["章回小说—中国—清代"],
        },
    )
    study = record_save_fields(
        actor=system,
        values={"title": "红楼梦人物论", "authors": ["王昆仑"], "clc": "I242.4", "language": "chi"},
    )
    english = record_save_fields(
        actor=system,
        values={"title": "The Story of the Stone", "authors": ["Cao Xueqin"], "language": "eng"},
    )
    (on_shelf,) = items_add(
        actor=system,
        record_id=novel.pk,
        owning_org_code="YX-GT",
        barcodes=["T0001"],
        location_id=layer.pk,
        call_number="I242.4/12",
    )
    (on_loan,) = items_add(
        actor=system,
        record_id=novel.pk,
        owning_org_code="YX-DS",
        barcodes=["T0002"],
        call_number="I242.4/12:2",
    )
    items_add(actor=system, record_id=study.pk, owning_org_code="HZ-A", barcodes=["T0003"])
    items_add(actor=system, record_id=english.pk, owning_org_code="YX-DS", barcodes=["T0004"])
    reader = make_reader(system)
    checkout(actor=system, item_barcode="T0002", patron_barcode=reader.barcode, org_code="YX-DS")
    on_loan.refresh_from_db()
    return Catalogue(novel, study, english, layer, shelf, on_shelf, on_loan, reader)
