"""The shared search form: advanced fields become one query, filters and sort are read
from the URL, and bad values are refused field by field."""

from wenjin.search.forms import SearchForm
from wenjin.search.query import compose, parse


def test_compose_prefixes_every_word_and_keeps_isbn_and_call_number_whole():
    text = compose(
        "岭南",
        {"title": 'red  "chamber', "author": "曹雪芹", "isbn": "978 7 02", "callno": "I242 .4"},
    )
    assert text == "岭南 title:red title:chamber author:曹雪芹 isbn:978702 callno:I242.4"
    parsed = parse(text)
    assert [c.field for c in parsed.clauses] == [None, "title", "title", "author", "isbn"]
    assert parsed.callno_prefixes == ["i242.4"]
    assert compose("", {}) == ""


def test_form_reads_filters_and_sort():
    form = SearchForm(
        {
            "q": "红楼",
            "title": "梦",
            "org": "YX",
            "available": "on",
            "clc": "I",
            "year_from": "1980",
            "year_to": "1990",
            "children": "0",
            "sort": "title",
        }
    )
    assert form.is_valid(), form.errors
    assert form.query_text() == "红楼 title:梦"
    filters = form.filters()
    assert (filters.org, filters.available, filters.clc) == ("YX", True, "I")
    assert (filters.year_from, filters.year_to, filters.children) == (1980, 1990, False)
    assert form.sort_order(True) == "title" and form.uses_advanced


def test_form_defaults_and_errors():
    empty = SearchForm({})
    assert empty.is_valid() and not empty.uses_advanced
    assert empty.sort_order(False) == "-year" and empty.sort_order(True) == "relevance"
    bad = SearchForm({"year_from": "2000", "year_to": "1990", "sort": "random", "page": "0"})
    assert not bad.is_valid()
    assert set(bad.errors) == {"year_to", "sort", "page"}
