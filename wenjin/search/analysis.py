"""Chinese-aware text analysis, in Python, so both search backends index the same terms.

- Folding: NFKC (full-width → half-width), lower case, traditional → simplified (OpenCC).
- Chinese runs: jieba words (precise mode, no HMM) and every character bigram, so a query
  for any contiguous run of two or more characters matches even where jieba cut the title
  differently (中国三大教及传说 still matches 三大教).
- Pinyin for titles and names: toneless syllables, their concatenation and the initials,
  with heteronyms resolved by pypinyin's phrase dictionary (重庆 → chong qing; 银行 → yin hang), so hongloumeng,
  hong lou meng and hlm all find 红楼梦.
- ISBNs: both the 13- and the 10-digit form, without hyphens.
- Sorting: titles sort by their pinyin (with tone numbers), Latin words among them.
- Suggestions: keys without spaces (the folded text, its pinyin, its initials) that what a
  reader has typed so far is a prefix of.
- Phrases: the folded text with Chinese characters run together, for adjacency checks.
"""

from __future__ import annotations

import itertools
import operator
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from wenjin.lib.isbn import isbn13

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Latin words are plain runs of letters and digits, so both backends' tokenizers see the
# same terms (SQLite FTS5's unicode61 and PostgreSQL's array_to_tsvector).
_TOKEN_RE = re.compile(rf"[{_CJK}]+|[0-9a-z]+")
_CJK_RE = re.compile(rf"[{_CJK}]")
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(60)
    with _lock:  # jieba loads its dictionary lazily and is not safe to initialise twice at once
        jieba.initialize()
    return jieba


def load_analysers() -> None:
    """Load OpenCC, jieba's dictionary and pypinyin's tables now rather than at the first
    Chinese text (a batch job does this before freezing its long-lived objects)."""
    _converter()
    _jieba()
    _toned("中文")


def is_cjk(text: str) -> bool:
    return bool(_CJK_RE.search(text))


def fold(text: str) -> str:
    """Full-width → half-width, lower case, traditional → simplified."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    if is_cjk(text):
        text = _converter().convert(text)
    return text


class Analysed(NamedTuple):
    """One text analysed once: its folded runs, from which the index terms, pinyin, phrase
    text, sort key and suggestion keys are all derived."""

    runs: tuple[str, ...]
    # The NFKC, lower-cased text held Chinese characters (and so was converted to simplified
    # characters). Without them every run is a Latin word or a number, and the derived
    # forms need no per-run work: most of a Western catalogue takes that path.
    chinese: bool


# Indexing reads each title and name several times (sort key, terms, pinyin, phrase,
# suggestion keys), and an import analyses a whole chunk's sort keys before its index
# documents: the cache holds a chunk's texts, so each is folded and cut only once.
@lru_cache(maxsize=16384)
def analyse(text: str) -> Analysed:
    """Fold ``text`` (as ``fold``) and cut it into runs of Chinese characters and Latin or
    digit words."""
    text = text or ""
    if text.isascii():  # NFKC leaves ASCII as it is, and it holds no Chinese
        return Analysed(tuple(_TOKEN_RE.findall(text.lower())), False)
    text = unicodedata.normalize("NFKC", text).lower()
    chinese = is_cjk(text)
    if chinese:
        text = _converter().convert(text)
    return Analysed(tuple(_TOKEN_RE.findall(text)), chinese)


def _is_chinese_run(run: str) -> bool:
    # A run is all Chinese characters or all [0-9a-z], and every Chinese character sorts
    # after "z": its first character tells which.
    return run[0] > "z"


def runs(text: str) -> list[str]:
    """Folded text cut into runs of Chinese characters and Latin/digit words."""
    return list(analyse(text).runs)


def bigrams(run: str) -> list[str]:
    if len(run) < 2:
        return [run]
    return [run[index : index + 2] for index in range(len(run) - 1)]


def words(run: str) -> list[str]:
    """jieba's precise segmentation of a Chinese run (words of two or more characters)."""
    return list(_words(run))


# Names, subjects and series repeat across a catalogue: caching their analysis per run
# of characters roughly doubles the speed of a batch import of Chinese records.
@lru_cache(maxsize=65536)
def _words(run: str) -> tuple[str, ...]:
    return tuple(word for word in _jieba().lcut(run, HMM=False) if len(word) > 1)


@lru_cache(maxsize=65536)
def _chinese_terms(run: str) -> tuple[str, ...]:
    """A Chinese run's index terms: its bigrams, jieba's words and each character (so that
    a one-character query is exact)."""
    return (*(bigrams(run) if len(run) > 1 else ()), *_words(run), *run)


def terms_of(analysed: Analysed) -> list[str] | tuple[str, ...]:
    """``index_terms`` of an analysed text."""
    if not analysed.chinese:
        return analysed.runs
    terms: list[str] = []
    for run in analysed.runs:
        if _is_chinese_run(run):
            terms.extend(_chinese_terms(run))
        else:
            terms.append(run)
    return terms


def index_terms(text: str) -> list[str]:
    """Terms to index for ``text``: Chinese characters, bigrams and words; Latin words and
    numbers."""
    return list(terms_of(analyse(text)))


def query_terms(text: str) -> list[str]:
    """Terms a query must match: Chinese runs as bigrams (a single character as itself),
    Latin words and numbers as they are."""
    terms: list[str] = []
    for run in analyse(text).runs:
        terms.extend(bigrams(run) if _is_chinese_run(run) else [run])
    return terms


@lru_cache(maxsize=65536)
def _run_pinyin_terms(run: str) -> tuple[str, ...]:
    syllables = _syllables(run)
    if not syllables:
        return ()
    return (
        *syllables,
        # Adjacent pairs run together, so "cao xueqin" finds 曹雪芹 as "cao xue qin" does.
        *(a + b for a, b in itertools.pairwise(syllables)),
        "".join(syllables),
        "".join(s[0] for s in syllables),
    )


def pinyin_terms_of(analysed: Analysed) -> list[str]:
    """``pinyin_terms`` of an analysed text."""
    terms: list[str] = []
    if analysed.chinese:
        for run in analysed.runs:
            if _is_chinese_run(run):
                terms.extend(_run_pinyin_terms(run))
    return terms


def pinyin_terms(text: str) -> list[str]:
    """Pinyin terms for the Chinese in ``text``: each syllable, adjacent pairs, each run's
    syllables run together, and each run's initials (红楼梦 → hong, lou, meng, honglou,
    loumeng, hongloumeng, hlm)."""
    return pinyin_terms_of(analyse(text))


def isbn_terms(values: Iterable[str], *, normalised: bool = False) -> list[str]:
    """ISBN-13 and ISBN-10 forms of every valid ISBN in ``values`` (``normalised``: the
    values are already valid ISBN-13s, as a record's are, and are not checked again)."""
    terms: list[str] = []
    for value in values:
        isbn = value if normalised else isbn13(value)
        if not isbn:
            continue
        terms.append(isbn)
        if isbn.startswith("978"):
            terms.append(_isbn10(isbn))
    return [term.lower() for term in terms]


def _isbn10(isbn: str) -> str:
    """The ISBN-10 of a valid 978 ISBN-13: its nine middle digits and their mod-11 check
    character (python-stdnum does the same, validating again first; imports index
    hundreds of thousands of ISBNs that the mapping has just validated)."""
    core = isbn[3:12]
    check = (11 - sum(map(operator.mul, _ISBN10_WEIGHTS, map(int, core))) % 11) % 11
    return core + ("X" if check == 10 else str(check))


_ISBN10_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def syllables_of(analysed: Analysed) -> list[str]:
    """Toneless pinyin syllables of every run of an analysed text, Latin runs as they are
    (``pinyin_syllables`` of each run)."""
    if not analysed.chinese:
        return list(analysed.runs)
    syllables: list[str] = []
    for run in analysed.runs:
        if _is_chinese_run(run):
            syllables.extend(_syllables(run))
        else:
            syllables.append(run)
    return syllables


def pinyin_syllables(run: str) -> list[str]:
    """Toneless pinyin syllables of a run (Latin runs stay as they are)."""
    if not is_cjk(run):
        return [run]
    return _syllables(run)


@lru_cache(maxsize=65536)
def _toned(run: str) -> tuple[str, ...]:
    """Pinyin of a Chinese run with tone numbers (neutral tone 5), one call to pypinyin
    for every form derived from it."""
    from pypinyin import Style, lazy_pinyin

    return tuple(
        s for s in lazy_pinyin(run, style=Style.TONE3, neutral_tone_with_five=True) if s.isalnum()
    )


def _syllables(run: str) -> list[str]:
    return [s.rstrip("012345") for s in _toned(run)]


SORT_KEY_LENGTH = 255


def sort_key_of(analysed: Analysed, text: str) -> str:
    """``sort_key`` of ``text``, analysed."""
    if not analysed.chinese:
        parts: list[str] | tuple[str, ...] = analysed.runs
    else:
        parts = []
        for run in analysed.runs:
            if _is_chinese_run(run):
                parts.extend(_toned(run))
            else:
                parts.append(run)
    # Titles in other scripts (Cyrillic, kana, Hangul…) file by their folded text.
    return (" ".join(parts) or fold(text).strip())[:SORT_KEY_LENGTH]


def sort_key(text: str) -> str:
    """A key that orders titles the way Chinese catalogues do: by pinyin, syllable by
    syllable, with the tone as a tie-break (红楼梦 → "hong2 lou2 meng4"), Latin words and
    numbers in among them."""
    return sort_key_of(analyse(text), text)


SUGGESTION_KEY_LENGTH = 100


def suggestion_keys_of(analysed: Analysed) -> list[str]:
    """``suggestion_keys`` of an analysed text."""
    pieces = analysed.runs
    if not pieces:
        return []
    keys = ["".join(pieces)]
    if analysed.chinese and any(_is_chinese_run(piece) for piece in pieces):
        syllables = [_syllables(piece) if _is_chinese_run(piece) else [piece] for piece in pieces]
        keys.append("".join(s for group in syllables for s in group))
        keys.append(
            "".join(
                "".join(s[0] for s in group) if _is_chinese_run(piece) else group[0]
                for piece, group in zip(pieces, syllables, strict=True)
            )
        )
    unique: list[str] = []
    for key in keys:
        key = key[:SUGGESTION_KEY_LENGTH]
        if key and key not in unique:
            unique.append(key)
    return unique


def suggestion_keys(text: str) -> list[str]:
    """Keys under which ``text`` (a title or a name) is suggested: the folded text without
    spaces, its pinyin run together and its initials (红楼梦 → 红楼梦, hongloumeng, hlm;
    Latin words stay as they are in the pinyin forms)."""
    return suggestion_keys_of(analyse(text))


def suggestion_prefix(text: str) -> str:
    """What a reader has typed, as a prefix of suggestion keys."""
    return "".join(analyse(text).runs)[:SUGGESTION_KEY_LENGTH]


_CJK_GAP = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")


def phrase_of(analysed: Analysed) -> str:
    """``phrase_text`` of an analysed text."""
    joined = " ".join(analysed.runs)
    return _CJK_GAP.sub("", joined) if analysed.chinese else joined


def phrase_text(text: str) -> str:
    """Folded text for phrase (adjacency) checks: runs separated by one space, except that
    Chinese characters run together ("红楼 梦" and "红楼梦" are the same phrase)."""
    return phrase_of(analyse(text))
