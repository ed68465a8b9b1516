"""Fixtures for the SIP2 conversations: the circulation fixtures (a network, a record with
copies B1–B6, readers registered with PIN 802413), reused as they are, and a kiosk."""

import pytest

from wenjin.circulation.tests.conftest import (  # noqa: F401
    add_items,
    categories,
    fresh_circulation_caches,
    items,
    make_reader,
    reader,
    record,
)
from wenjin.network.devices import device_create
from wenjin.network.models import Device


@pytest.fixture
def kiosk(system, tree) -> Device:
    """The self-check kiosk of the Guangta branch (YX-GT), password ``kiosk-secret-1``."""
    return device_create(
        actor=system,
        code="YX-GT-K1",
        name="光塔自助借还机",
        kind="self_check",
        org_code="YX-GT",
        password="kiosk-secret-1",
    )
