"""Search over the catalogue, run on whichever database the suite uses: CI runs it on
SQLite and on PostgreSQL with the same expected answers, so the backends agree."""

import pytest

from wenjin.catalog.models import Item
from wenjin.catalog.services import items_add, record_delete, record_save_fields
from wenjin.lib.errors import DomainError
from wenjin.search.selectors import SearchFilters, search, suggest
from wenjin.search.services import reindex_all


@pytest.fixture
def library(tree, system):
    def add(key, values, copies=(), flavour="cnmarc"):
        record = record_save_fields(actor=system, values=values, flavour=flavour)
        for code, barcode, call_number in copies:
            items_add(
                actor=system,
                record_id=record.pk,
                owning_org_code=code,
                barcodes=[barcode],
                call_number=call_number,
            )
        return key, record

    records = dict(
        [
            add(
                "hlm",
                {
                    "title": "紅樓夢",
                    "authors": ["曹雪芹"],
                    "clc": "I242.4",
                    "year": "1982",
                    "isbns": ["978-7-02-000220-7"],
                    "subjects": ["章回小说"],
                },
                [("YX-GT", "H1", "I242.4/1"), ("HZ-A", "H2", "I242.4/1")],
            ),
            add(
                "sanda",
                {"title": "中国三大教及传说", "authors": ["王明"], "clc": "B9", "year": "2001"},
                [("YX-DS", "S1", "B9/3")],
            ),
            add(
                "arch",
                {
                    "title": "中國古代建築",
                    "authors": ["梁思成"],
                    "clc": "TU-092",
                    "year": "1998",
                    "subjects": ["建筑史"],
                },
                [("YX-GT", "A1", "TU-092/7")],
            ),
            add(
                "lingnan",
                {
                    "title": "岭南文化十讲",
                    "authors": ["张伟"],
                    "clc": "K296.5",
                    "year": "2019",
                    "summary": "讲述红楼与广府",
                },
                [("YX-DS", "L1", "K296.5/2")],
            ),
            add(
                "english",
                {
                    "title": "The Story of the Stone",
                    "authors": ["Cao, Xueqin"],
                    "clc": "I242.4",
                    "year": "1973",
                    "language": "eng",
                },
                [("YX-GT", "E1", "I242.4/9")],
                "marc21",
            ),
            add(
                "kids",
                {"title": "小熊的故事", "authors": ["李娜"], "clc": "I287.8", "year": "2020"},
                [("YX-GT-SP", "K1", "I287.8/5")],
            ),
        ]
    )
    return records


def ids(result):
    return {hit.record.pk for hit in result.hits}


SHARED_QUERIES = [
    ("红楼梦", {"hlm"}),
    ("紅樓夢", {"hlm"}),
    ("hongloumeng", {"hlm"}),
    ("hong lou meng", {"hlm"}),
    ("hlm", {"hlm"}),
    ("三大教", {"sanda"}),
    ("中国古代建筑", {"arch"}),
    ("梦", {"hlm"}),
    ("曹雪芹", {"hlm"}),
    ("cao xueqin", {"english"} | {"hlm"}),
    ("story stone", {"english"}),
    ("702000220X", {"hlm"}),
    ("978-7-02-000220-7", {"hlm"}),
    ("title:红楼", {"hlm"}),
    ("红楼", {"hlm", "lingnan"}),  # 岭南's summary mentions 红楼
    ("author:张伟", {"lingnan"}),
    ("subject:建筑史", {"arch"}),
    ("callno:I242", {"hlm", "english"}),
    ("红楼梦 曹雪芹", {"hlm"}),
    ("不存在的书", set()),
    # quoted phrases: the words must be adjacent and in order
    ('"红楼与广府"', {"lingnan"}),
    ('"广府 红楼"', set()),  # both words are in the summary, not side by side
    ("广府 红楼", {"lingnan"}),
    ('"story of the stone"', {"english"}),
    ('"story stone"', set()),
    ('"hong lou meng"', {"hlm"}),  # pinyin phrases too
    ('"meng lou hong"', set()),
    ('title:"紅樓 夢"', {"hlm"}),
    ('"sto"', set()),  # whole words
]


@pytest.mark.parametrize(("query", "expected"), SHARED_QUERIES)
def test_shared_query_set(library, query, expected):
    result = search(query, facets=False, page_size=50)
    assert ids(result) == {library[key].pk for key in expected}, query
    assert result.count == len(expected)


def test_title_matches_rank_above_notes(library):
    result = search("红楼", facets=False)
    assert result.hits[0].record.pk == library["hlm"].pk


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "AND",
        "NEAR(",
        '"unbalanced',
        "((x",
        "x" * 10_000,
        "\x00\x07",
        "'; DROP TABLE catalog_record; --",
        "title:",
        "{title}: x",
    ],
)
def test_hostile_queries_are_safe(library, query):
    search(query)  # no exception: safe results or none


def test_filters_and_facets(library):
    everything = search("")
    assert everything.count == 6
    facets = everything.facets
    assert {f["value"] for f in facets["clc"]} >= {"I", "B", "K"}
    assert next(f for f in facets["language"] if f["value"] == "eng")["count"] == 1
    assert {"value": True, "label": facets["available"][0]["label"], "count": 6} == facets[
        "available"
    ][0]
    gt = search("", SearchFilters(org="YX-GT"))
    assert ids(gt) == {
        library[k].pk for k in ("hlm", "arch", "english", "kids")
    }  # subtree incl. YX-GT-SP
    assert ids(search("", SearchFilters(clc="I", language="chi"))) == {
        library["hlm"].pk,
        library["kids"].pk,
    }
    assert ids(search("", SearchFilters(year_from=2000, year_to=2019))) == {
        library["sanda"].pk,
        library["lingnan"].pk,
    }
    Item.objects.filter(barcode="A1").update(status="checked_out")
    assert library["arch"].pk not in ids(search("", SearchFilters(available=True)))
    with pytest.raises(DomainError):
        search("", SearchFilters(org="NOPE"))
    with pytest.raises(DomainError):
        search("", sort="random")


def test_large_result_sets_count_facets_over_the_best_hits(library, monkeypatch):
    from wenjin.search import selectors

    monkeypatch.setattr(selectors, "FACET_SAMPLE", 2)
    result = search("中国 OR 红楼 曹雪芹 cao", page_size=1)  # nothing matches all words
    assert result.count == 0 and result.facets_sample is None
    result = search("", sort="title", page_size=1)
    assert result.count == 6 and result.facets_sample == 2
    # the two first by title are 紅樓夢 (I, 1982) and 岭南文化十讲 (K, 2019)
    assert {f["value"]: f["count"] for f in result.facets["clc"]} == {"I": 1, "K": 1}
    assert [hit.record.title for hit in result.hits] == ["紅樓夢"]
    page_three = search("", sort="title", page=3, page_size=1)  # beyond the sample
    assert [hit.record.title for hit in page_three.hits] == ["The Story of the Stone"]
    monkeypatch.setattr(selectors, "FACET_SAMPLE", 1)
    ranked = search("红楼", page_size=1)
    assert ranked.count == 2 and ranked.facets_sample == 1
    assert ranked.hits[0].record.pk == library["hlm"].pk
    assert ranked.facets["clc"] == [
        {"value": "I", "label": ranked.facets["clc"][0]["label"], "count": 1}
    ]
    # words with a filter: counted over the records, not the index alone
    filtered = search("红楼", SearchFilters(org="YX-DS"))
    assert filtered.count == 1 and filtered.hits[0].record.pk == library["lingnan"].pk


def test_very_broad_words_rank_title_matches_on_their_own(library, monkeypatch):
    from wenjin.search import selectors

    monkeypatch.setattr(selectors, "RANK_ALL_LIMIT", 0)
    first = search("红楼", page_size=1, facets=False)
    assert first.count == 2 and [h.record.pk for h in first.hits] == [library["hlm"].pk]
    second = search("红楼", page=2, page_size=1, facets=False)  # beyond the title matches
    assert [h.record.pk for h in second.hits] == [library["lingnan"].pk]


def test_availability_summary(library):
    (hit,) = search("红楼梦").hits
    assert (hit.items, hit.available, hit.units_available) == (2, 2, 2)


def test_index_follows_edits_and_deletes(library, system):
    record_save_fields(actor=system, values={"title": "石头记"}, record_id=library["hlm"].pk)
    assert ids(search("石头记")) == {library["hlm"].pk}
    assert library["hlm"].pk not in ids(search("红楼梦"))
    new = record_save_fields(actor=system, values={"title": "广州城坊志"})
    assert ids(search("城坊")) == {new.pk}
    record_delete(actor=system, record_id=new.pk)
    assert ids(search("城坊")) == set()


def test_reindex_rebuilds_everything(library):
    assert reindex_all() == 6
    assert ids(search("hlm")) == {library["hlm"].pk}


def test_title_sort_is_pinyin_order(library):
    titles = [hit.record.title for hit in search("", sort="title", facets=False).hits]
    # hong2 < ling3 < the (the form sets no non-filing indicator) < xiao3 < zhong1 guo2 g/s
    assert titles == [
        "紅樓夢",
        "岭南文化十讲",
        "The Story of the Stone",
        "小熊的故事",
        "中國古代建築",
        "中国三大教及传说",
    ]


def test_suggestions(library, system):
    texts = [s["text"] for s in suggest("红")]
    assert "紅樓夢" in texts
    assert [s["text"] for s in suggest("岭南文")] == ["岭南文化十讲"]
    assert [s["text"] for s in suggest("hongl")] == ["紅樓夢"]
    assert [s["text"] for s in suggest("hlm")] == ["紅樓夢"]
    assert [s["text"] for s in suggest("紅樓")] == ["紅樓夢"]  # traditional typed
    assert suggest("") == suggest("：") == []
    # author names by characters, pinyin and initials
    assert suggest("曹雪")[0] == {
        "text": "曹雪芹",
        "kind": "author",
        "record_id": library["hlm"].pk,
    }
    assert [s["text"] for s in suggest("liang si")] == ["梁思成"]
    assert [s["text"] for s in suggest("lsc")] == ["梁思成"]
    assert {s["kind"] for s in suggest("cao")} == {"author"}  # 曹雪芹 and "Cao, Xueqin"
    assert {s["text"] for s in suggest("cao")} == {"曹雪芹", "Cao, Xueqin"}
    # suggestions follow edits and deletes
    record_save_fields(actor=system, values={"title": "石头记"}, record_id=library["hlm"].pk)
    assert suggest("hongl") == [] and [s["text"] for s in suggest("shitou")] == ["石头记"]
    new = record_save_fields(actor=system, values={"title": "广州城坊志"})
    assert [s["text"] for s in suggest("gzcf")] == ["广州城坊志"]
    record_delete(actor=system, record_id=new.pk)
    assert suggest("gzcf") == []


def test_suggestions_rank_exact_keys_first_and_list_each_text_once(library, system):
    for _ in range(3):
        record_save_fields(actor=system, values={"title": "红楼梦人物论"})
    texts = [s["text"] for s in suggest("hongloumeng")]
    assert texts == ["紅樓夢", "红楼梦人物论"]
    assert len(suggest("h", limit=2)) == 2
