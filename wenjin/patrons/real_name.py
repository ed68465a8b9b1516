"""Real-name verification (实名核验): whether a name belongs to a resident ID number, asked
of the network's provider (a public-security or government real-name service) before a
card is issued online at once.

``WENJIN_REAL_NAME_VERIFIER`` names the provider: empty (the default) asks nobody, so a
valid resident ID number and a proved phone are enough, as in the demo; a dotted path
names a class implementing ``RealNameVerifier``. A provider that does not answer sends
the registration to a desk instead of issuing a card unchecked.
"""

from __future__ import annotations

import logging
from enum import Enum
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("wenjin.patrons")


class RealNameUnavailable(Exception):
    """The provider could not answer (down, timed out, refused the request)."""


class RealNameVerifier(Protocol):
    def matches(self, *, name: str, identity_number: str) -> bool:
        """Whether ``name`` is the registered name of ``identity_number``; raises
        ``RealNameUnavailable`` when it cannot tell."""


class Verdict(Enum):
    MATCHED = "matched"
    MISMATCH = "mismatch"
    UNAVAILABLE = "unavailable"  # asked, no answer: a desk decides
    NOT_ASKED = "not_asked"  # no provider configured


def configured_verifier() -> RealNameVerifier | None:
    path = (getattr(settings, "WENJIN_REAL_NAME_VERIFIER", "") or "").strip()
    return import_string(path)() if path else None


def verdict(name: str, identity_number: str) -> Verdict:
    """Ask the configured provider about one name and resident ID number."""
    verifier = configured_verifier()
    if verifier is None:
        return Verdict.NOT_ASKED
    try:
        matched = verifier.matches(name=name, identity_number=identity_number)
    except RealNameUnavailable:
        logger.warning("real-name verification unavailable", exc_info=True)
        return Verdict.UNAVAILABLE
    return Verdict.MATCHED if matched else Verdict.MISMATCH
