"""Decoding frames as real kiosks send them: tolerant input, one typed error."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from wenjin.sip2 import Response, Sip2FormatError, decode, encode
from wenjin.sip2.framing import checksum

SHANGHAI = ZoneInfo("Asia/Shanghai")


def with_trailer(text: str, seq: str = "0", encoding: str = "utf-8") -> bytes:
    body = f"{text}AY{seq}AZ".encode(encoding)
    return body + checksum(body).encode() + b"\r"


def test_kiosk_checkout_with_crlf_and_blank_due_date():
    frame = (
        b"11YN20260128    143005                  AOYX|AA4401000001|AB31010000123|AC|AD1234|\r\n"
    )
    request = decode(frame)
    assert request.name == "checkout"
    assert request.fixed["nb_due_date"] == " " * 18
    assert request.datetime("nb_due_date", SHANGHAI) is None
    assert request.datetime("transaction_date", SHANGHAI) == datetime(
        2026, 1, 28, 14, 30, 5, tzinfo=SHANGHAI
    )
    assert request.get("AD") == "1234" and request.get("AC") == ""


def test_kiosk_checkin_offline_with_trailer_and_nul():
    frame = with_trailer(
        "09Y20260128    14300520260127    183000APYX-GT|AOYX|AB31010000123|AC|", "3"
    )
    request = decode(frame + b"\x00")
    assert request.flag("no_block") and request.sequence == "3" and request.checksum_ok
    assert request.datetime("return_date", SHANGHAI) == datetime(
        2026, 1, 27, 18, 30, tzinfo=SHANGHAI
    )


def test_login_gb18030_and_wrong_checksum():
    text = "9300CN自助机01|COpw|CP越秀|"
    frame = with_trailer(text, "1", "gb18030")
    request = decode(frame, "gb18030")
    assert request.get("CN") == "自助机01" and request.get("CP") == "越秀" and request.checksum_ok
    broken = frame[:-2] + (b"0" if frame[-2:-1] != b"0" else b"1") + b"\r"
    assert decode(broken, "gb18030").checksum_ok is False


def test_gb18030_trail_byte_pipe_does_not_split_fields():
    # 亅 (U+4E85) is 0x81 0x7C in GB18030: its second byte is "|".
    assert "亅".encode("gb18030") == b"\x81|"
    frame = "17" + "20260128    143005" + "AOYX|AB亅123|AC|"
    request = decode(frame.encode("gb18030"), "gb18030")
    assert request.get("AB") == "亅123"
    wire = encode(
        Response(
            "18",
            {
                "circulation_status": "03",
                "security_marker": "00",
                "fee_type": "01",
                "transaction_date": "20260128    143005",
            },
            {"AB": "1", "AJ": "亅"},
        ),
        "gb18030",
        "2",
        True,
    )
    back = decode(wire, "gb18030")
    assert back.get("AJ") == "亅" and back.checksum_ok


def test_tolerance_any_order_unknown_ids_spaces_and_lowercase():
    frame = b" 2300120260128    143005 AA123 | aoYX|ZZextra|AD 12 |AC|||AAsecond|X|\r"
    request = decode(frame)
    assert request.get("AA") == "123"  # first occurrence wins, spaces trimmed
    assert request.get("AO") == "YX"
    assert request.get("ZZ") == "extra"
    assert request.get("AD") == " 12 "  # secrets are kept exactly
    assert request.missing() == []
    assert request.redacted_fields()["AD"] == "***"


def test_missing_required_fields_are_reported_not_rejected():
    request = decode(b"1720260128    143005AOYX|")
    assert request.missing() == ["AB"]
    assert request.get("AB") is None


def test_repeatable_fields_decode_as_lists():
    fixed = " " * 14 + "019" + "20260128    143005" + "0" * 24
    request = decode(f"64{fixed}AOYX|AAp|AEn|AU1|AU2|AFa|AFb|".encode())
    assert request.lists == {"AU": ["1", "2"], "AF": ["a", "b"]}
    assert request.getlist("AU") == ["1", "2"] and request.get("AF") == "a"
    assert request.getlist("AO") == ["YX"] and request.getlist("BZ") == []


def test_sequence_without_fields():
    request = decode(b"9900802.00AY5")
    assert request.sequence == "5" and request.checksum is None


def test_undecodable_bytes_replace_or_strict():
    frame = b"1720260128    143005AOYX|AB\xff\xfe|AC|"
    request = decode(frame, "utf-8")
    assert request.lossy and request.get("AB") == "\ufffd\ufffd"
    with pytest.raises(Sip2FormatError) as info:
        decode(frame, "utf-8", errors="strict")
    assert info.value.reason == "encoding"
    assert not decode(frame, "cp850").lossy  # every byte is a cp850 character


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (b"", "empty"),
        (b"\x00\r\n", "empty"),
        (b"   ", "empty"),
        (b"XX123|", "unknown_code"),
        (b"42", "unknown_code"),
        (b"9", "unknown_code"),
        (b"1720260128", "short_fixed"),
        (b"11YN20260128    143005|AOYX|", "short_fixed"),
        (b"93", "short_fixed"),
    ],
)
def test_format_errors(frame, reason):
    with pytest.raises(Sip2FormatError) as info:
        decode(frame)
    assert info.value.reason == reason


def test_bad_date_is_a_format_error_on_access():
    request = decode(b"17bad-date-here!!!AOYX|AB1|")
    with pytest.raises(Sip2FormatError):
        request.datetime("transaction_date")


def test_unsupported_encoding_is_a_configuration_error():
    with pytest.raises(ValueError, match="unsupported"):
        decode(b"97", "latin-1")
    assert decode(b"97", "UTF8").code == "97"
    assert encode(Response("96"), "GB18030") == b"96\r"


def test_checksum_without_sequence_right_after_fixed_part():
    # A message with no variable fields, error detection on and no sequence number:
    # the AZ follows the fixed part directly.
    wire = encode(Response("94", {"ok": True}), "utf-8", None, True)
    assert wire == b"941AZFEC7\r"  # 9+4+1+A+Z = 0x39+0x34+0x31+0x41+0x5A = 0x139
    request = decode(wire)
    assert request.fixed == {"ok": "1"} and request.checksum_ok is True and request.fields == {}
    assert decode(b"941AZFEC8\r").checksum_ok is False


def test_value_that_looks_like_a_trailer_stays_a_value():
    request = decode(b"1720260128    143005AOYX|AB1|AJJAZZ|AJBAY1|")
    assert request.get("AJ") == "JAZZ" and request.checksum is None and request.sequence is None
