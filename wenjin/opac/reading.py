"""A reader's year of reading, worked out from the loans they chose to keep (pure: no ORM).

The input is a list of ``Borrowing`` facts, one per loan, with the checkout time already
in local time (Asia/Shanghai): a loan belongs to the year, month, hour and week in which
it was checked out *there*, not in UTC. Every count is of loans ("books borrowed"): a
title borrowed twice counts twice, and ``titles`` says how many different ones.

Ties never depend on the order of the input: counted things (classes, authors,
libraries, titles) with the same count are listed by name in code-point order; of two
equally busy hours or months the earlier wins; of two equally long streaks the earlier.

``share_snapshot`` turns a summary into the JSON a reader may share, and
``SharedYear.from_snapshot`` reads it back; the snapshot carries no personal identifier.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils.translation import get_language

from wenjin.lib.clc import CLC_TOP_CLASSES

# Version of the shared snapshot's shape, so a later change can still read old shares.
SNAPSHOT_VERSION = 1
# How many classes and authors a shared snapshot keeps.
SHARE_TOP = 5


@dataclass(frozen=True)
class Borrowing:
    """One loan as the report needs it; ``when`` is the checkout time in local time."""

    when: datetime
    title: str
    authors: tuple[str, ...] = ()
    clc_top: str = ""
    branch: str = ""
    record_id: int = 0


@dataclass(frozen=True)
class Tally:
    """Something counted: an author or a library, and how many loans it had."""

    label: str
    count: int


def class_name(letter: str) -> str:
    """The CLC top class's name in the active language ("" for an unknown letter)."""
    names = CLC_TOP_CLASSES.get(letter)
    if names is None:
        return ""
    return names[1] if (get_language() or "").startswith("en") else names[0]


@dataclass(frozen=True)
class ClassTally:
    """A CLC top class (one letter, A–Z) and how many loans were in it."""

    letter: str
    count: int

    @property
    def name(self) -> str:
        return class_name(self.letter)


@dataclass(frozen=True)
class TitleTally:
    """A title borrowed more than once in the year."""

    title: str
    record_id: int
    count: int


@dataclass(frozen=True)
class Streak:
    """A run of consecutive calendar weeks (Monday to Sunday) each with at least one loan.

    Weeks, not days: a reader borrows a pile of books and reads them for weeks, so a
    day-by-day streak would measure library visits, not reading habits. ``first_monday``
    and ``last_monday`` name the first and last week of the run.
    """

    weeks: int
    first_monday: date
    last_monday: date

    @property
    def last_sunday(self) -> date:
        return self.last_monday + timedelta(days=6)


@dataclass(frozen=True)
class YearSummary:
    """One reader's year in numbers; ``total`` 0 means nothing was borrowed that year.

    ``months`` has 12 counts (January first), ``hours`` 24 (00:00–00:59 first) and
    ``weekdays`` 7 (Monday first). ``busiest_month`` is 1–12, ``busiest_hour`` 0–23 and
    ``busiest_weekday`` 0–6 (Monday is 0), each None without loans. ``favourite`` is the
    title borrowed most often, only when some title was borrowed at least twice.
    """

    year: int
    total: int
    titles: int
    reading_days: int
    months: tuple[int, ...]
    hours: tuple[int, ...]
    weekdays: tuple[int, ...]
    classes: tuple[ClassTally, ...]
    unclassified: int
    authors: tuple[Tally, ...]
    branches: tuple[Tally, ...]
    busiest_month: int | None
    busiest_hour: int | None
    busiest_weekday: int | None
    streak: Streak | None
    first: Borrowing | None
    last: Borrowing | None
    favourite: TitleTally | None

    @property
    def top_class(self) -> ClassTally | None:
        return self.classes[0] if self.classes else None


def years_with_loans(borrowings: Iterable[Borrowing]) -> list[int]:
    """The years in which anything was borrowed, newest first."""
    return sorted({borrowing.when.year for borrowing in borrowings}, reverse=True)


def _by_count(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


def _busiest(counts: Sequence[int]) -> int | None:
    """The index of the largest count (the earliest of equals); None when all are 0."""
    best = max(counts, default=0)
    return counts.index(best) if best > 0 else None


def week_monday(day: date) -> date:
    """The Monday that starts ``day``'s calendar week."""
    return day - timedelta(days=day.weekday())


def longest_streak(days: Iterable[date]) -> Streak | None:
    """The longest run of consecutive weeks with a loan on at least one of ``days``
    (the earliest of equally long runs); None without any day."""
    best: Streak | None = None
    start: date | None = None
    previous: date | None = None
    length = 0
    for monday in sorted({week_monday(day) for day in days}):
        if previous is not None and start is not None and monday - previous == timedelta(days=7):
            length += 1
        else:
            start, length = monday, 1
        if best is None or length > best.weeks:
            best = Streak(weeks=length, first_monday=start, last_monday=monday)
        previous = monday
    return best


def _order(borrowing: Borrowing) -> tuple[datetime, int, str]:
    return (borrowing.when, borrowing.record_id, borrowing.title)


def year_summary(borrowings: Iterable[Borrowing], year: int) -> YearSummary:
    """The summary of ``year``: only loans checked out in that (local) year count.

    A streak running over New Year is split between the two years' reports: each counts
    only its own loans, so the week of 1 January counts for a year when a book was
    borrowed in it on a day of that year.
    """
    loans = sorted((b for b in borrowings if b.when.year == year), key=_order)
    months = [0] * 12
    hours = [0] * 24
    weekdays = [0] * 7
    classes: Counter[str] = Counter()
    authors: Counter[str] = Counter()
    branches: Counter[str] = Counter()
    titles: Counter[int | str] = Counter()
    title_of: dict[int | str, str] = {}
    for loan in loans:
        months[loan.when.month - 1] += 1
        hours[loan.when.hour] += 1
        weekdays[loan.when.weekday()] += 1
        letter = (loan.clc_top or "").strip().upper()[:1]
        classes[letter if letter in CLC_TOP_CLASSES else ""] += 1
        # An author named twice on one record (author and translator, say) counts once.
        for name in dict.fromkeys(a.strip() for a in loan.authors if a and a.strip()):
            authors[name] += 1
        if loan.branch:
            branches[loan.branch] += 1
        # Without a record (0) the title itself tells copies of one book apart.
        key: int | str = loan.record_id or loan.title
        titles[key] += 1
        title_of.setdefault(key, loan.title)
    unclassified = classes.pop("", 0)
    favourite = None
    if titles:
        key, count = min(titles.items(), key=lambda pair: (-pair[1], title_of[pair[0]]))
        if count >= 2:
            favourite = TitleTally(
                title=title_of[key], record_id=key if isinstance(key, int) else 0, count=count
            )
    return YearSummary(
        year=year,
        total=len(loans),
        titles=len(titles),
        reading_days=len({loan.when.date() for loan in loans}),
        months=tuple(months),
        hours=tuple(hours),
        weekdays=tuple(weekdays),
        classes=tuple(ClassTally(letter, count) for letter, count in _by_count(classes)),
        unclassified=unclassified,
        authors=tuple(Tally(name, count) for name, count in _by_count(authors)),
        branches=tuple(Tally(name, count) for name, count in _by_count(branches)),
        busiest_month=None if (m := _busiest(months)) is None else m + 1,
        busiest_hour=_busiest(hours),
        busiest_weekday=_busiest(weekdays),
        streak=longest_streak(loan.when.date() for loan in loans),
        first=loans[0] if loans else None,
        last=loans[-1] if loans else None,
        favourite=favourite,
    )


# --- Sharing -------------------------------------------------------------------------------


def _book(borrowing: Borrowing | None) -> dict[str, Any] | None:
    if borrowing is None:
        return None
    return {"title": borrowing.title, "record_id": borrowing.record_id}


def share_snapshot(summary: YearSummary) -> dict[str, Any]:
    """What a reader shares of their year: numbers, top classes and authors, and titles.

    Deliberately absent: anything that identifies the reader (name, card, ID number,
    phone) and the libraries they used (where someone borrows says where they live or
    work; only how many libraries is kept), and dates finer than a month.
    """
    return {
        "v": SNAPSHOT_VERSION,
        "year": summary.year,
        "total": summary.total,
        "titles": summary.titles,
        "reading_days": summary.reading_days,
        "months": list(summary.months),
        "hours": list(summary.hours),
        "busiest_month": summary.busiest_month,
        "busiest_hour": summary.busiest_hour,
        "streak_weeks": summary.streak.weeks if summary.streak else 0,
        "classes": [
            {"letter": tally.letter, "count": tally.count} for tally in summary.classes[:SHARE_TOP]
        ],
        "authors": [
            {"name": tally.label, "count": tally.count} for tally in summary.authors[:SHARE_TOP]
        ],
        "unclassified": summary.unclassified,
        "library_count": len(summary.branches),
        "first": _book(summary.first),
        "last": _book(summary.last),
        "favourite": None
        if summary.favourite is None
        else {
            "title": summary.favourite.title,
            "record_id": summary.favourite.record_id,
            "count": summary.favourite.count,
        },
    }


@dataclass(frozen=True)
class SharedBook:
    """A title on a shared page (``record_id`` 0: no catalogue link)."""

    title: str
    record_id: int = 0
    count: int = 0


def _count(value: Any) -> int:
    """A non-negative int from stored JSON (anything else counts as 0)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _counts(value: Any, size: int) -> tuple[int, ...]:
    values = list(value) if isinstance(value, list) else []
    return tuple(_count(v) for v in (values + [0] * size)[:size])


def _in_range(value: Any, low: int, high: int) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    return value if ok else None


def _rows(value: Any) -> list[dict[str, Any]]:
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []


def _shared_book(value: Any) -> SharedBook | None:
    if not isinstance(value, dict) or not str(value.get("title") or "").strip():
        return None
    return SharedBook(
        title=str(value["title"]),
        record_id=_count(value.get("record_id")),
        count=_count(value.get("count")),
    )


@dataclass(frozen=True)
class SharedYear:
    """A shared snapshot read back for display; tolerant of missing or odd values."""

    year: int
    total: int
    titles: int
    reading_days: int
    months: tuple[int, ...]
    hours: tuple[int, ...]
    busiest_month: int | None
    busiest_hour: int | None
    streak_weeks: int
    classes: tuple[ClassTally, ...]
    authors: tuple[Tally, ...]
    unclassified: int
    library_count: int
    first: SharedBook | None
    last: SharedBook | None
    favourite: SharedBook | None

    @property
    def top_class(self) -> ClassTally | None:
        return self.classes[0] if self.classes else None

    @classmethod
    def from_snapshot(cls, data: Mapping[str, Any]) -> SharedYear:
        classes = [
            ClassTally(str(row.get("letter", "")), _count(row.get("count")))
            for row in _rows(data.get("classes"))
            if str(row.get("letter", "")) in CLC_TOP_CLASSES
        ]
        authors = [
            Tally(str(row.get("name", "")), _count(row.get("count")))
            for row in _rows(data.get("authors"))
            if str(row.get("name") or "").strip()
        ]
        return cls(
            year=_count(data.get("year")),
            total=_count(data.get("total")),
            titles=_count(data.get("titles")),
            reading_days=_count(data.get("reading_days")),
            months=_counts(data.get("months"), 12),
            hours=_counts(data.get("hours"), 24),
            busiest_month=_in_range(data.get("busiest_month"), 1, 12),
            busiest_hour=_in_range(data.get("busiest_hour"), 0, 23),
            streak_weeks=_count(data.get("streak_weeks")),
            classes=tuple(classes[:SHARE_TOP]),
            authors=tuple(authors[:SHARE_TOP]),
            unclassified=_count(data.get("unclassified")),
            library_count=_count(data.get("library_count")),
            first=_shared_book(data.get("first")),
            last=_shared_book(data.get("last")),
            favourite=_shared_book(data.get("favourite")),
        )
