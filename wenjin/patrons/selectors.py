"""Finding readers: by card number, by identity or phone number (through their keyed
hashes, never in a URL), by name; the summary staff see; credit standing and history."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.lib.errors import Forbidden, ValidationFailed
from wenjin.patrons import policies
from wenjin.patrons.credit import CreditStanding
from wenjin.patrons.credit_providers import credit_standing_for
from wenjin.patrons.models import Card, CreditEvent, Patron
from wenjin.patrons.services import (
    card_by_barcode,
    guardian_barcode,
    identity_hash,
    live_card,
    phone_hash,
)


def require_lookup(actor: Actor) -> None:
    """Any staff member who serves readers somewhere may look readers up network-wide."""
    if not actor.is_system and not actor.scope(Perm.PATRONS_EDIT):
        raise Forbidden(_("Your roles do not allow looking up readers."))


def _patrons() -> QuerySet[Patron]:
    return Patron.objects.filter(deleted_at=None).select_related("category", "home_org")


def by_identity(number: str) -> Patron | None:
    cleaned = re.sub(r"[\s\-]", "", number or "").upper()
    if not cleaned:
        return None
    hashes = {identity_hash(kind, cleaned) for kind in policies.IDENTITY_TYPES}
    return _patrons().filter(identity_hash__in=hashes).first()


def by_phone(phone: str) -> list[Patron]:
    try:
        cleaned = policies.check_phone(phone)
    except ValidationFailed:
        return []
    return list(_patrons().filter(phone_hash=phone_hash(cleaned))[:20])


def find(text: str) -> list[Patron]:
    """The desk's one box: a card number, an identity number, a phone number or a name."""
    text = (text or "").strip()
    if not text:
        return []
    card = Card.objects.filter(barcode=text).select_related("patron").first()
    if card is not None and not card.patron.deleted_at:
        return [card.patron]
    found = by_identity(text)
    if found is not None:
        return [found]
    phones = by_phone(text)
    if phones:
        return phones
    return list(_patrons().filter(name__startswith=text).order_by("name", "pk")[:50])


def summary(patron: Patron) -> dict[str, Any]:
    """What staff see of a reader by default: identity and phone masked."""
    card = live_card(patron)
    return {
        "barcode": card.barcode if card else None,
        "name": patron.name,
        "category": patron.category.code,
        "category_label": patron.category.name,
        "status": card.status if card else "cancelled",
        "expires_on": card.expires_on if card else None,
        "home_org": patron.home_org.code,
        "home_org_name": patron.home_org.name_zh,
        "identity_type": patron.identity_type,
        "identity_masked": patron.identity_masked,
        "phone_masked": patron.phone_masked,
        "birth_date_year": patron.birth_date.year if patron.birth_date else None,
        "local_residence": patron.local_residence,
        "keeps_history": patron.keeps_history,
        "guardian_barcode": guardian_barcode(patron),
    }


def patron_by_barcode(barcode: str) -> Patron:
    return card_by_barcode(barcode).patron


def credit_standing(patron: Patron) -> CreditStanding:
    """The reader's credit score and what it is worth, from the configured provider (the
    local ledger when that provider has no score for the reader)."""
    return credit_standing_for(patron)


def credit_history(patron: Patron, limit: int = 50) -> list[CreditEvent]:
    """The reader's latest credit ledger rows, newest first."""
    return list(
        CreditEvent.objects.filter(patron=patron)
        .select_related("actor")
        .order_by("-at", "-pk")[:limit]
    )
