"""Payment providers: how a WeChat Pay or Alipay reference a reader shows at the desk is
confirmed before it settles fees.

A real network plugs in its payment platform's query API behind ``PaymentProvider``
(setting ``WENJIN_PAYMENT_PROVIDER``, a dotted path). The built-in ``DemoProvider`` calls
no gateway: it accepts any well-formed reference, except ones starting with ``FAIL``
(so refusals can be shown and tested). Cash needs no provider.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _


class PaymentNotConfirmed(Exception):
    """The provider does not confirm the payment; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Confirmation:
    """What the provider confirmed: the reference as it knows it and the amount paid."""

    reference: str
    amount: Decimal


class PaymentProvider(Protocol):
    def confirm(self, *, method: str, reference: str, amount: Decimal) -> Confirmation:
        """Confirm that ``amount`` was paid with ``reference`` by ``method``, or raise
        ``PaymentNotConfirmed``."""
        ...


_REFERENCE = re.compile(r"^[A-Za-z0-9_-]{6,64}$")


class DemoProvider:
    """Confirms any well-formed reference (6–64 letters, digits, ``-`` or ``_``); refuses
    references that start with ``FAIL``."""

    def confirm(self, *, method: str, reference: str, amount: Decimal) -> Confirmation:
        del method
        if not _REFERENCE.match(reference):
            raise PaymentNotConfirmed(
                _("A payment reference is 6 to 64 letters, digits, '-' or '_'.")
            )
        if reference.upper().startswith("FAIL"):
            raise PaymentNotConfirmed(_("The payment platform has no such payment."))
        return Confirmation(reference, amount)


def provider() -> PaymentProvider:
    """The configured provider (``DemoProvider`` unless set)."""
    path = getattr(settings, "WENJIN_PAYMENT_PROVIDER", "") or (
        "wenjin.circulation.payments.DemoProvider"
    )
    return import_string(path)()
