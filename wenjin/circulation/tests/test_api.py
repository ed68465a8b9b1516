"""Circulation API: the contract of the circulation issue, its refusals and permissions."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from wenjin.circulation import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(make_staff, api_client):
    return api_client(make_staff("desk", "desk_staff", "YX"))


def post(client, path, body):
    return client.post(f"/api/v1{path}", body, content_type="application/json")


def test_checkout_checkin_and_the_routing_contract(desk, items, reader):
    lent = post(
        desk,
        "/circulation/checkout",
        {"item_barcode": "B1", "patron_barcode": reader.barcode, "org_code": "YX-DS"},
    )
    assert lent.status_code == 201, lent.content
    body = lent.json()
    assert {"loan_id", "due_date", "rule"} <= set(body) and body["renewed"] is False
    assert body["rule"]["name"] == "图书（默认）" and body["rule"]["fee_per_day"] == "0.10"
    again = post(
        desk,
        "/circulation/checkout",
        {"item_barcode": "B1", "patron_barcode": reader.barcode, "org_code": "YX-DS"},
    )
    assert again.status_code == 200 and again.json()["renewed"] is True
    loans = desk.get(f"/api/v1/patrons/{reader.barcode}/loans").json()
    assert loans["count"] == 1 and loans["results"][0]["item_barcode"] == "B1"
    assert loans["results"][0]["renewals"] == 1
    returned = post(desk, "/circulation/checkin", {"item_barcode": "B1", "org_code": "YX-DS"})
    assert returned.status_code == 200
    assert returned.json() | {"loan_id": None} == {
        "item_status": "in_transit",
        "destination_org_code": "YX-GT",
        "fee_charged": "0.00",
        "loan_id": None,
        "routing": "transit",
        "hold_id": None,
        "found": False,
    }
    incoming = desk.get("/api/v1/org-units/YX-GT/transits?direction=incoming").json()
    assert [t["item_barcode"] for t in incoming["results"]] == ["B1"]
    received = post(desk, "/transits/receive", {"item_barcode": "B1", "org_code": "YX-GT"})
    assert received.json() == {
        "item_status": "available",
        "destination_org_code": "YX-GT",
        "rerouted": False,
    }


def test_renew_contract(desk, items, reader):
    post(
        desk,
        "/circulation/checkout",
        {"item_barcode": "B1", "patron_barcode": reader.barcode, "org_code": "YX-GT"},
    )
    renewed = post(
        desk, "/circulation/renew", {"item_barcode": "B1", "patron_barcode": reader.barcode}
    )
    assert renewed.status_code == 200 and renewed.json()["renewals"] == 1
    used = post(
        desk, "/circulation/renew", {"item_barcode": "B1", "patron_barcode": reader.barcode}
    )
    assert used.status_code == 409
    error = used.json()["error"]
    assert error["code"] == "RENEWALS_USED" and error["details"]["overridable"] is True


def test_refusals_are_409_with_the_check_and_the_rule(desk, items, make_reader):
    first, second = make_reader(), make_reader()
    body = {"item_barcode": "B1", "org_code": "YX-GT"}
    post(desk, "/circulation/checkout", body | {"patron_barcode": first.barcode})
    refused = post(desk, "/circulation/checkout", body | {"patron_barcode": second.barcode})
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "ITEM_ON_LOAN" and error["details"]["rule"]["loan_days"] == 31
    assert error["details"]["check"] == "ITEM_ON_LOAN"


def test_unknown_barcodes_are_404_and_bad_bodies_400(desk, items, reader):
    missing = post(
        desk,
        "/circulation/checkout",
        {"item_barcode": "NOPE", "patron_barcode": reader.barcode, "org_code": "YX-GT"},
    )
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ITEM_NOT_FOUND"
    unknown_reader = post(
        desk,
        "/circulation/checkout",
        {"item_barcode": "B1", "patron_barcode": "2000", "org_code": "YX-GT"},
    )
    assert unknown_reader.status_code == 404
    assert post(desk, "/circulation/checkin", {"item_barcode": "B1"}).status_code == 400
    assert (
        post(
            desk, "/circulation/checkin", {"item_barcode": "NOPE", "org_code": "YX-GT"}
        ).status_code
        == 404
    )


def test_permissions(items, reader, make_staff, api_client):
    anonymous = api_client(None)
    body = {"item_barcode": "B1", "patron_barcode": reader.barcode, "org_code": "YX-GT"}
    assert post(anonymous, "/circulation/checkout", body).status_code == 401
    other_district = api_client(make_staff("hz", "desk_staff", "HZ"))
    forbidden = post(other_district, "/circulation/checkout", body)
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "FORBIDDEN"
    cataloguer = api_client(make_staff("cat", "cataloguer", "YX"))
    assert cataloguer.get(f"/api/v1/patrons/{reader.barcode}/loans").status_code == 403


def test_the_openapi_document_shows_the_contract(desk):
    paths = desk.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/circulation/checkout",
        "/api/v1/circulation/checkin",
        "/api/v1/circulation/renew",
        "/api/v1/transits/receive",
        "/api/v1/patrons/{barcode}/loans",
    ):
        assert path in paths, path
    assert {"201", "200", "409", "404"} <= set(
        paths["/api/v1/circulation/checkout"]["post"]["responses"]
    )


def test_stale_transits_report(desk, items, reader, system, make_staff, api_client):
    long_ago = datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    services.checkout(
        actor=system,
        item_barcode="B1",
        patron_barcode=reader.barcode,
        org_code="YX-GT",
        at=long_ago,
    )
    services.checkin(actor=system, item_barcode="B1", org_code="HZ-A", at=long_ago)
    report = desk.get("/api/v1/transits/stale").json()
    assert report["count"] == 1
    row = report["results"][0]
    assert (row["item_barcode"], row["to_org_code"]) == ("B1", "YX-GT")
    assert row["days_in_transit"] > 7
    cataloguer = api_client(make_staff("cat", "cataloguer", "YX"))
    assert cataloguer.get("/api/v1/transits/stale").status_code == 403
