"""SIP2 handlers about readers: patron information and status, end of session, block.

A reader identifies by card barcode or resident ID number (AA) and their PIN (AD). The
patron status flags and the screen message come from the same checks the desk makes.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from wenjin.circulation import policies, rows, selectors
from wenjin.circulation.fee_selectors import patron_fees
from wenjin.circulation.models import FeeStatus, HoldStatus
from wenjin.lib.errors import DomainError
from wenjin.patrons import selectors as patron_selectors
from wenjin.patrons.models import Card, CardStatus, Patron
from wenjin.patrons.services.cards import PinLocked, card_set_blocked, pin_check
from wenjin.patrons.services.common import live_card
from wenjin.sip2 import fields
from wenjin.sip2.codec import Request, Response
from wenjin.sip2.handlers import actor_for, institution, refused, reply
from wenjin.sip2.session import Session

CHINESE = 19  # the SIP2 language code for Chinese


@dataclass
class Reader:
    """A reader as a kiosk identified them: the card, and whether the PIN was right
    (None when no PIN was sent)."""

    card: Card
    pin_ok: bool | None
    # Set when the reader's PIN is locked after too many wrong ones: the refusal to show.
    locked: str = ""

    @property
    def patron(self) -> Patron:
        return self.card.patron


def find_reader(request: Request) -> Card | None:
    """The card for AA: a card number, or a resident ID number (its reader's live card).

    Kiosks ask on every message of a visit: the card comes with its reader only (the
    desk's lookup also joins the category and home library, which no answer here uses).
    """
    identifier = (request.get("AA") or "").strip()
    if not identifier or "\x00" in identifier:
        return None
    card = Card.objects.select_related("patron").filter(barcode=identifier).first()
    if card is not None:
        return None if card.patron.deleted_at else card
    patron = patron_selectors.by_identity(identifier)
    return live_card(patron) if patron else None


def identify(
    request: Request, *, need_pin: bool = True, session: Session | None = None
) -> Reader | None:
    """The reader of a request, with the PIN checked. A PIN that arrived garbled (the
    device's character set is wrong) never matches.

    A kiosk sends the PIN with every message of a reader's visit (patron information,
    each checkout, renewals); with ``session`` the hash is checked once per visit and
    later messages compare a keyed digest kept for this connection only, forgotten at
    end of session (35), on another reader and when the PIN changes.
    """
    card = find_reader(request)
    if card is None:
        return None
    pin = request.get("AD")
    if pin is None or (pin == "" and not need_pin):
        return Reader(card, None)
    if request.lossy:
        return Reader(card, False)
    patron = card.patron
    if session is not None and _verified_before(session, patron, pin):
        return Reader(card, True)
    try:
        ok = pin_check(patron, pin)
    except PinLocked as error:
        return Reader(card, False, locked=error.message)
    if ok and session is not None:
        session.state["verified_pin"] = (patron.pk, patron.pin_hash, _digest(session, pin))
    return Reader(card, ok)


def _digest(session: Session, pin: str) -> bytes:
    key = session.state.setdefault("pin_key", secrets.token_bytes(32))
    return hmac.digest(key, pin.encode("utf-8"), "sha256")


def _verified_before(session: Session, patron: Patron, pin: str) -> bool:
    remembered = session.state.get("verified_pin")
    if remembered is None or remembered[:2] != (patron.pk, patron.pin_hash):
        return False
    return hmac.compare_digest(remembered[2], _digest(session, pin))


def reader_or_refusal(session: Session, request: Request) -> Reader | Response:
    """The identified reader with a right PIN, or the refusal to send."""
    reader = identify(request, session=session)
    if reader is None:
        return refused(session, request, _("No reader has this card number."), "PATRON_NOT_FOUND")
    if reader.locked:
        return refused(session, request, reader.locked, "PIN_LOCKED")
    if reader.pin_ok is not True:
        return refused(session, request, _("The password is wrong."), "WRONG_PIN")
    return reader


@dataclass
class Standing:
    """What the status flags and counts are made of."""

    counts: rows.ReaderCounts
    refusals: list[policies.Refusal]

    @property
    def open_loans(self) -> int:
        return self.counts.open_loans

    @property
    def overdue(self) -> int:
        return self.counts.overdue

    @property
    def debt(self) -> Decimal:
        return self.counts.debt


def standing(card: Card) -> Standing:
    today = selectors.today()
    counts = rows.reader_counts(card.patron, today)
    settings = selectors.circulation_settings()
    state = policies.ReaderState(
        card_status=card.status,
        card_expires_on=card.expires_on,
        overdue_loans=counts.overdue,
        debt=counts.debt,
        open_loans=counts.open_loans,
    )
    limits = policies.Limits(debt_limit=settings.debt_limit, overdue_blocks=settings.overdue_blocks)
    return Standing(counts, policies.reader_refusals(state, today, limits))


def status_field(card: Card, state: Standing) -> str:
    settings = selectors.circulation_settings()
    blocked = bool(state.refusals)
    return fields.patron_status(
        charge_privileges_denied=blocked,
        renewal_privileges_denied=blocked,
        hold_privileges_denied=state.debt > settings.debt_limit or card.status != CardStatus.ACTIVE,
        card_reported_lost=card.status == CardStatus.LOST,
        too_many_items_overdue=bool(state.overdue and settings.overdue_blocks),
        excessive_outstanding_fees=state.debt > settings.debt_limit,
    )


def _status_values(reader: Reader, request: Request, state: Standing) -> dict[str, Any]:
    patron = reader.patron
    values: dict[str, Any] = {
        "AO": institution(),
        "AA": request.get("AA"),
        # The name only once the PIN is right: a card number alone reveals nobody.
        "AE": patron.name if reader.pin_ok else "",
        "BL": True,
        "BH": "CNY",
        "BV": state.debt,
    }
    if reader.pin_ok is not None:
        values["CQ"] = reader.pin_ok
    return values


def _screen(reader: Reader, state: Standing) -> list[str]:
    if reader.locked:
        return [reader.locked]
    if reader.pin_ok is False:
        return [_("The password is wrong.")]
    return [refusal.message for refusal in state.refusals]


def patron_status(session: Session, request: Request) -> Response:
    """23 (and 25) → 24 / 26: the status flags of a reader."""
    reader = identify(request, need_pin=False, session=session)
    answer = "26" if request.code == "25" else "24"
    if reader is None:
        return refused(session, request, _("No reader has this card number."), "PATRON_NOT_FOUND")
    state = standing(reader.card)
    return reply(
        answer,
        {"patron_status": status_field(reader.card, state), "language": CHINESE},
        _status_values(reader, request, state),
        _screen(reader, state),
    )


def _window(request: Request) -> tuple[int, int]:
    """BP..BQ, 1-based and inclusive (defaults: the first 50)."""
    try:
        start = max(1, int(request.get("BP") or 1))
    except ValueError:
        start = 1
    try:
        end = int(request.get("BQ") or start + 49)
    except ValueError:
        end = start + 49
    return start, max(start, min(end, start + 199))


def patron_information(session: Session, request: Request) -> Response:
    """63 → 64: counts, status, and the list the summary field asks for (items on the
    hold shelf, overdue, on loan, fees, holds not yet available).

    Kiosks send 63 at the start of every visit, mostly without a summary selection: the
    counts come in one statement, and only the one list asked for is loaded.
    """
    reader = identify(request, need_pin=False, session=session)
    if reader is None:
        return refused(session, request, _("No reader has this card number."), "PATRON_NOT_FOUND")
    patron = reader.patron
    state = standing(reader.card)
    values = _status_values(reader, request, state)
    selection = fields.summary_selection(request.fixed.get("summary", ""))
    if selection is not None and reader.pin_ok:
        start, end = _window(request)
        wanted = _summary_list(patron, selection[1])
        values[selection[1]] = wanted[start - 1 : end]
    return reply(
        "64",
        {
            "patron_status": status_field(reader.card, state),
            "language": CHINESE,
            "hold_items_count": state.counts.holds_ready,
            "overdue_items_count": state.overdue,
            "charged_items_count": state.open_loans,
            "fine_items_count": state.counts.open_fees,
            "recall_items_count": 0,
            "unavailable_holds_count": state.counts.holds_pending,
        },
        values,
        _screen(reader, state),
    )


def _summary_list(patron: Patron, field_id: str) -> list[str]:
    """The items of one summary list (AS hold shelf, AT overdue, AU on loan, AV fees,
    BU recalls, CD holds not yet available)."""
    if field_id in ("AT", "AU"):
        loans = selectors.open_loans(patron)
        if field_id == "AT":
            loans = loans.filter(due_date__lt=selectors.today(), claimed_returned_at__isnull=True)
        return [loan.item.barcode for loan in loans]
    if field_id == "AV":
        fees = patron_fees(patron, status=FeeStatus.OPEN)
        return [f"{fee.balance:.2f} {fee.get_kind_display()}" for fee in fees]
    if field_id in ("AS", "CD"):
        holds = selectors.patron_holds(patron)
        if field_id == "AS":
            return [
                h.captured_item.barcode
                for h in holds
                if h.status == HoldStatus.READY and h.captured_item_id
            ]
        return [h.record.title for h in holds if h.status != HoldStatus.READY]
    return []  # BU: recalls are not used


def end_session(session: Session, request: Request) -> Response:
    """35 → 36: the reader walked away; forget them."""
    session.state.pop("patron", None)
    session.state.pop("verified_pin", None)
    return reply("36", {"end_session": True}, {"AO": institution(), "AA": request.get("AA") or ""})


def block_patron(session: Session, request: Request) -> Response:
    """01 → 24: the kiosk kept a card (reported lost, say): block it, with the kiosk's
    message as the reason."""
    card = find_reader(request)
    if card is None:
        return refused(session, request, _("No reader has this card number."), "PATRON_NOT_FOUND")
    reason = (request.get("AL") or _("Blocked by a self-service machine."))[:200]
    try:
        card = card_set_blocked(
            actor=actor_for(session), barcode=card.barcode, blocked=True, reason=reason
        )
    except DomainError as error:
        return refused(session, request, error.message, error.code)
    reader = Reader(card, None)
    state = standing(card)
    return reply(
        "24",
        {"patron_status": status_field(card, state), "language": CHINESE},
        _status_values(reader, request, state),
        _screen(reader, state),
    )
