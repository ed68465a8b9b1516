"""Holds API: the contract of the holds issue and who may call it."""

import pytest

from wenjin.catalog.models import Item
from wenjin.circulation import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(make_staff, api_client):
    return api_client(make_staff("desk", "desk_staff", "YX"))


def test_place_list_pull_shelf_and_cancel(desk, items, make_reader, system):
    reader = make_reader()
    record_id = Item.objects.get(barcode="B1").record_id
    placed = desk.post(
        "/api/v1/holds",
        {"patron_barcode": reader.barcode, "record_id": record_id, "pickup_org_code": "YX-DS"},
        content_type="application/json",
    )
    assert placed.status_code == 201, placed.content
    body = placed.json()
    assert body["position"] == 1 and body["target_item_barcode"] == "B5"
    mine = desk.get(f"/api/v1/patrons/{reader.barcode}/holds").json()
    assert mine["count"] == 1 and mine["results"][0]["pickup_org_code"] == "YX-DS"
    pulls = desk.get("/api/v1/org-units/YX-DS/pull-list").json()
    assert [p["copy_barcode"] for p in pulls["results"]] == ["B5"]
    services.checkin(actor=system, item_barcode="B5", org_code="YX-DS")  # fetched and scanned
    shelf = desk.get("/api/v1/org-units/YX-DS/hold-shelf").json()
    assert shelf["results"][0]["status"] == "ready" and shelf["results"][0]["expires_on"]
    assert desk.delete(f"/api/v1/holds/{body['hold_id']}").status_code == 204
    assert desk.get("/api/v1/org-units/YX-DS/hold-shelf").json()["count"] == 0
    assert desk.delete(f"/api/v1/holds/{body['hold_id']}").status_code == 409


def test_item_level_hold_and_bad_requests(desk, items, make_reader):
    reader = make_reader()
    placed = desk.post(
        "/api/v1/holds",
        {"patron_barcode": reader.barcode, "item_barcode": "B3", "pickup_org_code": "YX-GT"},
        content_type="application/json",
    )
    assert placed.status_code == 201 and placed.json()["target_item_barcode"] == "B3"
    both = desk.post(
        "/api/v1/holds",
        {
            "patron_barcode": reader.barcode,
            "item_barcode": "B3",
            "record_id": 1,
            "pickup_org_code": "YX-GT",
        },
        content_type="application/json",
    )
    assert both.status_code == 400
    unknown = desk.post(
        "/api/v1/holds",
        {"patron_barcode": reader.barcode, "item_barcode": "NOPE", "pickup_org_code": "YX-GT"},
        content_type="application/json",
    )
    assert unknown.status_code == 404


def test_pull_lists_are_scoped(items, make_staff, api_client):
    haizhu = api_client(make_staff("hz", "desk_staff", "HZ"))
    assert haizhu.get("/api/v1/org-units/YX-DS/pull-list").status_code == 403
    assert haizhu.get("/api/v1/org-units/HZ-A/pull-list").status_code == 200
