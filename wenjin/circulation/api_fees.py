"""Fees API (a contract): a reader's fees, payments, waivers, refunds, staff charges, lost /
claimed-returned / damaged items, the daily takings summary, and the settings and
fee-free periods behind them. Money is a decimal string
in yuan ("0.30")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from wenjin.accounts.actor import Actor
from wenjin.api.core import ERROR_RESPONSES, Page, paginate
from wenjin.circulation import fee_selectors, selectors
from wenjin.circulation.models import FeeFreePeriod, FeeStatus
from wenjin.circulation.services import fees, losses
from wenjin.circulation.services import settings as settings_services
from wenjin.lib.errors import ValidationFailed
from wenjin.network.selectors import get_unit
from wenjin.patrons import selectors as patron_selectors

router = Router(tags=["fees"])


class FeeOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    amount: str = Field(examples=["0.80"])
    balance: str = Field(description="still owed", examples=["0.80"])
    charged_at: datetime
    item_barcode: str | None
    title: str | None
    owed_to_org_code: str
    note: str


class FeePage(Page[FeeOut]):
    owed: str = Field(description="total still owed on open fees", examples=["3.40"])
    accruing: str = Field(description="overdue fees building up on open loans (not yet owed)")


class PaymentIn(Schema):
    amount: str | int | float = Field(description='yuan, e.g. "3.50"')
    method: str = Field(description="cash, wechat or alipay")
    reference: str = Field("", max_length=64, description="the WeChat Pay / Alipay reference")
    org_code: str | None = Field(None, description="the desk (default: the staff's home unit)")
    fee_ids: list[int] = Field(default_factory=list, description="settle only these fees")


class AllocationOut(Schema):
    fee_id: int
    amount: str


class PaymentOut(Schema):
    payment_id: int
    amount: str
    method: str
    reference: str
    at: datetime
    allocations: list[AllocationOut]
    still_owed: str


class WaiveIn(Schema):
    reason: str = Field("", max_length=200)
    amount: str | None = Field(None, description="part of the balance (default: all of it)")


class ChargeIn(Schema):
    kind: str = Field(description="damaged, processing or other")
    amount: str | int | float
    note: str = Field("", max_length=200)
    org_code: str | None = None


class RefundIn(Schema):
    reason: str = Field("", max_length=200)
    amount: str | None = None
    org_code: str | None = None


class RefundOut(Schema):
    refund_id: int
    payment_id: int
    amount: str = Field(description="negative: money given back")
    method: str


class ItemActionIn(Schema):
    item_barcode: str = Field(max_length=32)
    org_code: str | None = None
    note: str = Field("", max_length=200)


class LostOut(Schema):
    loan_id: int
    overdue_fee: str
    fees: list[FeeOut]


class DamageIn(ItemActionIn):
    amount: str | int | float


class MethodTotals(Schema):
    unit_code: str
    unit_name: str
    count: int
    taken: dict[str, str]
    refunded: dict[str, str]
    net: str


class SummaryOut(Schema):
    date: date
    desks: list[MethodTotals]
    branches: list[MethodTotals]
    total: MethodTotals


def _desk(actor: Actor, org_code: str | None) -> str:
    """The desk a call acts at: the one named, else the staff member's home unit."""
    if org_code:
        return org_code
    user = actor.user
    if user is not None and user.home_org_id:
        return selectors.unit_by_id(user.home_org_id).code
    raise ValidationFailed(_("Say at which unit (org_code)."), fields={"org_code": ""})


@router.get(
    "/patrons/{barcode}/fees",
    response={200: FeePage, **ERROR_RESPONSES},
    summary="A reader's fees (owing first), what is owed and what is accruing",
)
def patron_fees(
    request: HttpRequest,
    barcode: str,
    status: str | None = Query(None, description="open, paid, waived or cancelled"),
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    patron_selectors.require_lookup(request.auth)
    patron = patron_selectors.patron_by_barcode(barcode)
    if status is not None and status not in FeeStatus.values:
        raise ValidationFailed(_("Unknown fee status."), fields={"status": status})
    listing = paginate(
        fee_selectors.patron_fees(patron, status=status), page, page_size, fee_selectors.fee_out
    )
    listing["owed"] = f"{selectors.debt_of(patron):.2f}"
    listing["accruing"] = f"{fee_selectors.accruing(patron):.2f}"
    return listing


@router.post(
    "/patrons/{barcode}/payments",
    response={201: PaymentOut, **ERROR_RESPONSES},
    summary="Take a payment and settle the reader's open fees, oldest first",
    description=(
        "400 AMOUNT_INVALID / AMOUNT_NOT_POSITIVE / AMOUNT_TOO_LARGE / "
        "PAYMENT_METHOD_INVALID / REFERENCE_REQUIRED; 409 PAYMENT_MORE_THAN_OWED, "
        "NOTHING_OWED, REFERENCE_USED, PAYMENT_NOT_CONFIRMED, FEE_NOT_OPEN."
    ),
)
def take_payment(request: HttpRequest, barcode: str, payload: PaymentIn) -> Status:
    patron_selectors.require_lookup(request.auth)
    patron = patron_selectors.patron_by_barcode(barcode)
    result = fees.payment_take(
        actor=request.auth,
        patron=patron,
        amount=payload.amount,
        method=payload.method,
        reference=payload.reference,
        org_code=_desk(request.auth, payload.org_code),
        fee_ids=payload.fee_ids,
    )
    payment = result.payment
    return Status(
        201,
        {
            "payment_id": payment.pk,
            "amount": f"{payment.amount:.2f}",
            "method": payment.method,
            "reference": payment.reference,
            "at": payment.at,
            "allocations": [
                {"fee_id": fee.pk, "amount": f"{share:.2f}"} for fee, share in result.allocations
            ],
            "still_owed": f"{result.still_owed:.2f}",
        },
    )


@router.post(
    "/fees/{fee_id}/waive",
    response={200: FeeOut, **ERROR_RESPONSES},
    summary="Waive a fee (or part of it) with a reason",
    description="400 REASON_REQUIRED; 403 without the waiving permission; 409 FEE_NOT_OPEN.",
)
def waive(request: HttpRequest, fee_id: int, payload: WaiveIn) -> dict[str, Any]:
    fee = fees.fee_waive(
        actor=request.auth, fee_id=fee_id, reason=payload.reason, amount=payload.amount
    )
    fee.refresh_from_db()
    return fee_selectors.fee_out(fee)


@router.post(
    "/patrons/{barcode}/fees",
    response={201: FeeOut, **ERROR_RESPONSES},
    summary="Charge a reader (damage, processing or another charge) with a note",
)
def charge(request: HttpRequest, barcode: str, payload: ChargeIn) -> Status:
    patron_selectors.require_lookup(request.auth)
    patron = patron_selectors.patron_by_barcode(barcode)
    fee = fees.fee_charge(
        actor=request.auth,
        patron=patron,
        kind=payload.kind,
        amount=payload.amount,
        org_code=_desk(request.auth, payload.org_code),
        note=payload.note,
    )
    return Status(201, fee_selectors.fee_out(fee))


@router.post(
    "/payments/{payment_id}/refund",
    response={201: RefundOut, **ERROR_RESPONSES},
    summary="Refund (part of) a payment; the fees it settled are owed again",
)
def refund(request: HttpRequest, payment_id: int, payload: RefundIn) -> Status:
    row = fees.payment_refund(
        actor=request.auth,
        payment_id=payment_id,
        org_code=_desk(request.auth, payload.org_code),
        reason=payload.reason,
        amount=payload.amount,
    )
    return Status(
        201,
        {
            "refund_id": row.pk,
            "payment_id": payment_id,
            "amount": f"{row.amount:.2f}",
            "method": row.method,
        },
    )


@router.post(
    "/circulation/lost",
    response={200: LostOut, **ERROR_RESPONSES},
    summary="Declare a borrowed item lost: the loan closes, replacement and processing fees",
)
def lost(request: HttpRequest, payload: ItemActionIn) -> dict[str, Any]:
    result = losses.item_declare_lost(
        actor=request.auth,
        item_barcode=payload.item_barcode,
        org_code=_desk(request.auth, payload.org_code),
        note=payload.note,
    )
    return {
        "loan_id": result.loan.pk,
        "overdue_fee": f"{result.overdue_fee:.2f}",
        "fees": [fee_selectors.fee_out(fee) for fee in result.charged],
    }


@router.post(
    "/circulation/claims-returned",
    response={200: dict, **ERROR_RESPONSES},
    summary="Record that the reader says a borrowed item was returned (no more fees accrue)",
)
def claims_returned(request: HttpRequest, payload: ItemActionIn) -> dict[str, Any]:
    loan = losses.loan_claim_returned(
        actor=request.auth,
        item_barcode=payload.item_barcode,
        org_code=_desk(request.auth, payload.org_code),
        note=payload.note,
    )
    return {"loan_id": loan.pk, "claimed_returned_at": loan.claimed_returned_at}


@router.post(
    "/circulation/damaged",
    response={201: FeeOut, **ERROR_RESPONSES},
    summary="Charge the last borrower for damage to an item and mark it damaged",
)
def damaged(request: HttpRequest, payload: DamageIn) -> Status:
    fee = losses.item_damage_charge(
        actor=request.auth,
        item_barcode=payload.item_barcode,
        org_code=_desk(request.auth, payload.org_code),
        amount=payload.amount,
        note=payload.note,
    )
    fee.refresh_from_db()
    return Status(201, fee_selectors.fee_out(fee))


def _totals(desk: fee_selectors.DeskDay) -> dict[str, Any]:
    return {
        "unit_code": desk.unit.code,
        "unit_name": desk.unit.name_zh,
        "count": desk.count,
        "taken": {method: f"{amount:.2f}" for method, amount in desk.taken.items()},
        "refunded": {method: f"{amount:.2f}" for method, amount in desk.refunded.items()},
        "net": f"{desk.net:.2f}",
    }


# "?date=2026-03-05" (a module-level default: the parameter's name is not a Python name).
_DATE_QUERY = Query(None, alias="date", description="the day (default: today)")


@router.get(
    "/fees/summary",
    response={200: SummaryOut, **ERROR_RESPONSES},
    summary="A day's payments and refunds per desk and branch, by method (reconciliation)",
)
def summary(
    request: HttpRequest,
    on: date | None = _DATE_QUERY,
    org_code: str | None = Query(None, description="only desks in this unit's subtree"),
) -> dict[str, Any]:
    day = on or selectors.today()
    units = fee_selectors.summary_scope(request.auth, get_unit(org_code) if org_code else None)
    result = fee_selectors.day_summary(day, units)
    return {
        "date": day,
        "desks": [_totals(desk) for desk in result.desks],
        "branches": [_totals(desk) for desk in result.branches],
        "total": _totals(result.total),
    }


class SettingsOut(Schema):
    out_of_scheme_return: str
    debt_limit: str
    overdue_blocks: bool
    stale_transit_days: int
    lost_processing_fee: str
    default_replacement_price: str
    refund_when_found: bool
    lost_after_days: int


class SettingsIn(Schema):
    """Only the fields sent are changed."""

    model_config = {"extra": "forbid"}

    out_of_scheme_return: str | None = None
    debt_limit: str | None = None
    overdue_blocks: bool | None = None
    stale_transit_days: int | None = None
    lost_processing_fee: str | None = None
    default_replacement_price: str | None = None
    refund_when_found: bool | None = None
    lost_after_days: int | None = None


class FeeFreePeriodIn(Schema):
    name: str = Field(max_length=100)
    start: date
    end: date
    every_year: bool = False


class FeeFreePeriodOut(FeeFreePeriodIn):
    id: int


def _settings_out(row: Any) -> dict[str, Any]:
    return {
        name: (f"{value:.2f}" if name in settings_services.MONEY else value)
        for name in SettingsOut.model_fields
        for value in [getattr(row, name)]
    }


@router.get(
    "/circulation/settings",
    response={200: SettingsOut, **ERROR_RESPONSES},
    summary="Network-wide circulation settings (debt limit, lost-item charges, …)",
)
def get_settings(request: HttpRequest) -> dict[str, Any]:
    patron_selectors.require_lookup(request.auth)
    return _settings_out(selectors.circulation_settings())


@router.patch(
    "/circulation/settings",
    response={200: SettingsOut, **ERROR_RESPONSES},
    summary="Change circulation settings (network admins; audited)",
)
def patch_settings(request: HttpRequest, payload: SettingsIn) -> dict[str, Any]:
    row = settings_services.circulation_settings_update(
        actor=request.auth, values=payload.model_dump(exclude_unset=True)
    )
    return _settings_out(row)


@router.get(
    "/circulation/fee-free-periods",
    response={200: list[FeeFreePeriodOut], **ERROR_RESPONSES},
    summary="Periods without overdue fees",
)
def list_periods(request: HttpRequest) -> list[Any]:
    patron_selectors.require_lookup(request.auth)
    return list(FeeFreePeriod.objects.all())


@router.post(
    "/circulation/fee-free-periods",
    response={201: FeeFreePeriodOut, **ERROR_RESPONSES},
    summary="Add a period without overdue fees (network admins; audited)",
)
def add_period(request: HttpRequest, payload: FeeFreePeriodIn) -> Status:
    period = settings_services.fee_free_period_add(actor=request.auth, **payload.model_dump())
    return Status(201, period)


@router.delete(
    "/circulation/fee-free-periods/{period_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Remove a fee-free period (network admins; audited)",
)
def delete_period(request: HttpRequest, period_id: int) -> Status:
    settings_services.fee_free_period_delete(actor=request.auth, period_id=period_id)
    return Status(204, None)
