"""Suggestions as you type: prefix lookups over the title and author keys of every record
(``wenjin.search.models.Suggestion``), the same SQL on SQLite and PostgreSQL. A B-tree range
scan answers in a few milliseconds whatever the catalogue's size."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from wenjin.search.analysis import analyse, suggestion_keys_of, suggestion_prefix
from wenjin.search.models import SuggestionKind

AUTHORS_PER_RECORD = 3
TEXT_LENGTH = 300
# Strings that start with a prefix sort between it and the prefix followed by the highest
# code point (byte order of UTF-8 is code-point order: SQLite's BINARY, PostgreSQL's "C").
_HIGHEST = "\U0010ffff"


_TITLE = SuggestionKind.TITLE.value
_AUTHOR = SuggestionKind.AUTHOR.value


def rows_for(record: Any) -> list[tuple[int, str, str, str]]:
    """(record id, kind, key, text) rows for a record's title and first authors."""
    rows: list[tuple[int, str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    texts = [(_TITLE, record.title)]
    texts += [(_AUTHOR, name) for name in record.authors[:AUTHORS_PER_RECORD]]
    for kind, text in texts:
        text = (text or "").strip()[:TEXT_LENGTH]
        for key in suggestion_keys_of(analyse(text)):
            if (kind, key) not in seen:
                seen.add((kind, key))
                rows.append((record.pk, kind, key, text))
    return rows


def write(records: Sequence[Any]) -> None:
    """Replace the suggestion rows of ``records``."""
    ids = [record.pk for record in records]
    rows = [row for record in records for row in rows_for(record)]
    with connection.cursor() as cursor:
        delete(ids, cursor)
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(
                "COPY search_suggestion (record_id, kind, key, text) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                "INSERT INTO search_suggestion (record_id, kind, key, text) "
                "VALUES (%s, %s, %s, %s)",
                rows,
            )


def delete(ids: Iterable[int], cursor: Any = None) -> None:
    ids = list(ids)
    if not ids:
        return
    if cursor is None:
        with connection.cursor() as own:
            delete(ids, own)
        return
    if connection.vendor == "postgresql":
        cursor.execute("DELETE FROM search_suggestion WHERE record_id = ANY(%s)", [ids])
        return
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        cursor.execute(
            f"DELETE FROM search_suggestion WHERE record_id IN ({', '.join(['%s'] * len(chunk))})",  # noqa: S608
            chunk,
        )


def lookup(text: str, limit: int = 10) -> list[dict[str, Any]]:
    """Titles and author names filed under a key that starts with what was typed, in key
    order (so an exact match comes first), each text once."""
    prefix = suggestion_prefix(text)
    if not prefix:
        return []
    key = 'key COLLATE "C"' if connection.vendor == "postgresql" else "key"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT kind, text, record_id FROM search_suggestion "  # noqa: S608 (fixed SQL)
            f"WHERE {key} >= %s AND {key} < %s ORDER BY {key}, record_id LIMIT %s",
            [prefix, prefix + _HIGHEST, limit * 20],
        )
        rows = cursor.fetchall()
    seen: set[tuple[str, str]] = set()
    out: list[dict[str, Any]] = []
    for kind, text_, record_id in rows:
        if (kind, text_) in seen:
            continue
        seen.add((kind, text_))
        out.append({"text": text_, "kind": kind, "record_id": record_id})
        if len(out) == limit:
            break
    return out
