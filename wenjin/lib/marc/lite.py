"""A light, read-only record for mapping: fields are split out of UTF-8 ISO 2709 only when
asked for. Batch import maps hundreds of thousands of records and stores their original
bytes, so building full pymarc objects for every field would be wasted work.

It offers the part of pymarc's reading interface the mapping uses: ``get_fields``,
``leader``, and per field ``tag``, ``data``, ``indicator1``/``indicator2``, ``subfields``
(with ``code`` and ``value``), ``get`` and ``get_subfields``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple


class LiteSubfield(NamedTuple):
    code: str
    value: str


class LiteField:
    """One field, decoded on creation (only fields someone asked for are created)."""

    __slots__ = ("data", "indicator1", "indicator2", "subfields", "tag")

    def __init__(self, tag: str, raw: bytes) -> None:
        self.tag = tag
        if tag < "010" and tag.isdigit():
            self.data: str | None = raw.decode("utf-8")
            self.indicator1 = self.indicator2 = " "
            self.subfields: list[LiteSubfield] = []
            return
        self.data = None
        chunks = raw.split(b"\x1f")
        indicators = chunks[0].decode("ascii", "replace").ljust(2)
        self.indicator1, self.indicator2 = indicators[0], indicators[1]
        self.subfields = []
        for chunk in chunks[1:]:
            if not chunk:
                continue
            if chunk[0] >= 0x80:
                from wenjin.lib.marc.reader import MarcError

                raise MarcError("BAD_SUBFIELD_CODE", f"字段 {tag} 的子字段代码不是 ASCII 字符。")
            self.subfields.append(LiteSubfield(chr(chunk[0]), chunk[1:].decode("utf-8")))

    def is_control_field(self) -> bool:
        return self.data is not None

    def get(self, code: str, default: str | None = None) -> str | None:
        for subfield in self.subfields:
            if subfield.code == code:
                return subfield.value
        return default

    def get_subfields(self, *codes: str) -> list[str]:
        return [s.value for s in self.subfields if s.code in codes]


class LiteRecord:
    """Fields located by the directory and decoded lazily, by tag."""

    def __init__(self, data: bytes, entries: list[tuple[bytes, int, int]], base: int) -> None:
        self.leader = data[:24].decode("ascii")
        self._data = data
        self._base = base
        self._entries = entries  # (tag, length, start) from the directory, in order
        self._cache: dict[int, LiteField] = {}
        self._by_tag: dict[str, list[int]] | None = None

    def _field(self, index: int) -> LiteField:
        field = self._cache.get(index)
        if field is None:
            tag, length, start = self._entries[index]
            begin = self._base + start
            field = LiteField(
                tag.decode("ascii", "replace"), self._data[begin : begin + length - 1]
            )
            self._cache[index] = field
        return field

    def get_fields(self, *tags: str) -> list[LiteField]:
        if not tags:
            return [self._field(index) for index in range(len(self._entries))]
        if self._by_tag is None:
            self._by_tag = {}
            for index, (tag, _length, _start) in enumerate(self._entries):
                self._by_tag.setdefault(tag.decode("ascii", "replace"), []).append(index)
        if len(tags) == 1:
            return [self._field(index) for index in self._by_tag.get(tags[0], ())]
        indices = sorted(i for tag in tags for i in self._by_tag.get(tag, ()))
        return [self._field(index) for index in indices]

    @property
    def fields(self) -> list[LiteField]:
        return self.get_fields()

    def __iter__(self) -> Iterator[LiteField]:
        return iter(self.fields)
