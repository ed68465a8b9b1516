"""SIP2 framing and error detection, on bytes.

A SIP2 message is one line ended by a carriage return. With error detection on,
the sender appends ``AY<sequence digit>AZ<checksum>`` where the checksum is the
16-bit two's complement of the sum of every byte of the message up to and
including the ``AZ``, written as four uppercase hex digits.

Everything here works on bytes, not text, on purpose: the checksum is defined
over the bytes on the wire, and in GB18030 the second byte of a Chinese
character may be any of ``@A-Z|`` — so the trailer and field separators can only
be found safely at the ends of a frame (here) or after decoding (in the codec).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Kiosks send a few hundred bytes at most; a 64 KiB frame is already abuse, and the
# limit bounds the memory one connection can hold before it sends a terminator.
DEFAULT_MAX_FRAME = 64 * 1024

_TERMINATORS = b"\r\n"
# Bytes stripped from both ends of a frame: some SCs send a NUL after the CR (which
# lands at the start of the next frame) or a CRLF pair.
_JUNK = b"\x00\r\n"


@dataclass(frozen=True, slots=True)
class FrameTooLong:
    """A frame longer than the limit was discarded (returned, never raised).

    ``size`` is the number of bytes thrown away, up to and including the
    terminator that ended the oversized frame (or so far, if none came yet).
    """

    size: int
    limit: int


class FrameSplitter:
    """Incremental splitter of a byte stream into frames.

    A frame ends at CR, LF or CRLF; empty frames (the LF of a CRLF pair split
    across two reads, blank lines, lone NULs) are skipped. A frame that grows past
    ``max_length`` is reported once as :class:`FrameTooLong` and the stream is
    resynchronised at the next terminator, so one garbage burst never makes the
    connection unusable.
    """

    def __init__(self, max_length: int = DEFAULT_MAX_FRAME) -> None:
        if max_length < 1:
            raise ValueError("max_length must be positive")
        self.max_length = max_length
        self._buffer = bytearray()
        # Bytes dropped from the current oversized frame; 0 when not discarding.
        self._discarding = 0

    @property
    def pending(self) -> int:
        """Bytes held for an unfinished frame (for idle-timeout diagnostics)."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[bytes | FrameTooLong]:
        """Add received bytes; return the frames completed by them, in order.

        Frames are returned without their terminator and without leading or
        trailing NULs; each item is either a frame or a :class:`FrameTooLong`.
        """
        out: list[bytes | FrameTooLong] = []
        start = 0
        n = len(data)
        while start < n:
            end = _find_terminator(data, start)
            if end < 0:
                self._accumulate(data[start:], out)
                break
            self._accumulate(data[start:end], out)
            if self._discarding:
                out.append(FrameTooLong(self._discarding + 1, self.max_length))
                self._discarding = 0
            else:
                frame = bytes(self._buffer).strip(_JUNK)
                if frame:
                    out.append(frame)
            self._buffer.clear()
            start = end + 1
        return out

    def _accumulate(self, chunk: bytes, out: list[bytes | FrameTooLong]) -> None:
        if self._discarding:
            self._discarding += len(chunk)
            return
        self._buffer += chunk
        if len(self._buffer) > self.max_length:
            # Start discarding now rather than at the terminator: memory stays bounded
            # even when the terminator never comes.
            self._discarding = len(self._buffer)
            self._buffer.clear()


def _find_terminator(data: bytes, start: int) -> int:
    cr = data.find(b"\r", start)
    lf = data.find(b"\n", start)
    if cr < 0:
        return lf
    if lf < 0:
        return cr
    return min(cr, lf)


def checksum(data: bytes) -> str:
    """The SIP2 checksum of ``data``: four uppercase hex digits.

    ``data`` is everything from the message code up to and including ``AZ``.
    """
    return f"{-sum(data) & 0xFFFF:04X}"


# The error-detection trailer at the very end of a frame. The sequence number is one
# digit; the checksum is taken as whatever follows AZ (up to 8 characters) and is
# validated separately, so that a garbled checksum counts as a mismatch (→ 96)
# rather than as part of the last field. A stray "|" after the trailer is tolerated.
_TRAILER = re.compile(rb"AY([0-9])AZ([^|\s]{0,8})\|?[ \t]*\Z")
# AY without AZ only right after a field separator: "|AJBAY1|" is a title, not a trailer.
_AY_ONLY = re.compile(rb"(?<=\|)AY([0-9])\|?[ \t]*\Z")
_AZ_ONLY = re.compile(rb"(?:\A|(?<=\|)|(?<=\A[0-9]{2}))AZ([^|\s]{0,8})\|?[ \t]*\Z")
_AZ_AT = re.compile(rb"AZ([^|\s]{0,8})\|?[ \t]*\Z")
_HEX = re.compile(rb"[0-9A-Fa-f]{1,4}\Z")


@dataclass(frozen=True, slots=True)
class Trailer:
    """The error-detection trailer found at the end of a frame.

    ``body`` is the frame before ``AY``/``AZ``. ``sequence`` is the AY digit or None.
    ``checksum`` is the AZ text as received, or None when the frame had no AZ;
    ``checksum_ok`` is None without AZ, else whether it matches.
    """

    body: bytes
    sequence: str | None
    checksum: str | None
    checksum_ok: bool | None


def split_trailer(frame: bytes, fields_start: int | None = None) -> Trailer:
    """Separate the ``AY<n>AZ<xxxx>`` trailer from a frame and verify it.

    Accepts the checksum in 1–4 hex digits of either case (some SCs drop leading
    zeros or send lowercase), ``AZ`` without ``AY`` (as in ``96AZFEF6``) and ``AY``
    without ``AZ``. A lone ``AZ``/``AY`` is only taken as a trailer where a field may
    start: after ``|``, after the message code, or at ``fields_start`` (the byte
    offset where the fixed part ends, which only the caller knows). A frame
    without a trailer comes back whole with all None.
    """
    match = _TRAILER.search(frame)
    if match is not None:
        sequence = match.group(1).decode("ascii")
        az_end = match.start(2)
        received = match.group(2)
    else:
        match = _AZ_ONLY.search(frame)
        if match is None and fields_start is not None:
            match = _AZ_AT.match(frame, fields_start)
        if match is None:
            match = _AY_ONLY.search(frame)
            if match is None:
                return Trailer(frame, None, None, None)
            return Trailer(frame[: match.start()], match.group(1).decode("ascii"), None, None)
        sequence = None
        az_end = match.start(1)
        received = match.group(1)
    ok = bool(_HEX.match(received)) and int(received, 16) == (-sum(frame[:az_end]) & 0xFFFF)
    text = received.decode("latin-1")
    return Trailer(frame[: match.start()], sequence, text, ok)


def verify(frame: bytes) -> bool:
    """True when ``frame`` ends in an ``AZ`` checksum that matches its bytes."""
    return split_trailer(frame).checksum_ok is True


def add_trailer(body: bytes, sequence: str | None) -> bytes:
    """Append ``AY<sequence>AZ<checksum>`` (or just ``AZ<checksum>``) to ``body``.

    ``body`` is the already-encoded reply, so the checksum covers exactly the bytes
    sent, whatever the device's character set. No terminator is added.
    """
    if sequence is not None:
        if len(sequence) != 1 or sequence not in "0123456789":
            raise ValueError(f"SIP2 sequence number must be one digit, not {sequence!r}")
        body += b"AY" + sequence.encode("ascii")
    body += b"AZ"
    return body + checksum(body).encode("ascii")
