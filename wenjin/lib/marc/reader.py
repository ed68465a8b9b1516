"""Reading MARC files record by record, with a specific error for each broken record.

ISO 2709 files are split on the record terminator (0x1D, which never occurs inside UTF-8,
GB18030 or MARC-8 data), so one record with a wrong length or directory cannot swallow the
records after it. Each record's structure is checked before pymarc decodes it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import pymarc

from wenjin.lib.marc.lite import LiteRecord

RECORD_TERMINATOR = b"\x1d"
FIELD_TERMINATOR = 0x1E
MAX_FIELD_BYTES = 9999
MAX_RECORD_BYTES = 99999
ENCODINGS = ("utf-8", "gb18030", "marc8")
FLAVOURS = ("marc21", "cnmarc")


class MarcError(Exception):
    """A record that cannot be read; ``code`` says why, ``message`` explains it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RawRecord:
    """One record's bytes as found in the file: its 1-based position and byte offset."""

    position: int
    offset: int
    data: bytes


@dataclass
class DecodedRecord:
    """A parsed record, its flavour, and its bytes as UTF-8 ISO 2709 (what we store)."""

    record: pymarc.Record | LiteRecord
    flavour: str
    utf8: bytes


def iter_iso2709(stream: BinaryIO, block_size: int = 1 << 20) -> Iterator[RawRecord]:
    """Yield each record's bytes; a trailing fragment without terminator is yielded too
    (it then fails the structure check as truncated)."""
    position, offset, pending = 0, 0, b""
    while True:
        block = stream.read(block_size)
        if not block:
            break
        pending += block
        start = 0
        while True:
            end = pending.find(RECORD_TERMINATOR, start)
            if end < 0:
                break
            chunk = pending[start : end + 1]
            stripped = chunk.lstrip(b"\r\n\x00 ")
            if len(stripped) > 1:
                position += 1
                yield RawRecord(position, offset + (len(chunk) - len(stripped)), stripped)
            offset += len(chunk)
            start = end + 1
        pending = pending[start:]
    rest = pending.strip(b"\r\n\x00 ")
    if rest:
        yield RawRecord(position + 1, offset, rest)


def is_marcxml(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


_ENTRY = re.compile(rb"(...)([0-9]{4})([0-9]{5})", re.DOTALL)
_DIRECTORY = re.compile(rb"(?:...[0-9]{9})+", re.DOTALL)


def check_structure(data: bytes) -> tuple[list[tuple[bytes, int, int]], int]:
    """Check leader, lengths and directory; return the directory entries
    (tag, length, start) and the base address of the data."""
    if len(data) < 26:
        raise MarcError("TRUNCATED_RECORD", "记录不足 26 字节，可能被截断。")
    leader = data[:24]
    if not leader.isascii():
        raise MarcError("BAD_LEADER", "头标区含有非 ASCII 字符。")
    if not leader[:5].isdigit():
        raise MarcError("BAD_LEADER", "头标区第 0–4 位（记录长度）不是数字。")
    if data[-1:] != RECORD_TERMINATOR:
        raise MarcError("TRUNCATED_RECORD", "记录缺少记录结束符（1D），可能被截断。")
    if int(leader[:5]) != len(data):
        raise MarcError(
            "BAD_RECORD_LENGTH",
            f"头标区记录长度为 {int(leader[:5])}，实际为 {len(data)} 字节。",
        )
    if not leader[12:17].isdigit():
        raise MarcError("BAD_LEADER", "头标区第 12–16 位（数据起始地址）不是数字。")
    base = int(leader[12:17])
    if base < 25 or base > len(data) - 1 or data[base - 1] != FIELD_TERMINATOR:
        raise MarcError("BAD_BASE_ADDRESS", f"数据起始地址 {base} 与目次区不符。")
    directory = data[24 : base - 1]
    if not directory or len(directory) % 12:
        raise MarcError("BAD_DIRECTORY", "目次区长度不是 12 的倍数或为空。")
    body_length = len(data) - base
    if _DIRECTORY.fullmatch(directory):
        # Every entry is well-formed (the usual case): read them all at once, then check
        # each field's extent, in the same order and with the same errors as below.
        entries = [
            (tag, int(length), int(start)) for tag, length, start in _ENTRY.findall(directory)
        ]
        for _tag, length, field_start in entries:
            if (
                length == 0
                or field_start + length > body_length
                or data[base + field_start + length - 1] != FIELD_TERMINATOR
            ):
                break
        else:
            return entries, base
    entries = []
    for start in range(0, len(directory), 12):
        entry = directory[start : start + 12]
        if not entry[3:12].isdigit():
            raise MarcError("BAD_DIRECTORY", f"目次项 {start // 12 + 1} 的长度或位置不是数字。")
        length, field_start = int(entry[3:7]), int(entry[7:12])
        if length == 0 or field_start + length > body_length:
            raise MarcError(
                "BAD_DIRECTORY",
                f"字段 {entry[:3].decode('ascii', 'replace')} 超出记录范围（位置 {field_start}，长度 {length}）。",
            )
        if data[base + field_start + length - 1] != FIELD_TERMINATOR:
            raise MarcError(
                "BAD_DIRECTORY",
                f"字段 {entry[:3].decode('ascii', 'replace')} 未以字段结束符（1E）结尾。",
            )
        entries.append((entry[:3], length, field_start))
    return entries, base


def detect_flavour(tags: list[bytes] | set[bytes], hint: str | None = None) -> str:
    """MARC21 or CNMARC (UNIMARC): from ``hint`` when given, else from the tags present."""
    if hint in FLAVOURS:
        return hint
    if b"245" in tags:
        return "marc21"
    if b"200" in tags:
        return "cnmarc"
    return "marc21"


def decode(
    raw: bytes, *, flavour: str | None = None, encoding: str = "utf-8", lite: bool = False
) -> DecodedRecord:
    """Check and parse one ISO 2709 record.

    ``encoding``: ``utf-8`` (MARC21 records whose leader/09 is blank are read as MARC-8, as
    the leader says), ``gb18030`` or ``marc8`` (forced for every record). With ``lite`` a
    UTF-8 record comes back as a read-only LiteRecord (enough for mapping, much faster).
    """
    if encoding not in ENCODINGS:
        raise MarcError("BAD_ENCODING_OPTION", f"不支持的编码：{encoding}")
    entries, base = check_structure(raw)
    flavour = detect_flavour({tag for tag, _length, _start in entries}, flavour)
    declared_unicode = raw[9:10] == b"a"
    as_is = encoding == "utf-8" and (declared_unicode or flavour == "cnmarc")
    if as_is and lite:
        try:
            raw.decode("utf-8")  # one check up front, so lazy field decoding cannot fail
        except UnicodeDecodeError:
            raise MarcError(
                "ENCODING_ERROR", "记录内容不是有效的 utf-8 编码（可尝试 --encoding gb18030）。"
            ) from None
        if _CONTROL_BYTES.search(raw, 24):
            raise MarcError("CONTROL_CHARACTER", "记录数据中含有 NUL 字符。")
        return DecodedRecord(LiteRecord(raw, entries, base), flavour, raw)
    data = raw if as_is else raw[:9] + b" " + raw[10:]
    file_encoding = {"gb18030": "gb18030"}.get(encoding, "iso8859-1")  # pymarc: iso8859-1 = MARC-8
    try:
        record = pymarc.Record(
            data=data,
            to_unicode=True,
            force_utf8=as_is,
            file_encoding=file_encoding,
            hide_utf8_warnings=True,
        )
    except UnicodeDecodeError:
        hint = "可尝试 --encoding gb18030" if encoding == "utf-8" else "请检查 --encoding"
        raise MarcError(
            "ENCODING_ERROR", f"记录内容不是有效的 {encoding} 编码（{hint}）。"
        ) from None
    except (pymarc.exceptions.PymarcException, ValueError) as error:
        raise MarcError("MALFORMED_RECORD", f"记录结构无法解析：{type(error).__name__}") from None
    if not record.fields:
        raise MarcError("NO_FIELDS", "记录没有任何字段。")
    utf8 = raw if as_is else to_iso2709(record)
    return DecodedRecord(record, flavour, utf8)


# NUL cannot be stored in PostgreSQL text; the separators would break the record
# structure. Other control characters occur in real catalogue data and are kept.
_CONTROL_IN_DATA = re.compile(r"[\x00\x1d\x1e\x1f]")
_CONTROL_BYTES = re.compile(rb"\x00")
_TAG = re.compile(r"^[0-9A-Za-z]{3}$")


def _check_content(record: pymarc.Record) -> None:
    """Tags, indicators, subfield codes and the leader must be plain ASCII of the right
    length, and data must hold no control characters: otherwise the record would be
    stored fine and come back broken."""
    leader = str(record.leader)
    if len(leader) != 24 or not leader.isascii() or not leader.isprintable():
        raise MarcError("BAD_LEADER", "头标区必须是 24 个 ASCII 字符。")
    for field in record.fields:
        if not _TAG.match(field.tag or ""):
            raise MarcError("BAD_TAG", f"字段号“{field.tag}”无效（须为三位字母或数字）。")
        if field.is_control_field():
            values = [field.data or ""]
        else:
            for indicator in (field.indicator1, field.indicator2):
                if (
                    len(indicator or " ") != 1
                    or not (indicator or " ").isascii()
                    or not (indicator or " ").isprintable()
                ):
                    raise MarcError(
                        "BAD_INDICATOR", f"字段 {field.tag} 的指示符“{indicator}”无效。"
                    )
            for subfield in field.subfields:
                code = subfield.code
                if len(code) != 1 or not code.isascii() or not code.isalnum():
                    raise MarcError(
                        "BAD_SUBFIELD_CODE", f"字段 {field.tag} 的子字段代码“{code}”无效。"
                    )
            values = [subfield.value for subfield in field.subfields]
        for value in values:
            if _CONTROL_IN_DATA.search(value):
                raise MarcError("CONTROL_CHARACTER", f"字段 {field.tag} 含有 NUL 或 MARC 分隔符。")


def to_iso2709(record: pymarc.Record) -> bytes:
    """Serialise as UTF-8 ISO 2709, refusing malformed content and fields or records too
    long for the format."""
    _check_content(record)
    for field in record.fields:
        if field.is_control_field():
            size = len(field.data.encode("utf-8")) + 1
        else:
            size = 3 + sum(len(s.value.encode("utf-8")) + 2 for s in field.subfields)
        if size > MAX_FIELD_BYTES:
            raise MarcError(
                "FIELD_TOO_LONG",
                f"字段 {field.tag} 长 {size} 字节，超过 ISO 2709 的上限 {MAX_FIELD_BYTES} 字节。",
            )
    record.force_utf8 = True
    data = record.as_marc()
    if len(data) > MAX_RECORD_BYTES:
        raise MarcError("RECORD_TOO_LONG", f"记录长 {len(data)} 字节，超过 ISO 2709 的上限。")
    return data


def parse_stored(data: bytes) -> pymarc.Record:
    """Parse a record the catalogue stored (always UTF-8 ISO 2709)."""
    return pymarc.Record(data=bytes(data), force_utf8=True, hide_utf8_warnings=True)


def iter_marcxml(stream: BinaryIO) -> Iterator[tuple[int, pymarc.Record | MarcError]]:
    """Yield (position, record) from MARCXML; a record without a leader or with bad content
    comes back as a MarcError in its place. Malformed XML raises MarcError for the file."""
    from xml.sax import SAXParseException

    try:
        records = pymarc.parse_xml_to_array(io.BytesIO(stream.read()), strict=False)
    except SAXParseException as error:
        raise MarcError(
            "MALFORMED_XML",
            f"MARCXML 格式错误：第 {error.getLineNumber()} 行，{error.getMessage()}",
        ) from None
    for position, record in enumerate(records, start=1):
        if record is None:
            yield position, MarcError("MALFORMED_RECORD", "MARCXML 记录无法解析。")
        else:
            yield position, record


def drop_fields(raw: bytes, tags: set[bytes]) -> bytes:
    """The same ISO 2709 record without the fields whose tags are in ``tags`` (the bytes of
    every other field are kept exactly)."""
    entries, base = check_structure(raw)
    directory, body = [], []
    offset = 0
    for tag, length, start in entries:
        if tag in tags:
            continue
        directory.append(b"%s%04d%05d" % (tag, length, offset))
        body.append(raw[base + start : base + start + length])
        offset += length
    new_base = 24 + 12 * len(directory) + 1
    total = new_base + offset + 1
    leader = b"%05d" % total + raw[5:12] + b"%05d" % new_base + raw[17:24]
    return leader + b"".join(directory) + b"\x1e" + b"".join(body) + RECORD_TERMINATOR
