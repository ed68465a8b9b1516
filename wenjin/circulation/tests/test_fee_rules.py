"""The pure fee rules: chargeable days, caps, grace, closed days, fee-free periods,
concessions, amounts, allocation and replacement charges."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from wenjin.circulation import fee_rules
from wenjin.circulation.fee_rules import AmountError, FreePeriod, Owed

D = Decimal
DUE = date(2026, 3, 2)  # a Monday
TERMS = {"fee_per_day": D("0.10"), "fee_cap": D("10.00")}


def fee(returned: date, **extra: object) -> Decimal:
    return fee_rules.overdue_fee(due=DUE, returned=returned, **{**TERMS, **extra})


def test_per_day_after_the_due_date():
    assert fee(date(2026, 3, 2)) == D("0.00")
    assert fee(date(2026, 3, 1)) == D("0.00")  # early
    assert fee(date(2026, 3, 3)) == D("0.10")
    assert fee(date(2026, 3, 10)) == D("0.80")


def test_capped_per_item_however_late():
    assert fee(date(2026, 6, 9)) == D("9.90")  # 99 days
    assert fee(date(2026, 6, 10)) == D("10.00")
    assert fee(date(2027, 6, 10)) == D("10.00")


def test_grace_days_then_every_late_day_counts():
    assert fee(date(2026, 3, 4), grace_days=2) == D("0.00")
    assert fee(date(2026, 3, 5), grace_days=2) == D("0.30")


def test_concession_waives():
    assert fee(date(2026, 4, 30), waived=True) == D("0.00")


def test_days_the_owning_library_was_closed_are_free():
    mondays_closed = lambda day: day.weekday() == 0  # noqa: E731
    # 3 March (Tue) … 16 March (Mon): 14 late days, two of them Mondays (9th, 16th).
    assert fee(date(2026, 3, 16), closed=mondays_closed) == D("1.20")
    assert fee(date(2026, 3, 16)) == D("1.40")


def test_fee_free_period_in_one_year_and_every_year():
    april = FreePeriod(date(2026, 4, 1), date(2026, 4, 30), every_year=True)
    # 3 March … 10 May: 69 late days, 30 of them in April.
    assert fee(date(2026, 5, 10), free_periods=[april]) == D("3.90")
    assert april.covers(date(2031, 4, 15))
    once = FreePeriod(date(2026, 4, 1), date(2026, 4, 30))
    assert not once.covers(date(2027, 4, 15))
    assert fee(date(2026, 5, 10), free_periods=[once]) == D("3.90")


def test_every_year_period_over_the_new_year():
    winter = FreePeriod(date(2025, 12, 25), date(2026, 1, 5), every_year=True)
    assert winter.covers(date(2030, 12, 31))
    assert winter.covers(date(2031, 1, 3))
    assert not winter.covers(date(2031, 1, 6))
    assert not winter.covers(date(2031, 12, 24))


def test_chargeable_days_counts_and_stops_at_limit():
    assert fee_rules.chargeable_days(DUE, date(2026, 3, 12)) == 10
    assert fee_rules.chargeable_days(DUE, date(2026, 3, 12), limit=4) == 4
    assert fee_rules.chargeable_days(DUE, DUE) == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3.50", D("3.50")),
        ("¥3.5", D("3.50")),
        (3, D("3.00")),
        (0.3, D("0.30")),
        (" 12 ", D("12.00")),
    ],
)
def test_amounts_accepted(value: object, expected: Decimal):
    assert fee_rules.parse_amount(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("abc", "AMOUNT_INVALID"),
        ("", "AMOUNT_INVALID"),
        ("1.234", "AMOUNT_INVALID"),
        ("NaN", "AMOUNT_INVALID"),
        ("Infinity", "AMOUNT_INVALID"),
        (True, "AMOUNT_INVALID"),
        (None, "AMOUNT_INVALID"),
        ("0", "AMOUNT_NOT_POSITIVE"),
        ("-5.00", "AMOUNT_NOT_POSITIVE"),
        ("10000.01", "AMOUNT_TOO_LARGE"),
        ("1e9", "AMOUNT_TOO_LARGE"),
    ],
)
def test_amounts_refused_with_a_code(value: object, code: str):
    with pytest.raises(AmountError) as caught:
        fee_rules.parse_amount(value)
    assert caught.value.code == code


def test_allocation_settles_oldest_first_and_partially():
    owed = [Owed(1, D("0.80")), Owed(2, D("5.00")), Owed(3, D("2.00"))]
    assert fee_rules.allocate(D("3.00"), owed) == [(1, D("0.80")), (2, D("2.20"))]
    assert fee_rules.allocate(D("7.80"), owed) == [(1, D("0.80")), (2, D("5.00")), (3, D("2.00"))]
    assert fee_rules.allocate(D("0.50"), owed) == [(1, D("0.50"))]


def test_replacement_uses_price_or_default():
    assert fee_rules.replacement_charges(D("45.80"), D("50"), D("5")) == (D("45.80"), D("5.00"))
    assert fee_rules.replacement_charges(None, D("50"), D("5")) == (D("50.00"), D("5.00"))
    assert fee_rules.replacement_charges(D("0"), D("50"), D("0")) == (D("50.00"), D("0.00"))
