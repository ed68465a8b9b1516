"""Fees through the services: overdue fees at checkin (closed days, fee-free periods,
concessions), the debt block, payments, waivers, refunds, and the daily summary."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from wenjin.accounts.actor import Actor
from wenjin.accounts.models import AuditEntry
from wenjin.circulation import fee_selectors, selectors, services
from wenjin.circulation.models import (
    CirculationSettings,
    Fee,
    FeeAction,
    FeeFreePeriod,
    FeeStatus,
    Payment,
)
from wenjin.circulation.services import fees
from wenjin.lib.errors import Conflict, Forbidden, ValidationFailed
from wenjin.network import services as network
from wenjin.network.policies import parse_periods
from wenjin.patrons.models import Patron

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = Decimal


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def lend(system, barcode, card, org="YX-GT", day=date(2026, 3, 2)):
    return services.checkout(
        actor=system, item_barcode=barcode, patron_barcode=card.barcode, org_code=org, at=at(day)
    ).loan


def give_back(system, barcode, org="YX-GT", day=date(2026, 3, 10)):
    return services.checkin(actor=system, item_barcode=barcode, org_code=org, at=at(day))


def owe(system, card, *amounts: str) -> list[Fee]:
    """Charge the reader ``amounts`` at YX-GT, one fee each, a minute apart."""
    return [
        fees.fee_charge(
            actor=system,
            patron=card.patron,
            kind="other",
            amount=amount,
            org_code="YX-GT",
            note=f"charge {n}",
            at=at(date(2026, 3, 1), 9 + n),
        )
        for n, amount in enumerate(amounts)
    ]


def pay(actor, card, amount, method="cash", reference="", org="YX-GT", **extra):
    return fees.payment_take(
        actor=actor,
        patron=card.patron,
        amount=amount,
        method=method,
        reference=reference,
        org_code=org,
        **extra,
    )


# --- Overdue fees at checkin ------------------------------------------------------------


def test_a_late_return_leaves_a_fee_owed_to_the_owning_library(system, items, reader):
    lend(system, "B5", reader)  # owned by YX-DS, due 2026-04-02
    result = give_back(system, "B5", "HZ-A", day=date(2026, 4, 10))
    assert result.fee_charged == D("0.80")
    fee = Fee.objects.get()
    assert (fee.kind, fee.status, fee.amount, fee.balance) == (
        "overdue",
        "open",
        D("0.80"),
        D("0.80"),
    )
    assert (fee.owed_to.code, fee.charged_org.code, fee.item.barcode) == ("YX-DS", "HZ-A", "B5")
    assert selectors.debt_of(reader.patron) == D("0.80")


def test_on_time_returns_charge_nothing(system, items, reader):
    lend(system, "B1", reader)
    give_back(system, "B1", day=date(2026, 4, 2))
    assert not Fee.objects.exists()
    assert selectors.debt_of(reader.patron) == D("0.00")


def test_no_fee_for_days_the_owning_library_was_closed(system, items, reader):
    # YX-GT closes on Mondays from now on.
    network.weekly_hours_set(
        actor=system, code="YX-GT", hours={d: parse_periods("09:00-21:00") for d in range(1, 7)}
    )
    lend(system, "B1", reader, day=date(2026, 3, 3))  # due 2026-04-03 (a Friday)
    # 4 … 13 April: 10 late days, one Monday (6 April); 13 April is a Monday too.
    result = give_back(system, "B1", "YX-DS", day=date(2026, 4, 13))
    assert result.fee_charged == D("0.80")


def test_no_fee_in_a_fee_free_period(system, items, reader):
    FeeFreePeriod.objects.create(
        name="读书月", start=date(2020, 4, 1), end=date(2020, 4, 30), every_year=True
    )
    lend(system, "B1", reader)  # due 2026-04-02
    # 3 April … 5 May: only 1–5 May are charged.
    assert give_back(system, "B1", day=date(2026, 5, 5)).fee_charged == D("0.50")


def test_the_cap_and_the_concession(system, items, make_reader):
    adult, concession = make_reader(), make_reader(category="concession")
    lend(system, "B1", adult)
    lend(system, "B2", concession)
    assert give_back(system, "B1", day=date(2027, 3, 1)).fee_charged == D("10.00")
    assert give_back(system, "B2", day=date(2027, 3, 1)).fee_charged == D("0.00")
    assert Fee.objects.count() == 1


def test_accruing_fees_show_before_return(system, items, reader):
    lend(system, "B1", reader)
    lend(system, "B2", reader)
    assert fee_selectors.accruing(reader.patron, date(2026, 4, 7)) == D("1.00")
    assert fee_selectors.accruing(reader.patron, date(2026, 4, 1)) == D("0.00")


def test_debt_over_the_limit_blocks_borrowing_and_renewing(system, items, reader):
    lend(system, "B2", reader)
    owe(system, reader, "6.00", "4.50")
    with pytest.raises(services.Refused) as refused:
        lend(system, "B1", reader, day=date(2026, 3, 3))
    assert refused.value.code == "PATRON_BLOCKED"
    assert "10.50" in refused.value.message
    with pytest.raises(services.Refused):
        services.renew(
            actor=system,
            item_barcode="B2",
            patron_barcode=reader.barcode,
            org_code="YX-GT",
            at=at(date(2026, 3, 3)),
        )
    from wenjin.circulation.services.holds import hold_place

    with pytest.raises(services.Refused) as refused:
        hold_place(
            actor=system,
            patron_barcode=reader.barcode,
            pickup_org_code="YX-GT",
            item_barcode="B5",
        )
    assert refused.value.code == "PATRON_BLOCKED"
    # The network's limit is a setting, read by checkout and holds alike.
    CirculationSettings.objects.update(debt_limit=D("20.00"))
    selectors.clear_caches()
    assert lend(system, "B1", reader, day=date(2026, 3, 3)).pk
    CirculationSettings.objects.update(debt_limit=D("10.00"))
    selectors.clear_caches()
    pay(system, reader, "0.50")  # now exactly at the limit: allowed
    assert lend(system, "B3", reader, day=date(2026, 3, 3)).pk


# --- Payments ---------------------------------------------------------------------------------


def test_a_partial_payment_settles_the_oldest_fees_first(system, tree, reader):
    first, second, third = owe(system, reader, "0.80", "5.00", "2.00")
    result = pay(system, reader, "3.00")
    assert [(fee.pk, share) for fee, share in result.allocations] == [
        (first.pk, D("0.80")),
        (second.pk, D("2.20")),
    ]
    assert result.still_owed == D("4.80")
    statuses = {fee.pk: (fee.status, fee.balance) for fee in Fee.objects.all()}
    assert statuses == {
        first.pk: ("paid", D("0.00")),
        second.pk: ("open", D("2.80")),
        third.pk: ("open", D("2.00")),
    }
    assert AuditEntry.objects.filter(action="fees.payment").count() == 1


def test_a_payment_can_settle_chosen_fees(system, tree, reader):
    first, second = owe(system, reader, "1.00", "2.00")
    pay(system, reader, "2.00", fee_ids=[second.pk])
    second.refresh_from_db()
    first.refresh_from_db()
    assert (first.status, second.status) == ("open", "paid")


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("-1.00", "AMOUNT_NOT_POSITIVE"),
        ("0", "AMOUNT_NOT_POSITIVE"),
        ("1.005", "AMOUNT_INVALID"),
        ("lots", "AMOUNT_INVALID"),
        ("99999", "AMOUNT_TOO_LARGE"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_written(system, tree, reader, amount, code):
    owe(system, reader, "2.00")
    with pytest.raises(ValidationFailed) as refused:
        pay(system, reader, amount)
    assert refused.value.code == code
    assert not Payment.objects.exists()


def test_paying_more_than_owed_or_when_nothing_is_owed_is_refused(system, tree, reader):
    with pytest.raises(Conflict) as refused:
        pay(system, reader, "1.00")
    assert refused.value.code == "NOTHING_OWED"
    owe(system, reader, "2.00")
    with pytest.raises(Conflict) as refused:
        pay(system, reader, "2.01")
    assert refused.value.code == "PAYMENT_MORE_THAN_OWED"
    assert refused.value.details["owed"] == "2.00"
    assert not Payment.objects.exists()
    assert Fee.objects.get().balance == D("2.00")


def test_platform_payments_need_a_confirmed_unused_reference(system, tree, reader):
    owe(system, reader, "3.00")
    with pytest.raises(ValidationFailed) as refused:
        pay(system, reader, "1.00", method="wechat")
    assert refused.value.code == "REFERENCE_REQUIRED"
    with pytest.raises(ValidationFailed) as refused:
        pay(system, reader, "1.00", method="bitcoin")
    assert refused.value.code == "PAYMENT_METHOD_INVALID"
    with pytest.raises(Conflict) as refused:
        pay(system, reader, "1.00", method="alipay", reference="FAIL-20260301")
    assert refused.value.code == "PAYMENT_NOT_CONFIRMED"
    pay(system, reader, "1.00", method="wechat", reference="WX4200001234")
    with pytest.raises(Conflict) as refused:
        pay(system, reader, "1.00", method="wechat", reference="WX4200001234")
    assert refused.value.code == "REFERENCE_USED"
    assert Payment.objects.count() == 1
    assert selectors.debt_of(reader.patron) == D("2.00")


def test_payments_need_the_desk_permission_there(system, tree, reader, make_staff):
    owe(system, reader, "3.00")
    hz_desk = Actor(user=make_staff("hz_desk", "desk_staff", "HZ-A"), via="test")
    with pytest.raises(Forbidden):
        pay(hz_desk, reader, "1.00", org="YX-GT")
    assert pay(hz_desk, reader, "1.00", org="HZ-A").payment.org_unit.code == "HZ-A"


# --- Waivers and refunds ----------------------------------------------------------------


def test_waiving_needs_a_reason_and_the_permission_for_the_owning_library(
    system, tree, reader, make_staff
):
    (fee,) = owe(system, reader, "4.00")
    desk = Actor(user=make_staff("gt_desk", "desk_staff", "YX-GT"), via="test")
    other_director = Actor(user=make_staff("hz_dir", "branch_director", "HZ-A"), via="test")
    director = Actor(user=make_staff("gt_dir", "branch_director", "YX-GT"), via="test")
    with pytest.raises(ValidationFailed) as refused:
        fees.fee_waive(actor=director, fee_id=fee.pk, reason="  ")
    assert refused.value.code == "REASON_REQUIRED"
    for actor in (desk, other_director):
        with pytest.raises(Forbidden):
            fees.fee_waive(actor=actor, fee_id=fee.pk, reason="低保户")
    with pytest.raises(Conflict) as refused:
        fees.fee_waive(actor=director, fee_id=fee.pk, reason="低保户", amount="4.01")
    assert refused.value.code == "WAIVER_MORE_THAN_OWED"
    assert not FeeAction.objects.exists()
    fees.fee_waive(actor=director, fee_id=fee.pk, reason="部分减免", amount="1.50")
    fee.refresh_from_db()
    assert (fee.status, fee.balance) == ("open", D("2.50"))
    fees.fee_waive(actor=director, fee_id=fee.pk, reason="低保户")
    fee.refresh_from_db()
    assert (fee.status, fee.balance) == ("waived", D("0.00"))
    with pytest.raises(Conflict) as refused:
        fees.fee_waive(actor=director, fee_id=fee.pk, reason="again")
    assert refused.value.code == "FEE_NOT_OPEN"
    assert list(FeeAction.objects.values_list("amount", "reason")) == [
        (D("1.50"), "部分减免"),
        (D("2.50"), "低保户"),
    ]


def test_a_refund_makes_the_settled_fees_owed_again(system, tree, reader):
    first, second = owe(system, reader, "1.00", "2.00")
    payment = pay(system, reader, "3.00").payment
    with pytest.raises(ValidationFailed):
        fees.payment_refund(actor=system, payment_id=payment.pk, org_code="YX-GT", reason="")
    refund = fees.payment_refund(
        actor=system, payment_id=payment.pk, org_code="YX-GT", reason="收错了", amount="2.50"
    )
    assert refund.amount == D("-2.50") and refund.refund_of == payment
    first.refresh_from_db()
    second.refresh_from_db()
    # The newest settlement is undone first: all of the second fee, half of the first.
    assert (second.status, second.balance) == ("open", D("2.00"))
    assert (first.status, first.balance) == ("open", D("0.50"))
    with pytest.raises(Conflict) as refused:
        fees.payment_refund(
            actor=system, payment_id=payment.pk, org_code="YX-GT", reason="再退", amount="0.51"
        )
    assert refused.value.code == "REFUND_MORE_THAN_PAID"
    assert selectors.debt_of(reader.patron) == D("2.50")


# --- The daily summary --------------------------------------------------------------------


def test_the_daily_summary_per_desk_and_branch(system, tree, reader):
    owe(system, reader, "10.00", "10.00")
    day = date(2026, 3, 5)
    pay(system, reader, "3.00", at=at(day, 9))
    pay(system, reader, "2.00", org="YX-GT-SP", at=at(day, 10))
    payment = pay(
        system, reader, "4.00", "alipay", "ALI20260305001", org="HZ-A", at=at(day, 11)
    ).payment
    pay(system, reader, "1.00", at=at(date(2026, 3, 6), 9))  # another day
    fees.payment_refund(
        actor=system,
        payment_id=payment.pk,
        org_code="HZ-A",
        reason="退",
        amount="1.00",
        at=at(day, 12),
    )
    summary = fee_selectors.day_summary(day, None)
    desks = {desk.unit.code: desk for desk in summary.desks}
    assert desks["YX-GT"].taken == {"cash": D("3.00")}
    assert desks["YX-GT-SP"].taken == {"cash": D("2.00")}
    assert desks["HZ-A"].taken == {"alipay": D("4.00")}
    assert desks["HZ-A"].refunded == {"alipay": D("1.00")}
    assert desks["HZ-A"].net == D("3.00")
    branches = {desk.unit.code: desk for desk in summary.branches}
    # The service point reports to its branch.
    assert set(branches) == {"YX-GT", "HZ-A"}
    assert branches["YX-GT"].taken == {"cash": D("5.00")}
    assert summary.total.net == D("8.00")
    only_yx = fee_selectors.day_summary(day, [tree["YX"].path])
    assert only_yx.total.net == D("5.00")


def test_reader_deletion_waits_for_fees(system, tree, reader):
    from wenjin.patrons.services import patron_delete

    owe(system, reader, "1.00")
    with pytest.raises(Conflict) as refused:
        patron_delete(actor=system, barcode=reader.barcode, org_code="YX-GT")
    assert refused.value.code == "FEES_OWED"
    assert Patron.objects.get(pk=reader.patron_id).deleted_at is None
    pay(system, reader, "1.00")
    from wenjin.notices.models import ReaderContact
    from wenjin.notices.services import reader_contact_save
    from wenjin.patrons.services import patron_export

    reader_contact_save(
        actor=system,
        patron=reader.patron,
        email="reader@example.cn",
        language="zh-hans",
        channels=["email"],
        opt_outs=[],
    )
    exported = patron_export(actor=system, barcode=reader.barcode)
    assert exported["fees"][0]["status"] == "paid" and exported["payments"][0]["amount"] == "1.00"
    assert exported["notice_contact"]["email"] == "reader@example.cn"
    patron_delete(actor=system, barcode=reader.barcode, org_code="YX-GT")
    assert Patron.objects.get(pk=reader.patron_id).deleted_at is not None
    assert not ReaderContact.objects.exists()  # the email went with the person


def test_settings_defaults():
    settings = CirculationSettings()
    assert (settings.lost_processing_fee, settings.default_replacement_price) == (
        D("5.00"),
        D("50.00"),
    )
    assert FeeStatus.OPEN == "open"
