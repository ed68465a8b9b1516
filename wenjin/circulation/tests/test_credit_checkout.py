"""Credit borrowing at the desk: a good score earns extra quota and frees the reader from
a deposit; returns move the score."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from wenjin.circulation import services
from wenjin.circulation.models import LoanRule
from wenjin.patrons.models import CreditEvent, Patron, PatronCategory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)


def lend(system, barcode, card, day=date(2026, 3, 2)):
    return services.checkout(
        actor=system,
        item_barcode=barcode,
        patron_barcode=card.barcode,
        org_code="YX-GT",
        at=at(day),
    )


def test_extra_quota_for_a_high_score(system, items, reader):
    LoanRule.objects.update(max_items=2)
    lend(system, "B1", reader)
    lend(system, "B2", reader)
    with pytest.raises(services.Refused) as refused:
        lend(system, "B3", reader)
    assert refused.value.code == "LIMIT_REACHED"
    Patron.objects.filter(pk=reader.patron_id).update(credit_score=115)  # ≥ 110: +5 items
    assert lend(system, "B3", reader).loan.pk


def test_a_deposit_is_needed_unless_credit_frees_the_reader(system, items, reader):
    PatronCategory.objects.filter(pk=reader.patron.category_id).update(
        deposit_amount=Decimal("100.00")
    )
    Patron.objects.filter(pk=reader.patron_id).update(credit_score=80)  # below deposit-free
    with pytest.raises(services.Refused) as refused:
        lend(system, "B1", reader)
    assert refused.value.code == "DEPOSIT_REQUIRED" and "100.00" in refused.value.message
    Patron.objects.filter(pk=reader.patron_id).update(deposit_held=Decimal("100.00"))
    assert lend(system, "B1", reader).loan.pk
    Patron.objects.filter(pk=reader.patron_id).update(deposit_held=0, credit_score=95)
    assert lend(system, "B2", reader).loan.pk  # deposit-free at 90


def test_returns_move_the_score_once_each(system, items, reader):
    start = Patron.objects.get(pk=reader.patron_id).credit_score
    lend(system, "B1", reader)
    lend(system, "B2", reader)
    services.checkin(actor=system, item_barcode="B1", org_code="YX-GT", at=at(date(2026, 3, 20)))
    services.checkin(actor=system, item_barcode="B2", org_code="YX-GT", at=at(date(2026, 4, 12)))
    reasons = list(
        CreditEvent.objects.filter(patron_id=reader.patron_id)
        .order_by("pk")
        .values_list("reason", "change")
    )
    assert [r for r, _ in reasons][-2:] == ["on_time_return", "overdue_return"]
    end = Patron.objects.get(pk=reader.patron_id).credit_score
    assert end == start + reasons[-2][1] + reasons[-1][1] and end < start
