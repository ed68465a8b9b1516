"""Fees API and desk pages: the contract endpoints, their errors and permissions; a whole
payment and waiver at the desk by form posts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from wenjin.circulation import services
from wenjin.circulation.models import Fee, Payment
from wenjin.circulation.services import fees

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def desk(make_staff, api_client):
    return api_client(make_staff("desk", "desk_staff", "YX-GT"))


@pytest.fixture
def late_reader(system, items, reader):
    """A reader who brought B1 back 8 days late (¥0.80 owed) and has B2 out, overdue."""
    lent = datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)
    for barcode in ("B1", "B2"):
        services.checkout(
            actor=system,
            item_barcode=barcode,
            patron_barcode=reader.barcode,
            org_code="YX-GT",
            at=lent,
        )
    services.checkin(
        actor=system,
        item_barcode="B1",
        org_code="YX-GT",
        at=datetime(2026, 4, 10, 10, tzinfo=SHANGHAI),
    )
    return reader


def post(client, path, body):
    return client.post(f"/api/v1{path}", body, content_type="application/json")


def test_list_pay_and_see_it_settled(desk, late_reader):
    listing = desk.get(f"/api/v1/patrons/{late_reader.barcode}/fees")
    assert listing.status_code == 200
    body = listing.json()
    assert {"count", "page", "page_size", "results", "owed", "accruing"} <= set(body)
    assert body["owed"] == "0.80" and body["count"] == 1
    assert Decimal(body["accruing"]) > 0  # B2 is still out and late
    fee = body["results"][0]
    assert (fee["kind"], fee["amount"], fee["balance"], fee["status"]) == (
        "overdue",
        "0.80",
        "0.80",
        "open",
    )
    paid = post(
        desk,
        f"/patrons/{late_reader.barcode}/payments",
        {"amount": "0.50", "method": "cash", "reference": ""},
    )
    assert paid.status_code == 201, paid.content
    assert paid.json()["still_owed"] == "0.30"
    assert paid.json()["allocations"] == [{"fee_id": fee["id"], "amount": "0.50"}]
    assert Payment.objects.get().org_unit.code == "YX-GT"  # the staff member's home unit


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"amount": "-1", "method": "cash"}, 400, "AMOUNT_NOT_POSITIVE"),
        ({"amount": "100000", "method": "cash"}, 400, "AMOUNT_TOO_LARGE"),
        ({"amount": "abc", "method": "cash"}, 400, "AMOUNT_INVALID"),
        ({"amount": "0.81", "method": "cash"}, 409, "PAYMENT_MORE_THAN_OWED"),
        ({"amount": "0.80", "method": "wechat"}, 400, "REFERENCE_REQUIRED"),
        ({"amount": "0.80", "method": "gold"}, 400, "PAYMENT_METHOD_INVALID"),
        ({"method": "cash"}, 400, "VALIDATION_ERROR"),
    ],
)
def test_bad_payments_answer_the_error_shape(desk, late_reader, body, status, code):
    answer = post(desk, f"/patrons/{late_reader.barcode}/payments", body)
    assert answer.status_code == status, answer.content
    assert answer.json()["error"]["code"] == code
    assert not Payment.objects.exists()


def test_a_reference_used_twice_is_refused(desk, system, late_reader):
    fees.fee_charge(
        actor=system,
        patron=late_reader.patron,
        kind="other",
        amount="5",
        org_code="YX-GT",
        note="x",
    )
    body = {"amount": "1.00", "method": "alipay", "reference": "2026041022001"}
    assert post(desk, f"/patrons/{late_reader.barcode}/payments", body).status_code == 201
    again = post(desk, f"/patrons/{late_reader.barcode}/payments", body)
    assert again.status_code == 409 and again.json()["error"]["code"] == "REFERENCE_USED"
    assert Payment.objects.count() == 1


def test_waive_needs_a_reason_and_the_permission(make_staff, api_client, desk, late_reader):
    fee_id = Fee.objects.get().pk
    refused = post(desk, f"/fees/{fee_id}/waive", {"reason": "低保"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "FORBIDDEN"
    director = api_client(make_staff("dir", "branch_director", "YX-GT"))
    no_reason = post(director, f"/fees/{fee_id}/waive", {"reason": ""})
    assert no_reason.status_code == 400 and no_reason.json()["error"]["code"] == "REASON_REQUIRED"
    waived = post(director, f"/fees/{fee_id}/waive", {"reason": "低保户减免"})
    assert waived.status_code == 200 and waived.json()["status"] == "waived"
    missing = post(director, "/fees/999999/waive", {"reason": "x"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "FEE_NOT_FOUND"


def test_lost_claim_damage_refund_and_summary_endpoints(make_staff, api_client, desk, late_reader):
    lost = post(desk, "/circulation/lost", {"item_barcode": "B2", "note": "丢失"})
    assert lost.status_code == 200, lost.content
    assert {fee["kind"] for fee in lost.json()["fees"]} == {"lost", "processing"}
    damaged = post(
        desk, "/circulation/damaged", {"item_barcode": "B1", "amount": "3.00", "note": "污损"}
    )
    # B1 came back long ago (more than three days): no one to charge.
    assert damaged.status_code == 409 and damaged.json()["error"]["code"] == "NO_BORROWER"
    paid = post(
        desk,
        f"/patrons/{late_reader.barcode}/payments",
        {"amount": "10.00", "method": "wechat", "reference": "WX0001234567"},
    )
    payment_id = paid.json()["payment_id"]
    refused = post(desk, f"/payments/{payment_id}/refund", {"reason": "多收"})
    assert refused.status_code == 403
    director = api_client(make_staff("dir", "branch_director", "YX-GT"))
    refund = post(director, f"/payments/{payment_id}/refund", {"reason": "多收", "amount": "2.00"})
    assert refund.status_code == 201 and refund.json()["amount"] == "-2.00"
    today = date.today().isoformat()
    summary = desk.get(f"/api/v1/fees/summary?date={today}")
    assert summary.status_code == 200
    total = summary.json()["total"]
    assert total["taken"] == {"wechat": "10.00"} and total["net"] == "8.00"
    outside = api_client(make_staff("hz", "desk_staff", "HZ-A"))
    assert outside.get("/api/v1/fees/summary?org_code=YX-GT").status_code == 403
    assert outside.get("/api/v1/fees/summary").json()["total"]["net"] == "0.00"


def test_the_desk_page_takes_a_payment_and_shows_the_summary(staff_client, late_reader):
    desk = staff_client("deskweb", "desk_staff", "YX-GT")
    reader_page = desk.get(f"/staff/readers/{late_reader.patron_id}/").content.decode()
    assert "¥0.80" in reader_page and 'action="/staff/desk/fees/"' in reader_page
    page = desk.get("/staff/desk/fees/")
    assert page.status_code == 200 and b'id="scan-card"' in page.content
    desk.post("/staff/desk/fees/", {"action": "card", "card": late_reader.barcode})
    page = desk.get("/staff/desk/fees/").content.decode()
    assert "¥0.80" in page and 'id="pay-amount"' in page
    assert 'name="fee_id"' not in page  # desk staff may not waive
    bad = desk.post(
        "/staff/desk/fees/", {"action": "pay", "amount": "5", "method": "cash"}, follow=True
    )
    assert "PAYMENT_MORE_THAN_OWED" in bad.content.decode()
    done = desk.post(
        "/staff/desk/fees/", {"action": "pay", "amount": "0.80", "method": "cash"}, follow=True
    )
    assert done.status_code == 200 and Fee.objects.get().status == "paid"
    summary = desk.get("/staff/desk/fees/summary/").content.decode()
    assert "¥0.80" in summary
    director = staff_client("dirweb", "branch_director", "YX-GT")
    director.post("/staff/desk/fees/", {"action": "card", "card": late_reader.barcode})
    assert 'name="payment_id"' in director.get("/staff/desk/fees/").content.decode()


def test_settings_and_fee_free_periods_for_network_admins(make_staff, api_client, desk):
    admin = api_client(make_staff("admin", "network_admin", "GZ"))
    assert desk.get("/api/v1/circulation/settings").json()["debt_limit"] == "10.00"
    refused = client_patch(desk, "/circulation/settings", {"debt_limit": "20.00"})
    assert refused.status_code == 403
    bad = client_patch(admin, "/circulation/settings", {"lost_after_days": -1})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "INVALID_SETTINGS"
    unknown = client_patch(admin, "/circulation/settings", {"colour": "red"})
    assert unknown.status_code == 400
    changed = client_patch(
        admin, "/circulation/settings", {"debt_limit": "20.00", "lost_after_days": 90}
    )
    assert changed.status_code == 200
    assert (changed.json()["debt_limit"], changed.json()["lost_after_days"]) == ("20.00", 90)
    period = {"name": "读书月", "start": "2026-04-01", "end": "2026-04-30", "every_year": True}
    assert post(desk, "/circulation/fee-free-periods", period).status_code == 403
    backwards = post(admin, "/circulation/fee-free-periods", period | {"end": "2026-03-01"})
    assert backwards.status_code == 400
    made = post(admin, "/circulation/fee-free-periods", period)
    assert made.status_code == 201, made.content
    assert desk.get("/api/v1/circulation/fee-free-periods").json()[0]["name"] == "读书月"
    gone = admin.delete(f"/api/v1/circulation/fee-free-periods/{made.json()['id']}")
    assert gone.status_code == 204
    assert admin.delete("/api/v1/circulation/fee-free-periods/999").status_code == 404


def client_patch(client, path, body):
    return client.patch(f"/api/v1{path}", body, content_type="application/json")
