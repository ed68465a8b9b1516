"""Reading what readers and staff type into the search box.

``title:红楼梦 author:曹雪芹 "hong lou" isbn:7-02-000220-X callno:I242 梦``: field prefixes
(title, author, subject, series, isbn, callno), quoted phrases, and free words. Anything
else — operators, brackets, stray quotes, control characters — is just text: queries are
turned into analysed terms, never passed to a backend's query language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wenjin.search.analysis import is_cjk, isbn_terms, phrase_text, query_terms

MAX_QUERY_CHARS = 500
MAX_TERMS = 32
FIELD_ALIASES = {
    "title": "title",
    "ti": "title",
    "题名": "title",
    "author": "author",
    "au": "author",
    "作者": "author",
    "subject": "subject",
    "su": "subject",
    "主题": "subject",
    "series": "series",
    "isbn": "isbn",
    "callno": "callno",
    "索书号": "callno",
}
_PART = re.compile(r'(?:(\w+)[:：])?(?:"([^"]*)"|“([^”]*)”|(\S+))')
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Clause:
    """Terms that must all match, in one field (None: any field; several fields may be
    named space-separated, as suggestions do with "title pinyin")."""

    field: str | None
    terms: tuple[str, ...]
    # A quoted phrase's folded text, which must occur as it stands (words adjacent, in
    # order); space-padded where it begins or ends with a Latin word, so words stay whole.
    phrase: str | None = None


@dataclass
class ParsedQuery:
    clauses: list[Clause] = field(default_factory=list)
    callno_prefixes: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.clauses and not self.callno_prefixes


def parse(text: str) -> ParsedQuery:
    text = _CONTROL.sub(" ", (text or "")[:MAX_QUERY_CHARS])
    query = ParsedQuery()
    budget = MAX_TERMS
    for match in _PART.finditer(text):
        prefix, quoted, curly, bare = match.groups()
        value = quoted if quoted is not None else curly if curly is not None else bare or ""
        name = FIELD_ALIASES.get((prefix or "").lower())
        if prefix and name is None:
            value = f"{prefix} {value}"  # "NEAR:(" and the like are plain text
        if name == "callno":
            cleaned = value.strip().lower()
            if cleaned:
                query.callno_prefixes.append(cleaned[:64])
            continue
        if name == "isbn":
            terms = isbn_terms([value]) or query_terms(value)
        else:
            terms = isbn_terms([value]) if re.fullmatch(r"[0-9xX\- ]{10,17}", value.strip()) else []
            terms = terms[:1] or query_terms(value)
        terms = terms[:budget]
        budget -= len(terms)
        phrase = None
        if (quoted is not None or curly is not None) and len(terms) > 1 and name != "isbn":
            phrase = _needle(value)
        if terms:
            query.clauses.append(Clause(name, tuple(terms), phrase))
        if budget <= 0:
            break
    return query


def _needle(value: str) -> str | None:
    text = phrase_text(value)
    if not text:
        return None
    start = "" if is_cjk(text[0]) else " "
    end = "" if is_cjk(text[-1]) else " "
    return f"{start}{text}{end}"


ADVANCED_FIELDS = ("title", "author", "subject", "series", "isbn", "callno")
_QUOTES = str.maketrans({'"': " ", "“": " ", "”": " "})


def compose(free_text: str, fields: dict[str, str]) -> str:
    """One search-box query from an advanced form: the free text, then each field's words
    with its prefix (``title:红楼 title:梦``); ISBNs and call numbers as one value."""
    parts = [(free_text or "").strip()]
    for name in ADVANCED_FIELDS:
        value = (fields.get(name) or "").translate(_QUOTES).strip()
        if not value:
            continue
        if name in ("isbn", "callno"):
            parts.append(f"{name}:{''.join(value.split())}")
        else:
            parts.extend(f"{name}:{word}" for word in value.split())
    return " ".join(part for part in parts if part)
