"""Helpers shared by the reader services: categories, hashes, card numbers and history."""

from __future__ import annotations

import secrets
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.lib import crypto
from wenjin.lib.errors import Conflict, NotFound, ValidationFailed
from wenjin.network.models import OrgUnit
from wenjin.patrons import policies
from wenjin.patrons.models import (
    LIVE_CARD_STATUSES,
    Card,
    CardEvent,
    CardNumberCounter,
    Patron,
    PatronCategory,
)


def today() -> date:
    return timezone.localdate()


def _category_rules() -> list[policies.CategoryRule]:
    return [
        policies.CategoryRule(c.code, c.follows_age, c.min_age, c.max_age, c.requires_guardian)
        for c in PatronCategory.objects.all()
    ]


def _category(code: str) -> PatronCategory:
    category = PatronCategory.objects.filter(code=code).first()
    if category is None:
        raise ValidationFailed(
            _("There is no reader category %(code)s.") % {"code": code},
            fields={"category": code},
            code="UNKNOWN_CATEGORY",
        )
    return category


def identity_hash(identity_type: str, number: str) -> str:
    # Resident IDs and social security numbers that are resident IDs are one identity.
    kind = "resident" if len(number) == 18 and number[:17].isdigit() else identity_type
    return crypto.lookup_hash(f"identity:{kind}", number)


def phone_hash(phone: str) -> str:
    return crypto.lookup_hash("phone", phone)


def _next_barcode() -> str:
    counter, _created = CardNumberCounter.objects.get_or_create(name="card")
    counter = CardNumberCounter.objects.select_for_update().get(pk=counter.pk)
    serial = counter.next_value
    counter.next_value = serial + 1
    counter.save(update_fields=["next_value"])
    return policies.card_number(serial)


def _event(card: Card, action: str, actor: Actor, unit: OrgUnit | None, reason: str = "") -> None:
    CardEvent.objects.create(
        card=card,
        action=action,
        status=card.status,
        expires_on=card.expires_on,
        org_unit=unit,
        actor=actor.user,
        reason=reason[:200],
    )


def _issue_card(
    patron: Patron,
    unit: OrgUnit,
    actor: Actor,
    replaces: Card | None = None,
    issued_on: date | None = None,
) -> Card:
    issued = issued_on or today()
    expires = (
        replaces.expires_on
        if replaces is not None
        else policies.expiry(issued, patron.category.validity_days)
    )
    card = Card.objects.create(
        patron=patron,
        barcode=_next_barcode(),
        issued_on=issued,
        expires_on=expires,
        issued_at=unit,
        extensions=replaces.extensions if replaces is not None else 0,
        replaces=replaces,
    )
    _event(card, "replaced" if replaces else "issued", actor, unit)
    return card


def live_card(patron: Patron) -> Card | None:
    return patron.cards.filter(status__in=LIVE_CARD_STATUSES).first()


def guardian_barcode(patron: Patron) -> str | None:
    """The card number of a reader's guardian, if they have one with a card in use."""
    card = live_card(patron.guardian) if patron.guardian else None
    return card.barcode if card else None


def card_by_barcode(barcode: str, *, lock: bool = False) -> Card:
    cards = Card.objects.select_related("patron", "patron__category", "patron__home_org")
    if lock:
        cards = cards.select_for_update(of=("self",))
    card = cards.filter(barcode=(barcode or "").strip()).first()
    if card is None or card.patron.deleted_at:
        raise NotFound("PATRON_NOT_FOUND", _("There is no reader with this card number."))
    return card


def _editable(actor: Actor, card: Card) -> None:
    actor.require(Perm.PATRONS_EDIT, card.patron.home_org)


def _new_pin() -> str:
    while True:
        pin = f"{secrets.randbelow(10**policies.PIN_LENGTH):0{policies.PIN_LENGTH}d}"
        try:
            return policies.check_pin(pin)
        except ValidationFailed:
            continue


def refuse_while_borrowing(patron: Patron) -> None:
    """A card is cancelled, or a reader deleted, only when nothing is on loan and nothing
    is owed."""
    # Circulation builds on readers; asking it here, late, keeps the import one-way.
    from wenjin.circulation.selectors import debt_of, open_loan_count

    on_loan = open_loan_count(patron)
    if on_loan:
        raise Conflict(
            "LOANS_OPEN",
            _("The reader still has %(n)d item(s) on loan: they must be returned first.")
            % {"n": on_loan},
        )
    owed = debt_of(patron)
    if owed:
        raise Conflict(
            "FEES_OWED",
            _("The reader still owes ¥%(owed)s: it must be paid or waived first.")
            % {"owed": f"{owed:.2f}"},
        )


def forget_reading_history(patron: Patron) -> None:
    """Unlink a reader from their returned loans (the anonymous facts stay) and withdraw the
    reading reports they shared, which were made from that history. Every path that ends
    a history comes here: the reader or staff turning it off, deleting it, deleting the
    reader."""
    # Circulation and the public site build on readers: asked here, late, to keep the
    # imports one-way.
    from wenjin.circulation.models import Loan
    from wenjin.opac.report_services import report_shares_forget

    Loan.objects.filter(patron=patron, returned_at__isnull=False).update(patron=None, card=None)
    Loan.objects.filter(recent_patron=patron).update(recent_patron=None)
    report_shares_forget(patron)
