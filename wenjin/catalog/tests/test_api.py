"""Catalogue API: a record with its items, its MARC in three forms, one item."""

import pymarc
import pytest

from wenjin.catalog.services import items_add, location_create, record_save_fields
from wenjin.lib.marc.reader import decode


@pytest.fixture
def record(tree, system):
    record = record_save_fields(
        actor=system,
        values={
            "title": "岭南文化十讲",
            "authors": ["张伟"],
            "isbns": ["9787218123455"],
            "clc": "K296.5",
        },
    )
    floor = location_create(actor=system, org_code="YX-GT", kind="floor", code="F3", name="3楼")
    shelf = location_create(
        actor=system,
        org_code="YX-GT",
        kind="shelf",
        code="F3-12",
        name="第12排",
        parent_id=floor.pk,
    )
    items_add(
        actor=system,
        record_id=record.pk,
        owning_org_code="YX-GT",
        barcodes=["A1"],
        location_id=shelf.pk,
        call_number="K296.5/1",
    )
    return record


def test_record_with_items(record, client):
    body = client.get(f"/api/v1/records/{record.pk}").json()
    assert body["title"] == "岭南文化十讲" and body["authors"] == ["张伟"]
    assert (
        body["isbns"] == ["978-7-218-12345-5"]
        and body["clc_top"] == "K"
        and body["marc_format"] == "cnmarc"
    )
    (item,) = body["items"]
    assert item == {
        "barcode": "A1",
        "owning_org": "YX-GT",
        "current_org": "YX-GT",
        "location": "F3-12",
        "location_label": "3楼 第12排",
        "call_number": "K296.5/1",
        "volume": "",
        "material_type": "book",
        "status": "available",
        "in_network_scheme": True,
        "is_children": False,
        "is_braille": False,
        "is_rare": False,
        "language": "chi",
        "price": None,
        "acquired_on": item["acquired_on"],
    }


def test_marc_in_three_forms(record, client):
    as_json = client.get(f"/api/v1/records/{record.pk}/marc").json()
    assert as_json["leader"] and any("200" in field for field in as_json["fields"])
    xml = client.get(f"/api/v1/records/{record.pk}/marc?format=marcxml")
    assert xml["Content-Type"].startswith("application/marcxml+xml")
    (parsed,) = pymarc.parse_xml_to_array(__import__("io").BytesIO(xml.content))
    assert parsed["200"]["a"] == "岭南文化十讲"
    iso = client.get(f"/api/v1/records/{record.pk}/marc?format=iso2709")
    assert iso["Content-Type"] == "application/marc"
    assert decode(iso.content).record["200"]["a"] == "岭南文化十讲"
    bad = client.get(f"/api/v1/records/{record.pk}/marc?format=pdf")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "VALIDATION_ERROR"


def test_missing_things_are_404(db, client):
    assert client.get("/api/v1/records/999").json()["error"]["code"] == "RECORD_NOT_FOUND"
    assert client.get("/api/v1/records/999/marc").status_code == 404
    assert client.get("/api/v1/items/NOPE").json()["error"]["code"] == "ITEM_NOT_FOUND"


def test_item_by_barcode(record, client):
    assert client.get("/api/v1/items/A1").json()["location_label"] == "3楼 第12排"
