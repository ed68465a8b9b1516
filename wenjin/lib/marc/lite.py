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
    """One field, decoded on creation (only fields someone asked for are created).

    Subfields are kept as plain (code, value) pairs: ``get`` and ``get_subfields`` are
    what the mapping calls, and creating a named tuple per subfield cost more than the
    rest of the field's decoding. ``subfields`` builds the named tuples when asked.
    """

    __slots__ = ("_pairs", "data", "indicator1", "indicator2", "tag")

    def __init__(self, tag: str, raw: bytes) -> None:
        self.tag = tag
        # The whole record was checked to be valid UTF-8 before any field is created, and
        # the separators are ASCII (never inside a multi-byte character), so one decode
        # of the field and a split of the text give the same pieces as splitting bytes.
        text = raw.decode("utf-8")
        if tag < "010" and tag.isdigit():
            self.data: str | None = text
            self.indicator1 = self.indicator2 = " "
            self._pairs: list[tuple[str, str]] = []
            return
        self.data = None
        chunks = text.split("\x1f")
        indicators = chunks[0]
        if not indicators.isascii():  # as bytes read as ASCII: one U+FFFD per byte
            indicators = indicators.encode("utf-8").decode("ascii", "replace")
        indicators = indicators.ljust(2)
        self.indicator1, self.indicator2 = indicators[0], indicators[1]
        pairs = [(chunk[0], chunk[1:]) for chunk in chunks[1:] if chunk]
        if not text.isascii():  # otherwise every code is ASCII already
            for code, _value in pairs:
                if code >= "\x80":
                    from wenjin.lib.marc.reader import MarcError

                    raise MarcError(
                        "BAD_SUBFIELD_CODE", f"字段 {tag} 的子字段代码不是 ASCII 字符。"
                    )
        self._pairs = pairs

    @property
    def subfields(self) -> list[LiteSubfield]:
        return [LiteSubfield(code, value) for code, value in self._pairs]

    def is_control_field(self) -> bool:
        return self.data is not None

    def get(self, code: str, default: str | None = None) -> str | None:
        for subfield_code, value in self._pairs:
            if subfield_code == code:
                return value
        return default

    def get_subfields(self, *codes: str) -> list[str]:
        return [value for code, value in self._pairs if code in codes]


class LiteRecord:
    """Fields located by the directory and decoded lazily, by tag."""

    __slots__ = ("_base", "_by_tag", "_cache", "_data", "_entries", "leader")

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

    def _tag_index(self) -> dict[str, list[int]]:
        by_tag: dict[str, list[int]] = {}
        for index, (tag, _length, _start) in enumerate(self._entries):
            key = tag.decode("ascii", "replace")
            indices = by_tag.get(key)
            if indices is None:
                by_tag[key] = [index]
            else:
                indices.append(index)
        self._by_tag = by_tag
        return by_tag

    def get_fields(self, *tags: str) -> list[LiteField]:
        if not tags:
            return [self._field(index) for index in range(len(self._entries))]
        by_tag = self._by_tag if self._by_tag is not None else self._tag_index()
        if len(tags) == 1:
            # Mapping asks for some thirty tags per record, most of them absent.
            indices = by_tag.get(tags[0])
            if not indices:
                return []
            return [self._field(index) for index in indices]
        indices = sorted(i for tag in tags for i in by_tag.get(tag, ()))
        return [self._field(index) for index in indices]

    @property
    def fields(self) -> list[LiteField]:
        return self.get_fields()

    def __iter__(self) -> Iterator[LiteField]:
        return iter(self.fields)
