"""Desk pages: a whole checkout and checkin round by form posts only (what a keyboard or
a barcode scanner sends), refusals with their explanation, overrides, permissions."""

import pytest

from wenjin.catalog.models import Item
from wenjin.circulation import services
from wenjin.circulation.models import Loan
from wenjin.patrons.models import Card

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(staff_client):
    return staff_client("desk", "desk_staff", "YX-GT")


def test_scan_a_card_then_items_then_finish(desk, items, reader):
    page = desk.get("/staff/desk/")
    assert page.status_code == 200 and b'id="scan-card"' in page.content
    assert b"autofocus" in page.content
    desk.post("/staff/desk/", {"action": "card", "card": reader.barcode})
    page = desk.get("/staff/desk/")
    assert (
        b'id="scan-item"' in page.content
        and reader.barcode.encode() not in page.request["PATH_INFO"].encode()
    )
    response = desk.post("/staff/desk/", {"action": "item", "item": "B1"}, follow=True)
    text = response.content.decode()
    assert "岭南文化十讲" in text and "图书（默认）" in text
    assert Loan.objects.filter(item__barcode="B1", returned_at=None).exists()
    # The same item again is a renewal; an unknown one a clear refusal.
    assert (
        "ITEM_NOT_FOUND"
        in desk.post(
            "/staff/desk/", {"action": "item", "item": "ZZZ"}, follow=True
        ).content.decode()
    )
    renewed = desk.post("/staff/desk/", {"action": "renew", "item": "B1"}, follow=True)
    assert Loan.objects.get().renewals == 1 and renewed.status_code == 200
    desk.post("/staff/desk/", {"action": "done"})
    assert b'id="scan-card"' in desk.get("/staff/desk/").content


def test_an_unknown_card_is_refused_on_the_page(desk, items):
    page = desk.post("/staff/desk/", {"action": "card", "card": "2999"}, follow=True)
    assert "PATRON_NOT_FOUND" in page.content.decode()


def test_a_refusal_offers_an_override_only_to_those_allowed(staff_client, items, make_reader):
    second = make_reader()
    Card.objects.filter(pk=second.pk).update(expires_on="2020-01-01")
    desk = staff_client("desk", "desk_staff", "YX-GT")
    desk.post("/staff/desk/", {"action": "card", "card": second.barcode})
    refused = desk.post(
        "/staff/desk/", {"action": "item", "item": "B1"}, follow=True
    ).content.decode()
    assert "CARD_EXPIRED" in refused and 'name="overrides"' not in refused
    director = staff_client("dir", "branch_director", "YX-GT")
    director.post("/staff/desk/", {"action": "card", "card": second.barcode})
    refused = director.post(
        "/staff/desk/", {"action": "item", "item": "B1"}, follow=True
    ).content.decode()
    assert 'name="overrides"' in refused
    director.post(
        "/staff/desk/",
        {"action": "override", "item": "B1", "overrides": "CARD_EXPIRED", "reason": "当场续证"},
    )
    assert Loan.objects.get().override_reason == "当场续证"


def test_checkin_page_prints_a_routing_slip(desk, items, reader, system):
    services.checkout(
        actor=system, item_barcode="B5", patron_barcode=reader.barcode, org_code="YX-GT"
    )
    slip = desk.post("/staff/desk/checkin/", {"item": "B5"}, follow=True).content.decode()
    assert "YX-DS" in slip and Item.objects.get(barcode="B5").status == "in_transit"
    transits = desk.get("/staff/desk/transits/").content.decode()
    assert "B5" in transits


def test_transit_receipt_on_the_page(staff_client, items, reader, system):
    services.checkout(
        actor=system, item_barcode="B5", patron_barcode=reader.barcode, org_code="YX-GT"
    )
    services.checkin(actor=system, item_barcode="B5", org_code="YX-GT")
    ds_desk = staff_client("ds", "desk_staff", "YX-DS")
    page = ds_desk.post("/staff/desk/transits/", {"item": "B5"}, follow=True).content.decode()
    assert Item.objects.get(barcode="B5").status == "available" and "B5" in page


def test_staff_without_the_desk_role_get_404(staff_client):
    cataloguer = staff_client("cat", "cataloguer", "YX-GT")
    assert cataloguer.get("/staff/desk/").status_code == 404


def test_the_rules_page_lists_the_matrix_in_winning_order(desk, tree):
    page = desk.get("/staff/desk/rules/").content.decode()
    order = [
        page.index(f'<th scope="row">{name}')
        for name in ("家庭证：期刊", "期刊", "善本", "图书（默认）")
    ]
    assert order == sorted(order)
