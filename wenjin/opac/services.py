"""What readers do on the public site: log in with a card (or resident ID) and PIN, and
place a hold. Both go through the same domain services as the desk and the kiosks."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.services import throttle_failure, throttle_locked_until
from wenjin.circulation.models import Hold
from wenjin.circulation.selectors import open_loans
from wenjin.circulation.services import holds
from wenjin.circulation.services.lending import LoanResult, renew
from wenjin.lib.errors import DomainError, NotFound
from wenjin.patrons import selectors as patron_selectors
from wenjin.patrons.models import Card, CardStatus
from wenjin.patrons.services.cards import pin_check
from wenjin.patrons.services.common import live_card

# A lost or cancelled card cannot be used to log in; a blocked or expired one can (the
# reader needs to see why).
LOGIN_STATUSES = (CardStatus.ACTIVE, CardStatus.EXPIRED, CardStatus.BLOCKED)


class LoginFailed(DomainError):
    """Wrong card or PIN: one message for both, so the form reveals no card numbers."""

    status = 401

    def __init__(self) -> None:
        super().__init__("LOGIN_FAILED", _("The card number or password is not correct."))


class TooManyAttempts(DomainError):
    """Too many failed logins from one address lately."""

    status = 429

    def __init__(self) -> None:
        super().__init__(
            "TOO_MANY_ATTEMPTS",
            _("Too many failed attempts from this network. Please try again later."),
        )


def _ip_key(ip: str | None) -> str | None:
    return f"opac-ip:{ip}" if ip else None


def _card_for(identifier: str) -> Card | None:
    identifier = identifier.strip()
    if not identifier or "\x00" in identifier:
        return None
    card = Card.objects.select_related("patron").filter(barcode=identifier).first()
    if card is None:
        patron = patron_selectors.by_identity(identifier)
        card = live_card(patron) if patron else None
    if card is None or card.patron.deleted_at or card.status not in LOGIN_STATUSES:
        return None
    return card


def reader_login(*, identifier: str, pin: str, ip: str | None) -> Card:
    """The card a reader logs in with (card number or resident ID, and PIN).

    Failures count per address (``LoginThrottle``, shared by every web worker) and per
    reader (the PIN lockout the kiosks use), so neither card numbers nor PINs can be
    guessed from the web.
    """
    key = _ip_key(ip)
    if key and throttle_locked_until(key):
        raise TooManyAttempts
    card = _card_for(identifier)
    if card is None or not pin or not pin_check(card.patron, pin):
        if key:
            throttle_failure(key, settings.WENJIN_LOGIN_IP_MAX_FAILURES)
        raise LoginFailed
    return card


def _reader_actor(card: Card) -> Actor:
    return Actor.system(via="opac", agent=f"reader:{card.patron_id}")


def reader_hold_place(*, card: Card, record_id: int, pickup_org_code: str) -> Hold:
    """A hold placed by the reader themself on the public site."""
    actor = _reader_actor(card)
    return holds.hold_place(
        actor=actor,
        patron_barcode=card.barcode,
        pickup_org_code=pickup_org_code,
        record_id=record_id,
    )


def reader_of(card_id: int | None) -> Card | None:
    """The logged-in reader's card from the session (None if it is no longer usable)."""
    if not card_id:
        return None
    card = Card.objects.select_related("patron").filter(pk=card_id).first()
    if card is None or card.patron.deleted_at:
        return None
    return card


def reader_renew(*, card: Card, item_barcode: str) -> LoanResult:
    """The reader renews one of their own loans (the same rules as at the desk: renewals
    left, no block, nobody waiting)."""
    return renew(actor=_reader_actor(card), item_barcode=item_barcode, patron_barcode=card.barcode)


def reader_renew_all(*, card: Card) -> list[tuple[str, LoanResult | DomainError]]:
    """Renew every loan of the reader, each on its own (one refusal does not stop the
    others): each item's barcode with its renewal or the reason it was refused."""
    outcomes: list[tuple[str, LoanResult | DomainError]] = []
    for barcode in [loan.item.barcode for loan in open_loans(card.patron)]:
        try:
            outcomes.append((barcode, reader_renew(card=card, item_barcode=barcode)))
        except DomainError as error:
            outcomes.append((barcode, error))
    return outcomes


def reader_hold_cancel(*, card: Card, hold_id: int) -> Hold:
    """The reader cancels one of their own holds; another reader's hold is "not found"."""
    if not Hold.objects.filter(pk=hold_id, patron_id=card.patron_id).exists():
        raise NotFound("HOLD_NOT_FOUND", _("You have no such hold."))
    return holds.hold_cancel(actor=_reader_actor(card), hold_id=hold_id, reason="reader")
