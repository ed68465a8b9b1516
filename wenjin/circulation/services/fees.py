"""Fees: charging, payments (cash or a confirmed WeChat Pay/Alipay reference), waivers,
refunds and cancellations. Every change to what a reader owes runs with the reader's row
locked, so two desks taking money from one reader at once cannot both settle one fee."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import audit_record
from wenjin.catalog.models import Item
from wenjin.circulation import fee_rules, payments
from wenjin.circulation.models import (
    Fee,
    FeeAction,
    FeeAllocation,
    FeeKind,
    FeeStatus,
    Loan,
    Payment,
    PaymentMethod,
)
from wenjin.circulation.services.common import acting_unit, moment
from wenjin.lib.errors import Conflict, NotFound, ValidationFailed
from wenjin.network.models import OrgUnit
from wenjin.patrons.models import Patron

ZERO = Decimal("0.00")


def money(value: object, field: str = "amount") -> Decimal:
    """An amount from a form or a request body, or a ValidationFailed with its code."""
    try:
        return fee_rules.parse_amount(value)
    except fee_rules.AmountError as error:
        raise ValidationFailed(str(error), fields={field: str(error)}, code=error.code) from None


def required_note(note: str, message: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(message, fields={"note": ""}, code="NOTE_REQUIRED")
    return note[:200]


def _lock_patron(patron_id: int) -> Patron:
    patron = Patron.objects.select_for_update().filter(pk=patron_id).first()
    if patron is None:
        raise NotFound("PATRON_NOT_FOUND", _("There is no such reader."))
    return patron


def charge(
    *,
    patron_id: int,
    kind: str,
    amount: Decimal,
    owed_to: OrgUnit | int,
    charged_org: OrgUnit,
    when: datetime,
    actor: Actor | None = None,
    loan: Loan | None = None,
    item: Item | None = None,
    note: str = "",
) -> Fee | None:
    """Record a fee inside the caller's transaction (checkin, a lost item); nothing for a
    zero amount."""
    if amount <= 0:
        return None
    return Fee.objects.create(
        patron_id=patron_id,
        kind=kind,
        amount=amount,
        balance=amount,
        loan=loan,
        item=item,
        owed_to_id=owed_to if isinstance(owed_to, int) else owed_to.pk,
        charged_at=when,
        charged_org=charged_org,
        charged_by=actor.user if actor else None,
        note=note[:200],
    )


def fee_charge(
    *,
    actor: Actor,
    patron: Patron,
    kind: str,
    amount: object,
    org_code: str,
    note: str,
    item: Item | None = None,
    at: datetime | None = None,
) -> Fee:
    """A charge made by staff at a desk (a damaged item, another charge), with a note;
    owed to the item's owning library when it is for an item, else to the desk's."""
    when = moment(at)
    if kind not in (FeeKind.DAMAGED, FeeKind.OTHER, FeeKind.PROCESSING):
        raise ValidationFailed(
            _("Staff charge damage, processing or other fees."), fields={"kind": kind}
        )
    value = money(amount)
    note = required_note(note, _("Say what the charge is for."))
    with transaction.atomic():
        unit = acting_unit(actor, org_code, when)
        _lock_patron(patron.pk)
        fee = charge(
            patron_id=patron.pk,
            kind=kind,
            amount=value,
            owed_to=item.owning_org_id if item else unit,
            charged_org=unit,
            when=when,
            actor=actor,
            item=item,
            note=note,
        )
        audit_record(
            actor,
            "fees.charge",
            org_unit=unit,
            target=fee,
            changes={"patron": patron.pk, "kind": kind, "amount": str(value), "note": note},
        )
    assert fee is not None
    return fee


def open_fees(patron_id: int) -> list[Fee]:
    """A reader's open fees, oldest first (the order payments settle them)."""
    return list(
        Fee.objects.filter(patron_id=patron_id, status=FeeStatus.OPEN).order_by("charged_at", "pk")
    )


@dataclass
class PaymentResult:
    """A payment taken: the row, how it was spread over fees, and what is still owed."""

    payment: Payment
    allocations: list[tuple[Fee, Decimal]]
    still_owed: Decimal


def _settle(fee: Fee, share: Decimal, when: datetime) -> None:
    fee.balance -= share
    if fee.balance == 0:
        fee.status, fee.closed_at = FeeStatus.PAID, when
    fee.save(update_fields=["balance", "status", "closed_at"])


def payment_take(
    *,
    actor: Actor,
    patron: Patron,
    amount: object,
    method: str,
    org_code: str,
    reference: str = "",
    fee_ids: Sequence[int] = (),
    at: datetime | None = None,
) -> PaymentResult:
    """Take a payment at the desk ``org_code`` and settle the reader's open fees with it,
    oldest first (or only ``fee_ids``). Partial payments are fine; paying more than is
    owed is refused, as is a WeChat Pay/Alipay reference that is missing, not confirmed
    by the payment provider or already used. Nothing is written when it is refused."""
    when = moment(at)
    value = money(amount)
    if method not in PaymentMethod.values:
        raise ValidationFailed(
            _("Choose how the reader pays: cash, WeChat Pay or Alipay."),
            fields={"method": str(method)},
            code="PAYMENT_METHOD_INVALID",
        )
    reference = (reference or "").strip()
    if method != PaymentMethod.CASH and not reference:
        raise ValidationFailed(
            _("A WeChat Pay or Alipay payment needs its reference (交易单号)."),
            fields={"reference": ""},
            code="REFERENCE_REQUIRED",
        )
    with transaction.atomic():
        unit = acting_unit(actor, org_code, when)
        _lock_patron(patron.pk)
        fees = open_fees(patron.pk)
        if fee_ids:
            wanted = set(fee_ids)
            fees = [fee for fee in fees if fee.pk in wanted]
            if len(fees) != len(wanted):
                raise Conflict("FEE_NOT_OPEN", _("A chosen fee is not an open fee of this reader."))
        owed = sum((fee.balance for fee in fees), ZERO)
        if owed == 0:
            raise Conflict("NOTHING_OWED", _("This reader owes nothing."))
        if value > owed:
            raise Conflict(
                "PAYMENT_MORE_THAN_OWED",
                _("¥%(paid)s is more than the ¥%(owed)s owed.") % {"paid": value, "owed": owed},
                details={"owed": str(owed)},
            )
        if reference and Payment.objects.filter(method=method, reference=reference).exists():
            raise _reference_used()
        if method != PaymentMethod.CASH:
            try:
                payments.provider().confirm(method=method, reference=reference, amount=value)
            except payments.PaymentNotConfirmed as error:
                raise Conflict("PAYMENT_NOT_CONFIRMED", error.message) from None
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    patron_id=patron.pk,
                    amount=value,
                    method=method,
                    reference=reference,
                    at=when,
                    org_unit=unit,
                    taken_by=actor.user,
                )
        except IntegrityError:  # the same reference, taken at another desk a moment ago
            raise _reference_used() from None
        by_id = {fee.pk: fee for fee in fees}
        shares = fee_rules.allocate(value, [fee_rules.Owed(fee.pk, fee.balance) for fee in fees])
        allocations = []
        for fee_id, share in shares:
            fee = by_id[fee_id]
            FeeAllocation.objects.create(payment=payment, fee=fee, amount=share)
            _settle(fee, share, when)
            allocations.append((fee, share))
        audit_record(
            actor,
            "fees.payment",
            org_unit=unit,
            target=payment,
            changes={
                "patron": patron.pk,
                "amount": str(value),
                "method": method,
                "fees": {str(fee.pk): str(share) for fee, share in allocations},
            },
        )
    return PaymentResult(payment, allocations, owed - value)


def _reference_used() -> Conflict:
    return Conflict(
        "REFERENCE_USED", _("This payment reference has already been used for a payment.")
    )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give a reason."), fields={"reason": ""}, code="REASON_REQUIRED")
    return reason[:200]


def _locked_fee(fee_id: int) -> Fee:
    fee = Fee.objects.filter(pk=fee_id).select_related("owed_to").first()
    if fee is None:
        raise NotFound("FEE_NOT_FOUND", _("There is no such fee."))
    _lock_patron(fee.patron_id)
    fee.refresh_from_db()
    return fee


def fee_waive(
    *,
    actor: Actor,
    fee_id: int,
    reason: str,
    amount: object | None = None,
    at: datetime | None = None,
) -> Fee:
    """Waive what is owed on a fee (all of it, or ``amount`` of it), with a reason, by
    staff allowed to waive fees for the library it is owed to."""
    when = moment(at)
    reason = _reason(reason)
    value = None if amount in (None, "") else money(amount)
    with transaction.atomic():
        fee = _locked_fee(fee_id)
        actor.require(Perm.FEES_WAIVE, fee.owed_to)
        if fee.status != FeeStatus.OPEN:
            raise Conflict("FEE_NOT_OPEN", _("This fee is no longer owed."))
        value = fee.balance if value is None else value
        if value > fee.balance:
            raise Conflict(
                "WAIVER_MORE_THAN_OWED",
                _("¥%(amount)s is more than the ¥%(owed)s still owed on this fee.")
                % {"amount": value, "owed": fee.balance},
            )
        fee.balance -= value
        if fee.balance == 0:
            fee.status, fee.closed_at = FeeStatus.WAIVED, when
        fee.save(update_fields=["balance", "status", "closed_at"])
        FeeAction.objects.create(
            fee=fee,
            kind=FeeAction.Kind.WAIVE,
            amount=value,
            reason=reason,
            at=when,
            org_unit=fee.owed_to,
            actor=actor.user,
        )
        audit_record(
            actor,
            "fees.waive",
            org_unit=fee.owed_to,
            target=fee,
            changes={"amount": str(value), "reason": reason, "patron": fee.patron_id},
        )
    return fee


def _refund(
    payment: Payment, amount: Decimal, unit: OrgUnit, when: datetime, actor: Actor | None, note: str
) -> Payment:
    return Payment.objects.create(
        patron_id=payment.patron_id,
        amount=-amount,
        method=payment.method,
        refund_of=payment,
        at=when,
        org_unit=unit,
        taken_by=actor.user if actor else None,
        note=note[:200],
    )


def refunded_of(payment: Payment) -> Decimal:
    total = Payment.objects.filter(refund_of=payment).aggregate(total=Sum("amount"))["total"]
    return -(total or ZERO)


def payment_refund(
    *,
    actor: Actor,
    payment_id: int,
    org_code: str,
    reason: str,
    amount: object | None = None,
    at: datetime | None = None,
) -> Payment:
    """Give back (part of) a payment taken by mistake: the fees it settled are owed again,
    the newest first. Needs the waiving permission at the desk and a reason."""
    when = moment(at)
    reason = _reason(reason)
    value = None if amount in (None, "") else money(amount)
    with transaction.atomic():
        unit = acting_unit(actor, org_code, when)
        actor.require(Perm.FEES_WAIVE, unit)
        payment = Payment.objects.filter(pk=payment_id, amount__gt=0).first()
        if payment is None:
            raise NotFound("PAYMENT_NOT_FOUND", _("There is no such payment."))
        _lock_patron(payment.patron_id)
        left = payment.amount - refunded_of(payment)
        value = left if value is None else value
        if value <= 0 or value > left:
            raise Conflict(
                "REFUND_MORE_THAN_PAID",
                _("At most ¥%(left)s of this payment can be refunded.") % {"left": left},
            )
        refund = _refund(payment, value, unit, when, actor, reason)
        _reopen(payment, refund, value)
        audit_record(
            actor,
            "fees.refund",
            org_unit=unit,
            target=refund,
            changes={"payment": payment.pk, "amount": str(value), "reason": reason},
        )
    return refund


def _reopen(payment: Payment, refund: Payment, amount: Decimal) -> None:
    """Put back on the fees a payment settled what a refund gives back, newest first (a
    cancelled or waived fee is not owed again: that part was never owed)."""
    left = amount
    for allocation in payment.allocations.select_related("fee").order_by("-pk"):
        fee = allocation.fee
        if left <= 0 or fee.status not in (FeeStatus.PAID, FeeStatus.OPEN):
            continue
        reopened = (
            FeeAllocation.objects.filter(fee=fee, payment__refund_of=payment).aggregate(
                total=Sum("amount")
            )["total"]
            or ZERO
        )
        share = min(left, allocation.amount + reopened)
        if share <= 0:
            continue
        FeeAllocation.objects.create(payment=refund, fee=fee, amount=-share)
        fee.balance += share
        fee.status, fee.closed_at = FeeStatus.OPEN, None
        fee.save(update_fields=["balance", "status", "closed_at"])
        left -= share


def fee_cancel(
    fee: Fee, *, reason: str, unit: OrgUnit, when: datetime, actor: Actor | None
) -> Decimal:
    """Reverse a fee inside the caller's transaction (a lost item found): nothing more is
    owed, and what was paid towards it is refunded at ``unit``. Returns the refund."""
    fee.refresh_from_db()
    if fee.status == FeeStatus.CANCELLED:
        return ZERO
    owed = fee.balance
    paid_allocations = list(fee.allocations.select_related("payment").order_by("-pk"))
    paid = sum((a.amount for a in paid_allocations), ZERO)
    refunded = ZERO
    if paid > 0:
        # Give it back through the payments that paid it, newest first.
        for allocation in paid_allocations:
            if refunded >= paid or allocation.amount <= 0:
                continue
            share = min(allocation.amount, paid - refunded)
            refund = _refund(allocation.payment, share, unit, when, actor, reason)
            FeeAllocation.objects.create(payment=refund, fee=fee, amount=-share)
            refunded += share
    fee.balance, fee.status, fee.closed_at = ZERO, FeeStatus.CANCELLED, when
    fee.save(update_fields=["balance", "status", "closed_at"])
    FeeAction.objects.create(
        fee=fee,
        kind=FeeAction.Kind.CANCEL,
        amount=owed,
        reason=reason,
        at=when,
        org_unit=unit,
        actor=actor.user if actor else None,
    )
    return refunded
