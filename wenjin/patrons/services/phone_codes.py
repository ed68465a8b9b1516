"""One-time codes sent by text message for the public site's registration and recovery,
and the limits on everything those pages do.

A code proves that the person at the keyboard holds a phone. Only a keyed hash of it is
stored; it is good for ten minutes and five tries; it is used up by one conditional
UPDATE. Limits are counted in the database (``LoginThrottle``, the login throttle's
windows) so that every web worker sees the same counts: requests per client address,
codes per phone (and at most one a minute), attempts per identity.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import throttle_address
from wenjin.accounts.services import audit_record, throttle_failure, throttle_locked_until
from wenjin.lib import crypto
from wenjin.lib.errors import DomainError, ValidationFailed
from wenjin.patrons import policies
from wenjin.patrons import remote_rules as rules
from wenjin.patrons.models import Patron, PhoneVerification, VerificationPurpose
from wenjin.patrons.services.common import phone_hash

logger = logging.getLogger("wenjin.patrons")

REGISTER = VerificationPurpose.REGISTER
RECOVER = VerificationPurpose.RECOVER


# --- Errors -------------------------------------------------------------------------------


class RateLimited(DomainError):
    """Too many requests of one kind lately (HTTP 429); ``details`` says when to retry."""

    status = 429

    def __init__(self, code: str, message: str, retry_after_seconds: int) -> None:
        super().__init__(code, message, details={"retry_after_seconds": retry_after_seconds})


def _minutes_until(until: datetime) -> int:
    return max(1, int((until - timezone.now()).total_seconds() // 60) + 1)


def _too_many(code: str, until: datetime) -> RateLimited:
    minutes = _minutes_until(until)
    messages = {
        "TOO_MANY_REQUESTS": ngettext(
            "Too many requests from this network. Please try again in %(minutes)d minute.",
            "Too many requests from this network. Please try again in %(minutes)d minutes.",
            minutes,
        ),
        "TOO_MANY_CODES": ngettext(
            "Too many codes were sent to this phone. Please try again in %(minutes)d minute.",
            "Too many codes were sent to this phone. Please try again in %(minutes)d minutes.",
            minutes,
        ),
        "TOO_MANY_ATTEMPTS": ngettext(
            "Too many attempts with this identity document. Please try again in %(minutes)d minute.",
            "Too many attempts with this identity document. Please try again in %(minutes)d minutes.",
            minutes,
        ),
    }
    return RateLimited(code, messages[code] % {"minutes": minutes}, minutes * 60)


def code_error(code: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"code": message}, code=code)


# --- Limits -------------------------------------------------------------------------------


def _count(key: str, limit: int, error_code: str) -> None:
    """Refuse while ``key`` is locked out, else count this request (the limit-th request
    is served and locks the key for the lockout time)."""
    until = throttle_locked_until(key)
    if until is not None:
        raise _too_many(error_code, until)
    throttle_failure(key, limit)


def count_ip(ip: str | None) -> None:
    if ip:
        key = f"remote-ip:{throttle_address(ip)}"
        _count(key, rules.limits().requests_per_ip, "TOO_MANY_REQUESTS")


def count_identity(hashed: str) -> None:
    # A keyed hash in the key: the throttle table holds no ID numbers.
    key = f"remote-identity:{hashed}"
    _count(key, rules.limits().attempts_per_identity, "TOO_MANY_ATTEMPTS")


def public_actor(ip: str | None) -> Actor:
    return Actor(user=None, via="opac", ip=ip, agent="self-registration")


# --- Text messages ------------------------------------------------------------------------


def _text(phone: str, body: str) -> None:
    """Send one text message; raises ``ChannelError``."""
    # Imported here: notices builds on readers, and this keeps the import one-way.
    from wenjin.notices.channels import channel

    channel("sms").send(phone, "", body)


def text_quietly(phone: str, body: str) -> bool:
    """For messages after the fact (the card is already on the screen): a failed gateway
    is logged, not shown as a failed registration."""
    from wenjin.notices.channels import ChannelError

    try:
        _text(phone, body)
    except ChannelError:
        logger.warning("text message to %s not sent", crypto.mask_phone(phone), exc_info=True)
        return False
    return True


# --- One-time codes -----------------------------------------------------------------------


def _digest(salt: str, code: str) -> str:
    return f"{salt}${crypto.lookup_hash('phone-code', f'{salt}:{code}')}"


def _digest_matches(stored: str, code: str) -> bool:
    salt, _sep, _mac = stored.partition("$")
    return bool(salt) and secrets.compare_digest(stored, _digest(salt, code or ""))


def issue_code(
    phone_hashed: str, purpose: str, subject: str, actor: Actor, target: Patron | None = None
) -> tuple[PhoneVerification, str]:
    """Store a new code for a phone, within the phone's limits; returns the row and the
    code (to send, never to store)."""
    # Counted per purpose: otherwise a recovery code sent to the phone on file would
    # make a registration "send" for that phone answer differently, telling a stranger
    # which phone an ID number has.
    key = f"remote-phone:{purpose}:{phone_hashed}"
    now = timezone.now()
    with transaction.atomic():
        until = throttle_locked_until(key)
        if until is not None:
            raise _too_many("TOO_MANY_CODES", until)
        # Counting locks the phone's throttle row until this transaction ends, so two
        # requests for one phone cannot both pass the once-a-minute check below.
        throttle_failure(key, rules.limits().codes_per_phone)
        last = PhoneVerification.objects.filter(phone_hash=phone_hashed, purpose=purpose).order_by(
            "-created_at"
        )
        last_at = last.values_list("created_at", flat=True).first()
        wait = rules.resend_wait_seconds(last_at, now)
        if wait:
            raise RateLimited(
                "CODE_SENT_RECENTLY",
                ngettext(
                    "A code was sent a moment ago. You can ask for another in %(n)d second.",
                    "A code was sent a moment ago. You can ask for another in %(n)d seconds.",
                    wait,
                )
                % {"n": wait},
                wait,
            )
        code = rules.new_code()
        row = PhoneVerification.objects.create(
            phone_hash=phone_hashed,
            purpose=purpose,
            subject_hash=subject,
            code_hash=_digest(secrets.token_hex(8), code),
            created_at=now,
            expires_at=rules.code_expires_at(now),
        )
        audit_record(
            actor,
            "patron.phone_code",
            org_unit=target.home_org if target else None,
            target=target,
            changes={"purpose": purpose},
        )
    return row, code


def code_message(code: str) -> str:
    return _(
        "Wenjin library: your code is %(code)s. It is valid for %(minutes)d minutes. "
        "Do not give it to anyone."
    ) % {"code": code, "minutes": int(rules.CODE_VALID_FOR.total_seconds() // 60)}


def mobile_number(phone: str) -> str:
    phone = policies.check_phone(phone)
    if not rules.is_mobile(phone):
        message = _("Give a mobile number: the code is sent by text message.")
        raise ValidationFailed(message, fields={"phone": message}, code="MOBILE_REQUIRED")
    return phone


def phone_code_send(*, phone: str, purpose: str = REGISTER, ip: str | None) -> PhoneVerification:
    """Send a one-time code to ``phone`` (a registration's phone). At most one a minute
    and ``WENJIN_REMOTE_CODES_PER_PHONE`` per window for a phone, and every request counts
    against the client address; each refusal is a 429 with the wait."""
    if purpose != REGISTER:
        # Recovery codes go only to the phone on file, through ``recovery_start``.
        raise ValidationFailed(_("Unknown purpose."), fields={"purpose": purpose})
    phone = mobile_number(phone)
    count_ip(ip)
    row, code = issue_code(phone_hash(phone), purpose, "", public_actor(ip))
    from wenjin.notices.channels import ChannelError

    try:
        _text(phone, code_message(code))
    except ChannelError:
        logger.warning("code to %s not sent", crypto.mask_phone(phone), exc_info=True)
        PhoneVerification.objects.filter(pk=row.pk).update(used_at=timezone.now())
        raise DomainError(
            "SMS_FAILED",
            _("The text message could not be sent. Please try again later."),
            status=503,
        ) from None
    return row


def code_try(phone_hashed: str, purpose: str, code: str, subject: str = "") -> PhoneVerification:
    """Check ``code`` against the phone's latest code (not yet used). Each try is counted
    before the comparison, in its own committed UPDATE, so a refusal below still counts
    and no more than ``CODE_MAX_ATTEMPTS`` comparisons are ever made."""
    if not rules.is_code_format(code):
        raise code_error("CODE_FORMAT", _("The code has %(n)d digits.") % {"n": rules.CODE_LENGTH})
    row = (
        PhoneVerification.objects.filter(
            phone_hash=phone_hashed, purpose=purpose, subject_hash=subject
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if row is None:
        raise code_error("CODE_NOT_SENT", _("Ask for a code first."))
    if row.used_at is not None:
        raise code_error("CODE_USED", _("This code has already been used. Ask for a new one."))
    if row.expires_at <= timezone.now():
        raise code_error("CODE_EXPIRED", _("This code has expired. Ask for a new one."))
    counted = PhoneVerification.objects.filter(
        pk=row.pk, used_at=None, attempts__lt=rules.CODE_MAX_ATTEMPTS
    ).update(attempts=F("attempts") + 1)
    if not counted:
        # Used up by a request a moment ago, or out of tries: say which.
        if PhoneVerification.objects.filter(pk=row.pk, used_at__isnull=False).exists():
            raise code_error("CODE_USED", _("This code has already been used. Ask for a new one."))
        raise code_error("CODE_TOO_MANY_TRIES", _("Too many wrong codes. Ask for a new one."))
    if not _digest_matches(row.code_hash, code):
        raise code_error("CODE_WRONG", _("The code is not correct."))
    return row


def code_claim(row: PhoneVerification) -> None:
    """Use the code up: one conditional UPDATE, so of two requests with one code at the
    same moment exactly one gets it (the database row lock decides)."""
    used = PhoneVerification.objects.filter(pk=row.pk, used_at=None).update(used_at=timezone.now())
    if not used:
        raise code_error("CODE_USED", _("This code has already been used. Ask for a new one."))


def phone_code_verify(*, phone: str, code: str, purpose: str = REGISTER) -> PhoneVerification:
    """Check and use up the latest code sent to ``phone`` for ``purpose``."""
    row = code_try(phone_hash(policies.check_phone(phone)), purpose, (code or "").strip())
    code_claim(row)
    return row
