"""Card recovery on the public site: a reader who has forgotten their password (or tried
to register again) gets a code on the phone on file and sets a new PIN.

Nothing here tells an anonymous visitor whether an identity has a card: starting always
answers the same, and every problem with the code gives one error. A lost card is not
replaced online.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenjin.accounts.services import audit_record, throttle_clear
from wenjin.lib import crypto
from wenjin.lib.errors import Conflict, ValidationFailed
from wenjin.patrons import policies
from wenjin.patrons import remote_rules as rules
from wenjin.patrons.models import Card, Patron, PhoneVerification
from wenjin.patrons.services.cards import pin_set
from wenjin.patrons.services.common import identity_hash, live_card, today
from wenjin.patrons.services.phone_codes import (
    RECOVER,
    RateLimited,
    code_claim,
    code_error,
    code_message,
    code_try,
    count_identity,
    count_ip,
    issue_code,
    public_actor,
    text_quietly,
)


def _recovery_identity(identity_type: str, identity_number: str, ip: str | None) -> str:
    count_ip(ip)
    identity = policies.check_identity(identity_type, identity_number, today())
    hashed = identity_hash(identity.type, identity.number)
    count_identity(hashed)
    return hashed


def _reader(hashed: str) -> Patron | None:
    return (
        Patron.objects.select_related("home_org")
        .filter(identity_hash=hashed, deleted_at=None)
        .first()
    )


def recovery_start(*, identity_type: str, identity_number: str, ip: str | None) -> None:
    """Send a code to the phone on file of the reader with this identity, if there is
    one with a card in use and a mobile number. Returns nothing and fails silently
    whatever the reason (no such reader, limits of that phone, gateway): the page always
    says the same thing, so it cannot be used to find out who has a card. Only the client
    address's and the identity's limits are told, and they say nothing about the card."""
    hashed = _recovery_identity(identity_type, identity_number, ip)
    patron = _reader(hashed)
    if patron is None or live_card(patron) is None:
        return
    phone = crypto.decrypt(patron.phone_encrypted)
    if not rules.is_mobile(phone):
        return
    try:
        row, code = issue_code(patron.phone_hash, RECOVER, hashed, public_actor(ip), patron)
    except RateLimited:
        return
    if not text_quietly(phone, code_message(code)):
        PhoneVerification.objects.filter(pk=row.pk).update(used_at=timezone.now())


def recovery_finish(
    *, identity_type: str, identity_number: str, code: str, new_pin: str, ip: str | None
) -> Card:
    """With the code sent to the phone on file, set a new PIN (and lift a PIN lockout:
    the reader has just proved who they are) and return the card to log in with. Every
    problem with the code gives one answer, as ``recovery_start`` does. A reader with no
    card in use (lost or cancelled) is sent to a desk: a card is not replaced online."""
    hashed = _recovery_identity(identity_type, identity_number, ip)
    new_pin = policies.check_pin((new_pin or "").strip())
    patron = _reader(hashed)
    code = (code or "").strip()
    try:
        if patron is None:
            raise code_error("CODE_NOT_SENT", "")
        row = code_try(patron.phone_hash, RECOVER, code, hashed)
    except ValidationFailed as error:
        if error.code == "CODE_FORMAT":
            raise
        message = _("The code is not correct or no longer valid. Ask for a new one.")
        raise code_error("CODE_INVALID", message) from None
    card = live_card(patron)
    if card is None:
        raise Conflict(
            "NO_CARD_IN_USE",
            _(
                "Your card is no longer in use. A lost card is replaced at a library desk: "
                "bring your identity document."
            ),
        )
    actor = public_actor(ip)
    with transaction.atomic():
        code_claim(row)
        pin_set(actor=actor, barcode=card.barcode, pin=new_pin)
        throttle_clear(f"pin:{patron.pk}")
        audit_record(actor, "patron.recover", org_unit=patron.home_org, target=patron)
    text_quietly(
        crypto.decrypt(patron.phone_encrypted),
        _(
            "Wenjin library: the password of card %(barcode)s was changed. If this was not "
            "you, call the library."
        )
        % {"barcode": card.barcode},
    )
    return card
