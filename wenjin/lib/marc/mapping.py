"""Extracting catalogue fields from MARC21 and CNMARC (UNIMARC) records.

Display fields prefer original script: a MARC21 field linked to an 880 (``$6 880-01`` ↔
``$6 245-01/$1``) is shown in the 880's script (usually Chinese), and its romanised form is
kept for search.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pymarc

from wenjin.lib.clc import clc_top, lcc_to_clc
from wenjin.lib.isbn import _CANDIDATE as _ISBN_CANDIDATE
from wenjin.lib.isbn import split_isbns

MATERIAL_TYPES = (
    "book",
    "periodical",
    "audiovisual",
    "microform",
    "ancient",
    "electronic",
    "other",
)
CHINESE_LANGUAGES = frozenset({"chi", "zho", "chn"})

_ISBD_END = " /:;,=.\t"
_LEADING_PUNCTUATION = re.compile(r"^[\s/:;,=.]+")
# Non-sorting markers (NSB/NSE) and their MARC-8 cousins: kept in the MARC, not shown.
_NON_SORTING = str.maketrans("", "", "\x88\x89\x98\x9c")
# Text between the non-sorting begin and end marks (NSB/NSE) is shown but not filed on.
_NON_SORTING_SPAN = re.compile("[\x88\x98][^\x89\x9c]*[\x89\x9c]")
_YEAR = re.compile(r"(1[4-9]\d\d|20\d\d)")


@dataclass
class BibFields:
    """What the catalogue reads out of one record for display, search and statistics."""

    control_number: str = ""
    title: str = ""
    title_romanized: str = ""
    title_filing: str = ""  # the title without leading articles, for sorting ("" = title)
    responsibility: str = ""
    authors: list[str] = field(default_factory=list)
    romanized: list[str] = field(default_factory=list)  # romanised partners of 880 fields
    publisher: str = ""
    place: str = ""
    year: int | None = None
    isbns: list[str] = field(default_factory=list)
    invalid_isbns: list[str] = field(default_factory=list)
    language: str = ""
    clc: str = ""
    clc_source: str = "none"  # record | lcc | none
    lcc: str = ""
    subjects: list[str] = field(default_factory=list)
    series: list[str] = field(default_factory=list)
    edition: str = ""
    physical_description: str = ""
    summary: str = ""
    material_type: str = "book"
    is_children: bool = False
    is_braille: bool = False
    warnings: list[dict[str, str]] = field(default_factory=list)

    @property
    def clc_top(self) -> str:
        return clc_top(self.clc)

    def warn(self, code: str, message: str) -> None:
        self.warnings.append({"code": code, "message": message})


class MappingError(Exception):
    """The record lacks what every catalogue record needs (a title)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def clean(text: str) -> str:
    """Drop ISBD punctuation and spaces at the end ("红楼梦 /" → "红楼梦")."""
    if "\x88" in text or "\x89" in text or "\x98" in text or "\x9c" in text:
        text = text.translate(_NON_SORTING)
    return text.strip().rstrip(_ISBD_END)


def _join(field_: pymarc.Field, codes: str, separator: str = " ") -> str:
    parts = [v.strip().rstrip(_ISBD_END) for v in field_.get_subfields(*codes)]
    return separator.join(part for part in parts if part).rstrip(_ISBD_END)


_CJK_CHARACTER = re.compile("[\u3400-\u9fff]")


def _cjk(text: str) -> bool:
    return _CJK_CHARACTER.search(text) is not None


def _title(field_: pymarc.Field, filing: bool = False) -> str:
    """245 $a, with $b after a colon and $n/$p after full stops (full-width in Chinese).
    ``filing``: without the leading characters the second indicator or the non-sorting
    marks set aside ("The ", "A ")."""
    main = field_.get("a") or ""
    if filing:
        skip = int(field_.indicator2) if (field_.indicator2 or "").isdigit() else 0
        main = _NON_SORTING_SPAN.sub("", main)[skip:]
    title = clean(main)
    wide = _cjk(title)
    for code, value in field_.subfields:
        value = clean(_LEADING_PUNCTUATION.sub("", value))
        if not value or code not in "bnp":
            continue
        if code == "b":
            title += ("：" if wide else " : ") + value
        else:
            title += ("．" if wide else ". ") + value
    return title


def _plain_isbn13(value: str) -> str | None:
    """The ISBN-13 of ``value`` when its ISBN is written as bare digits with a valid check
    digit ("0195085566 (pbk.)", "9787020002207"), as most are, else None. ``split_isbns``
    (python-stdnum) gives the same answer for these but takes longer than the rest of the
    mapping; anything else, valid or not, is left to it."""
    match = _ISBN_CANDIDATE.search(value)  # the part split_isbns reads
    if match is None:
        return None
    number = match.group(0).upper()
    if len(number) == 10 and number[:9].isdigit():
        check = sum(i * int(d) for i, d in enumerate(number[:9], start=1)) % 11
        if number[9] != ("X" if check == 10 else str(check)):
            return None
        return "978" + number[:9] + _ean_check("978" + number[:9])
    if len(number) == 13 and number.isdigit() and number[:3] in ("978", "979"):
        return number if _ean_check(number[:12]) == number[12] else None
    return None


def _ean_check(digits: str) -> str:
    """The EAN-13 check digit of twelve digits (weights 1, 3, 1, … from the left)."""
    return str((10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))) % 10)


def _split_isbns(values: list[str]) -> tuple[list[str], list[str]]:
    """``split_isbns``, quicker when every value holds a bare valid ISBN."""
    plain = [_plain_isbn13(value) for value in values]
    if None in plain:
        return split_isbns(values)
    return list(dict.fromkeys(plain)), []


def _year(*texts: str) -> int | None:
    for text in texts:
        match = _YEAR.search(text or "")
        if match:
            return int(match.group(1))
    return None


def map_record(
    record: pymarc.Record, flavour: str, lcc_table: Mapping[str, str] | None = None
) -> BibFields:
    """Map a record; raises MappingError when it has no title."""
    fields = map_marc21(record, lcc_table or {}) if flavour == "marc21" else map_cnmarc(record)
    if not fields.title:
        raise MappingError("MISSING_TITLE", "记录没有题名（MARC21 245 / CNMARC 200 $a）。")
    if fields.invalid_isbns:
        fields.warn("INVALID_ISBN", "无效的 ISBN：" + "，".join(fields.invalid_isbns))
    if fields.clc.startswith("I28"):
        fields.is_children = True  # CLC I28/I287: children's literature
    return fields


# --- MARC21 -------------------------------------------------------------------------------


def _linked_880s(record: pymarc.Record) -> dict[str, pymarc.Field]:
    """880 fields by the linkage they name ("245-01")."""
    linked = {}
    for alternate in record.get_fields("880"):
        key = (alternate.get("6") or "")[:6]  # "245-01/$1" → "245-01"; "-00" means unlinked
        if len(key) == 6 and key[3] == "-" and not key.endswith("-00"):
            linked[key] = alternate
    return linked


def _original(field_: pymarc.Field, linked: dict[str, pymarc.Field]) -> pymarc.Field | None:
    link = field_.get("6") or ""
    if link.startswith("880-"):
        return linked.get(f"{field_.tag}-{link[4:6]}")
    return None


def _material_marc21(record: pymarc.Record, fixed: str) -> tuple[str, bool]:
    leader = str(record.leader)
    record_type, level = leader[6:7], leader[7:8]
    form = fixed[23:24] if len(fixed) > 23 else ""
    physical = ""
    for control in record.get_fields("007"):
        physical = (control.data or "")[:1]
        break
    braille = form == "f" or physical == "f"
    if form in ("a", "b", "c") or physical == "h":
        return "microform", braille
    if record_type in ("a", "t") and level in ("s", "i"):
        return "periodical", braille
    if record_type in ("g", "i", "j", "k", "o", "r"):
        return "audiovisual", braille
    if record_type == "m" or form in ("o", "s", "q"):
        return "electronic", braille
    if record_type in ("a", "t"):
        return "book", braille
    return "other", braille


def map_marc21(record: pymarc.Record, lcc_table: Mapping[str, str]) -> BibFields:
    out = BibFields()
    linked = _linked_880s(record)
    control = record.get_fields("001")
    out.control_number = (control[0].data or "").strip() if control else ""
    fixed_fields = record.get_fields("008")
    fixed = (fixed_fields[0].data or "") if fixed_fields else ""

    for title_field in record.get_fields("245")[:1]:
        romanized = _title(title_field)
        original = _original(title_field, linked)
        out.title_filing = _title(original if original is not None else title_field, True)
        if original is not None:
            out.title, out.title_romanized = _title(original), romanized
            out.responsibility = _join(original, "c") or _join(title_field, "c")
        else:
            out.title, out.responsibility = romanized, _join(title_field, "c")

    for tag in ("100", "110", "111", "700", "710", "711"):
        for name_field in record.get_fields(tag):
            name = _join(name_field, "abcq")
            original = _original(name_field, linked)
            if original is not None:
                out.authors.append(_join(original, "abcq"))
                out.romanized.append(name)
            elif name:
                out.authors.append(name)

    publication = record.get_fields("264") or record.get_fields("260")
    for pub in sorted(publication, key=lambda f: f.indicator2 != "1")[:1]:
        source = _original(pub, linked) or pub
        out.place = _join(source, "a")
        out.publisher = _join(source, "b")
        if source is not pub:
            out.romanized.append(_join(pub, "b"))
        out.year = _year(fixed[7:11] if fixed[7:11].isdigit() else "", _join(pub, "c"))
    if out.year is None and fixed[7:11].isdigit():
        out.year = int(fixed[7:11])

    isbn_values = [v for f in record.get_fields("020") for v in f.get_subfields("a")]
    out.isbns, out.invalid_isbns = _split_isbns(isbn_values)

    language = fixed[35:38].strip() if len(fixed) >= 38 else ""
    if not language or language in ("|||", "und"):
        for lang_field in record.get_fields("041")[:1]:
            language = (lang_field.get("a") or "")[:3]
    out.language = language.lower()

    for class_field in record.get_fields("084"):
        if (class_field.get("2") or "").strip().lower() == "clc" and class_field.get("a"):
            out.clc, out.clc_source = class_field.get("a").strip(), "record"
            break
    for lc_field in record.get_fields("050")[:1]:
        out.lcc = _join(lc_field, "ab")
    if not out.clc and out.lcc:
        mapped = lcc_to_clc(out.lcc, lcc_table)
        if mapped:
            out.clc, out.clc_source = mapped, "lcc"

    for tag in ("600", "610", "611", "630", "650", "651"):
        for subject_field in record.get_fields(tag):
            source = _original(subject_field, linked) or subject_field
            text = _join(source, "abcdtvxyz", "--")
            if text and text not in out.subjects:
                out.subjects.append(text)
    for tag in ("490", "830", "440"):
        for series_field in record.get_fields(tag):
            source = _original(series_field, linked) or series_field
            text = _join(source, "anpv")
            if text and text not in out.series:
                out.series.append(text)
    for edition_field in record.get_fields("250")[:1]:
        out.edition = _join(_original(edition_field, linked) or edition_field, "ab")
    for physical_field in record.get_fields("300")[:1]:
        out.physical_description = _join(physical_field, "abc")
    for note_field in record.get_fields("520")[:1]:
        out.summary = _join(note_field, "a")

    out.material_type, out.is_braille = _material_marc21(record, fixed)
    audience = fixed[22:23] if len(fixed) > 22 else ""
    out.is_children = audience in ("a", "b", "c", "j") and out.material_type in (
        "book",
        "audiovisual",
    )
    return out


# --- CNMARC (UNIMARC) ---------------------------------------------------------------------


def _material_cnmarc(record: pymarc.Record) -> tuple[str, bool]:
    leader = str(record.leader)
    record_type, level = leader[6:7], leader[7:8]
    form = ""
    for form_field in record.get_fields("106")[:1]:
        form = (form_field.get("a") or "")[:1]
    braille = form == "f"
    if form == "t":
        return "microform", braille
    if level == "s":
        return "periodical", braille
    if record_type in ("g", "i", "j", "k", "m", "r"):
        return "audiovisual", braille
    if record_type == "l" or form == "s":
        return "electronic", braille
    if record_type == "b" or record.get_fields("191"):
        return "ancient", braille
    if record_type == "a":
        return "book", braille
    return "other", braille


def _names(fields: Iterable[pymarc.Field]) -> list[str]:
    names = []
    for name_field in fields:
        surname = clean(name_field.get("a") or "")
        forename = clean(_LEADING_PUNCTUATION.sub("", name_field.get("b") or ""))
        if not surname:
            continue
        # Chinese names are written whole in $a; Western ones as "Surname, Forename".
        if forename:
            surname = f"{surname}{forename}" if _cjk(surname) else f"{surname}, {forename}"
        names.append(surname)
    return names


def map_cnmarc(record: pymarc.Record) -> BibFields:
    out = BibFields()
    control = record.get_fields("001")
    out.control_number = (control[0].data or "").strip() if control else ""

    for title_field in record.get_fields("200")[:1]:
        title = clean(title_field.get("a") or "")
        if _NON_SORTING_SPAN.search(title_field.get("a") or ""):
            out.title_filing = clean(_NON_SORTING_SPAN.sub("", title_field.get("a") or ""))
        wide = _cjk(title)
        extras = [clean(v) for v in title_field.get_subfields("h", "i") if v.strip()]
        other = [clean(v) for v in title_field.get_subfields("e") if v.strip()]
        out.title = ("．" if wide else ". ").join([title, *extras])
        if other:
            out.title += ("：" if wide else " : ") + ("：" if wide else " : ").join(other)
        separator = "；" if wide else " ; "
        out.responsibility = separator.join(
            clean(v) for v in title_field.get_subfields("f", "g") if v.strip()
        )

    out.authors = _names(record.get_fields("700", "701", "702")) + [
        clean(f.get("a") or "") for f in record.get_fields("710", "711", "712") if f.get("a")
    ]

    for pub in record.get_fields("210")[:1]:
        out.place = clean(pub.get("a") or "")
        out.publisher = clean(pub.get("c") or "")
        out.year = _year(pub.get("d") or "")
    general = ""
    for general_field in record.get_fields("100")[:1]:
        general = general_field.get("a") or ""
    if out.year is None:
        out.year = _year(general[9:13])

    isbn_values = [v for f in record.get_fields("010") for v in f.get_subfields("a")]
    out.isbns, out.invalid_isbns = split_isbns(isbn_values)

    for language_field in record.get_fields("101")[:1]:
        out.language = (language_field.get("a") or "")[:3].lower()

    for class_field in record.get_fields("690")[:1]:
        if class_field.get("a"):
            out.clc, out.clc_source = class_field.get("a").strip(), "record"

    for subject_field in record.get_fields("600", "601", "602", "604", "605", "606", "607"):
        text = _join(subject_field, "abcdfjtxyz", "—")
        if text and text not in out.subjects:
            out.subjects.append(text)
    for series_field in record.get_fields("225", "410"):
        text = clean(series_field.get("a") or series_field.get("t") or "")
        if text and text not in out.series:
            out.series.append(text)
    for edition_field in record.get_fields("205")[:1]:
        out.edition = clean(edition_field.get("a") or "")
    for physical_field in record.get_fields("215")[:1]:
        out.physical_description = _join(physical_field, "acde", " ; ")
    for note_field in record.get_fields("330")[:1]:
        out.summary = clean(note_field.get("a") or "")

    out.material_type, out.is_braille = _material_cnmarc(record)
    audience = general[17:20] if len(general) >= 20 else ""
    out.is_children = any(code in "abcd" for code in audience.strip())
    return out
