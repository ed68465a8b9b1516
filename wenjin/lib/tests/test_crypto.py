"""Encryption, keyed hashes, pseudonyms and masking of personal data."""

import pytest

from wenjin.lib import crypto


def test_encryption_round_trip_and_randomness():
    sealed = crypto.encrypt("440104199003070011")
    assert sealed.startswith("v1:") and "440104" not in sealed
    assert crypto.decrypt(sealed) == "440104199003070011"
    assert crypto.encrypt("same") != crypto.encrypt("same")  # random nonce
    assert crypto.encrypt("") == "" and crypto.decrypt("") == ""


def test_tampering_and_wrong_key_are_detected(settings):
    sealed = crypto.encrypt("13812345678")
    tampered = sealed[:-4] + ("AAAA" if sealed[-4:] != "AAAA" else "BBBB")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered)
    settings.FIELD_KEY = "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMzI="
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(sealed)


def test_hashes_are_keyed_and_kept_apart(settings):
    first = crypto.lookup_hash("phone", "13812345678")
    assert first == crypto.lookup_hash("phone", "13812345678")
    assert first != crypto.lookup_hash("identity", "13812345678")
    assert crypto.pseudonym("patron:1") != crypto.lookup_hash("", "patron:1")
    settings.FIELD_KEY = "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMzI="
    assert crypto.lookup_hash("phone", "13812345678") != first


def test_masks():
    assert crypto.mask_identity("44010419900307123X") == "440104********123X"
    assert crypto.mask_phone("13812345678") == "138****5678"
    assert crypto.mask_identity("E1234") == "*****"
    # Passports and permits: most of the number hidden, never all of it shown.
    assert crypto.mask_identity("E12345678") == "E******78"
    assert crypto.mask_identity("H1234567890") == "H********90"
