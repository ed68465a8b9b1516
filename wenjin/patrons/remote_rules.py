"""Rules of remote self-registration (远程自助办证) and card recovery on the public site, as
pure functions: when a desk must confirm a registration, the one-time phone codes, who
needs a guardian, which libraries can be a home library, the reference a reader quotes.

The one setting, ``WENJIN_REMOTE_REGISTRATION``, says how much the network trusts an
online registration:

``"instant"`` (the default)
    A resident ID number is checked online (check character, birth date, region code), so
    a reader registering with one gets a card at once. Other documents (passports,
    permits, social security cards) have no check the site can run: those registrations
    wait for a desk to see the document and confirm.
``"confirm"``
    Every remote registration waits for a desk.

The limits (codes per phone, requests per address, attempts per identity) are settings as
well, read through :func:`limits`; the counting windows are the login throttle's
(``WENJIN_LOGIN_WINDOW_MINUTES`` and ``WENJIN_LOGIN_LOCKOUT_MINUTES``).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings

MODE_INSTANT = "instant"
MODE_CONFIRM = "confirm"
MODES = (MODE_INSTANT, MODE_CONFIRM)

# Only this document can be checked online (GB 11643 check character, birth date, region).
ONLINE_CHECKED_IDENTITY = "resident_id"

# Instant cards for one phone number, before the next one waits for a desk.
CARDS_PER_PHONE = 3

CODE_LENGTH = 6
CODE_VALID_FOR = timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
# A phone gets at most one code a minute, whatever it is for.
CODE_RESEND_AFTER = timedelta(seconds=60)

# Online, a reader under 14 needs a guardian: the Personal Information Protection Law
# (art. 31) asks a guardian's consent to process a child under 14's personal information,
# and on the web no desk sees who is applying. (At the desk ``register`` asks for a
# guardian under 12, the children's card age.) A category can ask for one at any age.
GUARDIAN_UNDER_AGE = 14

# Where a reader can be registered: libraries with a desk, not machines or service points
# run by partners.
HOME_KINDS = ("city_center", "district_main", "branch", "special_branch", "children_library")

# References are read aloud at a desk: no 0/O, 1/I/L.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 8

_MOBILE = re.compile(r"1[3-9][0-9]{9}")


@dataclass(frozen=True)
class Limits:
    """How many of each thing one counting window allows (the window and lockout are the
    login throttle's settings)."""

    codes_per_phone: int = 5
    requests_per_ip: int = 30
    # a reader may register, then recover, and mistype on the way
    attempts_per_identity: int = 10


def registration_mode(value: str | None = None) -> str:
    """The configured mode (``value`` or the ``WENJIN_REMOTE_REGISTRATION`` setting).
    An unknown value is a configuration error, not a silent fallback: a network that
    meant "confirm" must never issue cards unchecked."""
    mode = value if value is not None else getattr(settings, "WENJIN_REMOTE_REGISTRATION", None)
    mode = (mode or MODE_INSTANT).strip().lower()
    if mode not in MODES:
        raise ValueError(f"WENJIN_REMOTE_REGISTRATION must be one of {MODES}, not {mode!r}")
    return mode


def limits() -> Limits:
    """The limits, from ``WENJIN_REMOTE_CODES_PER_PHONE``, ``WENJIN_REMOTE_REQUESTS_PER_IP``
    and ``WENJIN_REMOTE_ATTEMPTS_PER_IDENTITY`` where set."""
    default = Limits()
    return Limits(
        codes_per_phone=int(
            getattr(settings, "WENJIN_REMOTE_CODES_PER_PHONE", default.codes_per_phone)
        ),
        requests_per_ip=int(
            getattr(settings, "WENJIN_REMOTE_REQUESTS_PER_IP", default.requests_per_ip)
        ),
        attempts_per_identity=int(
            getattr(settings, "WENJIN_REMOTE_ATTEMPTS_PER_IDENTITY", default.attempts_per_identity)
        ),
    )


def needs_confirmation(
    identity_type: str, mode: str, cards_on_phone: int = 0, real_name_unanswered: bool = False
) -> bool:
    """Whether a remote registration with this document waits for a desk: always in the
    confirm mode; for documents that cannot be checked online; when the phone already
    belongs to ``CARDS_PER_PHONE`` readers (a family shares a phone; a phone collecting
    cards on other people's ID numbers should meet a desk); and when the real-name
    provider was asked but did not answer."""
    if mode == MODE_CONFIRM or cards_on_phone >= CARDS_PER_PHONE or real_name_unanswered:
        return True
    return identity_type != ONLINE_CHECKED_IDENTITY


def birth_date_required(identity_type: str) -> bool:
    """Documents other than the resident ID do not carry the birth date: the reader gives
    it (the category and the guardian rule follow from it)."""
    return identity_type != ONLINE_CHECKED_IDENTITY


def needs_guardian(age: int | None, category_requires_guardian: bool) -> bool:
    return category_requires_guardian or (age is not None and age < GUARDIAN_UNDER_AGE)


def is_mobile(phone: str) -> bool:
    """Text messages reach mainland mobiles only (``policies.check_phone`` also accepts
    landlines)."""
    return bool(_MOBILE.fullmatch(phone or ""))


def is_home_kind(kind: str) -> bool:
    return kind in HOME_KINDS


# --- One-time codes ---------------------------------------------------------------------


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


def is_code_format(code: str) -> bool:
    return bool(re.fullmatch(rf"[0-9]{{{CODE_LENGTH}}}", code or ""))


def code_expires_at(sent_at: datetime) -> datetime:
    return sent_at + CODE_VALID_FOR


def resend_wait_seconds(last_sent_at: datetime | None, now: datetime) -> int:
    """Seconds until another code may go to the same phone (0: now)."""
    if last_sent_at is None:
        return 0
    left = (last_sent_at + CODE_RESEND_AFTER - now).total_seconds()
    return max(0, int(left + 0.999))


# --- Pending registrations ----------------------------------------------------------------


def new_reference() -> str:
    """``XXXX-XXXX`` from an alphabet that reads aloud without confusion."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    half = REFERENCE_LENGTH // 2
    return f"{chars[:half]}-{chars[half:]}"


def normalise_reference(text: str) -> str:
    cleaned = re.sub(r"[^0-9A-Z]", "", (text or "").upper())
    half = REFERENCE_LENGTH // 2
    return f"{cleaned[:half]}-{cleaned[half:]}" if len(cleaned) == REFERENCE_LENGTH else cleaned


def age_is_plausible(born: date, today: date) -> bool:
    """A birth date typed by hand: not in the future, not before anyone alive."""
    return born <= today and today.year - born.year <= 130
