"""Circulation API (a contract): checkout, checkin, renew, receive transits, a reader's
loans, transit lists, the rules matrix."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from wenjin.accounts.policies import Perm
from wenjin.api.core import ERROR_RESPONSES, Page, paginate
from wenjin.circulation import policies, selectors, services
from wenjin.circulation.models import Transit
from wenjin.network.selectors import get_unit
from wenjin.patrons import selectors as patron_selectors

router = Router(tags=["circulation"])


class RuleOut(Schema):
    id: int
    name: str
    loan_days: int
    renewals_allowed: int
    renewal_days: int
    max_items: int
    max_items_of_type: int | None
    fee_per_day: str = Field(description="yuan, decimal string")
    fee_cap: str
    grace_days: int
    holds_allowed: bool
    max_holds: int
    hold_shelf_days: int


class CheckoutIn(Schema):
    item_barcode: str = Field(max_length=32)
    patron_barcode: str = Field(max_length=20)
    org_code: str = Field(max_length=32, description="where the checkout happens")
    overrides: list[str] = Field(
        default_factory=list, description="refusal codes to override (needs the override role)"
    )
    override_reason: str = Field("", max_length=200)


class LoanOut(Schema):
    loan_id: int
    due_date: date
    rule: RuleOut
    renewed: bool = Field(description="the item was already on loan to this reader: renewed")
    overridden: list[str]


class CheckinIn(Schema):
    item_barcode: str = Field(max_length=32)
    org_code: str = Field(max_length=32)


class CheckinOut(Schema):
    item_status: Literal["available", "in_transit", "on_hold_shelf"]
    destination_org_code: str
    fee_charged: str = Field(description="overdue fee in yuan, decimal string", examples=["0.30"])
    loan_id: int | None
    routing: Literal["stay", "hold_shelf", "transit"]
    hold_id: int | None = Field(description="the hold this copy now fills, if any")
    found: bool = Field(description="the item had been lost or missing")


class RenewIn(Schema):
    item_barcode: str = Field(max_length=32)
    patron_barcode: str = Field(max_length=20)
    org_code: str | None = Field(None, description="where (default: the checkout library)")
    overrides: list[str] = Field(default_factory=list)
    override_reason: str = Field("", max_length=200)


class RenewOut(Schema):
    due_date: date
    renewals: int
    renewals_allowed: int


class ReceiveIn(Schema):
    item_barcode: str = Field(max_length=32)
    org_code: str = Field(max_length=32)


class ReceiveOut(Schema):
    item_status: Literal["available", "in_transit", "on_hold_shelf"]
    destination_org_code: str
    rerouted: bool


class PatronLoanOut(Schema):
    loan_id: int
    item_barcode: str
    title: str
    call_number: str
    checkout_org_code: str
    checked_out_at: datetime
    due_date: date
    overdue_days: int
    fee_accruing: Decimal
    renewals: int
    renewals_allowed: int
    rule: str


class TransitOut(Schema):
    id: int
    item_barcode: str
    title: str
    from_org_code: str
    to_org_code: str
    reason: str
    sent_at: datetime


def _loan_out(result: services.LoanResult) -> dict[str, Any]:
    return {
        "loan_id": result.loan.pk,
        "due_date": result.loan.due_date,
        "rule": policies.describe_rule(result.rule),
        "renewed": result.renewed,
        "overridden": result.overridden,
    }


@router.post(
    "/circulation/checkout",
    response={201: LoanOut, 200: LoanOut, **ERROR_RESPONSES},
    summary="Lend an item (201), or renew it when already on loan to this reader (200)",
    description=(
        "Refusals answer 409 with the failed check's code (ITEM_ON_LOAN, PATRON_BLOCKED, "
        "CARD_EXPIRED, CARD_LOST, LIMIT_REACHED, NOT_IN_NETWORK_SCHEME, "
        "HOLD_FOR_OTHER_PATRON, ITEM_IN_TRANSIT, ITEM_NOT_LOANABLE, RENEWALS_USED, "
        "ORG_NOT_IN_SERVICE, NO_LOAN_RULE) and, in details, the matched rule and whether "
        "the refusal may be overridden. Unknown barcodes answer 404."
    ),
)
def checkout(request: HttpRequest, payload: CheckoutIn) -> Status:
    result = services.checkout(actor=request.auth, **payload.model_dump())
    return Status(200 if result.renewed else 201, _loan_out(result))


@router.post(
    "/circulation/checkin",
    response={200: CheckinOut, **ERROR_RESPONSES},
    summary="Return an item at any library (通还) and route it",
)
def checkin(request: HttpRequest, payload: CheckinIn) -> dict[str, Any]:
    result = services.checkin(actor=request.auth, **payload.model_dump())
    return {
        "item_status": result.item_status,
        "destination_org_code": result.destination.code,
        "fee_charged": f"{result.fee_charged:.2f}",
        "loan_id": result.loan.pk if result.loan else None,
        "routing": result.action,
        "hold_id": result.hold.pk if result.hold else None,
        "found": result.was_found,
    }


@router.post(
    "/circulation/renew",
    response={200: RenewOut, **ERROR_RESPONSES},
    summary="Renew a loan (from its current due date)",
)
def renew(request: HttpRequest, payload: RenewIn) -> dict[str, Any]:
    result = services.renew(actor=request.auth, **payload.model_dump())
    loan = result.loan
    return {
        "due_date": loan.due_date,
        "renewals": loan.renewals,
        "renewals_allowed": loan.renewals_allowed,
    }


@router.post(
    "/transits/receive",
    response={200: ReceiveOut, **ERROR_RESPONSES},
    summary="Receive an item in transit (re-routed when this is not its destination)",
)
def receive(request: HttpRequest, payload: ReceiveIn) -> dict[str, Any]:
    result = services.transit_receive(actor=request.auth, **payload.model_dump())
    return {
        "item_status": result.item_status,
        "destination_org_code": result.destination.code,
        "rerouted": result.rerouted,
    }


@router.get(
    "/patrons/{barcode}/loans",
    response={200: Page[PatronLoanOut], **ERROR_RESPONSES},
    summary="A reader's open loans, soonest due first, with fees accruing",
)
def patron_loans(
    request: HttpRequest,
    barcode: str,
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    patron_selectors.require_lookup(request.auth)
    patron = patron_selectors.patron_by_barcode(barcode)
    on = selectors.today()
    return paginate(
        selectors.open_loans(patron), page, page_size, lambda loan: selectors.loan_out(loan, on)
    )


@router.get(
    "/org-units/{code}/transits",
    response={200: Page[TransitOut], **ERROR_RESPONSES},
    summary="Open transits coming to a unit or sent from it",
)
def unit_transits(
    request: HttpRequest,
    code: str,
    direction: Literal["incoming", "outgoing"] = "incoming",
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    unit = get_unit(code)
    request.auth.require(Perm.CIRCULATE, unit)
    return paginate(selectors.transits(unit, direction), page, page_size, selectors.transit_out)


class StaleTransitOut(TransitOut):
    days_in_transit: int


@router.get(
    "/transits/stale",
    response={200: Page[StaleTransitOut], **ERROR_RESPONSES},
    summary="Transits open longer than the configured days, oldest first (network-wide)",
)
def stale_transits(
    request: HttpRequest,
    older_than_days: int | None = Query(None, ge=1, le=3650),
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    request.auth.require_anywhere(Perm.CIRCULATE)
    now = timezone.now()

    def out(transit: Transit) -> dict[str, Any]:
        return selectors.transit_out(transit) | {"days_in_transit": (now - transit.sent_at).days}

    return paginate(selectors.stale_transits(older_than_days), page, page_size, out)


class RuleConditionsOut(RuleOut):
    checkout_org_code: str | None
    owning_org_code: str | None
    patron_category: str | None
    material_type: str | None
    is_children: bool | None
    is_rare: bool | None
    loanable: bool
    network_lending: bool | None = Field(description="None: as the item's own scheme flag")


class RuleIn(Schema):
    name: str | None = Field(None, max_length=100)
    checkout_org_code: str | None = None
    owning_org_code: str | None = None
    patron_category: str | None = None
    material_type: str | None = None
    is_children: bool | None = None
    is_rare: bool | None = None
    loanable: bool | None = None
    loan_days: int | None = None
    renewals_allowed: int | None = None
    renewal_days: int | None = None
    max_items: int | None = None
    max_items_of_type: int | None = None
    network_lending: bool | None = None
    fee_per_day: Decimal | None = None
    fee_cap: Decimal | None = None
    grace_days: int | None = None
    holds_allowed: bool | None = None
    max_holds: int | None = None
    hold_shelf_days: int | None = None


@router.get(
    "/circulation/rules",
    response={200: list[RuleConditionsOut], **ERROR_RESPONSES},
    summary="The loan rules matrix, most specific first (the order in which rules win)",
)
def rules(request: HttpRequest) -> list[dict[str, Any]]:
    request.auth.require_anywhere(Perm.CIRCULATE)
    return [selectors.rule_out(rule) for rule in selectors.rule_rows()]


@router.post(
    "/circulation/rules",
    response={201: RuleConditionsOut, **ERROR_RESPONSES},
    summary="Add a loan rule",
)
def rule_create(request: HttpRequest, payload: RuleIn) -> Status:
    rule = services.loan_rule_save(
        actor=request.auth, values=payload.model_dump(exclude_unset=True)
    )
    return Status(201, selectors.rule_out(rule))


@router.patch(
    "/circulation/rules/{rule_id}",
    response={200: RuleConditionsOut, **ERROR_RESPONSES},
    summary="Change a loan rule (loans already made keep their terms)",
)
def rule_update(request: HttpRequest, rule_id: int, payload: RuleIn) -> dict[str, Any]:
    values = payload.model_dump(exclude_unset=True)
    rule = services.loan_rule_save(actor=request.auth, values=values, rule_id=rule_id)
    return selectors.rule_out(rule)


@router.delete(
    "/circulation/rules/{rule_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Remove a loan rule",
)
def rule_delete(request: HttpRequest, rule_id: int) -> Status:
    services.loan_rule_delete(actor=request.auth, rule_id=rule_id)
    return Status(204, None)
