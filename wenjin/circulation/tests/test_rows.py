"""The plain-SQL row reads give the same typed values as the ORM, on both databases."""

from datetime import date
from decimal import Decimal

import pytest

from wenjin.catalog.models import Item
from wenjin.circulation import rows, services
from wenjin.circulation.models import Loan
from wenjin.patrons.models import Card

pytestmark = pytest.mark.django_db


def test_rows_match_the_orm(system, items, reader):
    services.checkout(
        actor=system, item_barcode="B1", patron_barcode=reader.barcode, org_code="YX-GT"
    )
    card = rows.lock_reader(reader.barcode)
    orm_card = Card.objects.select_related("patron__category").get(pk=reader.pk)
    assert (card.pk, card.status, card.expires_on) == (
        orm_card.pk,
        orm_card.status,
        orm_card.expires_on,
    )
    assert isinstance(card.expires_on, date)
    assert card.patron.birth_date == orm_card.patron.birth_date
    assert card.patron.keeps_history is False and card.patron.category.code == "adult"
    item = rows.lock_item("B1")
    orm_item = Item.objects.get(barcode="B1")
    assert item.in_network_scheme is True and item.is_rare is False
    assert (item.status, item.material_type, item.owning_org.code) == (
        orm_item.status,
        orm_item.material_type,
        "YX-GT",
    )
    assert item.record.title == "岭南文化十讲" and item.record.clc_top == "K"
    loan = rows.open_loan(item.pk)
    orm_loan = Loan.objects.get()
    assert loan.pk == orm_loan.pk and loan.due_date == orm_loan.due_date
    assert loan.fee_per_day == Decimal("0.10") and isinstance(loan.fee_per_day, Decimal)
    assert loan.patron.pk == reader.patron_id
    assert rows.loan_counts(card.patron, "book", date(2099, 1, 1)) == (1, 1, 1)
    assert rows.loan_counts(card.patron, None, date(2000, 1, 1)) == (1, 0, 0)


def test_missing_rows_are_none(items):
    assert rows.lock_item("NOPE") is None
    assert rows.lock_reader("NOPE") is None
    assert rows.open_loan(items["B1"].pk) is None
