"""Build ISO 2709 records by hand for tests: any encoding (GB18030 included), and broken
ones on purpose."""

from __future__ import annotations

from collections.abc import Sequence

Subfields = Sequence[tuple[str, str]]
FieldSpec = tuple[str, str] | tuple[str, str, Subfields]  # control (tag, data) or (tag, inds, subs)


def iso2709(leader: str, fields: Sequence[FieldSpec], encoding: str = "utf-8") -> bytes:
    """Serialise fields as ISO 2709 with a correct directory, in ``encoding``."""
    directory, body = b"", b""
    for spec in fields:
        if len(spec) == 2:
            tag, data = spec
            chunk = data.encode(encoding) + b"\x1e"
        else:
            tag, indicators, subfields = spec
            chunk = (
                indicators.encode("ascii")
                + b"".join(
                    b"\x1f" + code.encode(encoding) + value.encode(encoding)
                    for code, value in subfields
                )
                + b"\x1e"
            )
        directory += f"{tag}{len(chunk):04d}{len(body):05d}".encode("ascii")
        body += chunk
    base = 24 + len(directory) + 1
    length = base + len(body) + 1
    head = f"{length:05d}{leader[5:12]}{base:05d}{leader[17:24]}".encode("ascii")
    return head + directory + b"\x1e" + body + b"\x1d"


CNMARC_LEADER = "00000nam0 2200000   450 "
MARC21_LEADER = "00000nam a2200000 a 4500"


def cnmarc(
    *,
    control: str = "CN0001",
    title: str = "岭南文化十讲",
    responsibility: str = "张伟著",
    isbn: str | None = "978-7-218-12345-5",
    clc: str | None = "K296.5",
    year: str = "2019",
    language: str = "chi",
    audience: str = "m",
    subjects: Sequence[str] = ("岭南文化",),
    authors: Sequence[str] = ("张伟",),
    holdings: Sequence[Subfields] = (),
    encoding: str = "utf-8",
    extra: Sequence[FieldSpec] = (),
) -> bytes:
    general = f"20190301d{year}    {audience}  y0chiy50      ea"[:36].ljust(36)
    fields: list[FieldSpec] = [("001", control)]
    if isbn:
        fields.append(("010", "  ", [("a", isbn), ("d", "CNY48.00")]))
    fields += [
        ("100", "  ", [("a", general)]),
        ("101", "0 ", [("a", language)]),
        ("200", "1 ", [("a", title), ("f", responsibility)] if title else [("f", responsibility)]),
        ("210", "  ", [("a", "广州"), ("c", "广东人民出版社"), ("d", year)]),
        ("215", "  ", [("a", "256页"), ("d", "24cm")]),
    ]
    fields += [("606", "0 ", [("a", subject), ("x", "研究")]) for subject in subjects]
    if clc:
        fields.append(("690", "  ", [("a", clc), ("v", "5")]))
    fields += [("701", " 0", [("a", author), ("4", "著")]) for author in authors]
    fields += [("905", "  ", list(holding)) for holding in holdings]
    fields += list(extra)
    fields.sort(key=lambda spec: spec[0])
    return iso2709(CNMARC_LEADER, fields, encoding)


def marc21(
    *,
    control: str = "US0001",
    title: str = "Lingnan culture",
    isbns: Sequence[str] = ("0-19-852663-6",),
    clc: str | None = None,
    lcc: str | None = "DS793.K7",
    language: str = "eng",
    nonfiling: int = 0,
    holdings: Sequence[Subfields] = (),
    extra: Sequence[FieldSpec] = (),
) -> bytes:
    fixed = f"990101s1999    cc            000 0 {language} d"
    fields: list[FieldSpec] = [("001", control), ("008", fixed)]
    fields += [("020", "  ", [("a", value)]) for value in isbns]
    if lcc:
        fields.append(("050", "00", [("a", lcc)]))
    if clc:
        fields.append(("084", "  ", [("a", clc), ("2", "clc")]))
    fields += [
        ("100", "1 ", [("a", "Li, Ming.")]),
        ("245", f"1{nonfiling}", [("a", title + " /"), ("c", "Li Ming.")]),
        ("260", "  ", [("a", "Hong Kong :"), ("b", "Example Press,"), ("c", "1999.")]),
    ]
    fields += [("852", "  ", list(holding)) for holding in holdings]
    fields += list(extra)
    fields.sort(key=lambda spec: spec[0])
    return iso2709(MARC21_LEADER, fields)
