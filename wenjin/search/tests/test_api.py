"""Search API and command."""

import json
from io import StringIO

from django.core.management import call_command

from wenjin.search.tests.test_search import library  # noqa: F401 (fixture)


def test_records_search_envelope_and_facets(library, client):  # noqa: F811
    body = client.get("/api/v1/records", {"q": "hongloumeng"}).json()
    assert set(body) == {"count", "page", "page_size", "results", "facets", "facets_sample"}
    assert body["facets_sample"] is None  # few matches: facets count them all
    (hit,) = body["results"]
    assert hit["title"] == "紅樓夢" and hit["isbns"] == ["978-7-02-000220-7"]
    assert hit["availability"] == {"items": 2, "available": 2, "units_available": 2}
    for values in body["facets"].values():
        for value in values:
            assert set(value) == {"value", "label", "count"}
    filtered = client.get("/api/v1/records", {"q": "", "org": "YX-DS", "page_size": 1}).json()
    assert filtered["count"] == 2 and len(filtered["results"]) == 1


def test_bad_parameters_are_400(library, client):  # noqa: F811
    for params in (
        {"page": 0},
        {"page_size": 1000},
        {"sort": "random"},
        {"org": "NOPE"},
        {"year_from": "x"},
    ):
        response = client.get("/api/v1/records", params)
        assert response.status_code == 400, params
        assert "error" in response.json()


def test_suggest(library, client):  # noqa: F811
    assert client.get("/api/v1/suggest", {"q": "hlm"}).json() == {
        "results": [{"text": "紅樓夢", "kind": "title", "record_id": library["hlm"].pk}]
    }


def test_suggest_rejects_overlong_input(client):
    response = client.get("/api/v1/suggest", {"q": "x" * 101})
    assert response.status_code == 400 and "error" in response.json()


def test_search_command(library):  # noqa: F811
    out = StringIO()
    call_command("search", "梁思成", "--json", stdout=out)
    body = json.loads(out.getvalue())
    assert body["count"] == 1 and body["results"][0]["title"] == "中國古代建築"
