"""Parsing search-box input, including hostile input."""

import pytest

from wenjin.search.query import MAX_TERMS, Clause, parse


def test_fields_phrases_and_words():
    query = parse('title:红楼梦 author:"曹 雪芹" hong callno:I242.4 isbn:7-02-000220-X')
    assert query.clauses == [
        Clause("title", ("红楼", "楼梦")),
        Clause("author", ("曹", "雪芹"), phrase="曹雪芹"),
        Clause(None, ("hong",)),
        Clause("isbn", ("9787020002207", "702000220x")),
    ]
    assert query.callno_prefixes == ["i242.4"]


def test_quoted_phrases_keep_their_folded_text_for_adjacency():
    latin, chinese, mixed, one = parse('"Harry  Potter" “紅樓 夢” "python编程" "梦"').clauses
    assert latin.phrase == " harry potter "  # padded: whole words only
    assert chinese.phrase == "红楼梦"  # folded, characters run together
    assert mixed.phrase == " python 编程"
    assert one.phrase is None  # one term: nothing to keep adjacent


def test_a_bare_isbn_is_one_term():
    assert parse("978-7-02-000220-7").clauses == [Clause(None, ("9787020002207",))]


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "*",
        "AND",
        "NEAR(",
        "((",
        'a" OR "b',
        "title:",
        "'; DROP TABLE x; --",
        "\x00\x01",
        "x" * 10_000,
        "中" * 5000,
    ],
)
def test_hostile_input_becomes_plain_terms(text):
    query = parse(text)
    for clause in query.clauses:
        assert all(term.isalnum() for term in clause.terms)
    assert sum(len(c.terms) for c in query.clauses) <= MAX_TERMS


def test_unknown_prefixes_are_text():
    assert parse("near:(x)").clauses == [Clause(None, ("near", "x"))]
