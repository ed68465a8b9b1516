"""Keeping the search index in step with the catalogue. Catalogue services call these
inside their own transactions, so a record is searchable as soon as its change commits."""

from __future__ import annotations

from collections.abc import Iterable

from wenjin.catalog.models import Record
from wenjin.search import suggestions
from wenjin.search.backends import backend
from wenjin.search.documents import SearchDocument, document_for


def documents_for(records: Iterable[Record]) -> list[tuple[int, SearchDocument]]:
    """(record id, index entry) for each record."""
    return [
        (
            record.pk,
            document_for(
                title=record.title,
                title_romanized=record.title_romanized,
                authors=record.authors,
                romanized=record.romanized,
                subjects=record.subjects,
                series=record.series,
                publisher=record.publisher,
                summary=record.summary,
                isbns=record.isbns,
            ),
        )
        for record in records
    ]


def index_records(records: Iterable[Record]) -> int:
    """(Re)index records and their suggestions; returns how many."""
    records = list(records)
    documents = documents_for(records)
    if documents:
        backend().write(documents)
        suggestions.write(records)
    return len(documents)


def unindex_records(ids: Iterable[int]) -> None:
    ids = list(ids)
    backend().delete(ids)
    suggestions.delete(ids)


def reindex_all(batch: int = 2000) -> int:
    """Rebuild the index from the catalogue (after a restore or an analysis change)."""
    total = 0
    last = 0
    fields = [
        "pk",
        "title",
        "title_romanized",
        "authors",
        "romanized",
        "subjects",
        "series",
        "publisher",
        "summary",
        "isbns",
    ]
    while True:
        chunk = list(Record.objects.filter(pk__gt=last).order_by("pk").only(*fields[1:])[:batch])
        if not chunk:
            return total
        total += index_records(chunk)
        last = chunk[-1].pk
