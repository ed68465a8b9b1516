"""Encoding is exact: lengths, order, sanitising, and errors only for programming slips."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from wenjin.sip2 import Response, decode, encode
from wenjin.sip2.fields import patron_status, summary, supported_messages
from wenjin.sip2.messages import REQUEST_CODES

D = "20260128    143005"


def checkout_response(**fields: object) -> Response:
    fixed = {
        "ok": False,
        "renewal_ok": False,
        "magnetic_media": "U",
        "desensitize": "N",
        "transaction_date": D,
    }
    return Response("12", fixed, fields)


def test_required_fields_always_sent_and_spec_order():
    # Given out of order and with the required AJ/AH missing.
    wire = encode(checkout_response(AF=["不可借"], AB="1", AA="p", AO="YX"))
    assert wire == f"120NUN{D}AOYX|AAp|AB1|AJ|AH|AF不可借|\r".encode()


def test_values_are_sanitised():
    wire = encode(
        checkout_response(AO="YX", AA="p", AB="1", AJ="A|B\r\nC\tD\x00", AF=["line1\nline2"])
    )
    assert b"AJA/B  C D |" in wire and b"AFline1 line2|" in wire
    assert wire.count(b"\r") == 1


def test_fixed_fields_padded_truncated_and_ascii():
    fixed = {"patron_status": "YY", "language": "19", "transaction_date": "2026"}
    text = encode(Response("26", fixed, {"AO": "YX", "AA": "p", "AE": "n"})).decode()
    assert text.startswith("26YY            019" + "2026" + " " * 14 + "AOYX|")
    fixed = {"patron_status": "张" * 20, "language": 19, "transaction_date": D}
    text = encode(Response("26", fixed, {})).decode()
    assert text.startswith("26" + "?" * 14 + "019" + D)


def test_counts_zero_padded_and_clamped():
    fixed = {"ok": True, "renewed_count": 12345, "unrenewed_count": -3, "transaction_date": D}
    assert encode(Response("66", fixed, {"AO": "YX"})) == f"66199990000{D}AOYX|\r".encode()


def test_datetime_values_and_money():
    when = datetime(2026, 1, 28, 6, 30, 5, tzinfo=UTC)
    fixed = {"ok": True, "available": True, "transaction_date": when}
    fields = {"AO": "YX", "AA": "p", "BW": when}
    assert encode(Response("16", fixed, fields)) == (
        b"161Y20260128   Z063005BW20260128   Z063005|AOYX|AAp|\r"
    )
    fixed = {"patron_status": patron_status(), "language": "019", "transaction_date": D}
    fields = {"AO": "YX", "AA": "p", "AE": "n", "BV": Decimal("12.5"), "BH": "CNY"}
    assert b"BHCNY|BV12.50|" in encode(Response("24", fixed, fields))


def test_extension_fields_after_known_ones():
    wire = encode(checkout_response(AO="YX", AA="p", AB="1", AJ="t", AH=D, ZY="vendor", AF=["x"]))
    assert wire.endswith(b"AFx|ZYvendor|\r")


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (Response("XX"), ValueError),
        (Response("94"), ValueError),  # missing fixed "ok"
        (Response("94", {"ok": True, "okay": True}), ValueError),
        (Response("94", {"ok": object()}), TypeError),
        (Response("12", {}, {}), ValueError),
        (checkout_response(AY="1"), ValueError),
        (checkout_response(**{"a b": "x"}), ValueError),
        (checkout_response(AJ=["a", "b"]), ValueError),
        (Response("94", {"ok": datetime.now(UTC)}), ValueError),
    ],
)
def test_programming_errors(response, error):
    with pytest.raises(error):
        encode(response)


def test_acs_status_with_builders():
    fixed = {
        "online_status": True,
        "checkin_ok": True,
        "checkout_ok": True,
        "acs_renewal_policy": True,
        "status_update_ok": False,
        "offline_ok": True,
        "timeout_period": 30,
        "retries_allowed": 3,
        "date_time_sync": D,
        "protocol_version": "2.00",
    }
    fields = {"AO": "YX", "BX": supported_messages(REQUEST_CODES - {"19"}), "AN": "YX-GT"}
    wire = encode(Response("98", fixed, fields), "utf-8", "0", True)
    request = decode(wire)
    assert request.get("BX") == "YYYYYYYYYYYNYYYY" and request.checksum_ok
    assert summary("hold_items") == "Y         "
