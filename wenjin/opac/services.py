"""What readers do on the public site: log in with a card (or resident ID) and PIN, holds
and renewals, their card, PIN, notice settings, reading history and personal data. All of
it goes through the same domain services as the desk and the kiosks, acting as the reader
on their own card only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import throttle_address
from wenjin.accounts.services import audit_record, throttle_failure, throttle_locked_until
from wenjin.circulation.models import Hold, Loan
from wenjin.circulation.selectors import open_loans
from wenjin.circulation.services import holds
from wenjin.circulation.services.lending import LoanResult, renew
from wenjin.lib.errors import DomainError, NotFound, ValidationFailed
from wenjin.notices.models import ReaderContact
from wenjin.notices.services import reader_contact_save
from wenjin.patrons import selectors as patron_selectors
from wenjin.patrons.models import Card, CardStatus, Patron
from wenjin.patrons.services.cards import PinLocked, card_report_lost, pin_check, pin_set
from wenjin.patrons.services.common import forget_reading_history, live_card
from wenjin.patrons.services.privacy import patron_delete, patron_export
from wenjin.patrons.services.registration import patron_update

# A lost or cancelled card cannot be used to log in; a blocked or expired one can (the
# reader needs to see why).
LOGIN_STATUSES = (CardStatus.ACTIVE, CardStatus.EXPIRED, CardStatus.BLOCKED)


class LoginFailed(DomainError):
    """Wrong card or PIN: one message for both, so the form reveals no card numbers."""

    status = 401

    def __init__(self) -> None:
        super().__init__(
            "LOGIN_FAILED",
            _(
                "The card number or password is not correct. After several wrong tries, "
                "logging in pauses for a while."
            ),
        )


class TooManyAttempts(DomainError):
    """Too many failed logins from one address lately."""

    status = 429

    def __init__(self, until: datetime) -> None:
        seconds = max(1, int((until - timezone.now()).total_seconds()))
        super().__init__(
            "TOO_MANY_ATTEMPTS",
            _("Too many failed attempts from this network. Please try again later."),
            details={"retry_after_seconds": seconds},
        )


def _ip_key(ip: str | None) -> str | None:
    return f"opac-ip:{throttle_address(ip)}" if ip else None


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
    until = throttle_locked_until(key) if key else None
    if until is not None:
        raise TooManyAttempts(until)
    card = _card_for(identifier)
    try:
        right = card is not None and bool(pin) and pin_check(card.patron, pin)
    except PinLocked:
        # The same answer as a wrong PIN: a different one would tell that the card (or
        # the ID number) exists.
        right = False
    if not right:
        if key:
            throttle_failure(key, settings.WENJIN_LOGIN_IP_MAX_FAILURES)
        raise LoginFailed
    return card


def reader_actor(card: Card) -> Actor:
    """The reader acting for themselves through the portal (audited as opac:reader:<id>)."""
    return Actor.system(via="opac", agent=f"reader:{card.patron_id}")


def reader_hold_place(*, card: Card, record_id: int, pickup_org_code: str) -> Hold:
    """A hold placed by the reader themself on the public site."""
    actor = reader_actor(card)
    return holds.hold_place(
        actor=actor,
        patron_barcode=card.barcode,
        pickup_org_code=pickup_org_code,
        record_id=record_id,
    )


def session_stamp(card: Card) -> str:
    """What a reader's session is bound to: the card and the PIN it was opened with. A new
    PIN (changed, reset or recovered anywhere) or another card ends every other session."""
    return salted_hmac(
        "wenjin.opac.reader-session", f"{card.pk}:{card.patron.pin_hash}"
    ).hexdigest()


def reader_of(card_id: int | None, stamp: str | None = None) -> Card | None:
    """The logged-in reader's card from the session: None once the card is reported lost or
    cancelled, the reader deleted, or the PIN changed since the session began."""
    if not card_id or not stamp:
        return None
    card = Card.objects.select_related("patron").filter(pk=card_id).first()
    if card is None or card.patron.deleted_at or card.status not in LOGIN_STATUSES:
        return None
    if not constant_time_compare(stamp, session_stamp(card)):
        return None
    return card


def reader_renew(*, card: Card, item_barcode: str) -> LoanResult:
    """The reader renews one of their own loans (the same rules as at the desk: renewals
    left, no block, nobody waiting)."""
    return renew(actor=reader_actor(card), item_barcode=item_barcode, patron_barcode=card.barcode)


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
    return holds.hold_cancel(actor=reader_actor(card), hold_id=hold_id, reason="reader")


# --- The reader's own card, settings and data ---------------------------------------------


class WrongPin(ValidationFailed):
    """The PIN given to confirm a change is not the reader's."""

    def __init__(self) -> None:
        message = _("The password you entered is not correct.")
        super().__init__(message, fields={"current_pin": message}, code="WRONG_PIN")


def _confirm_pin(card: Card, pin: str) -> None:
    # The same counter as logins and kiosks: a stolen session cannot guess the PIN either.
    if not pin or not pin_check(card.patron, pin):
        raise WrongPin


def reader_report_lost(*, card: Card) -> Card:
    """The reader reports their card lost: it is blocked at once and a new card number is
    issued on the same account (the new card is collected at a desk). Returns the new card."""
    return card_report_lost(actor=reader_actor(card), barcode=card.barcode)


def reader_pin_change(*, card: Card, current_pin: str, new_pin: str, repeated: str) -> None:
    """Change the PIN after checking the current one; the new one must follow the PIN rules
    and be typed the same twice."""
    _confirm_pin(card, current_pin)
    if new_pin != repeated:
        raise ValidationFailed(
            _("The two new passwords are not the same."),
            fields={"repeated": _("Type the same new password twice.")},
            code="PIN_MISMATCH",
        )
    if new_pin == current_pin:
        raise ValidationFailed(
            _("The new password is the same as the current one."),
            fields={"new_pin": _("Choose a different password.")},
            code="PIN_UNCHANGED",
        )
    pin_set(actor=reader_actor(card), barcode=card.barcode, pin=new_pin)


def reader_preferences_save(
    *,
    card: Card,
    email: str | None,
    language: str,
    channels: list[str],
    opt_outs: list[str],
) -> ReaderContact:
    """How the reader wants to be told things (the same service the desk uses)."""
    return reader_contact_save(
        actor=reader_actor(card),
        patron=card.patron,
        email=email,
        language=language,
        channels=channels,
        opt_outs=opt_outs,
    )


def reader_history_keep(*, card: Card, keep: bool) -> Patron:
    """Turn the reading history on or off. Turning it off forgets the history kept so far
    (and withdraws any shared reading report): consent withdrawn is consent withdrawn."""
    return patron_update(
        actor=reader_actor(card), barcode=card.barcode, changes={"keeps_history": keep}
    )


def reader_history_forget(*, card: Card) -> int:
    """Delete the reading history kept so far, keeping the history setting as it is.
    Returns how many past loans were unlinked from the reader."""
    patron = card.patron
    with transaction.atomic():
        count = reading_history(patron).count()
        forget_reading_history(patron)
        audit_record(
            reader_actor(card),
            "patron.history_forget",
            org_unit=patron.home_org,
            target=patron,
            changes={"loans": count},
        )
    return count


def reading_history(patron: Patron) -> QuerySet[Loan]:
    """The reader's returned loans still linked to them (only kept with history on),
    newest first."""
    return (
        Loan.objects.filter(patron=patron, returned_at__isnull=False)
        .select_related("item__record", "checkout_org")
        .order_by("-checked_out_at", "-pk")
    )


def reader_export(*, card: Card, pin: str) -> dict[str, Any]:
    """The reader's own copy of everything held about them (PIPL), after the PIN: it
    carries the full identity and phone numbers. Audited like a desk export."""
    _confirm_pin(card, pin)
    return patron_export(actor=reader_actor(card), barcode=card.barcode)


def reader_delete(*, card: Card, pin: str) -> None:
    """The reader deletes their account (PIPL): only with nothing on loan and nothing owed,
    as at the desk; the personal data goes and the anonymous statistics stay."""
    _confirm_pin(card, pin)
    patron_delete(
        actor=reader_actor(card), barcode=card.barcode, org_code=card.patron.home_org.code
    )
