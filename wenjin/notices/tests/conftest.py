"""Fixtures for notices: the circulation fixtures (network, record, items, readers),
loans with a chosen due date, and the SMS outbox in a temporary file."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from wenjin.circulation import services as circulation
from wenjin.circulation.models import Loan

# Reused as they are: a record with six copies, readers registered through the services.
from wenjin.circulation.tests.conftest import (  # noqa: F401
    add_items,
    categories,
    fresh_circulation_caches,
    items,
    make_reader,
    reader,
    record,
)
from wenjin.patrons.models import Card

PHONE = "13812345678"  # what make_reader registers


@pytest.fixture(autouse=True)
def sms_outbox(settings, tmp_path: Path) -> Path:
    """Every test writes SMS to its own file outbox, and uses the default windows."""
    settings.WENJIN_SMS_BACKEND = "file"
    settings.WENJIN_SMS_OUTBOX = tmp_path / "sms-outbox.jsonl"
    settings.WENJIN_NOTICE_DUE_SOON_DAYS = 3
    settings.WENJIN_NOTICE_CARD_EXPIRY_DAYS = 30
    settings.WENJIN_NOTICE_CATCH_UP_DAYS = 7
    return settings.WENJIN_SMS_OUTBOX


@pytest.fixture
def sms_sent(sms_outbox: Path) -> Callable[[], list[dict]]:
    """The messages in the outbox so far."""

    def read() -> list[dict]:
        if not sms_outbox.exists():
            return []
        return [json.loads(line) for line in sms_outbox.read_text("utf-8").splitlines()]

    return read


@pytest.fixture
def lend(system, items) -> Callable[[Card, str, date], Loan]:  # noqa: F811
    """``lend(card, "B1", due)`` → an open loan of B1 to the reader, due on ``due``."""

    def make(card: Card, barcode: str, due: date) -> Loan:
        org = "YX-DS" if barcode in ("B5", "B6") else "YX-GT"
        loan = circulation.checkout(
            actor=system, item_barcode=barcode, patron_barcode=card.barcode, org_code=org
        ).loan
        Loan.objects.filter(pk=loan.pk).update(due_date=due)
        loan.refresh_from_db()
        return loan

    return make
