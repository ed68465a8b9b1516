"""Searching the union catalogue: the one selector the staff pages, the public catalogue,
the API and ``wenjin search`` all use."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, ExpressionWrapper, F, IntegerField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from wenjin.catalog.models import Item, ItemStatus, MaterialType, Record
from wenjin.lib.clc import CLC_TOP_CLASSES
from wenjin.lib.errors import ValidationFailed
from wenjin.network.models import OrgUnit
from wenjin.search import suggestions
from wenjin.search.backends import backend
from wenjin.search.query import ParsedQuery, parse

SORTS = ("relevance", "year", "-year", "title")
MAX_PAGE_SIZE = 100


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


def _facets(records: QuerySet[Record], filters: SearchFilters) -> dict[str, list[dict[str, Any]]]:
    def counted(name: str, labels: dict | None = None) -> list[dict[str, Any]]:
        rows = records.order_by().values(name).annotate(n=Count("pk")).order_by("-n", name)
        return [
            {
                "value": row[name],
                "label": str((labels or {}).get(row[name], row[name])),
                "count": row["n"],
            }
            for row in rows
            if row[name] not in (None, "")
        ]

    decades = (
        records.exclude(year=None)
        .order_by()
        .annotate(decade=ExpressionWrapper(F("year") / 10 * 10, output_field=IntegerField()))
        .values("decade")
        .annotate(n=Count("pk"))
        .order_by("-decade")
    )
    holdings = Item.objects.filter(record__in=records.values("pk")).exclude(
        status=ItemStatus.WITHDRAWN
    )
    if filters.org:
        holdings = holdings.filter(owning_org__path__startswith=_unit(filters.org).path)
    by_unit = (
        holdings.order_by()
        .values("owning_org__code", "owning_org__name_zh")
        .annotate(n=Count("record", distinct=True))
        .order_by("-n", "owning_org__code")[:30]
    )
    available = holdings.filter(status=ItemStatus.AVAILABLE).values("record").distinct().count()
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
        "clc": counted("clc_top", {k: v[0] for k, v in CLC_TOP_CLASSES.items()}),
        "language": counted("language"),
        "year": [
            {
                "value": row["decade"],
                "label": f"{row['decade']}–{row['decade'] + 9}",
                "count": row["n"],
            }
            for row in decades
        ],
        "type": counted("material_type", dict(MaterialType.choices)),
        "children": [
            {
                "value": row["is_children"],
                "label": _("Children's") if row["is_children"] else _("General"),
                "count": row["n"],
            }
            for row in records.order_by()
            .values("is_children")
            .annotate(n=Count("pk"))
            .order_by("-n")
        ],
    }


def _ordered_ids(
    parsed: ParsedQuery, records: QuerySet[Record], sort: str, start: int, size: int
) -> list[int]:
    if sort == "relevance" and parsed.clauses:
        ranked, ranked_params = backend().ranked_sql(parsed)
        allowed, allowed_params = records.values("pk").query.sql_with_params()
        order = backend().score_order
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT r.record_id FROM ({ranked}) r WHERE r.record_id IN ({allowed}) "  # noqa: S608
                f"ORDER BY r.{order}, r.record_id LIMIT %s OFFSET %s",
                [*ranked_params, *allowed_params, size, start],
            )
            return [row[0] for row in cursor.fetchall()]
    ordering = {
        "year": ("year", "pk"),
        "-year": ("-year", "pk"),
        "title": ("title_sort", "pk"),
    }.get(sort, ("-pk",))
    return list(records.order_by(*ordering).values_list("pk", flat=True)[start : start + size])


def search(
    text: str,
    filters: SearchFilters | None = None,
    *,
    sort: str = "relevance",
    page: int = 1,
    page_size: int = 20,
    facets: bool = True,
) -> SearchResult:
    """Search the catalogue; an empty query lists everything the filters allow."""
    filters = filters or SearchFilters()
    if sort not in SORTS:
        raise ValidationFailed(_("Unknown sort order."), fields={"sort": sort})
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed(
            _("Page numbers start at 1; at most 100 results a page."), fields={"page": str(page)}
        )
    parsed = parse(text)
    records = _matching(parsed, filters)
    count = records.count()
    ids = _ordered_ids(parsed, records, sort, (page - 1) * page_size, page_size)
    by_id = Record.objects.in_bulk(ids)
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
    return SearchResult(count, page, page_size, hits, _facets(records, filters) if facets else {})


def suggest(text: str, limit: int = 10) -> list[dict[str, Any]]:
    """Titles and author names that start with what has been typed (characters, pinyin
    or initials)."""
    return suggestions.lookup(text, limit)
