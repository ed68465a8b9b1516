"""The two search backends. Both store the same analysed terms and answer the same
boolean question (every clause's terms present in its field), so they find the same
records; they differ only in how they rank them.

SQL is built only from fixed column names; every term travels as a parameter (SQLite) or
as a quoted lexeme inside a tsquery parameter (PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection

from wenjin.search.documents import SearchDocument
from wenjin.search.query import ParsedQuery

COLUMNS = ("title", "author", "subject", "series", "notes", "pinyin", "isbn")
# Relevance: a title match above author above subject/series above notes.
SQLITE_WEIGHTS = (10.0, 6.0, 3.0, 3.0, 1.0, 4.0, 10.0)
PG_WEIGHT_LETTER = {
    "title": "A",
    "isbn": "A",
    "author": "B",
    "pinyin": "B",
    "subject": "C",
    "series": "C",
    "notes": "D",
}


class SqliteFts:
    """SQLite FTS5 (the embedded default)."""

    def write(self, documents: Sequence[tuple[int, SearchDocument]]) -> None:
        with connection.cursor() as cursor:
            ids = [record_id for record_id, _doc in documents]
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                cursor.execute(
                    f"DELETE FROM search_fts WHERE rowid IN ({', '.join(['%s'] * len(chunk))})",  # noqa: S608
                    chunk,
                )
            cursor.executemany(
                "INSERT INTO search_fts "
                "(rowid, title, author, subject, series, notes, pinyin, isbn, phrase) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        record_id,
                        doc.title,
                        doc.author,
                        doc.subject,
                        doc.series,
                        doc.notes,
                        doc.pinyin,
                        doc.isbn,
                        doc.phrase,
                    )
                    for record_id, doc in documents
                ],
            )

    def delete(self, ids: Iterable[int]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM search_fts WHERE rowid = %s", [(i,) for i in ids])

    @staticmethod
    def match_expression(query: ParsedQuery) -> str:
        """An FTS5 MATCH string: every term double-quoted (terms are letters, digits and
        Chinese characters only, so quoting cannot be escaped)."""
        parts = []
        for clause in query.clauses:
            terms = " AND ".join(f'"{term}"' for term in clause.terms)
            parts.append(f"{{{clause.field}}} : ({terms})" if clause.field else f"({terms})")
            # (a field may name several columns, space-separated, e.g. "title pinyin")
        return " AND ".join(parts)

    def matches_sql(self, query: ParsedQuery) -> tuple[str, list]:
        phrases, phrase_params = _phrase_conditions(query, "instr(phrase, %s) > 0")
        return (
            f"SELECT rowid FROM search_fts WHERE search_fts MATCH %s{phrases}",  # noqa: S608
            [self.match_expression(query), *phrase_params],
        )

    def ranked_sql(self, query: ParsedQuery) -> tuple[str, list]:
        weights = ", ".join(str(w) for w in SQLITE_WEIGHTS)
        phrases, phrase_params = _phrase_conditions(query, "instr(phrase, %s) > 0")
        return (
            f"SELECT rowid AS record_id, bm25(search_fts, {weights}) AS score "  # noqa: S608
            f"FROM search_fts WHERE search_fts MATCH %s{phrases}",
            [self.match_expression(query), *phrase_params],
        )

    # bm25 is lower for better matches
    score_order = "score ASC"


class PostgresFts:
    """PostgreSQL full text search over the same terms (tsvector, GIN index).

    Every lexeme is tagged with its field (``title:红楼``), so field queries are exact and
    an any-field term is an OR over the fields; the field's weight (A title and ISBN, B
    author and pinyin, C subject and series, D notes) drives ts_rank.
    """

    def write(self, documents: Sequence[tuple[int, SearchDocument]]) -> None:
        ids = [record_id for record_id, _doc in documents]
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_document WHERE record_id = ANY(%s)", [ids])
            raw = cursor.cursor  # the psycopg cursor: COPY is the fast way in
            with raw.copy("COPY search_document (record_id, document, phrase) FROM STDIN") as copy:
                for record_id, doc in documents:
                    copy.write_row((record_id, self.tsvector_literal(doc), doc.phrase))

    @staticmethod
    def tsvector_literal(doc: SearchDocument) -> str:
        """Each field's distinct terms as ``'field:term':1W`` lexemes, in field order
        (lexemes of different fields never clash: the field name is part of them)."""
        parts: list[str] = []
        for column in COLUMNS:
            text = getattr(doc, column)
            terms = dict.fromkeys(text.split())
            if not terms:
                continue
            head, tail = f"'{column}:", f"':1{PG_WEIGHT_LETTER[column]}"
            if "'" in text:  # analysed terms never hold one, but quoting must stay right
                terms = dict.fromkeys(term.replace("'", "''") for term in terms)
            parts.append(head + f"{tail} {head}".join(terms) + tail)
        return " ".join(parts)

    def delete(self, ids: Iterable[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_document WHERE record_id = ANY(%s)", [list(ids)])

    @staticmethod
    def tsquery(query: ParsedQuery) -> str:
        parts = []
        for clause in query.clauses:
            columns = clause.field.split() if clause.field else list(COLUMNS)
            for term in clause.terms:
                alternatives = " | ".join(
                    "'" + f"{column}:{term}".replace("'", "''") + "'" for column in columns
                )
                parts.append(f"({alternatives})")
        return " & ".join(parts)

    def matches_sql(self, query: ParsedQuery) -> tuple[str, list]:
        phrases, phrase_params = _phrase_conditions(query, "strpos(phrase, %s) > 0")
        return (
            f"SELECT record_id FROM search_document WHERE document @@ %s::tsquery{phrases}",  # noqa: S608
            [self.tsquery(query), *phrase_params],
        )

    def ranked_sql(self, query: ParsedQuery) -> tuple[str, list]:
        expression = self.tsquery(query)
        phrases, phrase_params = _phrase_conditions(query, "strpos(phrase, %s) > 0")
        return (
            "SELECT record_id, ts_rank('{0.1, 0.3, 0.6, 1.0}', document, %s::tsquery) AS score "
            "FROM search_document WHERE document @@ %s::tsquery" + phrases,
            [expression, expression, *phrase_params],
        )

    score_order = "score DESC"


def count_matches(query: ParsedQuery) -> int:
    """How many records match the words of ``query``, from the full-text index alone."""
    sql, params = backend().matches_sql(query)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) m", params)  # noqa: S608
        return cursor.fetchone()[0]


def _phrase_conditions(query: ParsedQuery, condition: str) -> tuple[str, list[str]]:
    """SQL requiring every quoted phrase to occur as it stands in the phrase text."""
    phrases = [clause.phrase for clause in query.clauses if clause.phrase]
    return "".join(f" AND {condition}" for _phrase in phrases), phrases


def backend() -> SqliteFts | PostgresFts:
    return PostgresFts() if connection.vendor == "postgresql" else SqliteFts()
