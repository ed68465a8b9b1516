"""Searching the union catalogue: the one selector the staff pages, the public catalogue,
the API and ``wenjin search`` all use."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, ExpressionWrapper, F, IntegerField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from wenjin.catalog.models import Item, ItemStatus, MaterialType, Record
from wenjin.lib.clc import CLC_TOP_CLASSES
from wenjin.lib.errors import ValidationFailed
from wenjin.lib.languages import LANGUAGE_NAMES
from wenjin.network.models import OrgUnit
from wenjin.search import suggestions
from wenjin.search.backends import backend, count_matches
from wenjin.search.query import Clause, ParsedQuery, parse

SORTS = ("relevance", "year", "-year", "title")
MAX_PAGE_SIZE = 100
FACET_SAMPLE = 1000
# Above this many matches, relevance ranks the title matches first on their own.
RANK_ALL_LIMIT = 20_000
TITLE_FIELDS = "title pinyin isbn"


@dataclass
class SearchFilters:
    """Narrowing a search: the holding unit's subtree, available now, type, CLC top class,
    language, publication years, children's."""

    org: str | None = None
    available: bool | None = None
    material_type: str | None = None
    clc: str | None = None
    language: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    children: bool | None = None


@dataclass
class Hit:
    record: Record
    items: int
    available: int
    units_available: int


@dataclass
class SearchResult:
    count: int
    page: int
    page_size: int
    hits: list[Hit]
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    facets_sample: int | None = None  # facets counted over this many best results only


def _unit(code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise ValidationFailed(
            _("There is no org unit with code %(code)s.") % {"code": code}, fields={"org": code}
        )
    return unit


def _matching(parsed: ParsedQuery, filters: SearchFilters) -> QuerySet[Record]:
    records = Record.objects.all()
    if parsed.clauses:
        sql, params = backend().matches_sql(parsed)
        records = records.filter(pk__in=RawSQL(sql, params))  # noqa: S611 (terms are parameters)
    for prefix in parsed.callno_prefixes:
        records = records.filter(
            pk__in=Item.objects.filter(call_number__istartswith=prefix).values("record_id")
        )
    items = Item.objects.exclude(status=ItemStatus.WITHDRAWN)
    if filters.org:
        items = items.filter(owning_org__path__startswith=_unit(filters.org).path)
        records = records.filter(pk__in=items.values("record_id"))
    if filters.available:
        records = records.filter(
            pk__in=items.filter(status=ItemStatus.AVAILABLE).values("record_id")
        )
    if filters.material_type:
        records = records.filter(material_type=filters.material_type)
    if filters.clc:
        records = records.filter(clc_top=filters.clc.upper()[:1])
    if filters.language:
        records = records.filter(language=filters.language.lower())
    if filters.year_from is not None:
        records = records.filter(year__gte=filters.year_from)
    if filters.year_to is not None:
        records = records.filter(year__lte=filters.year_to)
    if filters.children is not None:
        records = records.filter(is_children=filters.children)
    return records


def _record_facets(records: QuerySet[Record]) -> dict[str, Counter]:
    """Counts by CLC class, language, type, readership and decade in one pass: the records
    are grouped by all five at once (a few hundred groups) and summed here, instead of
    scanning the matching records once per facet."""
    combinations = (
        records.order_by()
        .annotate(decade=ExpressionWrapper(F("year") / 10 * 10, output_field=IntegerField()))
        .values("clc_top", "language", "material_type", "is_children", "decade")
        .annotate(n=Count("pk"))
    )
    counts: dict[str, Counter] = {name: Counter() for name in RECORD_FACETS.values()}
    for row in combinations:
        for column, name in RECORD_FACETS.items():
            counts[name][row[column]] += row["n"]
    return counts


RECORD_FACETS = {
    "clc_top": "clc",
    "language": "language",
    "material_type": "type",
    "is_children": "children",
    "decade": "year",
}


def _id_list(ids: list[int]) -> RawSQL:
    """A list of record ids as one SQL parameter: the ORM prepares an IN list value by
    value, which costs more than the facet queries over a thousand ids themselves."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(ids))])


def _facets(ids: list[int], filters: SearchFilters) -> dict[str, list[dict[str, Any]]]:
    """Facet counts over the records ``ids``."""
    counts = _record_facets(Record.objects.filter(pk__in=_id_list(ids)))

    def listed(name: str, labels: dict | None = None) -> list[dict[str, Any]]:
        ordered = sorted(
            ((value, n) for value, n in counts[name].items() if value not in (None, "")),
            key=lambda pair: (-pair[1], pair[0]),
        )
        return [
            {"value": value, "label": str((labels or {}).get(value, value)), "count": n}
            for value, n in ordered
        ]

    holdings = Item.objects.filter(record_id__in=_id_list(ids)).exclude(status=ItemStatus.WITHDRAWN)
    if filters.org:
        holdings = holdings.filter(owning_org__path__startswith=_unit(filters.org).path)
    by_unit = (
        holdings.order_by()
        .values("owning_org__code", "owning_org__name_zh")
        .annotate(n=Count("record", distinct=True))
        .order_by("-n", "owning_org__code")[:30]
    )
    available = holdings.filter(status=ItemStatus.AVAILABLE).values("record").distinct().count()
    decades = sorted((d for d in counts["year"] if d is not None), reverse=True)
    return {
        "org": [
            {
                "value": row["owning_org__code"],
                "label": row["owning_org__name_zh"],
                "count": row["n"],
            }
            for row in by_unit
        ],
        "available": [{"value": True, "label": _("Available now"), "count": available}],
        "clc": listed("clc", {k: v[0] for k, v in CLC_TOP_CLASSES.items()}),
        "language": listed("language", LANGUAGE_NAMES),
        "year": [
            {"value": d, "label": f"{d}–{d + 9}", "count": counts["year"][d]} for d in decades
        ],
        "type": listed("type", dict(MaterialType.choices)),
        "children": [
            {
                "value": value,
                "label": _("Children's") if value else _("General"),
                "count": n,
            }
            for value, n in sorted(counts["children"].items(), key=lambda pair: -pair[1])
        ],
    }


def _ordered_ids(
    parsed: ParsedQuery,
    records: QuerySet[Record],
    sort: str,
    start: int,
    size: int,
    text_only: bool,
) -> list[int]:
    if sort == "relevance" and parsed.clauses:
        ranked, params = backend().ranked_sql(parsed)
        condition = ""
        if not text_only:
            allowed, allowed_params = records.values("pk").query.sql_with_params()
            # The unary plus keeps SQLite from pushing the IN list into the FTS5 table as one
            # full-text lookup per listed id (a full scan of the matches for each of them).
            condition = f"WHERE +r.record_id IN ({allowed})"
            params = [*params, *allowed_params]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT r.record_id FROM ({ranked}) r {condition} "  # noqa: S608
                f"ORDER BY r.{backend().score_order}, r.record_id LIMIT %s OFFSET %s",
                [*params, size, start],
            )
            return [row[0] for row in cursor.fetchall()]
    ordering = {
        "year": ("year", "pk"),
        "-year": ("-year", "pk"),
        "title": ("title_sort", "pk"),
    }.get(sort, ("-pk",))
    return list(records.order_by(*ordering).values_list("pk", flat=True)[start : start + size])


def _title_tier(parsed: ParsedQuery, needed: int) -> ParsedQuery:
    """For words that match very many records: the same words in titles (and their pinyin
    and ISBNs) only, when those alone fill what the page and facets need. Title matches
    rank above all others anyway, and scoring a few thousand of them instead of a hundred
    thousand matches keeps a search for a common word fast."""
    titled = ParsedQuery(
        clauses=[
            Clause(clause.field or TITLE_FIELDS, clause.terms, clause.phrase)
            for clause in parsed.clauses
        ]
    )
    return titled if count_matches(titled) >= needed else parsed


def search(
    text: str,
    filters: SearchFilters | None = None,
    *,
    sort: str = "relevance",
    page: int = 1,
    page_size: int = 20,
    facets: bool = True,
) -> SearchResult:
    """Search the catalogue; an empty query lists everything the filters allow.

    When more than ``FACET_SAMPLE`` records match, facets are counted over the first
    ``FACET_SAMPLE`` results in the requested order (``SearchResult.facets_sample`` says
    so): counting a hundred thousand matches facet by facet costs more than the whole
    search may take, and readers narrow by what the best hits hold.
    """
    filters = filters or SearchFilters()
    if sort not in SORTS:
        raise ValidationFailed(_("Unknown sort order."), fields={"sort": sort})
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed(
            _("Page numbers start at 1; at most 100 results a page."), fields={"page": str(page)}
        )
    parsed = parse(text)
    records = _matching(parsed, filters)
    # Words alone: the full-text index answers the count without touching the records.
    text_only = bool(parsed.clauses) and not parsed.callno_prefixes and filters == SearchFilters()
    count = count_matches(parsed) if text_only else records.count()
    start = (page - 1) * page_size
    ranked = parsed
    needed = max(start + page_size, FACET_SAMPLE if facets else 0)
    if sort == "relevance" and text_only and count > RANK_ALL_LIMIT:
        ranked = _title_tier(parsed, needed)
    # Facets are counted over an explicit list of ids (every match, or the best
    # FACET_SAMPLE): joining the items to a full-text subquery lets the planner guess the
    # match count wrong and scan every item.
    sample: list[int] | None = None
    if facets and count:
        sample = _ordered_ids(ranked, records, sort, 0, FACET_SAMPLE, text_only)
    if sample is not None and start + page_size <= len(sample):
        ids = sample[start : start + page_size]
    else:
        ids = _ordered_ids(ranked, records, sort, start, page_size, text_only)
    by_id = Record.objects.defer("marc", "summary", "warnings").in_bulk(ids)
    summary = {
        row["record"]: row
        for row in Item.objects.filter(record_id__in=ids)
        .exclude(status=ItemStatus.WITHDRAWN)
        .values("record")
        .annotate(
            items=Count("pk"),
            available=Count("pk", filter=Q(status=ItemStatus.AVAILABLE)),
            units=Count("owning_org", filter=Q(status=ItemStatus.AVAILABLE), distinct=True),
        )
    }
    hits = [
        Hit(
            by_id[pk],
            summary.get(pk, {}).get("items", 0),
            summary.get(pk, {}).get("available", 0),
            summary.get(pk, {}).get("units", 0),
        )
        for pk in ids
        if pk in by_id
    ]
    facet_counts = {}
    if facets:
        facet_counts = _facets(sample or [], filters)
    return SearchResult(
        count,
        page,
        page_size,
        hits,
        facet_counts,
        facets_sample=len(sample) if sample is not None and count > len(sample) else None,
    )


def suggest(text: str, limit: int = 10) -> list[dict[str, Any]]:
    """Titles and author names that start with what has been typed (characters, pinyin
    or initials)."""
    return suggestions.lookup(text, limit)
