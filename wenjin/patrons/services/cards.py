"""A card's life: renewal, extension, lost-card replacement, blocks, cancellation, PINs,
expiry."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import (
    audit_record,
    throttle_clear,
    throttle_failure,
    throttle_state,
)
from wenjin.lib.errors import Conflict, DomainError, ValidationFailed
from wenjin.network.selectors import get_unit
from wenjin.patrons import policies
from wenjin.patrons.models import (
    LIVE_CARD_STATUSES,
    Card,
    CardStatus,
    Patron,
)
from wenjin.patrons.pins import hash_pin, pin_matches_hash
from wenjin.patrons.services.common import (
    _editable,
    _event,
    _issue_card,
    _new_pin,
    card_by_barcode,
    refuse_while_borrowing,
    today,
)


def card_renew(*, actor: Actor, barcode: str) -> Card:
    """Renew a card for another validity period from today (or from its expiry, if later)."""
    with transaction.atomic():
        card = card_by_barcode(barcode, lock=True)
        _editable(actor, card)
        if card.status not in (CardStatus.ACTIVE, CardStatus.EXPIRED):
            raise Conflict(
                "CARD_NOT_RENEWABLE", _("Only an active or expired card can be renewed.")
            )
        if card.patron.category.code == "temporary":
            raise Conflict("TEMPORARY_CARD", _("A temporary card is extended, not renewed."))
        start = max(today(), card.expires_on)
        card.expires_on = policies.expiry(start, card.patron.category.validity_days)
        card.status = CardStatus.ACTIVE
        card.save(update_fields=["expires_on", "status"])
        _event(card, "renewed", actor, card.patron.home_org)
        audit_record(actor, "card.renew", org_unit=card.patron.home_org, target=card.patron)
    return card


def card_extend(*, actor: Actor, barcode: str) -> Card:
    """Extend a temporary card by its category's period, as often as the category allows
    (once by default)."""
    with transaction.atomic():
        card = card_by_barcode(barcode, lock=True)
        _editable(actor, card)
        category = card.patron.category
        if category.extensions_allowed == 0:
            raise Conflict("NOT_EXTENDABLE", _("Only temporary cards are extended."))
        if card.extensions >= category.extensions_allowed:
            raise Conflict(
                "EXTENSION_LIMIT",
                _("This temporary card has already been extended as often as allowed."),
            )
        start = max(today(), card.expires_on)
        card.expires_on = policies.expiry(start, category.validity_days)
        card.extensions += 1
        card.status = CardStatus.ACTIVE
        card.save(update_fields=["expires_on", "extensions", "status"])
        _event(card, "extended", actor, card.patron.home_org)
        audit_record(actor, "card.extend", org_unit=card.patron.home_org, target=card.patron)
    return card


def card_report_lost(*, actor: Actor, barcode: str, org_code: str | None = None) -> Card:
    """Block a lost card at once and issue a new barcode to the same reader (history and
    everything on the reader stay with them)."""
    with transaction.atomic():
        old = card_by_barcode(barcode, lock=True)
        if old.status not in LIVE_CARD_STATUSES:
            raise Conflict("CARD_NOT_LIVE", _("This card is no longer in use."))
        unit = get_unit(org_code) if org_code else old.patron.home_org
        actor.require(Perm.PATRONS_EDIT, unit)
        old.status = CardStatus.LOST
        old.save(update_fields=["status"])
        _event(old, "lost", actor, unit)
        new = _issue_card(old.patron, unit, actor, replaces=old)
        audit_record(
            actor,
            "card.lost",
            org_unit=unit,
            target=old.patron,
            changes={"old": old.barcode, "new": new.barcode},
        )
    return new


def card_set_blocked(*, actor: Actor, barcode: str, blocked: bool, reason: str) -> Card:
    with transaction.atomic():
        card = card_by_barcode(barcode, lock=True)
        _editable(actor, card)
        if not reason.strip():
            raise ValidationFailed(_("Give a reason."), fields={"reason": ""})
        if blocked and card.status != CardStatus.ACTIVE:
            raise Conflict("CARD_NOT_ACTIVE", _("Only an active card can be blocked."))
        if not blocked and card.status != CardStatus.BLOCKED:
            raise Conflict("CARD_NOT_BLOCKED", _("This card is not blocked."))
        card.status = CardStatus.BLOCKED if blocked else CardStatus.ACTIVE
        card.save(update_fields=["status"])
        _event(card, "blocked" if blocked else "unblocked", actor, card.patron.home_org, reason)
        audit_record(
            actor,
            "card.block" if blocked else "card.unblock",
            org_unit=card.patron.home_org,
            target=card.patron,
            changes={"reason": reason},
        )
    return card


def card_cancel(*, actor: Actor, barcode: str, org_code: str, reason: str = "") -> Card:
    """Cancel a card at the reader's home library (only there)."""
    with transaction.atomic():
        card = card_by_barcode(barcode, lock=True)
        unit = get_unit(org_code)
        actor.require(Perm.PATRONS_EDIT, unit)
        if unit.pk != card.patron.home_org_id:
            raise Conflict(
                "NOT_HOME_LIBRARY",
                _("A card is cancelled at the reader's home library, %(unit)s.")
                % {"unit": card.patron.home_org.name_zh},
            )
        if card.status not in LIVE_CARD_STATUSES:
            raise Conflict("CARD_NOT_LIVE", _("This card is no longer in use."))
        refuse_while_borrowing(card.patron)
        card.status = CardStatus.CANCELLED
        card.save(update_fields=["status"])
        _event(card, "cancelled", actor, unit, reason)
        audit_record(actor, "card.cancel", org_unit=unit, target=card.patron)
    return card


def pin_set(*, actor: Actor, barcode: str, pin: str | None = None) -> str:
    """Set (or, without ``pin``, reset to a new random) PIN; returns the PIN to hand over."""
    pin = policies.check_pin(pin) if pin else _new_pin()
    with transaction.atomic():
        card = card_by_barcode(barcode, lock=True)
        _editable(actor, card)
        card.patron.pin_hash = hash_pin(pin)
        card.patron.save(update_fields=["pin_hash", "updated_at"])
        audit_record(actor, "patron.pin", org_unit=card.patron.home_org, target=card.patron)
    return pin


class PinLocked(DomainError):
    """Too many wrong PINs for this reader lately: no PIN is checked until ``until``."""

    def __init__(self, until: datetime) -> None:
        minutes = max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
        super().__init__(
            "PIN_LOCKED",
            ngettext(
                "Too many wrong passwords. Try again in %(minutes)d minute.",
                "Too many wrong passwords. Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            status=429,
            details={"retry_after_seconds": minutes * 60},
        )
        self.until = until


def pin_check(patron: Patron, pin: str) -> bool:
    """Whether ``pin`` is the reader's PIN, counting wrong ones: after
    ``WENJIN_PIN_MAX_FAILURES`` within the login window the reader's PIN is locked for the
    lockout time (raises :class:`PinLocked`), whatever is tried, so a six-digit PIN
    cannot be guessed at a kiosk or on the web."""
    key = f"pin:{patron.pk}"
    failures = throttle_state(key)
    if failures is not None and failures.locked_until and failures.locked_until > timezone.now():
        raise PinLocked(failures.locked_until)
    if pin_matches(patron, pin):
        if failures is not None:
            throttle_clear(key)
        return True
    throttle_failure(key, settings.WENJIN_PIN_MAX_FAILURES)
    return False


def pin_matches(patron: Patron, pin: str) -> bool:
    """Whether ``pin`` is the reader's PIN (a hash with outdated costs is replaced)."""

    def rehash(encoded: str) -> None:
        # Only if unchanged meanwhile: a PIN set at the desk a moment ago wins.
        Patron.objects.filter(pk=patron.pk, pin_hash=patron.pin_hash).update(pin_hash=encoded)
        patron.pin_hash = encoded

    return pin_matches_hash(pin, patron.pin_hash, rehash)


def expire_cards(on: date | None = None) -> int:
    """The daily job: cards past their expiry date become expired (with a history row)."""
    on = on or today()
    count = 0
    system = Actor.system("daily")
    for card in Card.objects.filter(status=CardStatus.ACTIVE, expires_on__lt=on).iterator():
        with transaction.atomic():
            card.status = CardStatus.EXPIRED
            card.save(update_fields=["status"])
            _event(card, "expired", system, None)
        count += 1
    return count
