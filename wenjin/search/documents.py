"""What a catalogue record contributes to the search index, field by field, as
space-separated analysed terms (the same for the SQLite and the PostgreSQL backend)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from wenjin.search.analysis import index_terms, isbn_terms, phrase_text, pinyin_terms, runs

FIELDS = ("title", "author", "subject", "series", "notes", "pinyin", "isbn", "callno")
# Separates fields in the phrase text, so that a phrase never spans two of them.
PHRASE_SEPARATOR = " | "


@dataclass(frozen=True)
class SearchDocument:
    """One record's index entry. Relevance weighs title above author above subject and
    series above notes."""

    title: str
    author: str
    subject: str
    series: str
    notes: str
    pinyin: str
    isbn: str
    callno: str
    phrase: str = ""  # folded text for checking that a quoted phrase's words are adjacent


def _terms(*texts: str) -> str:
    return " ".join(term for text in texts if text for term in index_terms(text))


def document_for(
    *,
    title: str,
    title_romanized: str = "",
    authors: Sequence[str] = (),
    romanized: Sequence[str] = (),
    subjects: Sequence[str] = (),
    series: Sequence[str] = (),
    publisher: str = "",
    summary: str = "",
    isbns: Sequence[str] = (),
    call_numbers: Sequence[str] = (),
) -> SearchDocument:
    """The index entry for a record's fields (``isbns``: valid ISBN-13s, as Record.isbns)."""
    return SearchDocument(
        title=_terms(title, title_romanized),
        author=_terms(*authors, *romanized),
        subject=_terms(*subjects),
        series=_terms(*series),
        notes=_terms(publisher, summary),
        pinyin=" ".join(pinyin_terms(" ".join([title, *authors]))),
        isbn=" ".join(isbn_terms(isbns, normalised=True)),
        callno=" ".join(sorted({c.strip().lower() for c in call_numbers if c.strip()})),
        phrase=_phrase(
            [title, title_romanized, *authors, *romanized, *subjects, *series, publisher, summary],
            [title, *authors],
        ),
    )


def _phrase(texts: Sequence[str], romanise: Sequence[str]) -> str:
    """Every text's phrase form, and the pinyin of the title and names syllable by syllable
    (so the phrase "hong lou meng" finds 红楼梦)."""
    from wenjin.search.analysis import is_cjk, pinyin_syllables

    parts = [phrase_text(text) for text in texts if text]
    for text in romanise:
        pieces = runs(text) if text and is_cjk(text) else []
        syllables = [s for piece in pieces for s in pinyin_syllables(piece)]
        if syllables:
            parts.append(" ".join(syllables))
    return (
        PHRASE_SEPARATOR + PHRASE_SEPARATOR.join(part for part in parts if part) + PHRASE_SEPARATOR
    )
