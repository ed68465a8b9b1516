"""Two desks taking money from one reader, or waiving and paying one fee, at the same
moment: real concurrent connections on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wenjin.circulation.models import Fee, FeeAllocation, Payment
from wenjin.circulation.services import fees
from wenjin.tests.concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def _owe(system, card, amount: str) -> Fee:
    return fees.fee_charge(
        actor=system, patron=card.patron, kind="other", amount=amount, org_code="YX-GT", note="x"
    )


def test_two_desks_paying_one_debt_settle_it_once(system, tree, categories, make_reader):
    reader = make_reader()
    _owe(system, reader, "3.00")
    outcomes = run_together(
        [
            lambda org=org: (
                fees.payment_take(
                    actor=system, patron=reader.patron, amount="3.00", method="cash", org_code=org
                ).payment.pk
            )
            for org in ("YX-GT", "YX-DS", "HZ-A")
        ]
    )
    assert sum(isinstance(o, int) for o in outcomes) == 1, outcomes
    assert outcomes.count("NOTHING_OWED") == 2, outcomes
    assert Payment.objects.count() == 1
    fee = Fee.objects.get()
    assert (fee.status, fee.balance) == ("paid", Decimal("0.00"))
    assert sum(a.amount for a in FeeAllocation.objects.all()) == Decimal("3.00")


def test_one_platform_reference_at_two_desks_is_taken_once(system, tree, categories, make_reader):
    reader = make_reader()
    _owe(system, reader, "9.00")
    outcomes = run_together(
        [
            lambda org=org: (
                fees.payment_take(
                    actor=system,
                    patron=reader.patron,
                    amount="1.00",
                    method="wechat",
                    reference="WX9988776655",
                    org_code=org,
                ).payment.pk
            )
            for org in ("YX-GT", "HZ-A")
        ]
    )
    assert sum(isinstance(o, int) for o in outcomes) == 1, outcomes
    assert outcomes.count("REFERENCE_USED") == 1, outcomes
    assert Fee.objects.get().balance == Decimal("8.00")


def test_a_waiver_and_a_payment_at_once_never_take_off_more_than_owed(
    system, tree, categories, make_reader
):
    reader = make_reader()
    fee = _owe(system, reader, "2.00")
    outcomes = run_together(
        [
            lambda: fees.fee_waive(actor=system, fee_id=fee.pk, reason="减免").status,
            lambda: (
                fees.payment_take(
                    actor=system,
                    patron=reader.patron,
                    amount="2.00",
                    method="cash",
                    org_code="YX-GT",
                ).still_owed
            ),
        ]
    )
    assert not any(isinstance(o, BaseException) for o in outcomes), outcomes
    fee.refresh_from_db()
    assert fee.balance == Decimal("0.00") and fee.status in ("waived", "paid")
    # Whichever came second found nothing left to settle.
    assert {"FEE_NOT_OPEN", "NOTHING_OWED"} & set(outcomes), outcomes
