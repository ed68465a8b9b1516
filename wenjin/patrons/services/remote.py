"""Remote self-registration (远程自助办证) from the public site, and the desk's
confirmation of the registrations that wait for one (``pending``).

A reader proves they hold a mobile phone with a one-time code (``phone_codes``), then
gets a card at once (``register``, the same service as the desk) or, where
``remote_rules`` say a desk must see the document, a pending registration that staff
confirm or reject. A person who already has a card is sent to recovery (``recovery``).
No anonymous visitor is ever told a card number, a phone number, or whether an identity
has a card before they have proved they hold the phone.

This module is the one the front ends import: it also carries the code and recovery
services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.services import audit_record
from wenjin.lib import crypto
from wenjin.lib.errors import Conflict, DomainError, ValidationFailed
from wenjin.network.models import OrgUnit, OrgUnitStatus
from wenjin.patrons import policies, real_name
from wenjin.patrons import remote_rules as rules
from wenjin.patrons.models import (
    LIVE_CARD_STATUSES,
    Card,
    Patron,
    PatronCategory,
    PendingRegistration,
    PendingStatus,
    PhoneVerification,
)
from wenjin.patrons.real_name import Verdict
from wenjin.patrons.services.cards import PinLocked, pin_check
from wenjin.patrons.services.common import (
    _category,
    _category_rules,
    identity_hash,
    phone_hash,
    today,
)
from wenjin.patrons.services.phone_codes import (
    REGISTER,
    RateLimited,
    code_claim,
    code_try,
    count_identity,
    count_ip,
    mobile_number,
    phone_code_send,
    phone_code_verify,
    public_actor,
    text_quietly,
)
from wenjin.patrons.services.recovery import recovery_finish, recovery_start
from wenjin.patrons.services.registration import Registration, register

__all__ = [
    "AlreadyRegistered",
    "Application",
    "RateLimited",
    "RemoteResult",
    "card_message",
    "home_libraries",
    "phone_code_send",
    "phone_code_verify",
    "recovery_finish",
    "recovery_start",
    "registration_check",
    "remote_register",
    "temporary_days",
]


class AlreadyRegistered(Conflict):
    """The identity already has a card: the reader is sent to recovery. Unlike the desk's
    conflict, no card number is given: the visitor is anonymous."""

    def __init__(self) -> None:
        super().__init__(
            "IDENTITY_HAS_CARD",
            _("You already have a library card. Set a new password for it instead."),
        )


# --- Registration -------------------------------------------------------------------------


@dataclass(frozen=True)
class Application:
    """A remote registration that passed the checks that need no secret: the identity
    checked, the phone a mobile, the home library one with a desk, the guardian rule known."""

    name: str
    identity: policies.Identity
    identity_hash: str
    phone: str
    birth_date: date | None
    home: OrgUnit
    address: str
    local_residence: bool
    needs_guardian: bool
    guardian_barcode: str


def home_libraries() -> QuerySet[OrgUnit]:
    """The libraries a reader can choose as home library online."""
    return OrgUnit.objects.filter(kind__in=rules.HOME_KINDS, status=OrgUnitStatus.OPEN).order_by(
        "path"
    )


def temporary_days() -> int:
    """How long a temporary card (non-residents) is valid: its category's setting."""
    days = PatronCategory.objects.filter(code="temporary").values_list("validity_days", flat=True)
    return days.first() or 60


def registration_check(
    *,
    name: str,
    identity_type: str,
    identity_number: str,
    phone: str,
    home_org_code: str,
    birth_date: date | None = None,
    address: str = "",
    local_residence: bool = True,
    guardian_barcode: str = "",
    consent: bool = False,
) -> Application:
    """Check a remote registration as far as possible without any secret (no code, no
    database lookup of the person), so the form can point at mistakes before a code is
    sent. Raises ``ValidationFailed`` naming the field."""
    if not consent:
        message = _("You must agree to the privacy notice to register.")
        raise ValidationFailed(message, fields={"consent": message}, code="CONSENT_REQUIRED")
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        message = _("Give your name (at most 100 characters).")
        raise ValidationFailed(message, fields={"name": message})
    now = today()
    identity = policies.check_identity(identity_type, identity_number, now)
    born = identity.birth_date
    if born is None:
        if rules.birth_date_required(identity.type) and birth_date is None:
            message = _("Give your date of birth: this document does not show it.")
            raise ValidationFailed(
                message, fields={"birth_date": message}, code="BIRTH_DATE_REQUIRED"
            )
        if birth_date is not None and not rules.age_is_plausible(birth_date, now):
            message = _("This date of birth is not possible.")
            raise ValidationFailed(message, fields={"birth_date": message}, code="BAD_BIRTH_DATE")
        born = birth_date
    phone = mobile_number(phone)
    home = home_libraries().filter(code=(home_org_code or "").strip()).first()
    if home is None:
        message = _("Choose a library from the list.")
        raise ValidationFailed(
            message, fields={"home_org_code": message}, code="INVALID_HOME_LIBRARY"
        )
    age = policies.age_on(born, now) if born else None
    if not local_residence:
        category = _category("temporary")
    else:
        code = policies.category_for_age(age, _category_rules()) if age is not None else None
        category = _category(code or "adult")
    needs_guardian = rules.needs_guardian(age, category.requires_guardian)
    guardian_barcode = (guardian_barcode or "").strip() if needs_guardian else ""
    if needs_guardian and not guardian_barcode:
        message = _(
            "A child's card needs a guardian: give the card number and password of an adult reader."
        )
        raise ValidationFailed(
            message, fields={"guardian_barcode": message}, code="GUARDIAN_REQUIRED"
        )
    return Application(
        name=name,
        identity=identity,
        identity_hash=identity_hash(identity.type, identity.number),
        phone=phone,
        birth_date=born,
        home=home,
        address=(address or "").strip()[:300],
        local_residence=local_residence,
        needs_guardian=needs_guardian,
        guardian_barcode=guardian_barcode,
    )


def _guardian_confirmed(barcode: str, pin: str) -> None:
    """The guardian proves it is them with their own PIN (the kiosks' counter: wrong
    PINs lock the guardian's PIN). An unknown card and a wrong PIN get one answer."""
    card = Card.objects.select_related("patron").filter(barcode=barcode).first()
    try:
        known = (
            card is not None
            and card.status in LIVE_CARD_STATUSES
            and card.patron.deleted_at is None
            and pin_check(card.patron, pin or "")
        )
    except PinLocked:
        known = False  # "locked" would tell that the card exists
    if not known:
        message = _("The guardian's card number or password is not correct.")
        raise ValidationFailed(
            message, fields={"guardian_pin": message}, code="GUARDIAN_LOGIN_FAILED"
        )


@dataclass
class RemoteResult:
    """A card (with the PIN to show once) or a registration waiting for a desk."""

    registration: Registration | None = None
    pending: PendingRegistration | None = None


def _pending_exists(hashed: str) -> bool:
    return PendingRegistration.objects.filter(
        identity_hash=hashed, status=PendingStatus.PENDING
    ).exists()


def _pending_conflict() -> Conflict:
    return Conflict(
        "REGISTRATION_PENDING",
        _(
            "A registration with this identity document is already waiting for a library "
            "desk. Bring your document to the library you chose."
        ),
    )


def remote_register(
    *,
    name: str,
    identity_type: str,
    identity_number: str,
    phone: str,
    code: str,
    home_org_code: str,
    ip: str | None,
    birth_date: date | None = None,
    address: str = "",
    local_residence: bool = True,
    guardian_barcode: str = "",
    guardian_pin: str = "",
    consent: bool = False,
) -> RemoteResult:
    """Register a reader from the public site, ``code`` being the one sent to ``phone``.
    In order: the client address's limit, the checks of :func:`registration_check`, the
    identity's limit, the code (the try counted), an existing card (→
    :class:`AlreadyRegistered`, for recovery), the guardian's PIN; then, as the rules
    say, a card at once or a pending registration, in one transaction with the code used
    up. The card number and PIN (or the reference) are also sent by text."""
    count_ip(ip)
    application = registration_check(
        name=name,
        identity_type=identity_type,
        identity_number=identity_number,
        phone=phone,
        home_org_code=home_org_code,
        birth_date=birth_date,
        address=address,
        local_residence=local_residence,
        guardian_barcode=guardian_barcode,
        consent=consent,
    )
    if application.needs_guardian and not guardian_pin:
        message = _("Give the guardian's password.")
        raise ValidationFailed(
            message, fields={"guardian_pin": message}, code="GUARDIAN_PIN_REQUIRED"
        )
    count_identity(application.identity_hash)
    phone_hashed = phone_hash(application.phone)
    row = code_try(phone_hashed, REGISTER, (code or "").strip())
    # Only now, with the phone proved, may the answer depend on who has a card; and the
    # code is used up, so each such answer costs a new code (limited per phone, address
    # and identity), and the reader on file is told.
    existing = Patron.objects.filter(identity_hash=application.identity_hash).first()
    if existing is not None:
        code_claim(row)
        _tell_reader_on_file(existing)
        raise AlreadyRegistered
    if _pending_exists(application.identity_hash):
        code_claim(row)
        raise _pending_conflict()
    if application.needs_guardian:
        _guardian_confirmed(application.guardian_barcode, guardian_pin)
    actor = public_actor(ip)
    cards_on_phone = Patron.objects.filter(phone_hash=phone_hashed, deleted_at=None).count()
    mode = rules.registration_mode()
    checked = Verdict.NOT_ASKED
    if application.identity.type == rules.ONLINE_CHECKED_IDENTITY:
        checked = real_name.verdict(application.name, application.identity.number)
    if checked is Verdict.MISMATCH:
        code_claim(row)  # a name and number pair costs a code to try
        message = _(
            "The name does not match the ID number. Give your name exactly as on your "
            "identity card, or register at a library desk."
        )
        raise ValidationFailed(message, fields={"name": message}, code="NAME_ID_MISMATCH")
    if rules.needs_confirmation(
        application.identity.type,
        mode,
        cards_on_phone,
        real_name_unanswered=checked is Verdict.UNAVAILABLE,
    ):
        pending = _pending_create(application, row, actor)
        text_quietly(
            application.phone,
            _(
                "Wenjin library: we have your registration %(reference)s. Bring your "
                "identity document to %(library)s to collect your card."
            )
            % {"reference": pending.reference, "library": pending.home_org.name},
        )
        return RemoteResult(pending=pending)
    try:
        with transaction.atomic():
            code_claim(row)
            registration = register(
                actor=actor,
                name=application.name,
                identity_type=application.identity.type,
                identity_number=application.identity.number,
                phone=application.phone,
                home_org_code=application.home.code,
                local_residence=application.local_residence,
                guardian_barcode=application.guardian_barcode or None,
                address=application.address,
                birth_date=application.birth_date,
            )
    except Conflict as error:
        if error.code == "IDENTITY_HAS_CARD":  # registered elsewhere a moment ago
            raise AlreadyRegistered from None
        raise
    text_quietly(application.phone, card_message(registration))
    return RemoteResult(registration=registration)


def _tell_reader_on_file(reader: Patron) -> None:
    """Someone proved a phone and tried to register a new card with this reader's ID."""
    if reader.phone_encrypted:
        text_quietly(
            crypto.decrypt(reader.phone_encrypted),
            _(
                "Wenjin library: someone tried to register a new card with your ID number. "
                'If it was you, set a new password with "Forgot your password?" on the '
                "login page. If not, please tell a library desk."
            ),
        )


def card_message(registration: Registration) -> str:
    return _(
        "Wenjin library: your card number is %(barcode)s and your password is %(pin)s. "
        "Change the password after you log in."
    ) % {"barcode": registration.card.barcode, "pin": registration.pin}


def _pending_create(
    application: Application, row: PhoneVerification, actor: Actor
) -> PendingRegistration:
    number = application.identity.number
    for _attempt in range(5):
        try:
            with transaction.atomic():
                code_claim(row)
                pending = PendingRegistration.objects.create(
                    reference=rules.new_reference(),
                    name=application.name,
                    identity_type=application.identity.type,
                    identity_encrypted=crypto.encrypt(number),
                    identity_hash=application.identity_hash,
                    identity_masked=crypto.mask_identity(number),
                    birth_date=application.birth_date,
                    phone_encrypted=crypto.encrypt(application.phone),
                    phone_masked=crypto.mask_phone(application.phone),
                    address=application.address,
                    local_residence=application.local_residence,
                    guardian_barcode=application.guardian_barcode,
                    home_org=application.home,
                )
                audit_record(
                    actor,
                    "patron.remote_pending",
                    org_unit=application.home,
                    target=pending,
                    changes={"identity_type": application.identity.type},
                )
                return pending
        except IntegrityError:
            # Either the same identity was submitted a moment ago (the one-pending-per-
            # identity constraint), or the random reference was taken: try another.
            if _pending_exists(application.identity_hash):
                raise _pending_conflict() from None
    raise DomainError("REFERENCE_EXHAUSTED", _("Please try again."), status=503)
