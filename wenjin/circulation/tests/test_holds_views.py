"""Desk pages for holds: place a hold from a title's queue page, fetch from the pull list
(or report it missing), the hold shelf and cancelling there."""

import pytest

from wenjin.catalog.models import Item
from wenjin.circulation import services
from wenjin.circulation.models import Hold
from wenjin.circulation.services import holds

pytestmark = pytest.mark.django_db


@pytest.fixture
def ds_desk(staff_client):
    return staff_client("ds", "desk_staff", "YX-DS")


def test_place_a_hold_then_fetch_it_from_the_pull_list(ds_desk, items, make_reader, system):
    reader = make_reader()
    record_id = Item.objects.get(barcode="B5").record_id
    page = ds_desk.post(
        f"/staff/desk/records/{record_id}/holds/",
        {"card": reader.barcode, "pickup": "YX-DS"},
        follow=True,
    )
    assert page.status_code == 200 and Hold.objects.filter(patron_id=reader.patron_id).exists()
    assert reader.barcode not in page.redirect_chain[-1][0]
    pull = ds_desk.get("/staff/desk/pull-list/").content.decode()
    assert "B5" in pull
    services.checkin(actor=system, item_barcode="B5", org_code="YX-DS")
    shelf = ds_desk.get("/staff/desk/hold-shelf/").content.decode()
    assert "B5" in shelf and "读者" in shelf
    hold = Hold.objects.get()
    ds_desk.post("/staff/desk/hold-shelf/", {"hold": hold.pk})
    assert Hold.objects.get().status == "cancelled"


def test_not_on_the_shelf_from_the_pull_list(ds_desk, items, make_reader, system):
    holds.hold_place(
        actor=system,
        patron_barcode=make_reader().barcode,
        pickup_org_code="YX-DS",
        record_id=Item.objects.get(barcode="B5").record_id,
    )
    ds_desk.post("/staff/desk/pull-list/", {"item": "B5"})
    assert Item.objects.get(barcode="B5").status == "missing"
    assert "B6" in ds_desk.get("/staff/desk/pull-list/").content.decode()


def test_the_reader_page_lists_holds_and_cancels_one(
    ds_desk, staff_client, items, make_reader, system
):
    reader = make_reader()
    hold = holds.hold_place(
        actor=system,
        patron_barcode=reader.barcode,
        pickup_org_code="YX-DS",
        record_id=Item.objects.get(barcode="B5").record_id,
    )
    page = ds_desk.get(f"/staff/readers/{reader.patron_id}/").content.decode()
    assert "岭南文化十讲" in page and f"/staff/desk/holds/{hold.pk}/cancel/" in page
    cataloguer = staff_client("cat", "cataloguer", "YX-DS")
    assert cataloguer.post(f"/staff/desk/holds/{hold.pk}/cancel/").status_code == 404
    assert Hold.objects.get().status != "cancelled"
    done = ds_desk.post(f"/staff/desk/holds/{hold.pk}/cancel/", follow=True)
    assert done.redirect_chain[-1][0] == f"/staff/readers/{reader.patron_id}/"
    assert Hold.objects.get().status == "cancelled"
    assert ds_desk.post("/staff/desk/holds/999999/cancel/").status_code == 404
