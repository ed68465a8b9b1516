"""Search endpoints: GET /api/v1/records (with facets) and GET /api/v1/suggest."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from wenjin.api.core import ERROR_RESPONSES
from wenjin.catalog.models import MaterialType
from wenjin.lib.isbn import hyphenate
from wenjin.search.selectors import MAX_PAGE_SIZE, SearchFilters, search, suggest

router = Router(tags=["search"])


class SearchQuery(Schema):
    q: str = Field(
        "",
        max_length=2000,
        description='e.g. 红楼梦, hongloumeng, hlm, title:… author:… isbn:… callno:I24 "phrase"',
    )
    org: str | None = Field(None, description="holding unit code; its whole subtree counts")
    available: bool | None = Field(None, description="only records with a copy available now")
    type: MaterialType | None = None
    clc: str | None = Field(None, max_length=1, description="CLC top class letter")
    lang: str | None = Field(None, max_length=3)
    year_from: int | None = Field(None, ge=0, le=9999)
    year_to: int | None = Field(None, ge=0, le=9999)
    children: bool | None = None
    sort: str = Field("relevance", pattern="^(relevance|year|-year|title)$")
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class Availability(Schema):
    items: int
    available: int
    units_available: int = Field(description="units with a copy available now")


class SearchHitOut(Schema):
    id: int
    title: str = Field(description="original script first")
    authors: list[str]
    year: int | None
    isbns: list[str]
    material_type: str
    availability: Availability


class FacetValue(Schema):
    value: str | int | bool
    label: str
    count: int


class SearchOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[SearchHitOut]
    facets: dict[str, list[FacetValue]]
    facets_sample: int | None = Field(
        None,
        description="When set, facets were counted over this many best results only "
        "(more records matched than are worth counting facet by facet); null: over all.",
    )


class Suggestion(Schema):
    text: str
    kind: str = Field(description="title or author")
    record_id: int = Field(description="a record with this title or by this author")


class SuggestOut(Schema):
    results: list[Suggestion]


@router.get(
    "/records",
    auth=None,
    response={200: SearchOut, **ERROR_RESPONSES},
    summary="Search the union catalogue (Chinese, pinyin, initials, English, ISBN, call number) with facets",
)
def search_records(request: HttpRequest, query: Query[SearchQuery]) -> dict:
    filters = SearchFilters(
        org=query.org,
        available=query.available,
        material_type=query.type,
        clc=query.clc,
        language=query.lang,
        year_from=query.year_from,
        year_to=query.year_to,
        children=query.children,
    )
    result = search(query.q, filters, sort=query.sort, page=query.page, page_size=query.page_size)
    return {
        "count": result.count,
        "page": result.page,
        "page_size": result.page_size,
        "results": [
            {
                "id": hit.record.pk,
                "title": hit.record.title,
                "authors": hit.record.authors,
                "year": hit.record.year,
                "isbns": [hyphenate(isbn) for isbn in hit.record.isbns],
                "material_type": hit.record.material_type,
                "availability": {
                    "items": hit.items,
                    "available": hit.available,
                    "units_available": hit.units_available,
                },
            }
            for hit in result.hits
        ],
        "facets": result.facets,
        "facets_sample": result.facets_sample,
    }


@router.get(
    "/suggest",
    auth=None,
    response={200: SuggestOut, **ERROR_RESPONSES},
    summary="Title and author suggestions as you type (characters, pinyin or initials)",
)
def suggest_titles(request: HttpRequest, q: str = Query("", max_length=100)) -> dict:
    return {"results": suggest(q)}
