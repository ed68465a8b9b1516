"""Golden frames: every message encodes to, and decodes from, the exact bytes of the
specification's layout — checksums included, on Chinese text in UTF-8 and GB18030."""

from __future__ import annotations

import pytest

from wenjin.sip2 import Response, decode, encode
from wenjin.sip2.codec import render
from wenjin.sip2.messages import LAYOUTS, REQUEST_CODES, RESPONSE_CODES
from wenjin.sip2.tests.golden import ITEM, PATRON, REQUESTS, RESPONSES

ALL = REQUESTS + RESPONSES
IDS = [entry[0] for entry in ALL]


def test_golden_table_covers_every_layout():
    assert sorted(IDS) == sorted(LAYOUTS)
    assert {c for c, *_ in REQUESTS} == set(REQUEST_CODES)
    assert {c for c, *_ in RESPONSES} == set(RESPONSE_CODES)


@pytest.mark.parametrize(("code", "fixed", "fields", "text"), ALL, ids=IDS)
def test_encode_exact_bytes(code, fixed, fields, text):
    assert encode(Response(code, fixed, fields)) == text.encode("utf-8") + b"\r"


@pytest.mark.parametrize(("code", "fixed", "fields", "text"), ALL, ids=IDS)
def test_decode_golden_frame(code, fixed, fields, text):
    request = decode(text.encode("utf-8") + b"\r", "utf-8")
    assert request.code == code
    assert request.checksum_ok is None and request.sequence is None
    assert not request.lossy and request.missing() == []
    # Every fixed field comes back as its wire text, at its length.
    assert "".join(request.fixed.values()) == text[2 : 2 + LAYOUTS[code].fixed_length]
    for fid, value in fields.items():
        expected = value if isinstance(value, list) else [value]
        assert request.getlist(fid) == [render_value(code, fid, v) for v in expected]


def render_value(code, fid, value):
    """A value as it appears on the wire, read back from a rendered one-field message."""
    if isinstance(value, str):
        return value
    layout = LAYOUTS[code]
    fixed = dict.fromkeys(layout.fixed_names)
    text = render(Response(code, fixed, {fid: value}))
    return text.split(fid, 1)[1].split("|", 1)[0]


# Checksums computed by hand: sum of the encoded bytes up to and including "AZ",
# two's complement, low 16 bits, four uppercase hex digits.
CHECKSUMMED = [
    ("94", "utf-8", "1", "FDFC"),  # 9+4+1+A+Y+1+A+Z = 0x204 -> 0x10000-0x204
    ("98", "utf-8", "2", "E22D"),
    ("64", "utf-8", "3", "C6D5"),
    ("64", "gb18030", "3", "CBDD"),
    ("12", "utf-8", "0", "D19B"),
    ("12", "gb18030", "0", "D729"),
    ("12", "cp850", "0", "E486"),
    ("10", "utf-8", "4", "D501"),
    ("10", "gb18030", "4", "D918"),
    ("18", "utf-8", "5", "E360"),
    ("24", "gb18030", "6", "E4A9"),
    ("38", "cp850", "7", "EFE4"),
    ("36", "utf-8", "8", "F0DF"),
    ("66", "utf-8", "9", "E213"),
]
BY_CODE = {entry[0]: entry for entry in ALL}


@pytest.mark.parametrize(("code", "encoding", "seq", "expected"), CHECKSUMMED)
def test_encode_with_error_detection(code, encoding, seq, expected):
    _, fixed, fields, text = BY_CODE[code]
    wire = text.encode(encoding, "replace") + f"AY{seq}AZ{expected}\r".encode("ascii")
    assert encode(Response(code, fixed, fields), encoding, seq, error_detection=True) == wire
    request = decode(wire, encoding)
    assert (request.sequence, request.checksum, request.checksum_ok) == (seq, expected, True)


def test_chinese_checksum_depends_on_encoding():
    _, fixed, fields, _ = BY_CODE["12"]
    utf8 = encode(Response("12", fixed, fields), "utf-8", "0", True)
    gb = encode(Response("12", fixed, fields), "gb18030", "0", True)
    assert "三体".encode() in utf8 and "三体".encode("gb18030") in gb
    assert utf8.endswith(b"AY0AZD19B\r") and gb.endswith(b"AY0AZD729\r")
    assert decode(gb, "gb18030").get("AJ") == "三体"
    assert decode(utf8, "utf-8").lists["AG"] == ["应还日期 2026-02-28"]


def test_cp850_replaces_what_it_cannot_encode():
    _, fixed, fields, _ = BY_CODE["38"]
    wire = encode(Response("38", fixed, fields), "cp850")
    assert wire.endswith(b"AF??? \xbe1.50|\r")  # 已缴费 -> ???, ¥ is 0xBE in cp850
    assert decode(wire, "cp850").lists["AF"] == ["??? ¥1.50"]


@pytest.mark.parametrize(
    ("code", "seq", "expected"),
    [
        ("93", "1", "F3FF"),
        ("11", "2", "EC29"),
        ("09", "3", "EDAB"),
        ("63", "4", "EC47"),
        ("17", "5", "F515"),
        ("29", "6", "EC27"),
    ],
)
def test_decode_request_with_checksum(code, seq, expected):
    text = BY_CODE[code][3]
    good = decode(f"{text}AY{seq}AZ{expected}\r".encode())
    assert (good.sequence, good.checksum_ok) == (seq, True)
    lower = decode(f"{text}AY{seq}AZ{expected.lower()}\r".encode())
    assert lower.checksum_ok is True
    wrong = f"{int(expected, 16) ^ 1:04X}"
    assert decode(f"{text}AY{seq}AZ{wrong}\r".encode()).checksum_ok is False


def test_request_resend_frames():
    # The specification's own example of a 96 with error detection.
    assert encode(Response("96"), error_detection=True) == b"96AZFEF6\r"
    assert encode(Response("96")) == b"96\r"
    request = decode(b"97AZFEF5\r")
    assert request.code == "97" and request.checksum_ok is True and request.sequence is None


def test_spec_status_example():
    request = decode(b"9900302.00AY1AZFCA5\r")
    assert request.fixed == {
        "status_code": "0",
        "max_print_width": "030",
        "protocol_version": "2.00",
    }
    assert request.checksum_ok is True and request.sequence == "1"


def test_identifiers_in_golden_frames():
    request = decode(BY_CODE["11"][3].encode())
    assert (request.get("AA"), request.get("AB")) == (PATRON, ITEM)
    assert request.flag("sc_renewal_policy") and not request.flag("no_block")
    assert request.datetime("nb_due_date") is None
