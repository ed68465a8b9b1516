"""Reader PINs: argon2id with the PIN costs; older, heavier hashes verify and are
replaced on the next successful check, never over a PIN changed meanwhile."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password

from wenjin.accounts.models import LoginThrottle
from wenjin.patrons.models import Patron
from wenjin.patrons.pins import PinHasher, hash_pin, pin_matches_hash
from wenjin.patrons.services import PinLocked, pin_check, pin_matches, register
from wenjin.patrons.tests.ids import resident_id


@pytest.fixture
def patron(tree, system) -> Patron:
    from datetime import date

    return register(
        actor=system,
        name="陈小明",
        identity_type="resident_id",
        identity_number=resident_id(date(1990, 5, 1), 1),
        phone="13812345678",
        home_org_code="YX-GT",
        pin="802413",
    ).patron


def _params(encoded: str) -> dict:
    return identify_hasher(encoded).decode(encoded)


def test_a_pin_hash_uses_the_light_argon2id_costs():
    encoded = hash_pin("802413")
    params = _params(encoded)
    assert encoded.startswith("argon2$argon2id$")
    assert (params["time_cost"], params["memory_cost"], params["parallelism"]) == (
        PinHasher.time_cost,
        PinHasher.memory_cost,
        PinHasher.parallelism,
    )
    assert "802413" not in encoded and hash_pin("802413") != encoded  # salted


def test_matching_and_not_matching():
    encoded = hash_pin("802413")
    assert pin_matches_hash("802413", encoded)
    assert not pin_matches_hash("802414", encoded)
    assert not pin_matches_hash("", encoded)
    assert not pin_matches_hash("802413", "")


@pytest.mark.django_db
def test_a_heavier_old_hash_verifies_and_is_replaced(patron):
    Patron.objects.filter(pk=patron.pk).update(pin_hash=make_password("802413"))
    patron.refresh_from_db()
    assert _params(patron.pin_hash)["memory_cost"] != PinHasher.memory_cost
    assert not pin_matches(patron, "000000")
    assert (
        _params(Patron.objects.get(pk=patron.pk).pin_hash)["memory_cost"] != PinHasher.memory_cost
    )
    assert pin_matches(patron, "802413")
    stored = Patron.objects.get(pk=patron.pk).pin_hash
    assert _params(stored)["memory_cost"] == PinHasher.memory_cost
    assert pin_matches(Patron.objects.get(pk=patron.pk), "802413")


@pytest.mark.django_db
def test_a_rehash_never_overwrites_a_pin_changed_meanwhile(patron):
    Patron.objects.filter(pk=patron.pk).update(pin_hash=make_password("802413"))
    patron.refresh_from_db()
    # The desk sets a new PIN between this check's read and its rehash.
    Patron.objects.filter(pk=patron.pk).update(pin_hash=hash_pin("135790"))
    assert pin_matches(patron, "802413")  # the copy in hand still held the old PIN
    fresh = Patron.objects.get(pk=patron.pk)
    assert pin_matches(fresh, "135790") and not pin_matches(fresh, "802413")


@pytest.mark.django_db
def test_wrong_pins_lock_the_pin_and_a_right_one_clears_the_count(patron, settings):
    settings.WENJIN_PIN_MAX_FAILURES = 3
    assert not pin_check(patron, "000000")
    assert not pin_check(patron, "000001")
    assert pin_check(patron, "802413")  # a success forgets the failures
    assert not LoginThrottle.objects.filter(key=f"pin:{patron.pk}").exists()
    for guess in ("000000", "000001", "000002"):
        assert not pin_check(patron, guess)
    with pytest.raises(PinLocked) as locked:
        pin_check(patron, "802413")
    assert locked.value.code == "PIN_LOCKED" and locked.value.status == 429
    assert locked.value.details["retry_after_seconds"] == 15 * 60
    # When the lockout has passed, the right PIN works again.
    from datetime import timedelta

    from django.utils import timezone

    LoginThrottle.objects.filter(key=f"pin:{patron.pk}").update(
        locked_until=timezone.now() - timedelta(seconds=1),
        window_started_at=timezone.now() - timedelta(hours=1),
    )
    assert pin_check(patron, "802413")
