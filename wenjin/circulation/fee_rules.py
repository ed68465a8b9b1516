"""Pure rules for fees: which overdue days are charged, what an amount of money may be,
how a payment is spread over what a reader owes, what a lost item costs and what is given
back when it turns up. No database: the services pass in what they read."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Far above any fee a public library charges; an amount above it is a typing slip (an
# extra zero, a barcode scanned into the amount box), not a payment.
MAX_AMOUNT = Decimal("10000.00")


@dataclass(frozen=True)
class FreePeriod:
    """Days without overdue fees, ``start`` to ``end`` inclusive; with ``every_year`` the
    same month-days each year (a period may run over the new year: 12-25 to 01-05)."""

    start: date
    end: date
    every_year: bool = False

    def covers(self, day: date) -> bool:
        if not self.every_year:
            return self.start <= day <= self.end
        first, last, this = (
            (self.start.month, self.start.day),
            (self.end.month, self.end.day),
            (day.month, day.day),
        )
        if first <= last:
            return first <= this <= last
        return this >= first or this <= last


def chargeable_days(
    due: date,
    returned: date,
    *,
    closed: Callable[[date], bool] | None = None,
    free_periods: Sequence[FreePeriod] = (),
    limit: int | None = None,
) -> int:
    """Late days that are charged: each day after ``due`` up to and including ``returned``,
    except days the owning library was closed (a reader cannot return a book to a shut
    door) and days in a fee-free period; counting stops at ``limit``."""
    count = 0
    day = due + timedelta(days=1)
    while day <= returned and (limit is None or count < limit):
        if not (closed and closed(day)) and not any(p.covers(day) for p in free_periods):
            count += 1
        day += timedelta(days=1)
    return count


def overdue_fee(
    *,
    due: date,
    returned: date,
    fee_per_day: Decimal,
    fee_cap: Decimal,
    grace_days: int = 0,
    waived: bool = False,
    closed: Callable[[date], bool] | None = None,
    free_periods: Sequence[FreePeriod] = (),
) -> Decimal:
    """The overdue fee for one item: ``fee_per_day`` for each chargeable late day, capped
    at ``fee_cap``; nothing when the item came back within the grace days (counted on the
    calendar: past them every chargeable day counts) or the reader's category waives
    fees (concession cards)."""
    late = (returned - due).days
    if waived or late <= grace_days or fee_per_day <= 0:
        return ZERO
    # Past the cap more days change nothing: stop counting there (a book a year late).
    most = int(fee_cap / fee_per_day) + 1
    days = chargeable_days(due, returned, closed=closed, free_periods=free_periods, limit=most)
    return min(fee_per_day * days, fee_cap).quantize(CENT, rounding=ROUND_HALF_UP)


class AmountError(ValueError):
    """An amount of money that cannot be used, with a stable code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def parse_amount(value: object) -> Decimal:
    """An amount of money in yuan from what a form or a JSON body holds ("3.50", "¥3.5").
    Raises ``AmountError`` for anything that is not a positive amount with at most two
    decimal places and at most ``MAX_AMOUNT``."""
    if isinstance(value, bool) or value is None:
        raise AmountError("AMOUNT_INVALID", _('Give the amount as a decimal string, e.g. "3.50".'))
    # A JSON number arrives as a float; its shortest repr ("0.1") is the decimal meant.
    text = str(value).strip().replace("¥", "").replace("￥", "")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise AmountError("AMOUNT_INVALID", _("The amount is not a number.")) from None
    if not amount.is_finite():
        raise AmountError("AMOUNT_INVALID", _("The amount is not a number."))
    if amount != amount.quantize(CENT):
        raise AmountError("AMOUNT_INVALID", _("An amount has at most two decimal places (fen)."))
    if amount <= 0:
        raise AmountError("AMOUNT_NOT_POSITIVE", _("The amount must be more than zero."))
    if amount > MAX_AMOUNT:
        raise AmountError("AMOUNT_TOO_LARGE", _("The amount is larger than any fee: check it."))
    return amount.quantize(CENT)


@dataclass(frozen=True)
class Owed:
    """One open fee as allocation sees it."""

    fee_id: int
    balance: Decimal


def allocate(amount: Decimal, owed: Iterable[Owed]) -> list[tuple[int, Decimal]]:
    """Spread a payment over open fees in the order given (oldest first): each fee is
    settled in full before the next gets anything. The caller has checked that
    ``amount`` is not more than the total owed."""
    shares: list[tuple[int, Decimal]] = []
    left = amount
    for fee in owed:
        if left <= 0:
            break
        share = min(left, fee.balance)
        if share > 0:
            shares.append((fee.fee_id, share))
            left -= share
    return shares


def replacement_charges(
    price: Decimal | None, default_price: Decimal, processing_fee: Decimal
) -> tuple[Decimal, Decimal]:
    """(replacement, processing) charged for a lost item: its recorded price, or the
    network's default replacement price when it has none."""
    replacement = price if price is not None and price > 0 else default_price
    return replacement.quantize(CENT), processing_fee.quantize(CENT)
