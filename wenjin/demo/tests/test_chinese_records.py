"""Synthetic CNMARC records: determinism, structure and the promised proportions.

No database: these tests only build pymarc records.
"""

import random
from collections import Counter
from functools import cache

import pymarc
import pytest
from stdnum import isbn as stdnum_isbn

from wenjin.demo.chinese_records import (
    CLC_CALL_NUMBER_CLASSES,
    call_number_for,
    generate_cnmarc,
)

CLC_TOP_CLASSES = "ABCDEFGHIJKNOPQRSTUVXZ"


@cache
def sample(seed: int = 2024, count: int = 2000) -> tuple[pymarc.Record, ...]:
    return tuple(generate_cnmarc(random.Random(seed), count))


def first(record: pymarc.Record, tag: str, code: str) -> str:
    fields = record.get_fields(tag)
    return (fields[0].get(code) or "") if fields else ""


def test_same_seed_gives_identical_bytes() -> None:
    a = [r.as_marc() for r in generate_cnmarc(random.Random(42), 200)]
    b = [r.as_marc() for r in generate_cnmarc(random.Random(42), 200)]
    assert a == b


def test_different_seed_gives_different_records() -> None:
    a = [r.as_marc() for r in generate_cnmarc(random.Random(42), 200)]
    b = [r.as_marc() for r in generate_cnmarc(random.Random(43), 200)]
    assert a != b
    assert sum(x == y for x, y in zip(a, b, strict=True)) == 0


def test_control_numbers_count_from_start_number() -> None:
    records = list(generate_cnmarc(random.Random(1), 5, start_number=1000))
    assert [r["001"].data for r in records] == [f"WJDEMO{n:08d}" for n in range(1000, 1005)]


def test_every_record_round_trips_through_iso2709() -> None:
    for record in sample():
        data = record.as_marc()
        reparsed = pymarc.Record(data=data, force_utf8=True)
        assert first(reparsed, "200", "a") == first(record, "200", "a")
        assert first(reparsed, "200", "a")
        reparsed.to_unicode = False  # keep leader/09 as read
        assert reparsed.as_marc() == data


def test_leader_is_cnmarc_monograph_with_blank_position_9() -> None:
    for record in sample():
        written = record.as_marc()[:24].decode("ascii")
        for leader in (str(record.leader), written):
            assert len(leader) == 24
            assert leader[6:8] == "am"
            assert leader[9] == " "
            assert leader[20:24] == "450 "


def test_general_processing_data_is_36_characters_with_year_and_audience() -> None:
    for record in sample():
        general = first(record, "100", "a")
        assert len(general) == 36
        assert general[8] == "d"
        assert general[9:13] == first(record, "210", "d")
        assert general[17] in "akm"
        assert general[18:20] == "  "


def test_all_22_clc_top_classes_appear() -> None:
    tops = {first(r, "690", "a")[0] for r in sample()}
    assert tops == set(CLC_TOP_CLASSES)
    assert {c[0] for c in CLC_CALL_NUMBER_CLASSES} == set(CLC_TOP_CLASSES)
    for record in sample():
        assert first(record, "690", "a") in CLC_CALL_NUMBER_CLASSES
        assert first(record, "690", "v") == "5"


def test_about_3_percent_invalid_isbns_and_5_percent_without() -> None:
    records = sample()
    isbns = [first(r, "010", "a") for r in records]
    invalid = sum(1 for value in isbns if value and not stdnum_isbn.is_valid(value))
    missing = sum(1 for value in isbns if not value)
    assert 0.01 <= invalid / len(records) <= 0.06
    assert 0.02 <= missing / len(records) <= 0.08
    for value in isbns:
        if value:
            assert value.replace("-", "").startswith("9787")
            assert len(value.replace("-", "")) == 13


def test_valid_isbns_do_not_repeat() -> None:
    valid = [
        v.replace("-", "")
        for v in (first(r, "010", "a") for r in sample())
        if v and stdnum_isbn.is_valid(v)
    ]
    assert len(set(valid)) == len(valid)


def test_prices_are_in_yuan() -> None:
    for record in sample():
        price = first(record, "010", "d")
        if first(record, "010", "a"):
            assert price.startswith("CNY")
            assert float(price[3:]) > 0


def test_children_share_is_10_to_30_percent() -> None:
    records = sample()
    children = [r for r in records if first(r, "100", "a")[17] == "a"]
    assert 0.10 <= len(children) / len(records) <= 0.30
    # Children's literature (I28) is always marked juvenile, and only children's books use it.
    for record in records:
        if first(record, "690", "a").startswith("I28"):
            assert first(record, "100", "a")[17] == "a"


def test_titles_rarely_repeat() -> None:
    titles = [first(r, "200", "a") for r in sample()]
    repeated = 1 - len(set(titles)) / len(titles)
    assert repeated < 0.10


def test_english_books_have_english_titles() -> None:
    records = sample()
    english = [r for r in records if first(r, "101", "a") == "eng"]
    assert 0.04 <= len(english) / len(records) <= 0.12
    for record in english:
        assert first(record, "200", "a").isascii()
    chinese = [r for r in records if first(r, "101", "a") == "chi"]
    assert all(not first(r, "200", "a").isascii() for r in chinese)


def test_translations_name_original_language_and_translator() -> None:
    translated = [r for r in sample() if first(r, "101", "c")]
    assert translated
    for record in translated:
        assert record["101"].indicator1 == "1"
        assert first(record, "200", "g").endswith("译")
        assert any(f.get("4") == "译" for f in record.get_fields("702"))


def test_required_fields_are_present() -> None:
    for record in sample():
        for tag in ("001", "100", "101", "102", "105", "106", "200", "210", "215", "690", "801"):
            assert record.get_fields(tag), tag
        assert 1 <= len(record.get_fields("606")) <= 2
        assert record.get_fields("700", "701", "710")
        assert record["200"].indicator1 == "1"
        assert len(first(record, "105", "a")) == 13
        assert first(record, "801", "c") == first(record, "100", "a")[:8]


@pytest.mark.parametrize(
    ("share", "tag", "low", "high"),
    [("summary", "330", 0.4, 0.6), ("series", "225", 0.08, 0.22), ("edition", "205", 0.08, 0.22)],
)
def test_optional_fields_appear_in_roughly_the_promised_share(
    share: str, tag: str, low: float, high: float
) -> None:
    records = sample()
    assert low <= sum(1 for r in records if r.get_fields(tag)) / len(records) <= high, share


def test_places_match_publishers() -> None:
    places: dict[str, set[str]] = {}
    for record in sample():
        places.setdefault(first(record, "210", "c"), set()).add(first(record, "210", "a"))
    assert all(len(found) == 1 for found in places.values())
    assert places["广东人民出版社"] == {"广州"}


def test_publication_years_are_skewed_recent() -> None:
    years = Counter(int(first(r, "210", "d")) for r in sample())
    assert min(years) >= 1980
    assert max(years) <= 2026
    recent = sum(n for year, n in years.items() if year >= 2010)
    assert recent > sum(years.values()) / 2


def test_call_number_is_class_and_serial() -> None:
    record = sample()[0]
    assert call_number_for(record, 1234) == f"{first(record, '690', 'a')}/1234"
    bare = pymarc.Record()
    with pytest.raises(ValueError):
        call_number_for(bare, 1)
