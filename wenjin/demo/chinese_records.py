"""Synthetic Chinese bibliographic records in CNMARC, for demo data and benchmarks.

``generate_cnmarc(rng, count)`` builds pymarc records from ``rng`` alone: the same generator
state gives byte-identical records. Titles, names, subjects and summaries are put together
from the word tables in ``chinese_vocabulary``, so the records read like a Chinese public
library's catalogue without describing real books. About 20% are children's books (100 $a/17
"a"), about 8% are English-language books, about 3% carry an ISBN with a wrong check digit
and about 5% have no 010 at all. The 690 class numbers cover all 22 top classes of the Chinese
Library Classification (中国图书馆分类法, 5th edition).

The data are UTF-8 but leader/09 stays blank, as in CNMARC files from Chinese vendors (the
importer is told the encoding). The records are built with ``to_unicode=False`` so that
``as_marc()`` keeps leader/09 blank instead of setting it to "a"; read the bytes back with
``pymarc.Record(data=..., force_utf8=True)``.

Within one ``generate_cnmarc`` call the valid ISBNs do not repeat until a publisher's ISBN
range is used up (each publisher has 10,000 to 1,000,000 numbers).
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate
from math import gcd
from typing import TypeVar

import pymarc
from pymarc import Field, Indicators, Subfield

from wenjin.demo import chinese_vocabulary as vocab

__all__ = ["CLC_CALL_NUMBER_CLASSES", "call_number_for", "generate_cnmarc"]

T = TypeVar("T")

# Leader: record type a (language material), level m (monograph), hierarchical level 0,
# leader/09 blank, lengths 2/2, full level, "450 " entry map (UNIMARC).
LEADER = "     nam0 22        450 "
# UNIMARC 100 $a/20-35: not a government publication, not modified, catalogued in Chinese,
# no transliteration, character set 50 (ISO 10646), script of title ea (Han) / ba (Latin).
_GENERAL_TAIL_CJK = "y0chiy50      ea"
_GENERAL_TAIL_LATIN = "y0chiy50      ba"
_LAST_YEAR = 2026

_BLANK = Indicators(" ", " ")
_IND_0 = Indicators("0", " ")
_IND_1 = Indicators("1", " ")
_IND_2 = Indicators("2", " ")
_NAME_DIRECT = Indicators(" ", "0")  # 70X: name in direct order (Chinese, Japanese)
_NAME_SURNAME = Indicators(" ", "1")  # 70X: name entered under surname
_CORPORATE = Indicators("0", "2")


_data_field = Field


def _lines(text: str) -> list[list[str]]:
    return [line.split("|") for line in text.strip().splitlines() if line.strip()]


def _cumulative(weights: Sequence[float]) -> tuple[list[float], float]:
    cumulative = list(accumulate(weights))
    return cumulative, cumulative[-1]


# --- Publishers ---------------------------------------------------------------------------
# Built from the tables in chinese_vocabulary.


class _Publisher:
    __slots__ = ("capacity", "key", "name", "place", "prefixes", "region", "salt", "step", "tags")

    def __init__(self, name: str, place: str, region: str, prefixes: str, tags: str) -> None:
        self.name, self.place, self.region = name, place, region
        # The same publisher under its Chinese and English name shares one ISBN sequence.
        self.key = prefixes
        self.tags = tags.split()
        # (registrant prefix, digits in its title numbers, how many numbers, weighted digit
        # sum of "9787" and the prefix for the check digit)
        self.prefixes = [
            (p, 8 - len(p), 10 ** (8 - len(p)), _weighted_sum("9787" + p)) for p in prefixes.split()
        ]
        self.capacity = sum(size for _, _, size, _ in self.prefixes)
        step = int(self.capacity * 0.6180339887) | 1
        while gcd(step, self.capacity) != 1:
            step += 2
        self.step = step
        self.salt = int(prefixes.replace(" ", "")) * 2654435761 % self.capacity

    def title_number(self, slot: int) -> tuple[str, str, int]:
        """(registrant prefix, title number, weighted digit sum of the first 12 digits) for
        the ``slot``-th number of this publisher's ranges."""
        for prefix, width, size, prefix_sum in self.prefixes:
            if slot < size:
                number = f"{slot:0{width}d}"
                return prefix, number, prefix_sum + _weighted_sum(number, 12 - width)
            slot -= size
        raise ValueError(f"slot beyond the publisher's ISBN ranges: {slot}")


def _weighted_sum(digits: str, start: int = 0) -> int:
    """Sum of ISBN-13 digits weighted 1, 3, 1, 3, … by position from ``start``."""
    return sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(digits, start))


_PUBLISHERS = [_Publisher(*row) for row in _lines(vocab.PUBLISHER_TABLE)]
_ENGLISH_PUBLISHERS = [
    _Publisher(name, place, vocab.ENGLISH_REGION[place], prefixes, "eng")
    for name, place, prefixes in _lines(vocab.ENGLISH_PUBLISHER_TABLE)
]


def _check_prefixes() -> None:
    owners: dict[str, str] = {}
    for publisher in _PUBLISHERS + _ENGLISH_PUBLISHERS:
        for prefix in publisher.key.split():
            if owners.setdefault(prefix, publisher.key) != publisher.key:
                raise ValueError(f"ISBN prefix 7-{prefix} belongs to two publishers")


_check_prefixes()


def _publishers_for(tags: str) -> tuple[_Publisher, ...]:
    wanted = set(tags.split())
    found = tuple(p for p in _PUBLISHERS if wanted.intersection(p.tags))
    if not found:
        raise ValueError(f"no publisher for tags {tags!r}")
    return found


# --- Topics -------------------------------------------------------------------------------
# Built from the tables in chinese_vocabulary.


class _Topic:
    __slots__ = (
        "clc",
        "geo",
        "heading",
        "kind",
        "publishers",
        "styles",
        "words",
        "y",
        "z",
    )

    def __init__(self, clc: str, kind: str, heading: str, *columns: str) -> None:
        y, z, styles, tags, words = columns
        self.clc, self.kind, self.heading, self.y, self.z = clc, kind, heading, y, z
        self.styles = styles or "p"
        self.publishers = _publishers_for(tags) if kind[0] != "e" else ()
        self.words = words.split() if "," not in words else words.split(",")
        self.geo = vocab.GEO_BY_PLACE.get(y, ())


def _by_kind(table: str) -> tuple[list[_Topic], list[float], float]:
    topics, weights = [], []
    for weight, clc, kind, heading, *rest in _lines(table):
        if kind.startswith("e"):
            topics.append(_Topic(clc, kind, heading, "", "", "a", "", rest[0]))
        else:
            topics.append(_Topic(clc, kind, heading, *rest))
        weights.append(float(weight))
    return (topics, *_cumulative(weights))


_ADULT = _by_kind(vocab.ADULT_TOPICS)
_CHILDREN = _by_kind(vocab.CHILDREN_TOPICS)
_ENGLISH = _by_kind(vocab.ENGLISH_TOPICS)
_NATIONALITY_GROUP = (vocab.NATIONALITIES, *_cumulative(vocab.NATIONALITY_WEIGHTS))

CLC_CALL_NUMBER_CLASSES: list[str] = sorted(
    {t.clc for group in (_ADULT, _CHILDREN, _ENGLISH) for t in group[0]}
    | {n[3] for n in vocab.NATIONALITIES}
    | {n[4] for n in vocab.NATIONALITIES}
    | {clc for _, clc in vocab.BIOGRAPHY_CLASSES}
)


class _Book:
    """What one record says, before it becomes MARC fields."""

    __slots__ = (
        "audience",
        "clc",
        "illustrated",
        "language",
        "literary",
        "names",
        "original_language",
        "other_title",
        "pages",
        "part",
        "publisher",
        "responsibility",
        "series",
        "size",
        "subjects",
        "summary",
        "title",
        "year",
    )

    def __init__(self) -> None:
        self.audience = "m"
        self.language = "chi"
        self.original_language = ""
        self.literary = "y"  # 105 $a/11: y not literature, a fiction, f stories, g poetry, c essays
        self.other_title = ""
        self.part = ""
        self.responsibility: list[str] = []  # 200 $f, then $g
        self.names: list[Field] = []
        self.subjects: list[Field] = []
        self.series: tuple[str, str] | None = None
        self.summary = ""
        self.illustrated = ""
        self.size = "21cm"


class _Generator:
    def __init__(self, rng: random.Random) -> None:
        self.random = rng.random
        self.salt = rng.getrandbits(32)
        self.issued: dict[str, int] = {}  # publisher key → ISBNs issued

    # --- small helpers ---------------------------------------------------------------

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.random() * len(seq))]

    def weighted(self, group: tuple[Sequence[T], list[float], float]) -> T:
        items, cumulative, total = group
        return items[bisect_right(cumulative, self.random() * total)]

    def chinese_name(self) -> str:
        r = self.random
        surname = (
            self.pick(vocab.COMPOUND_SURNAMES)
            if r() < 0.02
            else vocab.SURNAMES[int(r() * len(vocab.SURNAMES))]
        )
        if r() < 0.25:
            return surname + vocab.GIVEN_1[int(r() * len(vocab.GIVEN_1))]
        return surname + vocab.GIVEN_2[int(r() * len(vocab.GIVEN_2))]

    def foreign_name(self, language: str) -> tuple[str, list[Subfield]]:
        """A foreign person as written in a Chinese book ("约翰·史密斯") and 70X subfields."""
        if language == "jpn":
            name = self.pick(vocab.JAPANESE_SURNAMES) + self.pick(vocab.JAPANESE_GIVEN)
            return name, [Subfield("a", name)]
        given_zh, given = self.pick(vocab.WESTERN_GIVEN[language])
        surname_zh, surname = self.pick(vocab.WESTERN_SURNAMES[language])
        return f"{given_zh}·{surname_zh}", [
            Subfield("a", surname_zh),
            Subfield("c", f"({surname}, {given})"),
        ]

    def person(self, name: str, role: str, tag: str = "701") -> Field:
        return _data_field(tag, _NAME_DIRECT, [Subfield("a", name), Subfield("4", role)])

    def subject(self, heading: str, x: str = "", y: str = "", z: str = "") -> Field:
        subfields = [Subfield("a", heading)]
        if x:
            subfields.append(Subfield("x", x))
        if y:
            subfields.append(Subfield("y", y))
        if z:
            subfields.append(Subfield("z", z))
        return _data_field("606", _IND_0, subfields)

    def topic_subjects(self, book: _Book, topic: _Topic, style: str) -> None:
        r = self.random
        y = topic.y
        if y == "?":
            y = self.pick(vocab.Y_CHINA) if r() < 0.4 else ""
        elif y == "粤":
            y = self.pick(vocab.Y_GUANGDONG) if r() < 0.5 else ""
        z = topic.z
        if z == "?":
            z = self.pick(vocab.ERAS) if r() < 0.35 else ""
        subdivisions = vocab.SUBDIVISIONS[style]
        book.subjects.append(self.subject(topic.heading, self.pick(subdivisions), y, z))
        if r() < 0.35:
            word = self.pick(topic.words).strip("《》")
            if word != topic.heading:
                book.subjects.append(self.subject(word, self.pick(subdivisions)))

    def authors(self, book: _Book) -> None:
        """Chinese authors or editors: 200 $f and 701/700."""
        r = self.random
        u = r()
        if u < 0.62:
            name = self.chinese_name()
            book.responsibility.append(name + "著")
            book.names.append(self.person(name, "著", "700" if r() < 0.3 else "701"))
        elif u < 0.78:
            first, second = self.chinese_name(), self.chinese_name()
            book.responsibility.append(f"{first}, {second}著")
            book.names += [self.person(first, "著"), self.person(second, "著")]
        else:
            name = self.chinese_name()
            book.responsibility.append(name + "主编")
            book.names.append(self.person(name, "主编"))
            if r() < 0.3:
                deputy = self.chinese_name()
                book.responsibility.append(deputy + "副主编")
                book.names.append(self.person(deputy, "副主编", "702"))

    def translated(self, book: _Book, role: str = "著") -> tuple[str, str, str, str, str]:
        """A foreign author and a Chinese translator; returns the author's nationality."""
        nationality = self.weighted(_NATIONALITY_GROUP)
        short, language = nationality[0], nationality[1]
        written, subfields = self.foreign_name(language)
        translator = self.chinese_name()
        book.responsibility += [f"（{short}）{written}{role}", translator + "译"]
        indicators = _NAME_DIRECT if language == "jpn" else _NAME_SURNAME
        book.names += [
            _data_field(
                "701", indicators, [Subfield("c", f"（{short}）"), *subfields, Subfield("4", "著")]
            ),
            self.person(translator, "译", "702"),
        ]
        book.original_language = language
        return nationality

    # --- titles ------------------------------------------------------------------------

    def nonfiction_title(self, topic: _Topic, style: str) -> str:
        r = self.random
        word = self.pick(topic.words)
        forms = vocab.FORMS[style]
        u = r()
        if u < 0.45:
            return word + self.pick(forms)
        if u < 0.7:
            prefix = self.pick(vocab.PREFIXES[style])
            if prefix[-1] == "|":
                return prefix[:-1] + word
            return prefix + word + (self.pick(forms) if r() < 0.6 else "")
        if u < 0.78:
            other = self.pick(topic.words)
            if other != word:
                return f"{word}与{other}"
            return word + self.pick(forms)
        if u < 0.9 and topic.geo and word[0] != "《":
            return self.pick(topic.geo) + word + self.pick(forms)
        return f"{word}的{self.pick(vocab.NUMBERS)}个{self.pick(vocab.NUMBERED)}"

    def literary_title(self) -> str:
        u = self.random()
        if u < 0.3:
            return f"{self.pick(vocab.LIT_A)}的{self.pick(vocab.LIT_B)}"
        if u < 0.6:
            return self.pick(vocab.LIT_C) + self.pick(vocab.LIT_SUFFIX)
        if u < 0.75:
            return self.pick(vocab.LIT_PREFIX) + self.pick(vocab.LIT_C)
        if u < 0.85:
            return f"{self.pick(vocab.LIT_B)}与{self.pick(vocab.LIT_B)}"
        if u < 0.93:
            return f"{self.pick(vocab.GIVEN_2)}的{self.pick(vocab.LIT_B)}"
        return self.pick(vocab.LIT_A) + self.pick(vocab.LIT_C)

    def children_title(self) -> str:
        u = self.random()
        if u < 0.3:
            return (
                f"{self.pick(vocab.ANIMALS)}{self.pick(vocab.NICKNAMES)}的{self.pick(vocab.THINGS)}"
            )
        if u < 0.5:
            return self.pick(vocab.ANIMALS) + self.pick(vocab.NICKNAMES) + self.pick(vocab.ACTIONS)
        if u < 0.62:
            return self.pick(vocab.KID_ADJECTIVES) + self.pick(vocab.ANIMALS)
        if u < 0.77:
            return self.pick(vocab.KID_PLACES) + self.pick(vocab.KID_ADVENTURES)
        if u < 0.87:
            return f"{self.pick(vocab.ANIMALS)}和{self.pick(vocab.ANIMALS)}"
        return f"{self.pick(vocab.KIN)}的{self.pick(vocab.THINGS)}"

    def english_literary_title(self) -> str:
        u = self.random()
        if u < 0.4:
            return f"The {self.pick(vocab.EN_ADJECTIVES)} {self.pick(vocab.EN_NOUNS)}"
        if u < 0.6:
            return f"The {self.pick(vocab.EN_NOUNS)} of {self.pick(vocab.EN_PLACES)}"
        if u < 0.8:
            return f"A {self.pick(vocab.EN_NOUNS)} in {self.pick(vocab.EN_PLACES)}"
        return f"{self.pick(vocab.EN_ADJECTIVES)} {self.pick(vocab.EN_NOUNS)}s"

    # --- kinds of book -----------------------------------------------------------------

    def adult(self, book: _Book) -> None:
        r = self.random
        topic: _Topic = self.weighted(_ADULT)
        kind = topic.kind
        book.clc = topic.clc
        book.publisher = self.pick(topic.publishers)
        if kind == "nf":
            style = self.pick(topic.styles)
            book.audience = "k" if style == "a" else "m"
            book.title = self.nonfiction_title(topic, style)
            if r() < 0.28:
                lingnan = style == "a" and topic.y in ("广东", "粤") and r() < 0.5
                book.other_title = self.pick(
                    vocab.LINGNAN_SUBTITLES if lingnan else vocab.SUBTITLES[style]
                )
            if r() < 0.1:
                self.translated(book)
            else:
                self.authors(book)
            self.topic_subjects(book, topic, style)
            book.pages = 120 + int(r() * 380)
            book.illustrated = "图" if r() < (0.15 if style == "a" else 0.45) else ""
            book.size = self.pick(("23cm", "24cm", "24cm", "26cm", "21cm"))
            if r() < 0.5:
                book.summary = (
                    f"本书{self.pick(vocab.NF_VERBS)}{topic.words[0].strip('《》')}的"
                    f"{self.pick(vocab.NF_ASPECTS)}，{self.pick(vocab.NF_TAILS)}。"
                )
            self.maybe_series(book, topic.clc, style)
        elif kind in ("nov", "sto", "prose", "poem"):
            book.title = self.literary_title()
            book.audience = "m"
            name = self.chinese_name()
            book.responsibility.append(name + "著")
            book.names.append(self.person(name, "著", "700" if r() < 0.3 else "701"))
            if kind == "nov":
                book.literary = "a"
                book.pages = 220 + int(r() * 420)
                if r() < 0.35:
                    book.other_title = "长篇小说"
                book.subjects.append(self.subject(topic.heading, "", topic.y, topic.z))
            elif kind == "sto":
                book.literary = "f"
                book.pages = 180 + int(r() * 220)
                if r() < 0.5:
                    book.other_title = self.pick(("中短篇小说集", "短篇小说集", "中篇小说集"))
                book.subjects.append(self.subject("中篇小说", "小说集", topic.y, topic.z))
                book.subjects.append(self.subject("短篇小说", "小说集", topic.y, topic.z))
            elif kind == "prose":
                book.literary = "c"
                book.pages = 160 + int(r() * 200)
                if r() < 0.4:
                    book.title = self.pick(vocab.LIT_C) + self.pick(vocab.PROSE_SUFFIX)
                book.subjects.append(self.subject(topic.heading, "", topic.y, topic.z))
            else:
                book.literary = "g"
                book.pages = 90 + int(r() * 150)
                if r() < 0.5:
                    book.title = self.pick(vocab.LIT_C) + self.pick(vocab.POEM_SUFFIX)
                else:
                    book.other_title = "诗集"
                book.subjects.append(self.subject(topic.heading, "", topic.y, topic.z))
            if r() < 0.45:
                book.summary = self.novel_summary(kind)
            book.size = self.pick(("21cm", "21cm", "23cm", "19cm"))
            self.maybe_series(book, topic.clc, "a")
        elif kind == "fnov":
            book.title = self.literary_title()
            book.literary = "a"
            nationality = self.translated(book)
            country, book.clc = nationality[2], nationality[3]
            book.pages = 220 + int(r() * 400)
            if r() < 0.3:
                book.other_title = "长篇小说"
            book.subjects.append(self.subject("长篇小说", "", country, topic.z))
            if r() < 0.45:
                book.summary = self.novel_summary("nov")
            book.size = self.pick(("21cm", "21cm", "23cm"))
            self.maybe_series(book, book.clc, "a")
        elif kind == "bio":
            occupation, book.clc = self.pick(vocab.BIOGRAPHY_CLASSES)
            person = self.chinese_name()
            u = r()
            if u < 0.35:
                book.title = person + "传"
            elif u < 0.55:
                book.title = person + self.pick(("评传", "画传", "年谱", "自述"))
            elif u < 0.8:
                book.title = (
                    f"{person}的{self.pick(('一生', '艺术人生', '百年人生', '故事', '道路'))}"
                )
            else:
                book.title = f"我的{self.pick(('父亲', '母亲', '祖父', '外婆'))}{person}"
            if r() < 0.4:
                book.other_title = f"一位{occupation}的{self.pick(('人生', '足迹', '心路历程'))}"
            self.authors(book)
            book.subjects.append(
                _data_field("600", _NAME_DIRECT, [Subfield("a", person), Subfield("x", "传记")])
            )
            book.subjects.append(self.subject(occupation, "传记", "中国", topic.z))
            book.pages = 200 + int(r() * 300)
            book.illustrated = "图" if r() < 0.5 else ""
            book.size = "23cm"
            if r() < 0.5:
                book.summary = (
                    f"本书记述了{occupation}{person}的生平事迹，{self.pick(vocab.NF_TAILS)}。"
                )
        else:  # yearbook
            place = self.pick(vocab.YEARBOOK_PLACES)
            book.title = place + "年鉴"
            book.part = str(book.year)
            body = f"{place}年鉴编纂委员会"
            book.responsibility.append(body + "编")
            book.names.append(
                _data_field("710", _CORPORATE, [Subfield("a", body), Subfield("4", "编")])
            )
            book.subjects.append(self.subject("年鉴", "", place))
            book.pages = 400 + int(r() * 300)
            book.illustrated = "图"
            book.size = "29cm"

    def children(self, book: _Book) -> None:
        r = self.random
        topic: _Topic = self.weighted(_CHILDREN)
        kind = topic.kind
        book.audience = "a"
        book.clc = topic.clc
        book.publisher = self.pick(topic.publishers)
        if kind == "knf":
            form = self.pick(vocab.KID_NF_FORMS)
            book.title = form.replace("{}", self.pick(topic.words))
            if r() < 0.5:
                self.authors(book)
            else:
                self.translated(book, "著")
            book.subjects.append(self.subject(topic.heading, "儿童读物"))
            book.pages = 32 + 4 * int(r() * 30)
            book.illustrated = "彩图"
            book.size = self.pick(("24cm", "26cm", "29cm"))
            if r() < 0.5:
                how = self.pick(("生动的图画", "问答的形式", "有趣的故事", "精美的插图"))
                book.summary = (
                    f"本书以{how}向孩子们介绍了{topic.words[0]}的知识，"
                    f"{self.pick(vocab.KID_TAILS)}。"
                )
            self.maybe_series(book, topic.clc, "k")
            return
        book.title = self.children_title() if kind != "knov" or r() < 0.4 else self.literary_title()
        if kind in ("pic", "fpic"):
            book.pages = self.pick((24, 28, 32, 32, 36, 40, 48))
            book.illustrated = "彩图"
            book.size = self.pick(("25cm", "26cm", "22×26cm", "21cm"))
            if kind == "fpic":
                nationality = self.translated(book, "文·图")
                country, book.clc = nationality[2], nationality[4]
                book.subjects.append(self.subject("图画故事", "", country, "现代"))
            else:
                author, artist = self.chinese_name(), self.chinese_name()
                book.responsibility += [author + "文", artist + "图"]
                book.names += [self.person(author, "著"), self.person(artist, "绘", "702")]
                book.subjects.append(self.subject(topic.heading, "", topic.y, topic.z))
        else:
            name = self.chinese_name()
            book.responsibility.append(name + "著")
            book.names.append(self.person(name, "著"))
            if r() < 0.4:
                artist = self.chinese_name()
                book.responsibility.append(artist + "绘")
                book.names.append(self.person(artist, "绘", "702"))
                book.illustrated = "图"
            book.literary = "g" if kind == "kpoem" else "a" if kind == "knov" else "f"
            book.pages = 60 + int(r() * 200)
            book.size = self.pick(("21cm", "23cm", "24cm"))
            book.subjects.append(self.subject(topic.heading, "", topic.y, topic.z))
            if kind == "knov" and r() < 0.4:
                book.other_title = "长篇儿童小说"
        if r() < 0.55:
            book.summary = (
                f"这是一个关于{self.pick(vocab.KID_THEMES)}的温暖故事，"
                f"{self.pick(vocab.KID_TAILS)}。"
            )
        self.maybe_series(book, book.clc, "k")

    def english(self, book: _Book) -> None:
        r = self.random
        topic: _Topic = self.weighted(_ENGLISH)
        book.language = "eng"
        book.clc = topic.clc
        book.publisher = self.pick(_ENGLISH_PUBLISHERS)
        given = self.pick(vocab.WESTERN_GIVEN["eng"])[1]
        surname = self.pick(vocab.WESTERN_SURNAMES["eng"])[1]
        role = "著"
        if topic.kind == "enf":
            book.audience = "k" if r() < 0.6 else "m"
            subject = self.pick(topic.words)
            book.title = self.pick(vocab.EN_NF_FORMS).format(subject)
            if r() < 0.3:
                book.other_title = self.pick(vocab.EN_SUBTITLES)
            if r() < 0.25:
                role = "编"
                book.responsibility.append(f"edited by {given} {surname}")
            else:
                book.responsibility.append(f"{given} {surname}")
            book.subjects.append(self.subject(topic.heading, self.pick(("研究", "教材", "英文"))))
            book.pages = 180 + int(r() * 420)
            book.illustrated = "ill." if r() < 0.4 else ""
            if r() < 0.5:
                book.summary = (
                    f"This book {self.pick(vocab.EN_VERBS)} {subject.lower()}, "
                    f"{self.pick(vocab.EN_TAILS)}."
                )
        else:
            book.title = self.english_literary_title()
            book.literary = "a"
            book.responsibility.append(f"{given} {surname}")
            book.pages = 90 + int(r() * 300) if topic.kind == "eread" else 220 + int(r() * 300)
            if topic.kind == "eread":
                book.series = ("Graded English Readers", self.pick(vocab.EN_LEVELS))
                book.subjects.append(self.subject("英语", "语言读物"))
            else:
                country = "英国" if topic.clc.startswith("I5") else "美国"
                book.subjects.append(self.subject("长篇小说", "", country, "现代"))
                book.subjects.append(self.subject("英语", "语言读物"))
        book.names.append(
            _data_field(
                "701",
                _NAME_SURNAME,
                [Subfield("a", surname), Subfield("b", given), Subfield("4", role)],
            )
        )
        book.size = self.pick(("21 cm", "23 cm", "24 cm"))

    def maybe_series(self, book: _Book, clc: str, style: str) -> None:
        if self.random() >= 0.15:
            return
        series = next(
            (name for prefix, name in vocab.SERIES_BY_CLASS if clc.startswith(prefix)), ""
        )
        if not series or self.random() < 0.4:
            series = self.pick(vocab.SERIES_GENERIC.get(style, vocab.SERIES_GENERIC["p"]))
        book.series = (series, "" if self.random() < 0.6 else f"第{1 + int(self.random() * 12)}辑")

    def novel_summary(self, kind: str) -> str:
        if kind == "nov":
            return (
                f"小说讲述了{self.pick(vocab.NOVEL_PEOPLE)}在{self.pick(vocab.NOVEL_PLACES)}的"
                f"{self.pick(vocab.NOVEL_EVENTS)}，{self.pick(vocab.NOVEL_THEMES)}。"
            )
        if kind == "sto":
            count = 6 + int(self.random() * 12)
            return f"本书收录作者中短篇小说{count}篇，{self.pick(vocab.NOVEL_THEMES)}。"
        if kind == "prose":
            count = 30 + int(self.random() * 60)
            return f"本书收录作者散文{count}篇，记录了{self.pick(vocab.NOVEL_PLACES)}的人和事。"
        count = 60 + int(self.random() * 120)
        return f"本书收录作者近年创作的诗歌{count}首。"

    # --- numbers -------------------------------------------------------------------------

    def isbn(self, publisher: _Publisher) -> tuple[str, bool]:
        """The next ISBN-13 from the publisher's ranges and whether it is valid; about 3%
        have a wrong check digit."""
        issued = self.issued.get(publisher.key, 0)
        self.issued[publisher.key] = issued + 1
        slot = (issued * publisher.step + self.salt * publisher.salt) % publisher.capacity
        prefix, number, total = publisher.title_number(slot)
        check = (10 - total % 10) % 10
        valid = self.random() >= 0.03
        if not valid:
            check = (check + 1 + int(self.random() * 9)) % 10
        if self.random() < 0.5:
            return f"9787{prefix}{number}{check}", valid
        return f"978-7-{prefix}-{number}-{check}", valid

    def price(self, year: int, pages: int, hardback: bool) -> str:
        r = self.random
        per_page = 0.012 if year < 1995 else 0.04 if year < 2005 else 0.07 if year < 2015 else 0.15
        value = max(2.0, pages * per_page * (0.8 + 0.5 * r()) * (1.8 if hardback else 1.0))
        if value >= 20:
            value = int(value) + self.pick((0.0, 0.0, 0.8, 0.9, 0.5))
        else:
            value = round(value * 20) / 20
        return f"CNY{value:.2f}"

    # --- the record ----------------------------------------------------------------------

    def record(self, number: int) -> pymarc.Record:
        r = self.random
        year = _LAST_YEAR - int(47 * r() ** 1.6)  # 1980–2026, most of them recent
        book = _Book()
        book.year = year
        u = r()
        if u < 0.08:
            self.english(book)
        elif u < 0.28:
            self.children(book)
        else:
            self.adult(book)
        publisher: _Publisher = book.publisher
        entry_year = min(_LAST_YEAR, year + (1 if r() < 0.3 else 0))
        month = 1 + int(r() * (10 if entry_year == _LAST_YEAR else 12))
        entered = f"{entry_year}{month:02d}{1 + int(r() * 28):02d}"
        english = book.language == "eng"
        seconds = int(r() * 86400)

        fields = [
            Field("001", data=f"WJDEMO{number:08d}"),
            Field(
                "005",
                data=f"{entered}{seconds // 3600:02d}{seconds // 60 % 60:02d}{seconds % 60:02d}.0",
            ),
        ]
        if r() >= 0.05:
            isbn, _ = self.isbn(publisher)
            hardback = r() < 0.08 and not english
            subfields = [Subfield("a", isbn)]
            if hardback:
                subfields.append(Subfield("b", "精装"))
            subfields.append(Subfield("d", self.price(year, book.pages, hardback)))
            fields.append(_data_field("010", _BLANK, subfields))
        tail = _GENERAL_TAIL_LATIN if english else _GENERAL_TAIL_CJK
        fields.append(
            _data_field(
                "100", _BLANK, [Subfield("a", f"{entered}d{year}    {book.audience}  {tail}")]
            )
        )
        if book.original_language:
            fields.append(
                _data_field(
                    "101", _IND_1, [Subfield("a", "chi"), Subfield("c", book.original_language)]
                )
            )
        else:
            fields.append(_data_field("101", _IND_0, [Subfield("a", book.language)]))
        fields.append(
            _data_field("102", _BLANK, [Subfield("a", "CN"), Subfield("b", publisher.region)])
        )
        illustrations = "a" if book.illustrated else "y"
        fields.append(
            _data_field(
                "105", _BLANK, [Subfield("a", f"{illustrations}   z   000{book.literary}y")]
            )
        )
        fields.append(_data_field("106", _BLANK, [Subfield("a", "r")]))

        title = [Subfield("a", book.title)]
        if book.part:
            title.append(Subfield("h", book.part))
        if book.other_title:
            title.append(Subfield("e", book.other_title))
        if book.responsibility:
            title.append(Subfield("f", book.responsibility[0]))
            for statement in book.responsibility[1:]:
                title.append(Subfield("g", statement))
        fields.append(_data_field("200", _IND_1, title))

        if r() < 0.15 and not book.part:
            if english:
                edition = self.pick(("2nd ed.", "2nd ed.", "3rd ed.", "Rev. ed."))
            else:
                edition = self.pick(("第2版", "第2版", "第2版", "第3版", "修订版", "增订本"))
            fields.append(_data_field("205", _BLANK, [Subfield("a", edition)]))

        fields.append(
            _data_field(
                "210",
                _BLANK,
                [
                    Subfield("a", publisher.place),
                    Subfield("c", publisher.name),
                    Subfield("d", str(year)),
                ],
            )
        )
        if english:
            extent = f"{self.pick(('viii', 'x', 'xii', 'xvi'))}, {book.pages} p."
        elif r() < 0.2 and book.pages > 100:
            extent = f"{4 + 2 * int(r() * 8)}, {book.pages}页"
        else:
            extent = f"{book.pages}页"
        physical = [Subfield("a", extent)]
        if book.illustrated:
            physical.append(Subfield("c", book.illustrated))
        physical.append(Subfield("d", book.size))
        fields.append(_data_field("215", _BLANK, physical))
        if book.series:
            series = [Subfield("a", book.series[0])]
            if book.series[1]:
                series.append(Subfield("v", book.series[1]))
            fields.append(_data_field("225", _IND_2, series))
        if book.summary:
            fields.append(_data_field("330", _BLANK, [Subfield("a", book.summary)]))
        fields += book.subjects
        fields.append(_data_field("690", _BLANK, [Subfield("a", book.clc), Subfield("v", "5")]))
        fields += book.names
        fields.append(
            _data_field(
                "801",
                _IND_0,
                [Subfield("a", "CN"), Subfield("b", "440000"), Subfield("c", entered)],
            )
        )
        record = pymarc.Record(to_unicode=False, force_utf8=True, fields=fields)
        record.leader = pymarc.Leader(LEADER)
        return record


def generate_cnmarc(
    rng: random.Random, count: int, *, start_number: int = 1
) -> Iterator[pymarc.Record]:
    """Yield `count` synthetic CNMARC records; same rng state → same records.

    Control numbers are ``WJDEMO`` and eight digits, from ``start_number``. Draws only from
    ``rng``, so the records do not depend on the date or on hash randomisation.
    """
    generator = _Generator(rng)
    for i in range(count):
        yield generator.record(start_number + i)


def call_number_for(record: pymarc.Record, serial: int) -> str:
    """The 索书号 for a copy of `record`: "<690$a>/<serial>" e.g. "I247.5/1234" (种次号)."""
    for field in record.get_fields("690"):
        clc = (field.get("a") or "").strip()
        if clc:
            return f"{clc}/{serial}"
    raise ValueError("record has no 690 $a class number")
