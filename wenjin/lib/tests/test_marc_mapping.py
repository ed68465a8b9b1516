"""Mapping MARC21 and CNMARC to catalogue fields."""

import io
from pathlib import Path

import pytest

from wenjin.lib.clc import DEFAULT_LCC_TO_CLC, clc_top, lcc_to_clc
from wenjin.lib.isbn import isbn13, split_isbns
from wenjin.lib.marc.mapping import MappingError, map_record
from wenjin.lib.marc.reader import decode, iter_iso2709
from wenjin.lib.tests.marc_factory import cnmarc, iso2709, marc21

FIXTURES = Path(__file__).resolve().parents[2] / "catalog" / "tests" / "fixtures"


def mapped(raw, **options):
    decoded = decode(raw, **options)
    return map_record(decoded.record, decoded.flavour, DEFAULT_LCC_TO_CLC)


def test_isbn_normalisation():
    assert isbn13("0-19-852663-6 (pbk.)") == "9780198526636"
    assert isbn13("978-7-02-000220-7") == "9787020002207"
    assert isbn13("9787020002208") is None  # wrong check digit
    assert split_isbns(["7-02-000220-X", "978-7-02-000220-7", "0198526636", "n/a"]) == (
        ["9787020002207", "9780198526636"],
        [],
    )
    assert split_isbns(["9787020002208 (平装)"]) == ([], ["9787020002208 (平装)"])
    assert isbn13("0-19-85266\n-6") is None  # odd input is just not an ISBN


def test_clc_helpers():
    assert clc_top("I247.5") == "I" and clc_top("TP18") == "T" and clc_top("??") == ""
    assert lcc_to_clc("PL2658.E3", DEFAULT_LCC_TO_CLC) == "I"  # Chinese literature
    assert lcc_to_clc("PS3545", DEFAULT_LCC_TO_CLC) == "I"
    assert lcc_to_clc("QA76.9", DEFAULT_LCC_TO_CLC) == "O1"
    assert lcc_to_clc("123", DEFAULT_LCC_TO_CLC) == ""


def test_cnmarc_mapping():
    bib = mapped(
        cnmarc(
            title="岭南文化十讲",
            responsibility="张伟著",
            isbn="978-7-218-12345-5",
            clc="K296.5",
            year="2019",
            subjects=("岭南文化", "广东"),
            authors=("张伟", "李娜"),
        )
    )
    assert bib.title == "岭南文化十讲" and bib.responsibility == "张伟著"
    assert bib.authors == ["张伟", "李娜"]
    assert bib.publisher == "广东人民出版社" and bib.place == "广州" and bib.year == 2019
    assert bib.clc == "K296.5" and bib.clc_top == "K" and bib.clc_source == "record"
    assert bib.subjects == ["岭南文化—研究", "广东—研究"]
    assert bib.language == "chi" and bib.material_type == "book" and not bib.is_children
    assert bib.physical_description == "256页 ; 24cm"


def test_cnmarc_invalid_isbn_is_kept_with_a_warning():
    bib = mapped(cnmarc(isbn="978-7-218-12345-3"))
    assert bib.isbns == [] and bib.invalid_isbns == ["978-7-218-12345-3"]
    assert bib.warnings[0]["code"] == "INVALID_ISBN"


def test_cnmarc_children_braille_and_periodicals():
    assert mapped(cnmarc(audience="a")).is_children
    assert mapped(cnmarc(clc="I287.8")).is_children
    braille = mapped(cnmarc(extra=[("106", "  ", [("a", "f")])]))
    assert braille.is_braille
    serial = cnmarc().replace(b"nam0", b"nas0")
    assert mapped(serial).material_type == "periodical"


def test_cnmarc_in_gb18030():
    bib = mapped(
        cnmarc(title="廣州風物誌", authors=("黃佛頤",), encoding="gb18030"), encoding="gb18030"
    )
    assert bib.title == "廣州風物誌" and bib.authors == ["黃佛頤"]


def test_record_without_title_is_refused():
    with pytest.raises(MappingError) as caught:
        mapped(cnmarc(title=""))
    assert caught.value.code == "MISSING_TITLE"


def test_marc21_mapping_and_lcc_to_clc():
    bib = mapped(marc21(title="Lingnan culture", lcc="DS793.K7"))
    assert bib.title == "Lingnan culture" and bib.responsibility == "Li Ming"
    assert bib.authors == ["Li, Ming"] and bib.publisher == "Example Press" and bib.year == 1999
    assert bib.isbns == ["9780198526636"] and bib.language == "eng"
    assert bib.clc == "K" and bib.clc_source == "lcc" and bib.lcc == "DS793.K7"
    own = mapped(marc21(clc="K296.5"))
    assert own.clc == "K296.5" and own.clc_source == "record"
    unclassified = mapped(marc21(lcc=None))
    assert unclassified.clc == "" and unclassified.clc_source == "none"


def test_marc21_880_original_script_comes_first():
    extra = [
        ("880", "10", [("6", "245-01/$1"), ("a", "頭戴之硬盔 /"), ("c", "吳正德編著.")]),
        ("880", "1 ", [("6", "100-02/$1"), ("a", "吳正德.")]),
    ]
    raw = iso2709(
        "00000nam a2200000 a 4500",
        [
            ("001", "L1"),
            ("008", "990101s1998    ch            000 0 chi d"),
            ("100", "1 ", [("6", "880-02"), ("a", "Wu, Zhengde.")]),
            (
                "245",
                "10",
                [("6", "880-01"), ("a", "Tou dai zhi ying kui /"), ("c", "Wu Zhengde bian zhu.")],
            ),
            *extra,
        ],
    )
    bib = mapped(raw)
    assert bib.title == "頭戴之硬盔" and bib.title_romanized == "Tou dai zhi ying kui"
    assert bib.responsibility == "吳正德編著"
    assert bib.authors == ["吳正德"] and "Wu, Zhengde" in bib.romanized


def test_lc_fixture_880_records_show_chinese_titles():
    with (FIXTURES / "lc-sample.mrc").open("rb") as stream:
        bibs = [mapped(raw.data) for raw in iter_iso2709(stream)]
    linked = [bib for bib in bibs if bib.title_romanized]
    assert len(linked) >= 15
    assert all(any("\u3400" <= c <= "\u9fff" for c in bib.title) for bib in linked)
    assert all(bib.title_romanized.isascii() or "ʻ" in bib.title_romanized for bib in linked)


def test_unimarc_italian_sample():
    with (FIXTURES / "unimarc-italian.mrc").open("rb") as stream:
        (raw,) = list(iter_iso2709(stream))
    bib = mapped(raw.data)
    assert bib.title == "L'altra faccia della spirale"  # non-sorting markers dropped
    assert bib.authors[0] == "Asimov, Isaac" and bib.language == "ita" and bib.year == 1996
    assert bib.isbns == ["9788804406822"]


def test_split_isbns_dedupes_equivalent_forms():
    assert split_isbns(["0198526636", "978-0-19-852663-6"]) == (["9780198526636"], [])


def test_bytes_stream_helper():
    assert list(iter_iso2709(io.BytesIO(b""))) == []


def test_filing_title_skips_leading_articles_and_non_sorting_marks():
    english = mapped(marc21(title="The story of the stone", nonfiling=4))
    assert english.title == "The story of the stone"
    assert english.title_filing == "story of the stone"
    assert mapped(marc21(title="Lingnan culture")).title_filing == "Lingnan culture"
    marked = mapped(cnmarc(title="\x88The \x89Analects"))
    assert marked.title == "The Analects" and marked.title_filing == "Analects"
    assert mapped(cnmarc(title="红楼梦")).title_filing == ""  # the title itself files
