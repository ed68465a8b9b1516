"""Holds API (a contract): place and cancel holds, a reader's holds, a unit's pull list
and hold shelf."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from wenjin.accounts.policies import Perm
from wenjin.api.core import ERROR_RESPONSES, Page, paginate
from wenjin.circulation import selectors
from wenjin.circulation.services import holds
from wenjin.patrons import selectors as patron_selectors

router = Router(tags=["holds"])


class HoldIn(Schema):
    patron_barcode: str = Field(max_length=20)
    record_id: int | None = Field(None, description="a title-level hold (any copy)")
    item_barcode: str | None = Field(None, max_length=32, description="an item-level hold")
    pickup_org_code: str = Field(max_length=32)


class HoldPlacedOut(Schema):
    hold_id: int
    position: int = Field(description="1 = next in the queue; 0 once a copy is captured")
    status: str
    target_item_barcode: str | None = Field(
        description="the copy to be fetched from a shelf, if one is available"
    )


class HoldOut(Schema):
    hold_id: int
    record_id: int
    title: str
    item_barcode: str | None
    pickup_org_code: str
    status: str
    position: int
    placed_at: datetime
    expires_on: date | None
    copy_barcode: str | None
    call_number: str
    location: str


class NotFoundIn(Schema):
    item_barcode: str = Field(max_length=32)


@router.post(
    "/holds",
    response={201: HoldPlacedOut, **ERROR_RESPONSES},
    summary="Place a hold on a title or an item, for pickup at a unit",
)
def place(request: HttpRequest, payload: HoldIn) -> Status:
    hold = holds.hold_place(actor=request.auth, **payload.model_dump())
    target = hold.target_item.barcode if hold.target_item_id else None
    return Status(
        201,
        {
            "hold_id": hold.pk,
            "position": holds.queue_position(hold),
            "status": hold.status,
            "target_item_barcode": target,
        },
    )


@router.delete(
    "/holds/{hold_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Cancel a hold (a copy waiting for it goes on to the next reader or home)",
)
def cancel(request: HttpRequest, hold_id: int, reason: str = "") -> Status:
    holds.hold_cancel(actor=request.auth, hold_id=hold_id, reason=reason)
    return Status(204, None)


@router.get(
    "/patrons/{barcode}/holds",
    response={200: Page[HoldOut], **ERROR_RESPONSES},
    summary="A reader's active holds with their queue positions",
)
def patron_holds(
    request: HttpRequest,
    barcode: str,
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    patron_selectors.require_lookup(request.auth)
    patron = patron_selectors.patron_by_barcode(barcode)
    return paginate(selectors.patron_holds(patron), page, page_size, selectors.hold_out)


@router.get(
    "/org-units/{code}/pull-list",
    response={200: Page[HoldOut], **ERROR_RESPONSES},
    summary="Copies on this unit's shelves to fetch for holds",
)
def pull_list(
    request: HttpRequest,
    code: str,
    page: int = Query(1, ge=1),
    page_size: int = Query(100, ge=1, le=500),
) -> dict[str, Any]:
    unit = selectors.unit_by_code(code)
    request.auth.require(Perm.CIRCULATE, unit)
    return paginate(selectors.pull_list(unit), page, page_size, selectors.hold_out)


@router.post(
    "/org-units/{code}/pull-list/not-found",
    response={200: list[HoldOut], **ERROR_RESPONSES},
    summary="A pull-list copy is not on its shelf: mark it missing and re-target its holds",
)
def not_found(request: HttpRequest, code: str, payload: NotFoundIn) -> list[dict[str, Any]]:
    affected = holds.pull_not_found(
        actor=request.auth, item_barcode=payload.item_barcode, org_code=code
    )
    return [selectors.hold_out(hold) for hold in affected]


@router.get(
    "/org-units/{code}/hold-shelf",
    response={200: Page[HoldOut], **ERROR_RESPONSES},
    summary="Copies waiting on this unit's hold shelf, soonest expiring first",
)
def hold_shelf(
    request: HttpRequest,
    code: str,
    page: int = Query(1, ge=1),
    page_size: int = Query(100, ge=1, le=500),
) -> dict[str, Any]:
    unit = selectors.unit_by_code(code)
    request.auth.require(Perm.CIRCULATE, unit)
    return paginate(selectors.hold_shelf(unit), page, page_size, selectors.hold_out)
