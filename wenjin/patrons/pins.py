"""Reader PIN hashing: argon2id, with costs sized for a six-digit PIN checked at a kiosk.

A reader's PIN is six digits: a million possibilities, so no hash cost protects a leaked
hash against a determined attacker, while lockouts and the encrypted database do. The
cost that matters is the kiosk's: every SIP2 patron message carries the PIN, a sorter
allows about a second for a whole exchange, and staff passwords' argon2 settings (100 MiB,
several passes) take 100-200 ms of a core per check on a small server. PINs therefore get
their own, lighter argon2id parameters (a few milliseconds); hashes made with other
parameters still verify and are re-hashed with these on the next successful check.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password

__all__ = ["PinHasher", "hash_pin", "pin_matches_hash"]


class PinHasher(Argon2PasswordHasher):
    """argon2id with one pass over 8 MiB on one lane (same algorithm name as Django's, so
    ``check_password`` verifies these hashes and the heavier ones alike)."""

    time_cost = 1
    memory_cost = 8 * 1024  # KiB
    parallelism = 1


_HASHER = PinHasher()


def hash_pin(pin: str) -> str:
    """The stored form of ``pin``."""
    return make_password(pin, hasher=_HASHER)


def pin_matches_hash(pin: str, encoded: str, rehash: Callable[[str], None] | None = None) -> bool:
    """Whether ``pin`` matches ``encoded``; on a match with outdated parameters,
    ``rehash(new_encoded)`` is called so the caller can store the lighter hash."""
    if not encoded:
        return False

    def setter(raw: str) -> None:
        if rehash is not None:
            rehash(hash_pin(raw))

    return check_password(pin or "", encoded, setter=setter, preferred=_HASHER)
