"""Decode SIP2 frames into :class:`Request` and encode :class:`Response` into bytes.

Tolerant in what it accepts, exact in what it sends:

* :func:`decode` reads any message of :data:`~wenjin.sip2.messages.LAYOUTS`
  (requests and responses, so test clients and the load generator can use it too),
  keeps unknown field ids, accepts fields in any order, skips stray spaces and
  empty fields, and raises only :class:`Sip2FormatError` for what it cannot read.
* :func:`encode` pads or truncates fixed fields to their lengths, sends variable
  fields in the specification's order with required ones always present, strips
  separators and line breaks out of values, and never fails on a character the
  device's encoding cannot represent.

Undecodable bytes: by default they are replaced with U+FFFD and the request is
marked ``lossy`` rather than rejected. A device whose character set is configured
wrongly then still gets a real answer (item not found, wrong PIN) instead of an
endless 96/resend loop, and a replaced character can never make an identifier or
PIN match something it would not otherwise match — except another equally garbled
value, which is why the server should treat a lossy PIN as wrong. Pass
``errors="strict"`` to get a :class:`Sip2FormatError` (reason ``encoding``) instead.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Literal

from wenjin.sip2.fields import (
    FIELDS,
    SECRET_IDS,
    TRAILER_IDS,
    Field,
    Fixed,
    Kind,
    Sip2FormatError,
    format_datetime,
    parse_datetime,
)
from wenjin.sip2.framing import add_trailer, split_trailer
from wenjin.sip2.messages import LAYOUTS, Layout

__all__ = ["ENCODINGS", "Request", "Response", "Sip2FormatError", "decode", "encode"]

# The character sets a device may be configured with (Python codec names).
ENCODINGS = ("utf-8", "gb18030", "cp850")

FixedValue = str | int | bool | datetime | None
FieldValue = str | int | bool | Decimal | float | datetime | Sequence[str] | None


def normalise_encoding(encoding: str) -> str:
    """The canonical name of a supported encoding; ValueError for others.

    Aliases (``UTF8``, ``GB18030``, ``IBM850``) are accepted; anything else is a
    configuration error, not bad input, so it raises ValueError.
    """
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        name = ""
    if name not in ENCODINGS:
        raise ValueError(f"unsupported SIP2 encoding {encoding!r} (use one of {ENCODINGS})")
    return name


@dataclass(frozen=True, slots=True)
class Request:
    """A decoded SIP2 message.

    ``fixed`` holds the fixed fields by name as received (not trimmed).
    ``fields`` holds single-valued variable fields by id (first occurrence wins;
    unknown ids included), ``lists`` the repeatable ones (AF, AG, AS … BM, BN) in
    order. ``sequence``/``checksum`` are the AY/AZ values; ``checksum_ok`` is None
    when the frame carried no checksum. ``lossy`` is set when undecodable bytes were
    replaced.
    """

    code: str
    fixed: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    sequence: str | None = None
    checksum: str | None = None
    checksum_ok: bool | None = None
    lossy: bool = False

    @property
    def layout(self) -> Layout:
        """The layout of this message."""
        return LAYOUTS[self.code]

    @property
    def name(self) -> str:
        """The message's name, e.g. ``checkout``."""
        return LAYOUTS[self.code].name

    def get(self, field_id: str, default: str | None = None) -> str | None:
        """The value of a single-valued field (first of a repeatable one)."""
        if field_id in self.fields:
            return self.fields[field_id]
        values = self.lists.get(field_id)
        return values[0] if values else default

    def getlist(self, field_id: str) -> list[str]:
        """All values of a field, in order ([] when absent)."""
        if field_id in self.lists:
            return list(self.lists[field_id])
        return [self.fields[field_id]] if field_id in self.fields else []

    def flag(self, name_or_id: str) -> bool:
        """A Y/N or 0/1 fixed field (by name) or variable field (by id) as a bool."""
        value = self.fixed.get(name_or_id)
        if value is None:
            value = self.get(name_or_id) or ""
        return value.strip()[:1] in ("Y", "y", "1")

    def datetime(self, name_or_id: str, tz: tzinfo | None = None) -> datetime | None:
        """A date field read with :func:`~wenjin.sip2.fields.parse_datetime`.

        None when absent or blank; :class:`Sip2FormatError` (reason ``date``) when
        unreadable.
        """
        value = self.fixed.get(name_or_id)
        if value is None:
            value = self.get(name_or_id)
        return None if value is None else parse_datetime(value, tz)

    def missing(self) -> list[str]:
        """Ids of required variable fields the frame did not carry."""
        layout = LAYOUTS[self.code]
        return [
            fid
            for fid in layout.field_ids
            if fid in layout.required and fid not in self.fields and fid not in self.lists
        ]

    def redacted_fields(self) -> dict[str, str | list[str]]:
        """All variable fields with passwords and PINs masked, for logging."""
        out: dict[str, str | list[str]] = {}
        for fid, value in self.fields.items():
            out[fid] = "***" if fid in SECRET_IDS else value
        for fid, values in self.lists.items():
            out[fid] = ["***" if fid in SECRET_IDS else v for v in values]
        return out


@dataclass(frozen=True, slots=True)
class Response:
    """A message to send: its code, fixed fields by name, variable fields by id.

    Values are Python values, written according to the field's kind: ``bool`` as
    Y/N (or 1/0 for the "ok" fields), ``int`` zero-padded in fixed fields, aware
    ``datetime`` as ``YYYYMMDDZZZZHHMMSS`` in its own zone (convert to the device's
    zone first), ``Decimal`` amounts with two places, lists for repeatable fields,
    None for "absent" (or blanks in a fixed field). Ids not in the layout are sent
    after the known ones, in the mapping's order (for vendor extensions).
    """

    code: str
    fixed: Mapping[str, FixedValue] = field(default_factory=dict)
    fields: Mapping[str, FieldValue] = field(default_factory=dict)


# --- decoding ---

_WHITESPACE = " \t\x00"


def decode(
    frame: bytes, encoding: str = "utf-8", errors: Literal["replace", "strict"] = "replace"
) -> Request:
    """Decode one frame (without its terminator; a stray CR/LF/NUL is ignored).

    The checksum, when present, is verified over the frame's bytes and reported in
    ``checksum_ok`` — a mismatch is not an error here, the server answers it with 96.
    Raises :class:`Sip2FormatError` for an empty frame, an unknown message code, a
    fixed part that is too short and (with ``errors="strict"``) undecodable bytes.
    """
    encoding = normalise_encoding(encoding)
    frame = frame.strip(b"\x00\r\n").lstrip(b" \t")
    # The fixed part is ASCII, so its byte length is known from the code alone; the
    # framing layer needs it to recognise "AZxxxx" right after it (as in 94).
    head = LAYOUTS.get(frame[:2].decode("latin-1"))
    trailer = split_trailer(frame, None if head is None else 2 + head.fixed_length)
    # Decode the whole body before splitting on "|": a GB18030 trail byte may be 0x7C.
    lossy = False
    try:
        text = trailer.body.decode(encoding)
    except UnicodeDecodeError as exc:
        if errors == "strict":
            raise Sip2FormatError("encoding", f"not valid {encoding}: {exc.reason}") from exc
        text = trailer.body.decode(encoding, "replace")
        lossy = True
    text = text.lstrip(_WHITESPACE)
    if not text:
        raise Sip2FormatError("empty", "no message code")
    code = text[:2]
    layout = LAYOUTS.get(code)
    if layout is None:
        raise Sip2FormatError("unknown_code", f"unknown message code {code!r}")

    end = 2 + layout.fixed_length
    fixed_text = text[2:end]
    if len(fixed_text) < layout.fixed_length or "|" in fixed_text:
        raise Sip2FormatError(
            "short_fixed",
            f"message {code} needs {layout.fixed_length} characters of fixed fields",
        )
    fixed: dict[str, str] = {}
    pos = 0
    for spec in layout.fixed:
        fixed[spec.name] = fixed_text[pos : pos + spec.length]
        pos += spec.length

    fields: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    sequence = trailer.sequence
    for piece in text[end:].split("|"):
        piece = piece.lstrip(_WHITESPACE)
        if len(piece) < 2:
            continue  # empty field or junk: nothing to keep
        fid = piece[:2]
        if fid.isascii():  # "ao" from sloppy SCs; non-ASCII .upper() may change length
            fid = fid.upper()
        value = piece[2:]
        if fid in TRAILER_IDS:
            # A trailer not at the very end (e.g. "AY1" right after the fixed part):
            # keep the sequence number so the reply can echo it.
            if fid == "AY" and sequence is None and value and value[0] in "0123456789":
                sequence = value[0]
            continue
        if fid not in SECRET_IDS:
            value = value.strip(_WHITESPACE)
        spec = FIELDS.get(fid)
        if spec is not None and spec.repeatable:
            lists.setdefault(fid, []).append(value)
        else:
            fields.setdefault(fid, value)
    return Request(
        code=code,
        fixed=fixed,
        fields=fields,
        lists=lists,
        sequence=sequence,
        checksum=trailer.checksum,
        checksum_ok=trailer.checksum_ok,
        lossy=lossy,
    )


# --- encoding ---

# "|" would end the field early and CR/LF the frame; other controls confuse printers.
_CONTROL = {i: " " for i in (*range(32), 127)}
_SANITISE = str.maketrans({**_CONTROL, "|": "/"})
_FIELD_ID = re.compile(r"[A-Z][A-Z0-9]\Z")


def sanitise(value: str) -> str:
    """``value`` without field separators or control characters (they become
    ``/`` and spaces), safe inside a variable field."""
    return value.translate(_SANITISE)


def _fixed_text(spec: Fixed, value: FixedValue) -> str:
    length = spec.length
    if value is None:
        return " " * length
    if isinstance(value, bool):
        if spec.kind is Kind.FLAG:
            return "Y" if value else "N"
        if spec.kind is Kind.BIT:
            return "1" if value else "0"
        raise ValueError(f"{spec.name} is not a Y/N field")
    if isinstance(value, int):
        if spec.kind is Kind.NUMBER:
            # Clamp rather than truncate: "99999" cut to "9999" would be a lie too,
            # but a smaller one than "1234" cut from "12345".
            return str(min(max(value, 0), 10**length - 1)).zfill(length)
        text = str(value)
    elif isinstance(value, datetime):
        if spec.kind is not Kind.DATE:
            raise ValueError(f"{spec.name} is not a date field")
        text = format_datetime(value)
    elif isinstance(value, str):
        text = value
        if spec.kind is Kind.NUMBER and text.isdigit():
            text = text.zfill(length)
    else:
        raise TypeError(f"{spec.name}: cannot send {type(value).__name__}")
    # Fixed fields are counted in characters = bytes only when ASCII; anything else
    # would shift every later field on a multi-byte device.
    text = sanitise(text).encode("ascii", "replace").decode("ascii")
    return text[:length].ljust(length)


def _field_text(spec: Field | None, value: str | int | bool | Decimal | float | datetime) -> str:
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, int):
        return str(value).zfill(spec.width) if spec is not None else str(value)
    if isinstance(value, Decimal | float):
        if spec is not None and spec.kind is Kind.MONEY:
            return f"{value:.2f}"
        return str(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, str):
        return sanitise(value)
    raise TypeError(f"cannot send {type(value).__name__} in a SIP2 field")


def _emit(parts: list[str], fid: str, spec: Field | None, value: FieldValue) -> None:
    if isinstance(value, list | tuple):
        if spec is not None and not spec.repeatable:
            raise ValueError(f"field {fid} does not repeat")
        for item in value:
            parts.append(f"{fid}{_field_text(spec, item)}|")
    else:
        parts.append(f"{fid}{_field_text(spec, value)}|")  # type: ignore[arg-type]


def render(response: Response) -> str:
    """The message as text, without trailer or terminator (see :func:`encode`)."""
    layout = LAYOUTS.get(response.code)
    if layout is None:
        raise ValueError(f"unknown SIP2 message code {response.code!r}")
    unknown = set(response.fixed) - set(layout.fixed_names)
    if unknown:
        raise ValueError(f"message {response.code} has no fixed fields {sorted(unknown)}")
    parts = [layout.code]
    for spec in layout.fixed:
        if spec.name not in response.fixed:
            raise ValueError(f"message {response.code} needs fixed field {spec.name!r}")
        parts.append(_fixed_text(spec, response.fixed[spec.name]))
    for spec in layout.fields:
        value = response.fields.get(spec.id)
        if value is None:
            if spec.id in layout.required:
                parts.append(f"{spec.id}|")
            continue
        _emit(parts, spec.id, spec, value)
    known = set(layout.field_ids)
    for fid, value in response.fields.items():
        if fid in known or value is None:
            continue
        if not _FIELD_ID.match(fid) or fid in TRAILER_IDS:
            raise ValueError(f"bad SIP2 field id {fid!r}")
        _emit(parts, fid, FIELDS.get(fid), value)
    return "".join(parts)


def encode(
    response: Response,
    encoding: str = "utf-8",
    sequence: str | None = None,
    error_detection: bool = False,
) -> bytes:
    """The bytes to send for ``response``, ending with CR.

    With ``error_detection``, ``AY<sequence>AZ<checksum>`` is appended (just
    ``AZ<checksum>`` when ``sequence`` is None, as for 96), the checksum computed
    over the encoded bytes. Characters the encoding cannot represent become ``?``.
    Raises ValueError/TypeError only for programming errors (unknown code, missing
    or misspelt fixed field, wrong value type), never for the content of a value.
    """
    encoding = normalise_encoding(encoding)
    body = render(response).encode(encoding, "replace")
    if error_detection:
        body = add_trailer(body, sequence)
    return body + b"\r"
