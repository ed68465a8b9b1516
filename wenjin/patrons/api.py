"""Readers API: register, look up (identity or phone in the body, never in a URL), read,
edit, replace a lost card; credit standing and staff adjustments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from wenjin.api.core import ERROR_RESPONSES
from wenjin.lib.errors import ValidationFailed
from wenjin.patrons import selectors, services
from wenjin.patrons.models import Patron

router = Router(tags=["readers"])

IdentityTypeIn = Literal[
    "resident_id", "social_security", "passport", "hk_macau_permit", "taiwan_permit"
]


class PatronIn(Schema):
    name: str = Field(max_length=100)
    identity_type: IdentityTypeIn
    identity_number: str = Field(max_length=40)
    phone: str = Field(max_length=30)
    home_org_code: str = Field(max_length=40)
    local_residence: bool = True
    category: str | None = Field(None, description="derived from age when omitted")
    guardian_barcode: str | None = Field(None, description="a child's guardian (an adult reader)")
    address: str = Field("", max_length=300)
    birth_date: date | None = Field(
        None, description="for documents that do not carry it (resident IDs do)"
    )
    pin: str | None = Field(None, description="6 digits; a random PIN is made when omitted")


class RegistrationOut(Schema):
    barcode: str
    category: str
    expires_on: date
    pin: str | None = Field(None, description="the PIN made at registration, shown this once")


class PatronOut(Schema):
    barcode: str | None
    name: str
    category: str
    category_label: str
    status: str
    expires_on: date | None
    home_org: str
    home_org_name: str
    identity_type: str
    identity_masked: str
    phone_masked: str
    birth_date_year: int | None
    local_residence: bool
    keeps_history: bool
    guardian_barcode: str | None


class PatronPatch(Schema):
    name: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=30)
    address: str | None = Field(None, max_length=300)
    local_residence: bool | None = None
    keeps_history: bool | None = None
    category: str | None = None


class LookupIn(Schema):
    identity: str | None = Field(None, max_length=40)
    phone: str | None = Field(None, max_length=30)


class LostCardIn(Schema):
    org_code: str | None = Field(None, description="where the new card is issued (default: home)")


class LostCardOut(Schema):
    barcode: str = Field(description="the new card number")
    old_barcode: str
    expires_on: date


@router.post(
    "/patrons",
    response={201: RegistrationOut, **ERROR_RESPONSES},
    summary="Register a reader and issue a card",
)
def register_patron(request: HttpRequest, payload: PatronIn) -> Status:
    data = payload.model_dump()
    generated = not data.get("pin")
    registration = services.register(actor=request.auth, **data)
    return Status(
        201,
        {
            "barcode": registration.card.barcode,
            "category": registration.patron.category.code,
            "expires_on": registration.card.expires_on,
            "pin": registration.pin if generated else None,
        },
    )


@router.post(
    "/patrons/lookup",
    response={200: list[PatronOut], **ERROR_RESPONSES},
    summary="Find readers by identity number or phone (sent in the body)",
)
def lookup_patrons(request: HttpRequest, payload: LookupIn) -> list[dict[str, Any]]:
    selectors.require_lookup(request.auth)
    if bool(payload.identity) == bool(payload.phone):
        raise ValidationFailed(
            _("Send either an identity number or a phone number."),
            fields={"identity": "", "phone": ""},
        )
    if payload.identity:
        found = selectors.by_identity(payload.identity)
        patrons = [found] if found else []
    else:
        patrons = selectors.by_phone(payload.phone or "")
    return [selectors.summary(patron) for patron in patrons]


@router.get(
    "/patrons/{barcode}",
    response={200: PatronOut, **ERROR_RESPONSES},
    summary="A reader by card number (identity and phone masked)",
)
def get_patron(request: HttpRequest, barcode: str) -> dict[str, Any]:
    selectors.require_lookup(request.auth)
    return selectors.summary(selectors.patron_by_barcode(barcode))


@router.patch(
    "/patrons/{barcode}",
    response={200: PatronOut, **ERROR_RESPONSES},
    summary="Change a reader's details",
)
def patch_patron(request: HttpRequest, barcode: str, payload: PatronPatch) -> dict[str, Any]:
    changes = payload.model_dump(exclude_unset=True)
    patron = services.patron_update(actor=request.auth, barcode=barcode, changes=changes)
    return selectors.summary(patron)


@router.post(
    "/patrons/{barcode}/lost-card",
    response={201: LostCardOut, **ERROR_RESPONSES},
    summary="Report a card lost: it is blocked at once and a new card number issued",
)
def lost_card(request: HttpRequest, barcode: str, payload: LostCardIn | None = None) -> Status:
    org_code = payload.org_code if payload else None
    new = services.card_report_lost(actor=request.auth, barcode=barcode, org_code=org_code)
    return Status(
        201,
        {"barcode": new.barcode, "old_barcode": barcode, "expires_on": new.expires_on},
    )


class CreditEventOut(Schema):
    at: datetime
    change: int
    score_after: int
    reason: str = Field(
        description="on_time_return, overdue_return, lost, found_after_lost, "
        "staff_adjustment or external"
    )
    note: str


class CreditOut(Schema):
    score: int
    band: str = Field(description="excellent, good, fair or poor")
    deposit_free: bool
    extra_quota: int = Field(description="items the reader may borrow beyond their quota")
    provider: str = Field(description="where the score came from: local or external")
    history: list[CreditEventOut] = Field(description="the local ledger, newest first")


class CreditAdjustIn(Schema):
    # strict: "5" or true are not a number of points
    change: int = Field(strict=True, description="points, + or −; not 0")
    note: str = Field(max_length=200, description="why (required)")


def _credit(patron: Patron) -> dict[str, Any]:
    standing = selectors.credit_standing(patron)
    return {
        "score": standing.score,
        "band": standing.band,
        "deposit_free": standing.deposit_free,
        "extra_quota": standing.extra_quota,
        "provider": standing.provider,
        "history": [
            {
                "at": timezone.localtime(event.at),  # the contract: with the +08:00 offset
                "change": event.change,
                "score_after": event.score_after,
                "reason": event.reason,
                "note": event.note,
            }
            for event in selectors.credit_history(patron)
        ],
    }


@router.get(
    "/patrons/{barcode}/credit",
    response={200: CreditOut, **ERROR_RESPONSES},
    summary="A reader's credit score, what it is worth, and why it moved",
)
def get_credit(request: HttpRequest, barcode: str) -> dict[str, Any]:
    selectors.require_lookup(request.auth)
    return _credit(selectors.patron_by_barcode(barcode))


@router.post(
    "/patrons/{barcode}/credit/adjust",
    response={201: CreditOut, **ERROR_RESPONSES},
    summary="Adjust a reader's credit score by hand, with a reason (audited)",
)
def adjust_credit(request: HttpRequest, barcode: str, payload: CreditAdjustIn) -> Status:
    patron = selectors.patron_by_barcode(barcode)
    services.credit_adjust(
        actor=request.auth, patron=patron, change=payload.change, note=payload.note
    )
    return Status(201, _credit(patron))
