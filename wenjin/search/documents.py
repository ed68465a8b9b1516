"""What a catalogue record contributes to the search index, field by field, as
space-separated analysed terms (the same for the SQLite and the PostgreSQL backend)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wenjin.search.analysis import (
    analyse,
    is_cjk,
    isbn_terms,
    phrase_of,
    pinyin_terms,
    syllables_of,
    terms_of,
)

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


def _terms(texts: Iterable[str]) -> str:
    terms: list[str] = []
    for text in texts:
        if text:
            terms.extend(terms_of(analyse(text)))
    return " ".join(terms)


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
    """The index entry for a record's fields (``isbns``: valid ISBN-13s, as Record.isbns).

    Each text is analysed once (``analyse`` caches it) and every field derives from that.
    """
    named = [title, *authors]
    return SearchDocument(
        title=_terms((title, title_romanized)),
        author=_terms((*authors, *romanized)),
        subject=_terms(subjects),
        series=_terms(series),
        notes=_terms((publisher, summary)),
        pinyin=" ".join(_pinyin(named)),
        isbn=" ".join(isbn_terms(isbns, normalised=True)),
        callno=" ".join(sorted({c.strip().lower() for c in call_numbers if c.strip()})),
        phrase=_phrase(
            [title, title_romanized, *authors, *romanized, *subjects, *series, publisher, summary],
            named,
        ),
    )


def _pinyin(named: Sequence[str]) -> list[str]:
    """Pinyin terms of the title and names, read as one text. Folding works character by
    character across the spaces that join them, so when no text holds Chinese characters
    the joined one holds none either and has no pinyin: a Western record skips the work."""
    if not any(analyse(text).chinese for text in named):
        return []
    return pinyin_terms(" ".join(named))


def _phrase(texts: Sequence[str], romanise: Sequence[str]) -> str:
    """Every text's phrase form, and the pinyin of the title and names syllable by syllable
    (so the phrase "hong lou meng" finds 红楼梦)."""
    parts = [phrase_of(analyse(text)) for text in texts if text]
    for text in romanise:
        if text and is_cjk(text):
            syllables = syllables_of(analyse(text))
            if syllables:
                parts.append(" ".join(syllables))
    return (
        PHRASE_SEPARATOR + PHRASE_SEPARATOR.join(part for part in parts if part) + PHRASE_SEPARATOR
    )
