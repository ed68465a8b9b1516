"""SIP2 handlers for circulation: checkout, checkin, renew, renew all, item information,
item status update, holds and fee payment. Every one calls the desk's services at the
device's unit; a refusal's explanation is the screen message."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from wenjin.catalog.models import Item, ItemStatus
from wenjin.circulation import rows, selectors, services
from wenjin.circulation.models import ACTIVE_HOLD_STATUSES, Hold, Loan
from wenjin.circulation.services import fees, holds
from wenjin.lib.errors import DomainError
from wenjin.sip2 import fields
from wenjin.sip2.codec import Request, Response
from wenjin.sip2.handlers import actor_for, institution, refused, reply
from wenjin.sip2.patrons import reader_or_refusal
from wenjin.sip2.session import Session

# What a kiosk shows for each item status (SIP2 circulation status codes).
STATUS_CODES = {
    ItemStatus.AVAILABLE: "03",
    ItemStatus.CHECKED_OUT: "04",
    ItemStatus.IN_PROCESSING: "06",
    ItemStatus.ON_HOLD_SHELF: "08",
    ItemStatus.IN_TRANSIT: "10",
    ItemStatus.LOST: "12",
    ItemStatus.MISSING: "13",
}
BOOK = "001"


def _due(day: Any) -> datetime | None:
    """A due date as a kiosk shows it: the end of that day, local time."""
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def _offline_time(request: Request, name: str) -> datetime | None:
    """For a "no block" transaction (done while the system was unreachable), the time it
    really happened, so the rules apply as of then."""
    if not request.flag("no_block"):
        return None
    try:
        when = request.datetime(name, timezone.get_current_timezone())
    except Exception:  # a malformed date: treat the transaction as happening now
        return None
    return when if when and when <= timezone.now() else None


def _title(barcode: str) -> str:
    item = Item.objects.filter(barcode=barcode).select_related("record").first()
    return item.record.title if item else ""


def _org(session: Session) -> str:
    return session.device.org_unit.code


def checkout(session: Session, request: Request) -> Response:
    """11 → 12. An item already on loan to this reader is renewed when the kiosk's renewal
    policy allows it."""
    reader = reader_or_refusal(session, request)
    if isinstance(reader, Response):
        return reader
    barcode = (request.get("AB") or "").strip()
    # The service renews a copy already on loan to the same reader; a kiosk whose
    # renewal policy is off wants a refusal instead (only then is it worth looking).
    if not request.flag("sc_renewal_policy") and _on_loan_to(barcode, reader.patron.pk):
        return _lend_refused(
            session, request, barcode, _("You have this item on loan already."), "ALREADY_ON_LOAN"
        )
    try:
        result = services.checkout(
            actor=actor_for(session),
            item_barcode=barcode,
            patron_barcode=reader.card.barcode,
            org_code=_org(session),
            at=_offline_time(request, "transaction_date"),
        )
    except DomainError as error:
        return _lend_refused(session, request, barcode, error.message, error.code)
    return _lent("12", request, result.loan, renewed=result.renewed)


def _on_loan_to(barcode: str, patron_id: int) -> bool:
    item_id = Item.objects.filter(barcode=barcode).values_list("pk", flat=True).first()
    loan = rows.open_loan(item_id) if item_id else None
    return loan is not None and loan.patron_id == patron_id


def _lent(code: str, request: Request, loan: Loan, *, renewed: bool) -> Response:
    due = loan.due_date
    message = (
        _("Renewed. Due back on %(day)s.") if renewed else _("Borrowed. Due back on %(day)s.")
    ) % {"day": due.isoformat()}
    return reply(
        code,
        {"ok": True, "renewal_ok": renewed, "magnetic_media": "N", "desensitize": True},
        {
            "AO": institution(),
            "AA": request.get("AA"),
            "AB": loan.item.barcode,
            "AJ": loan.item.record.title,
            "AH": _due(due),
            "CK": BOOK,
        },
        message,
    )


def _lend_refused(
    session: Session, request: Request, barcode: str, message: str, code: str
) -> Response:
    response = refused(session, request, message, code)
    response.fields["AJ"] = _title(barcode)
    response.fields["AH"] = ""
    return response


def checkin(session: Session, request: Request) -> Response:
    """09 → 10. The alert tells a sorter or a kiosk where the item goes: the hold shelf
    here (01), in transit to a pickup library (02) or home (04), with the destination
    (CT) and a sort bin (CL)."""
    barcode = (request.get("AB") or "").strip()
    try:
        result = services.checkin(
            actor=actor_for(session),
            item_barcode=barcode,
            org_code=_org(session),
            at=_offline_time(request, "return_date"),
        )
    except DomainError as error:
        response = refused(session, request, error.message, error.code)
        response.fixed["alert"] = True
        response.fields["AJ"] = _title(barcode)
        return response
    item = result.item
    alert = result.action in ("hold_shelf", "transit")
    alert_type = ""
    if result.action == "hold_shelf":
        alert_type = fields.ALERT_TYPE["hold_local"]
    elif result.action == "transit":
        alert_type = fields.ALERT_TYPE["hold_remote" if result.hold else "transit"]
    screen = [_("Returned. Thank you.")]
    if result.fee_charged:
        screen.append(_("Overdue fee: ¥%(fee)s.") % {"fee": f"{result.fee_charged:.2f}"})
    values: dict[str, Any] = {
        "AO": institution(),
        "AB": item.barcode,
        "AQ": item.owning_org.code,
        "AJ": item.record.title,
        "CL": result.destination.code if alert else "",
        "CK": BOOK,
        "CT": result.destination.code if alert else "",
        "CV": alert_type,
    }
    return reply(
        "10",
        {"ok": True, "resensitize": not alert, "magnetic_media": "N", "alert": alert},
        values,
        screen,
    )


def renew(session: Session, request: Request) -> Response:
    """29 → 30."""
    reader = reader_or_refusal(session, request)
    if isinstance(reader, Response):
        return reader
    barcode = (request.get("AB") or "").strip()
    try:
        result = services.renew(
            actor=actor_for(session),
            item_barcode=barcode,
            patron_barcode=reader.card.barcode,
            org_code=_org(session),
        )
    except DomainError as error:
        return _lend_refused(session, request, barcode, error.message, error.code)
    return _lent("30", request, result.loan, renewed=True)


def renew_all(session: Session, request: Request) -> Response:
    """65 → 66: renew every loan that may be renewed; the rest are listed as not renewed."""
    reader = reader_or_refusal(session, request)
    if isinstance(reader, Response):
        return reader
    renewed, unrenewed = [], []
    for loan in selectors.open_loans(reader.patron):
        try:
            services.renew(
                actor=actor_for(session),
                item_barcode=loan.item.barcode,
                patron_barcode=reader.card.barcode,
                org_code=_org(session),
            )
            renewed.append(loan.item.barcode)
        except DomainError:
            unrenewed.append(loan.item.barcode)
    return reply(
        "66",
        {"ok": True, "renewed_count": len(renewed), "unrenewed_count": len(unrenewed)},
        {"AO": institution(), "BM": renewed, "BN": unrenewed},
        _("%(n)d renewed, %(m)d not renewed.") % {"n": len(renewed), "m": len(unrenewed)},
    )


def item_information(session: Session, request: Request) -> Response:
    """17 → 18: status, due date, hold queue, where it is and where it belongs.

    Sorters send one before every return: everything comes in one statement.
    """
    barcode = (request.get("AB") or "").strip()
    item = rows.item_glance(barcode) if "\x00" not in barcode else None
    if item is None:
        response = refused(
            session, request, _("There is no item with this barcode."), "ITEM_NOT_FOUND"
        )
        response.fixed["circulation_status"] = 1
        response.fields["AJ"] = ""
        return response
    status = STATUS_CODES.get(item.status, "01")
    if item.claimed_returned:
        status = fields.CIRCULATION_STATUS["claimed_returned"]
    return reply(
        "18",
        {"circulation_status": int(status), "security_marker": 2, "fee_type": 1},
        {
            "CF": item.holds_waiting,
            "AH": _due(item.due_date),
            "AB": item.barcode,
            "AJ": item.title,
            "CK": BOOK,
            "AQ": item.owning_code,
            "AP": item.current_code,
        },
    )


def item_status_update(session: Session, request: Request) -> Response:
    """19 → 20: item properties are not kept here; say so rather than pretend."""
    session.state["outcome"] = ("refused", "NOT_SUPPORTED")
    return reply(
        "20",
        {"item_properties_ok": False},
        {"AB": request.get("AB") or "", "AJ": _title(request.get("AB") or "")},
        _("Item properties are not kept by this system."),
    )


def hold(session: Session, request: Request) -> Response:
    """15 → 16: place (+) or cancel (-) a hold on the item's title, picked up at BS or
    at the device's library."""
    reader = reader_or_refusal(session, request)
    if isinstance(reader, Response):
        return reader
    barcode = (request.get("AB") or "").strip()
    item = Item.objects.filter(barcode=barcode).select_related("record").first()
    if item is None:
        return refused(session, request, _("There is no item with this barcode."), "ITEM_NOT_FOUND")
    pickup = (request.get("BS") or "").strip() or _org(session)
    mode = request.fixed.get("hold_mode", "+")
    try:
        if mode == "-":
            placed = Hold.objects.filter(
                patron=reader.patron, record=item.record, status__in=ACTIVE_HOLD_STATUSES
            ).first()
            if placed is None:
                return refused(session, request, _("You have no hold on this title."), "NO_HOLD")
            holds.hold_cancel(actor=actor_for(session), hold_id=placed.pk, reason="SIP2")
            message = _("Hold cancelled.")
            position = None
        else:
            placed = holds.hold_place(
                actor=actor_for(session),
                patron_barcode=reader.card.barcode,
                pickup_org_code=pickup,
                record_id=item.record_id,
            )
            position = holds.queue_position(placed)
            message = _("Hold placed: number %(n)s in the queue.") % {"n": position}
    except DomainError as error:
        return refused(session, request, error.message, error.code)
    available = item.status == ItemStatus.AVAILABLE
    return reply(
        "16",
        {"ok": True, "available": available},
        {
            "BR": position,
            "BS": pickup,
            "AO": institution(),
            "AA": request.get("AA"),
            "AB": barcode,
            "AJ": item.record.title,
        },
        message,
    )


# Payment types a kiosk sends: cash, and (by this network's convention for the two
# codes SIP2 defines for cards) WeChat Pay and Alipay with their reference in BK.
PAYMENT_METHODS = {"00": "cash", "01": "wechat", "02": "alipay"}


def fee_paid(session: Session, request: Request) -> Response:
    """37 → 38: a payment at the kiosk, settling the oldest fees (or the one in CG)."""
    reader = reader_or_refusal(session, request)
    if isinstance(reader, Response):
        return reader
    method = PAYMENT_METHODS.get(str(request.fixed.get("payment_type", "")).zfill(2))
    if method is None:
        return _unpaid(session, request, _("This kind of payment is not accepted."), "METHOD")
    fee_id = (request.get("CG") or "").strip()
    try:
        result = fees.payment_take(
            actor=actor_for(session),
            patron=reader.patron,
            amount=request.get("BV") or "",
            method=method,
            reference=request.get("BK") or "",
            org_code=_org(session),
            fee_ids=[int(fee_id)] if fee_id.isdigit() else (),
        )
    except DomainError as error:
        return _unpaid(session, request, error.message, error.code)
    return reply(
        "38",
        {"payment_accepted": True},
        {"AO": institution(), "AA": request.get("AA"), "BK": request.get("BK") or ""},
        _("¥%(amount)s received. Still owed: ¥%(owed)s.")
        % {"amount": result.payment.amount, "owed": result.still_owed},
    )


def _unpaid(session: Session, request: Request, message: str, code: str) -> Response:
    response = refused(session, request, message, code)
    response.fixed["payment_accepted"] = False
    response.fields["BK"] = request.get("BK") or ""
    return response
