"""Device accounts: passwords hashed with the device costs, logins that answer the same
for an unknown login, a wrong password and a switched-off device, and old hashes
replaced on the next good login."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password

from wenjin.network.devices import DeviceHasher, device_create, device_login, device_set_enabled
from wenjin.network.models import Device

pytestmark = pytest.mark.django_db


@pytest.fixture
def kiosk(system, tree) -> Device:
    return device_create(
        actor=system,
        code="YX-GT-K1",
        name="光塔自助借还机",
        kind="self_check",
        org_code="YX-GT",
        password="kiosk-secret-1",
    )


def _memory(encoded: str) -> int:
    return identify_hasher(encoded).decode(encoded)["memory_cost"]


def test_a_device_password_is_hashed_with_the_device_costs(kiosk):
    assert kiosk.password_hash.startswith("argon2$argon2id$")
    assert _memory(kiosk.password_hash) == DeviceHasher.memory_cost
    assert "kiosk-secret-1" not in kiosk.password_hash


def test_login_answers_none_alike_for_every_failure(kiosk, system):
    assert device_login("YX-GT-K1", "kiosk-secret-1").pk == kiosk.pk
    assert device_login("YX-GT-K1", "wrong-secret") is None
    assert device_login("nobody", "kiosk-secret-1") is None
    assert device_login("", "") is None
    device_set_enabled(actor=system, code="YX-GT-K1", enabled=False)
    assert device_login("YX-GT-K1", "kiosk-secret-1") is None


def test_an_older_heavier_hash_is_replaced_on_the_next_good_login(kiosk):
    Device.objects.filter(pk=kiosk.pk).update(password_hash=make_password("kiosk-secret-1"))
    assert device_login("YX-GT-K1", "not-it") is None
    assert _memory(Device.objects.get(pk=kiosk.pk).password_hash) != DeviceHasher.memory_cost
    assert device_login("YX-GT-K1", "kiosk-secret-1") is not None
    stored = Device.objects.get(pk=kiosk.pk).password_hash
    assert _memory(stored) == DeviceHasher.memory_cost
    assert device_login("YX-GT-K1", "kiosk-secret-1") is not None
