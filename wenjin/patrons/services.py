"""Every change to readers and cards: registration, card life, PINs, reveals of personal
data, the daily age job, export and deletion. Each runs in one transaction, checks the
actor's scope and writes the audit log."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import audit_record
from wenjin.lib import crypto
from wenjin.lib.errors import Conflict, NotFound, ValidationFailed
from wenjin.network.models import OrgUnit
from wenjin.network.selectors import get_unit
from wenjin.patrons import policies
from wenjin.patrons.models import (
    LIVE_CARD_STATUSES,
    Card,
    CardEvent,
    CardNumberCounter,
    CardStatus,
    CategoryChange,
    Family,
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


@dataclass
class Registration:
    """A new reader: the patron, their card and the PIN to give them once."""

    patron: Patron
    card: Card
    pin: str


def _identity_conflict(existing: Patron) -> Conflict:
    """Staff are told which card the person has, so they can recover or replace it."""
    card = live_card(existing)
    return Conflict(
        "IDENTITY_HAS_CARD",
        _(
            "This person already has a library card: recover or replace it instead of "
            "registering again."
        ),
        details={"barcode": card.barcode if card else None},
    )


def register(
    *,
    actor: Actor,
    name: str,
    identity_type: str,
    identity_number: str,
    phone: str,
    home_org_code: str,
    local_residence: bool = True,
    category: str | None = None,
    guardian_barcode: str | None = None,
    address: str = "",
    birth_date: date | None = None,
    pin: str | None = None,
    issued_on: date | None = None,
) -> Registration:
    """Register a reader at ``home_org_code`` (their home library, 开户馆) and issue a
    card. The category follows from age (resident IDs carry the birth date) and local
    residence unless given. ``issued_on`` backdates the card, for readers brought over
    from an earlier system (the expiry follows from it)."""
    unit = get_unit(home_org_code)
    actor.require(Perm.PATRONS_EDIT, unit)
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise ValidationFailed(
            _("Give the reader's name (at most 100 characters)."),
            fields={"name": name[:100]},
        )
    now = today()
    identity = policies.check_identity(identity_type, identity_number, now)
    phone = policies.check_phone(phone)
    born = identity.birth_date or birth_date
    if born is not None and born > now:
        raise ValidationFailed(_("The birth date is in the future."), fields={"birth_date": ""})
    age = policies.age_on(born, now) if born else None
    rules = _category_rules()
    if category:
        chosen = _category(category)
    elif not local_residence:
        chosen = _category("temporary")
    else:
        code = policies.category_for_age(age, rules) if age is not None else None
        chosen = _category(code or "adult")
    same = [rule for rule in rules if rule.code == chosen.code]
    if chosen.follows_age and age is not None and policies.category_for_age(age, same) is None:
        raise ValidationFailed(
            _("A reader aged %(age)d cannot have a %(category)s card.")
            % {"age": age, "category": chosen.name},
            fields={"category": chosen.code},
            code="CATEGORY_AGE_MISMATCH",
        )
    needs_guardian = chosen.requires_guardian or (age is not None and age < 12)
    guardian = None
    if guardian_barcode:
        guardian = _guardian(guardian_barcode, now)
    elif needs_guardian:
        raise ValidationFailed(
            _("A child's card needs a guardian: give the card number of an adult reader."),
            fields={"guardian_barcode": ""},
            code="GUARDIAN_REQUIRED",
        )
    pin = policies.check_pin(pin) if pin else _new_pin()
    hashed = identity_hash(identity.type, identity.number)
    with transaction.atomic():
        existing = Patron.objects.filter(identity_hash=hashed).first()
        if existing is not None:
            raise _identity_conflict(existing)
        try:
            with transaction.atomic():
                patron = Patron.objects.create(
                    name=name,
                    category=chosen,
                    home_org=unit,
                    identity_type=identity.type,
                    identity_encrypted=crypto.encrypt(identity.number),
                    identity_hash=hashed,
                    identity_masked=crypto.mask_identity(identity.number),
                    birth_date=born,
                    phone_encrypted=crypto.encrypt(phone),
                    phone_hash=phone_hash(phone),
                    phone_masked=crypto.mask_phone(phone),
                    address=(address or "").strip()[:300],
                    local_residence=local_residence,
                    guardian=guardian,
                    pin_hash=make_password(pin),
                )
        except IntegrityError:
            # Another desk registered the same person a moment ago.
            existing = Patron.objects.filter(identity_hash=hashed).first()
            if existing is None:
                raise
            raise _identity_conflict(existing) from None
        if issued_on is not None and issued_on > now:
            raise ValidationFailed(
                _("A card cannot be issued in the future."), fields={"issued_on": ""}
            )
        card = _issue_card(patron, unit, actor, issued_on=issued_on)
        audit_record(
            actor,
            "patron.register",
            org_unit=unit,
            target=patron,
            changes={"card": card.barcode, "category": chosen.code},
        )
    return Registration(patron, card, pin)


def _new_pin() -> str:
    while True:
        pin = f"{secrets.randbelow(10**policies.PIN_LENGTH):0{policies.PIN_LENGTH}d}"
        try:
            return policies.check_pin(pin)
        except ValidationFailed:
            continue


def _guardian(barcode: str, now: date) -> Patron:
    card = Card.objects.select_related("patron").filter(barcode=barcode.strip()).first()
    if card is None or card.status not in LIVE_CARD_STATUSES or card.patron.deleted_at:
        raise ValidationFailed(
            _("There is no reader with guardian card number %(barcode)s.") % {"barcode": barcode},
            fields={"guardian_barcode": barcode},
            code="GUARDIAN_NOT_FOUND",
        )
    guardian = card.patron
    if guardian.birth_date is None or policies.age_on(guardian.birth_date, now) < 18:
        raise ValidationFailed(
            _("A guardian must be an adult reader."),
            fields={"guardian_barcode": barcode},
            code="GUARDIAN_NOT_ADULT",
        )
    return guardian


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
        card.patron.pin_hash = make_password(pin)
        card.patron.save(update_fields=["pin_hash", "updated_at"])
        audit_record(actor, "patron.pin", org_unit=card.patron.home_org, target=card.patron)
    return pin


def pin_matches(patron: Patron, pin: str) -> bool:
    return bool(patron.pin_hash) and check_password(pin or "", patron.pin_hash)


EDITABLE_FIELDS = ("name", "phone", "address", "local_residence", "keeps_history", "category")


def patron_update(*, actor: Actor, barcode: str, changes: Mapping[str, Any]) -> Patron:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))},
            fields={name: "" for name in unknown},
        )
    with transaction.atomic():
        card = card_by_barcode(barcode, lock=True)
        _editable(actor, card)
        patron = Patron.objects.select_for_update().get(pk=card.patron_id)
        logged: dict[str, Any] = {}
        if "name" in changes:
            name = " ".join(str(changes["name"] or "").split())
            if not name or len(name) > 100:
                raise ValidationFailed(_("Give the reader's name."), fields={"name": ""})
            patron.name = name
            logged["name"] = True
        if "phone" in changes:
            phone = policies.check_phone(str(changes["phone"] or ""))
            patron.phone_encrypted = crypto.encrypt(phone)
            patron.phone_hash = phone_hash(phone)
            patron.phone_masked = crypto.mask_phone(phone)
            logged["phone"] = patron.phone_masked
        if "address" in changes:
            patron.address = str(changes["address"] or "").strip()[:300]
            logged["address"] = True
        for flag in ("local_residence", "keeps_history"):
            if flag in changes:
                setattr(patron, flag, bool(changes[flag]))
                logged[flag] = bool(changes[flag])
        if "category" in changes and changes["category"] != patron.category.code:
            new = _category(str(changes["category"]))
            CategoryChange.objects.create(
                patron=patron, old=patron.category, new=new, reason="staff"
            )
            logged["category"] = [patron.category.code, new.code]
            patron.category = new
        patron.save()
        audit_record(
            actor, "patron.update", org_unit=patron.home_org, target=patron, changes=logged
        )
    return patron


def reveal(*, actor: Actor, barcode: str, field: str) -> str:
    """The full identity or phone number, for roles allowed to see it; every reveal is in
    the audit log."""
    if field not in ("identity", "phone"):
        raise ValidationFailed(
            _("Only identity and phone can be revealed."), fields={"field": field}
        )
    card = card_by_barcode(barcode)
    actor.require(Perm.PATRONS_REVEAL, card.patron.home_org)
    stored = card.patron.identity_encrypted if field == "identity" else card.patron.phone_encrypted
    with transaction.atomic():
        audit_record(
            actor,
            "patron.reveal",
            org_unit=card.patron.home_org,
            target=card.patron,
            changes={"field": field},
        )
    return crypto.decrypt(stored)


def follow_age(on: date | None = None) -> int:
    """The daily job: move readers whose category follows age into the category for
    their age (a child card becomes a teen card at 12). Returns how many moved."""
    on = on or today()
    rules = _category_rules()
    by_code = {c.code: c for c in PatronCategory.objects.all()}
    moved = 0
    candidates = Patron.objects.filter(
        category__follows_age=True, deleted_at=None, birth_date__isnull=False
    ).select_related("category")
    for patron in candidates.iterator():
        code = policies.category_for_age(policies.age_on(patron.birth_date, on), rules)
        if code and code != patron.category.code:
            with transaction.atomic():
                CategoryChange.objects.create(
                    patron=patron, old=patron.category, new=by_code[code], reason="age"
                )
                Patron.objects.filter(pk=patron.pk).update(category=by_code[code])
            moved += 1
    return moved


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


def export_data(patron: Patron) -> dict[str, Any]:
    """Everything held about a reader, decrypted, for the reader's own copy (PIPL)."""
    return {
        "name": patron.name,
        "category": patron.category.code,
        "home_library": patron.home_org.code,
        "identity_type": patron.identity_type,
        "identity_number": crypto.decrypt(patron.identity_encrypted),
        "birth_date": patron.birth_date.isoformat() if patron.birth_date else None,
        "phone": crypto.decrypt(patron.phone_encrypted),
        "address": patron.address,
        "local_residence": patron.local_residence,
        "keeps_history": patron.keeps_history,
        "registered_at": patron.registered_at.isoformat(),
        "guardian_card": (
            live_card(patron.guardian).barcode
            if patron.guardian and live_card(patron.guardian)
            else None
        ),
        "cards": [
            {
                "barcode": card.barcode,
                "status": card.status,
                "issued_on": card.issued_on.isoformat(),
                "expires_on": card.expires_on.isoformat(),
                "events": [
                    {"action": e.action, "status": e.status, "at": e.at.isoformat()}
                    for e in card.events.all()
                ],
            }
            for card in patron.cards.order_by("issued_on", "pk")
        ],
        "category_changes": [
            {"from": c.old.code, "to": c.new.code, "at": c.at.isoformat(), "reason": c.reason}
            for c in patron.category_changes.select_related("old", "new").order_by("at")
        ],
    }


def patron_delete(*, actor: Actor, barcode: str, org_code: str) -> None:
    """Delete a reader at their home library: the personal data goes, the cards are
    cancelled, and the row stays without the person so anonymous statistics stay whole."""
    with transaction.atomic():
        card = card_by_barcode(barcode, lock=True)
        unit = get_unit(org_code)
        actor.require(Perm.PATRONS_EDIT, unit)
        patron = Patron.objects.select_for_update().get(pk=card.patron_id)
        if unit.pk != patron.home_org_id:
            raise Conflict(
                "NOT_HOME_LIBRARY",
                _("A reader is deleted at their home library, %(unit)s.")
                % {"unit": patron.home_org.name_zh},
            )
        if patron.wards.filter(deleted_at=None).exists():
            raise Conflict(
                "GUARDIAN_OF_READERS",
                _("This reader is the guardian of a child reader: change the guardian first."),
            )
        for live in patron.cards.filter(status__in=LIVE_CARD_STATUSES):
            live.status = CardStatus.CANCELLED
            live.save(update_fields=["status"])
            _event(live, "cancelled", actor, unit, "deleted")
        Patron.objects.filter(pk=patron.pk).update(
            name="",
            identity_encrypted="",
            identity_hash=None,
            identity_masked="",
            birth_date=None,
            phone_encrypted="",
            phone_hash="",
            phone_masked="",
            address="",
            guardian=None,
            family=None,
            keeps_history=False,
            pin_hash="",
            deleted_at=timezone.now(),
        )
        audit_record(actor, "patron.delete", org_unit=unit, changes={"patron_id": patron.pk})


FAMILY_MIN_MEMBERS = 3


def family_create(*, actor: Actor, name: str, barcodes: list[str]) -> Family:
    """Link readers as a family: three or more, at least one under 18; they move to the
    family category and share its quota."""
    if len(set(barcodes)) < FAMILY_MIN_MEMBERS:
        raise ValidationFailed(
            _("A family has at least %(n)d members.") % {"n": FAMILY_MIN_MEMBERS},
            fields={"barcodes": ""},
            code="FAMILY_TOO_SMALL",
        )
    family_category = PatronCategory.objects.filter(is_family=True).first()
    if family_category is None:
        raise ValidationFailed(_("No reader category is a family card."), fields={})
    with transaction.atomic():
        members = [
            card_by_barcode(barcode, lock=True).patron for barcode in dict.fromkeys(barcodes)
        ]
        for member in members:
            _editable(actor, live_card(member) or member.cards.first())
            if member.family_id is not None:
                raise Conflict(
                    "ALREADY_IN_FAMILY",
                    _("%(name)s already belongs to a family.") % {"name": member.name},
                )
        now = today()
        if not any(m.birth_date and policies.age_on(m.birth_date, now) < 18 for m in members):
            raise ValidationFailed(
                _("A family includes at least one reader under 18."),
                fields={"barcodes": ""},
                code="FAMILY_WITHOUT_MINOR",
            )
        family = Family.objects.create(name=(name or "").strip()[:100] or members[0].name)
        for member in members:
            if member.category_id != family_category.pk:
                CategoryChange.objects.create(
                    patron=member, old=member.category, new=family_category, reason="family"
                )
            Patron.objects.filter(pk=member.pk).update(family=family, category=family_category)
        audit_record(
            actor,
            "family.create",
            org_unit=members[0].home_org,
            target=family,
            changes={"members": len(members)},
        )
    return family
