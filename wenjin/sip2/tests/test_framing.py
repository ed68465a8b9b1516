"""Framing, checksum and trailer handling on raw bytes."""

from __future__ import annotations

import pytest

from wenjin.sip2 import FrameSplitter, FrameTooLong, add_trailer, checksum, split_trailer, verify


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"96AZ", "FEF6"),  # the specification's example: 0x10A -> 0xFEF6
        (b"9900302.00AY1AZ", "FCA5"),  # the specification's SC status example
        (b"", "0000"),  # -0 & 0xFFFF
        (b"\x01", "FFFF"),
        (b"\xff" * 300, f"{0x10000 - (255 * 300 & 0xFFFF):04X}"),  # the sum overflows 16 bits
    ],
)
def test_checksum_examples(data, expected):
    assert checksum(data) == expected


def test_verify_accepts_short_and_lowercase_checksums():
    assert verify(b"96AZFEF6")
    assert verify(b"96AZfef6")
    assert not verify(b"96AZFEF7")
    assert not verify(b"96AZ")
    assert not verify(b"96AZXYZW")
    assert not verify(b"96AZFEF61")  # five digits
    assert not verify(b"96")


def test_verify_checksum_without_leading_zeros():
    # 240 bytes of 0xFF plus "96|AZ" sum to 0xF096, so the checksum is 0F6A.
    body = b"96" + b"\xff" * 240 + b"|AZ"
    assert checksum(body) == "0F6A"
    assert verify(body + b"0F6A") and verify(body + b"F6A") and verify(body + b"f6a")
    # Sums ending in 0x0000 give 0000, which may arrive as a single "0".
    zero = b"96" + b"\xff" * 255 + b"\x79" + b"|AZ"
    assert checksum(zero) == "0000" and verify(zero + b"0")


def test_split_trailer_forms():
    t = split_trailer(b"17x|AOYX|AY4AZ1234")
    assert (t.body, t.sequence, t.checksum, t.checksum_ok) == (b"17x|AOYX|", "4", "1234", False)
    # AY without AZ right after a separator.
    t = split_trailer(b"17x|AOYX|AY7")
    assert (t.body, t.sequence, t.checksum, t.checksum_ok) == (b"17x|AOYX|", "7", None, None)
    # ...but not inside a value: "BAY1" is a title.
    t = split_trailer(b"17x|AJBAY1|")
    assert t.body == b"17x|AJBAY1|" and t.sequence is None
    # Stray "|" and spaces after the trailer.
    body = b"941AY1AZ"
    t = split_trailer(body + checksum(body).encode() + b"| ")
    assert t.checksum_ok is True and t.body == b"941"
    # No trailer at all.
    assert split_trailer(b"9900802.00") == split_trailer(b"9900802.00")
    assert split_trailer(b"9900802.00").checksum_ok is None


def test_add_trailer():
    assert add_trailer(b"96", None) == b"96AZFEF6"
    assert add_trailer(b"941", "1") == b"941AY1AZFDFC"
    with pytest.raises(ValueError, match="one digit"):
        add_trailer(b"941", "12")


def test_splitter_terminators_and_nul():
    s = FrameSplitter()
    assert s.feed(b"9900802.00\r") == [b"9900802.00"]
    assert s.feed(b"941\r\n951\n") == [b"941", b"951"]
    # CR at the end of one read, LF at the start of the next: no empty frame.
    assert s.feed(b"17a\r") == [b"17a"]
    assert s.feed(b"\n17b\r\x00") == [b"17b"]
    # The NUL after the CR is dropped from the next frame.
    assert s.feed(b"17c\r") == [b"17c"]
    assert s.feed(b"\r\n\r\n") == []


def test_splitter_partial_frames():
    s = FrameSplitter()
    assert s.feed(b"23019") == []
    assert s.pending == 5
    assert s.feed(b"2026") == []
    assert s.feed(b"0128\r23") == [b"2301920260128"]
    assert s.pending == 2


def test_splitter_rejects_long_frames_and_resyncs():
    s = FrameSplitter(max_length=10)
    out = s.feed(b"0123456789ABCDEF")
    assert out == []  # still waiting for the terminator, but nothing is held
    assert s.pending == 0
    out = s.feed(b"GHIJ\r941\r")
    assert out == [FrameTooLong(21, 10), b"941"]
    # Exactly at the limit is fine.
    assert s.feed(b"0123456789\r") == [b"0123456789"]


def test_splitter_one_megabyte_of_garbage():
    s = FrameSplitter()
    out = s.feed(b"\xff" * 1_000_000)
    assert out == [] and s.pending == 0
    out = s.feed(b"\r9900802.00\r")
    assert isinstance(out[0], FrameTooLong) and out[1:] == [b"9900802.00"]


def test_splitter_bad_limit():
    with pytest.raises(ValueError):
        FrameSplitter(0)
