"""Where a reader's credit score comes from: the local ledger, or an external credit
platform (a city credit platform, say) behind the same small interface.

The external provider shipped here is a demo: it reads scores from a JSON file keyed by
the reader's keyed identity hash (``Patron.identity_hash``, an HMAC under the network's
field key), never by a raw ID number, and makes no network calls. A real platform's
adapter implements ``CreditProvider`` the same way and registers in ``PROVIDERS``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from django.conf import settings

from wenjin.patrons import credit
from wenjin.patrons.models import CreditSettings, Patron

logger = logging.getLogger(__name__)

# Every checkin reads the credit rules: each process keeps them for a few seconds. A
# change saved in this process clears them at once (signals in apps.py); one made in
# another worker shows within CACHE_SECONDS, as with the circulation settings.
CACHE_SECONDS = 5.0
_config_cache: list[tuple[float, CreditConfig]] = []


@dataclass(frozen=True)
class CreditConfig:
    """The credit settings row as plain values: the policy and the provider's name."""

    policy: credit.CreditPolicy
    provider: str


def credit_config() -> CreditConfig:
    """The current credit settings (cached for a few seconds per process)."""
    now = time.monotonic()
    if _config_cache and now - _config_cache[0][0] < CACHE_SECONDS:
        return _config_cache[0][1]
    row = CreditSettings.load()
    config = CreditConfig(policy=row.policy(), provider=row.provider)
    _config_cache[:] = [(now, config)]
    return config


def clear_credit_cache(**_signal_arguments: object) -> None:
    """Forget the cached credit settings (a signal receiver too)."""
    _config_cache.clear()


@runtime_checkable
class CreditProvider(Protocol):
    """Gives a reader's score on the local scale, or None when it has none for them."""

    name: str

    def score(self, patron: Patron) -> int | None: ...


class LocalLedgerProvider:
    """The built-in ledger: the running total the credit services keep on the reader."""

    name = "local"

    def score(self, patron: Patron) -> int | None:
        return patron.credit_score


def external_file_path() -> Path:
    """``WENJIN_CREDIT_EXTERNAL_FILE``, or ``credit-scores.json`` in the data directory."""
    configured = getattr(settings, "WENJIN_CREDIT_EXTERNAL_FILE", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "credit-scores.json"


class ExternalFileProvider:
    """Demo external platform: ``{"<identity hash>": score, …}`` (or the same mapping under
    ``"scores"``) in a JSON file. The file is read again when it changes; a missing or
    broken file means "no score", so readers fall back to the local ledger."""

    name = "external"
    _cache: dict[Path, tuple[float, dict[str, int]]] = {}
    _lock = threading.Lock()

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or external_file_path()

    @staticmethod
    def key_for(patron: Patron) -> str | None:
        # The keyed hash, not the number: the file never holds an identity number.
        return patron.identity_hash or None

    def _scores(self) -> dict[str, int]:
        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            return {}
        with self._lock:
            cached = self._cache.get(self.path)
            if cached is not None and cached[0] == mtime:
                return cached[1]
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            logger.warning("credit scores file %s unreadable: %s", self.path, error)
            data = {}
        if isinstance(data, dict) and isinstance(data.get("scores"), dict):
            data = data["scores"]
        scores = {
            str(key): value
            for key, value in (data.items() if isinstance(data, dict) else ())
            # bool is an int in Python; a true/false in the file is not a score
            if isinstance(value, int) and not isinstance(value, bool)
        }
        with self._lock:
            self._cache[self.path] = (mtime, scores)
        return scores

    def score(self, patron: Patron) -> int | None:
        key = self.key_for(patron)
        if key is None:
            return None
        return self._scores().get(key)


PROVIDERS: dict[str, type[LocalLedgerProvider] | type[ExternalFileProvider]] = {
    CreditSettings.Provider.LOCAL: LocalLedgerProvider,
    CreditSettings.Provider.EXTERNAL: ExternalFileProvider,
}


def configured_provider(config: CreditSettings | None = None) -> CreditProvider:
    """The provider the credit settings name (the local ledger for an unknown name)."""
    config = config or CreditSettings.load()
    return PROVIDERS.get(config.provider, LocalLedgerProvider)()


def credit_standing_for(
    patron: Patron, config: CreditSettings | None = None
) -> credit.CreditStanding:
    """The reader's standing from the configured provider, or from the local ledger when
    that provider has no score for them. Without ``config`` the cached settings are used
    (every checkout asks)."""
    if config is None:
        cached = credit_config()
        provider_name, policy = cached.provider, cached.policy
    else:
        provider_name, policy = config.provider, config.policy()
    provider = PROVIDERS.get(provider_name, LocalLedgerProvider)()
    score = provider.score(patron)
    name = provider.name
    if score is None:
        local = LocalLedgerProvider()
        score, name = local.score(patron), local.name
    return credit.standing(int(score or 0), policy, provider=name)
