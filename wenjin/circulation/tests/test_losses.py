"""Lost, claimed-returned and damaged items: their fees, and the reversal when a lost item
is found and returned."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from wenjin.catalog.models import Item, ItemStatus
from wenjin.circulation import selectors, services
from wenjin.circulation.models import CirculationSettings, Fee, Loan, Payment
from wenjin.circulation.services import fees, losses
from wenjin.lib.errors import Conflict, ValidationFailed
from wenjin.patrons.models import CreditEvent, Patron

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = Decimal


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def lend(system, barcode, card, org="YX-GT", day=date(2026, 3, 2)):
    return services.checkout(
        actor=system, item_barcode=barcode, patron_barcode=card.barcode, org_code=org, at=at(day)
    ).loan


def lose(system, barcode, day, org="YX-GT"):
    return losses.item_declare_lost(
        actor=system, item_barcode=barcode, org_code=org, note="读者报失", at=at(day)
    )


def fees_of(card) -> dict[str, tuple[str, Decimal, Decimal]]:
    return {f.kind: (f.status, f.amount, f.balance) for f in Fee.objects.filter(patron=card.patron)}


def score(card) -> int:
    return Patron.objects.get(pk=card.patron_id).credit_score


def test_a_lost_item_costs_its_price_a_processing_fee_and_the_overdue_fee(system, items, reader):
    Item.objects.filter(barcode="B5").update(price=D("36.80"))
    lend(system, "B5", reader)  # owned by YX-DS, due 2026-04-02
    before = score(reader)
    result = lose(system, "B5", date(2026, 4, 12), org="HZ-A")
    assert result.overdue_fee == D("1.00")
    assert fees_of(reader) == {
        "overdue": ("open", D("1.00"), D("1.00")),
        "lost": ("open", D("36.80"), D("36.80")),
        "processing": ("open", D("5.00"), D("5.00")),
    }
    assert set(Fee.objects.values_list("owed_to__code", flat=True)) == {"YX-DS"}
    loan = Loan.objects.get()
    assert (loan.closed_as, loan.returned_at is not None) == ("lost", True)
    assert Item.objects.get(barcode="B5").status == ItemStatus.LOST
    assert score(reader) < before
    assert CreditEvent.objects.filter(patron=reader.patron, reason="lost").count() == 1
    with pytest.raises(Conflict) as refused:
        lose(system, "B5", date(2026, 4, 13))
    assert refused.value.code == "NOT_ON_LOAN"


def test_an_item_without_a_price_costs_the_default(system, items, reader):
    lend(system, "B1", reader)
    lose(system, "B1", date(2026, 3, 20))
    assert fees_of(reader)["lost"][1] == D("50.00")
    assert "overdue" not in fees_of(reader)


def test_found_before_payment_cancels_the_replacement_but_not_processing(system, items, reader):
    lend(system, "B1", reader)
    lose(system, "B1", date(2026, 3, 20))
    after_loss = score(reader)
    result = services.checkin(
        actor=system, item_barcode="B1", org_code="YX-DS", at=at(date(2026, 5, 1))
    )
    assert result.was_found and result.item_status == "in_transit"
    assert fees_of(reader) == {
        "lost": ("cancelled", D("50.00"), D("0.00")),
        "processing": ("open", D("5.00"), D("5.00")),
    }
    assert score(reader) > after_loss
    assert not Payment.objects.exists()
    assert selectors.debt_of(reader.patron) == D("5.00")


def test_found_after_payment_refunds_what_was_paid_for_the_replacement(system, items, reader):
    lend(system, "B1", reader)
    lose(system, "B1", date(2026, 3, 20))
    fees.payment_take(
        actor=system,
        patron=reader.patron,
        amount="55.00",
        method="wechat",
        reference="WX20260321000001",
        org_code="YX-GT",
    )
    assert selectors.debt_of(reader.patron) == D("0.00")
    services.checkin(actor=system, item_barcode="B1", org_code="YX-GT", at=at(date(2026, 4, 1)))
    refund = Payment.objects.get(amount__lt=0)
    assert (refund.amount, refund.method, refund.org_unit.code) == (D("-50.00"), "wechat", "YX-GT")
    assert fees_of(reader)["lost"] == ("cancelled", D("50.00"), D("0.00"))
    assert fees_of(reader)["processing"] == ("paid", D("5.00"), D("0.00"))
    # Found again later (it was not lost again): nothing more is refunded.
    services.checkin(actor=system, item_barcode="B1", org_code="YX-GT", at=at(date(2026, 4, 2)))
    assert Payment.objects.filter(amount__lt=0).count() == 1


def test_no_reversal_when_the_network_keeps_the_replacement_fee(system, items, reader):
    CirculationSettings.objects.update(refund_when_found=False)
    selectors.clear_caches()
    lend(system, "B1", reader)
    lose(system, "B1", date(2026, 3, 20))
    services.checkin(actor=system, item_barcode="B1", org_code="YX-GT", at=at(date(2026, 4, 1)))
    assert fees_of(reader)["lost"] == ("open", D("50.00"), D("50.00"))


def test_a_claim_of_return_stops_fees_and_the_overdue_block(system, items, reader):
    lend(system, "B1", reader)  # due 2026-04-02
    with pytest.raises(ValidationFailed) as refused:
        losses.loan_claim_returned(actor=system, item_barcode="B1", org_code="YX-GT", note="")
    assert refused.value.code == "NOTE_REQUIRED"
    losses.loan_claim_returned(
        actor=system,
        item_barcode="B1",
        org_code="YX-GT",
        note="读者称4月5日还到还书箱",
        at=at(date(2026, 4, 7)),
    )
    with pytest.raises(Conflict) as refused:
        losses.loan_claim_returned(actor=system, item_barcode="B1", org_code="YX-GT", note="again")
    assert refused.value.code == "ALREADY_CLAIMED"
    # Long after: the claimed loan does not block borrowing.
    assert lend(system, "B2", reader, day=date(2026, 6, 1)).pk
    # Found on the shelf in June: the fee counts only up to the claim (3–7 April).
    result = services.checkin(
        actor=system, item_barcode="B1", org_code="YX-GT", at=at(date(2026, 6, 2))
    )
    assert result.fee_charged == D("0.50")


def test_damage_is_charged_to_the_last_borrower(system, items, reader):
    lend(system, "B1", reader)
    services.checkin(actor=system, item_barcode="B1", org_code="YX-GT", at=at(date(2026, 3, 9)))
    with pytest.raises(ValidationFailed) as refused:
        losses.item_damage_charge(
            actor=system, item_barcode="B1", org_code="YX-GT", amount="8.00", note=""
        )
    assert refused.value.code == "NOTE_REQUIRED"
    fee = losses.item_damage_charge(
        actor=system,
        item_barcode="B1",
        org_code="YX-GT",
        amount="8.00",
        note="水渍，第3-20页",
        at=at(date(2026, 3, 10)),
    )
    assert (fee.patron_id, fee.kind, fee.amount) == (reader.patron_id, "damaged", D("8.00"))
    assert Item.objects.get(barcode="B1").status == ItemStatus.DAMAGED
    with pytest.raises(Conflict) as refused:
        losses.item_damage_charge(
            actor=system, item_barcode="B2", org_code="YX-GT", amount="8.00", note="破损"
        )
    assert refused.value.code == "NO_BORROWER"
    # Three days after the return the reader is forgotten, and can no longer be charged.
    assert losses.forget_recent_borrowers(date(2026, 3, 12)) == 0
    assert losses.forget_recent_borrowers(date(2026, 3, 13)) == 1
    Item.objects.filter(barcode="B1").update(status=ItemStatus.AVAILABLE)
    with pytest.raises(Conflict) as refused:
        losses.item_damage_charge(
            actor=system, item_barcode="B1", org_code="YX-GT", amount="8.00", note="破损"
        )
    assert refused.value.code == "NO_BORROWER"


def test_the_daily_job_declares_long_overdue_items_lost_once(system, items, reader):
    lend(system, "B1", reader)  # due 2026-04-02
    lend(system, "B2", reader)
    losses.loan_claim_returned(actor=system, item_barcode="B2", org_code="YX-GT", note="已还")
    assert losses.declare_long_overdue_lost(date(2026, 8, 1)) == 0  # off by default
    CirculationSettings.objects.update(lost_after_days=90)
    selectors.clear_caches()
    assert losses.declare_long_overdue_lost(date(2026, 6, 30)) == 0  # 89 days
    assert losses.declare_long_overdue_lost(date(2026, 7, 1)) == 1
    assert losses.declare_long_overdue_lost(date(2026, 7, 1)) == 0
    assert Item.objects.get(barcode="B1").status == ItemStatus.LOST
    assert Item.objects.get(barcode="B2").status == ItemStatus.CHECKED_OUT
    assert fees_of(reader)["overdue"] == ("open", D("9.00"), D("9.00"))
