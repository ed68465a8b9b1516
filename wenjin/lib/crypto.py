"""Personal data at rest: encryption of identity and phone numbers, keyed hashes to find
them again, pseudonymous keys for statistics, and masking for display.

One secret, ``WENJIN_FIELD_KEY`` (32 bytes, URL-safe base64), is stretched with HKDF into
separate keys for each purpose, so a hash or pseudonym never reveals the encryption key
and the purposes cannot be confused. Encryption is AES-256-GCM with a random nonce; the
stored form is ``v1:`` + base64(nonce + ciphertext).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_VERSION = "v1:"


class DecryptionError(Exception):
    """Stored ciphertext that the configured key cannot open (wrong key or tampering)."""


@lru_cache(maxsize=8)
def _subkey(master: str, purpose: str) -> bytes:
    raw = base64.urlsafe_b64decode(master.encode("ascii") + b"=" * (-len(master) % 4))
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"wenjin:{purpose}".encode()
    ).derive(raw)


def _key(purpose: str) -> bytes:
    return _subkey(settings.FIELD_KEY, purpose)


def encrypt(text: str) -> str:
    """Encrypt a short text for storage ("" stays "")."""
    if not text:
        return ""
    nonce = os.urandom(12)
    sealed = AESGCM(_key("encrypt")).encrypt(nonce, text.encode("utf-8"), None)
    return _VERSION + base64.b64encode(nonce + sealed).decode("ascii")


def decrypt(stored: str) -> str:
    if not stored:
        return ""
    if not stored.startswith(_VERSION):
        raise DecryptionError("unknown ciphertext version")
    blob = base64.b64decode(stored[len(_VERSION) :])
    try:
        return AESGCM(_key("encrypt")).decrypt(blob[:12], blob[12:], None).decode("utf-8")
    except InvalidTag as error:
        raise DecryptionError("the field key does not open this value") from error


def lookup_hash(kind: str, value: str) -> str:
    """A keyed hash of a normalised identifier (``kind`` keeps ID numbers and phone
    numbers apart): equal values give equal hashes, and without the key a hash cannot
    be tested against guesses."""
    digest = hmac.new(_key("lookup"), f"{kind}:{value}".encode(), hashlib.sha256)
    return digest.hexdigest()


def pseudonym(value: str) -> str:
    """A stable pseudonymous key (for anonymous statistics facts): irreversible, and not
    linkable to the lookup hashes."""
    return hmac.new(_key("pseudonym"), value.encode(), hashlib.sha256).hexdigest()[:32]


def reader_pseudonym(patron_id: int) -> str:
    """The statistics key of one reader (on loans and anonymous loan facts)."""
    return pseudonym(f"patron:{patron_id}")


def mask_identity(number: str) -> str:
    """440104199001011234 → 440104********1234 (region code and last four kept). Shorter
    documents (passports, travel permits) keep only their first and last two characters:
    E12345678 → E******78."""
    if len(number) >= 15:
        return number[:6] + "*" * (len(number) - 10) + number[-4:]
    if len(number) <= 6:
        return "*" * len(number)
    return number[0] + "*" * (len(number) - 3) + number[-2:]


def mask_phone(number: str) -> str:
    """13812345678 → 138****5678."""
    if len(number) < 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
