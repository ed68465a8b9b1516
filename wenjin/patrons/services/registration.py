"""Registering readers, changing their details and category, families, the age job."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import audit_record
from wenjin.lib import crypto
from wenjin.lib.errors import Conflict, ValidationFailed
from wenjin.network.selectors import get_unit
from wenjin.patrons import policies
from wenjin.patrons.credit_providers import credit_config
from wenjin.patrons.models import (
    LIVE_CARD_STATUSES,
    Card,
    CategoryChange,
    Family,
    Patron,
    PatronCategory,
)
from wenjin.patrons.pins import hash_pin
from wenjin.patrons.services.common import (
    _category,
    _category_rules,
    _editable,
    _issue_card,
    _new_pin,
    card_by_barcode,
    forget_reading_history,
    identity_hash,
    live_card,
    phone_hash,
    today,
)


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
                    pin_hash=hash_pin(pin),
                    # the network's configured start, not the model's built-in default
                    credit_score=credit_config().policy.starting_score,
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
        if patron.keeps_history and "keeps_history" in changes and not changes["keeps_history"]:
            # Withdrawing consent removes the history kept so far, not only future loans.
            forget_reading_history(patron)
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
            actor.require(Perm.PATRONS_EDIT, member.home_org)
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


def family_leave(*, actor: Actor, barcode: str) -> int:
    """Take a reader out of their family. A family left with fewer than three members or
    without a minor no longer is one: everyone leaves. Each reader who leaves goes back to
    the category for their age (adult when the age is unknown). Returns how many left."""
    with transaction.atomic():
        card = card_by_barcode(barcode, lock=True)
        _editable(actor, card)
        family_id = card.patron.family_id
        if family_id is None:
            raise Conflict("NOT_IN_FAMILY", _("This reader does not belong to a family."))
        Family.objects.select_for_update().filter(pk=family_id).first()
        members = list(
            Patron.objects.select_for_update()
            .select_related("category")
            .filter(family_id=family_id, deleted_at=None)
        )
        staying = [m for m in members if m.pk != card.patron_id]
        now = today()
        has_minor = any(m.birth_date and policies.age_on(m.birth_date, now) < 18 for m in staying)
        leaving = members if len(staying) < FAMILY_MIN_MEMBERS or not has_minor else [card.patron]
        rules = _category_rules()
        for member in leaving:
            age = policies.age_on(member.birth_date, now) if member.birth_date else None
            code = (policies.category_for_age(age, rules) if age is not None else None) or "adult"
            new = _category(code)
            if new.pk != member.category_id:
                CategoryChange.objects.create(
                    patron=member, old=member.category, new=new, reason="family left"
                )
            Patron.objects.filter(pk=member.pk).update(family=None, category=new)
        if len(leaving) == len(members):
            Family.objects.filter(pk=family_id).delete()
        audit_record(
            actor,
            "family.leave",
            org_unit=card.patron.home_org,
            target=card.patron,
            changes={"left": len(leaving), "dissolved": len(leaving) == len(members)},
        )
    return len(leaving)


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
