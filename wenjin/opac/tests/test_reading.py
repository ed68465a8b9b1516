"""The reading report's numbers, worked out without a database: counts per month, class,
author and library, the busiest hour, week streaks, ties, and the year's edges."""

from __future__ import annotations

import json
import random
from datetime import date, datetime

from django.utils import translation

from wenjin.opac.reading import (
    Borrowing,
    SharedYear,
    Streak,
    longest_streak,
    share_snapshot,
    week_monday,
    year_summary,
    years_with_loans,
)


def loan(
    when: str,
    title: str = "红楼梦",
    authors: tuple[str, ...] = ("曹雪芹",),
    clc: str = "I",
    branch: str = "光塔馆",
    record_id: int = 1,
) -> Borrowing:
    return Borrowing(
        when=datetime.fromisoformat(when),
        title=title,
        authors=authors,
        clc_top=clc,
        branch=branch,
        record_id=record_id,
    )


def test_a_year_without_loans_is_all_zeros_and_nones():
    summary = year_summary([loan("2024-05-01T10:00")], 2025)
    assert summary.total == summary.titles == summary.reading_days == 0
    assert summary.months == (0,) * 12 and summary.hours == (0,) * 24
    assert summary.classes == summary.authors == summary.branches == ()
    assert summary.busiest_hour is None and summary.busiest_month is None
    assert summary.busiest_weekday is None and summary.streak is None
    assert summary.first is None and summary.last is None and summary.favourite is None
    assert summary.top_class is None
    assert year_summary([], 2025).total == 0


def test_loans_are_counted_per_month_hour_class_author_and_library():
    loans = [
        loan("2025-01-03T19:10", "红楼梦", ("曹雪芹", "高鹗"), "I", "光塔馆", 1),
        loan("2025-01-20T19:55", "史记", ("司马迁",), "K", "东山馆", 2),
        loan("2025-03-08T09:30", "红楼梦", ("曹雪芹",), "I", "光塔馆", 1),
        loan("2025-12-31T23:59", "三体", ("刘慈欣",), "I", "光塔馆", 3),
    ]
    summary = year_summary(loans, 2025)
    assert summary.total == 4 and summary.titles == 3 and summary.reading_days == 4
    assert summary.months == (2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1)
    assert summary.hours[19] == 2 and summary.hours[9] == 1 and summary.hours[23] == 1
    assert summary.busiest_hour == 19 and summary.busiest_month == 1
    assert [(c.letter, c.count) for c in summary.classes] == [("I", 3), ("K", 1)]
    assert [(a.label, a.count) for a in summary.authors] == [
        ("曹雪芹", 2),
        ("刘慈欣", 1),
        ("司马迁", 1),
        ("高鹗", 1),
    ]
    assert [(b.label, b.count) for b in summary.branches] == [("光塔馆", 3), ("东山馆", 1)]
    assert summary.first is not None and summary.first.title == "红楼梦"
    assert summary.last is not None and summary.last.title == "三体"
    assert summary.favourite is not None
    assert (summary.favourite.title, summary.favourite.record_id, summary.favourite.count) == (
        "红楼梦",
        1,
        2,
    )


def test_the_class_name_follows_the_language():
    summary = year_summary([loan("2025-02-02T10:00", clc="K")], 2025)
    with translation.override("zh-hans"):
        assert summary.classes[0].name == "历史、地理"
    with translation.override("en"):
        assert summary.classes[0].name == "History and geography"


def test_unknown_or_missing_classes_are_counted_apart():
    loans = [
        loan("2025-02-02T10:00", clc=""),
        loan("2025-02-03T10:00", clc="i", record_id=2),  # lower case is still I
        loan("2025-02-04T10:00", clc="W", record_id=3),  # not a CLC top class
    ]
    summary = year_summary(loans, 2025)
    assert [(c.letter, c.count) for c in summary.classes] == [("I", 1)]
    assert summary.unclassified == 2


def test_the_year_is_the_local_year_of_the_checkout():
    loans = [
        loan("2024-12-31T23:59:59", record_id=1),
        loan("2025-01-01T00:00:00", record_id=2),
        loan("2025-12-31T23:59:59", record_id=3),
        loan("2026-01-01T00:00:00", record_id=4),
    ]
    summary = year_summary(loans, 2025)
    assert summary.total == 2
    assert summary.first is not None and summary.first.record_id == 2
    assert summary.last is not None and summary.last.record_id == 3
    assert summary.months[0] == 1 and summary.months[11] == 1
    assert years_with_loans(loans) == [2026, 2025, 2024]
    assert years_with_loans([]) == []


def test_a_streak_counts_consecutive_calendar_weeks():
    days = [
        date(2025, 3, 3),  # Monday, week 1
        date(2025, 3, 16),  # Sunday, still week 2
        date(2025, 3, 17),  # Monday, week 3
        date(2025, 3, 18),  # same week again: counted once
        date(2025, 4, 7),  # a gap, then a run of one
    ]
    assert longest_streak(days) == Streak(3, date(2025, 3, 3), date(2025, 3, 17))
    assert longest_streak(days).last_sunday == date(2025, 3, 23)
    assert longest_streak([]) is None
    assert longest_streak([date(2025, 5, 5)]) == Streak(1, date(2025, 5, 5), date(2025, 5, 5))


def test_of_equally_long_streaks_the_earlier_is_kept():
    days = [date(2025, 1, 6), date(2025, 1, 13), date(2025, 6, 2), date(2025, 6, 9)]
    streak = longest_streak(days)
    assert streak is not None and streak.weeks == 2 and streak.first_monday == date(2025, 1, 6)


def test_a_streak_over_new_year_is_split_between_the_two_reports():
    # Weeks starting 2024-12-23, 2024-12-30 (which holds 1 January) and 2025-01-06.
    loans = [
        loan("2024-12-24T10:00", record_id=1),
        loan("2024-12-30T10:00", record_id=2),
        loan("2025-01-02T10:00", record_id=3),
        loan("2025-01-07T10:00", record_id=4),
    ]
    this_year = year_summary(loans, 2025).streak
    last_year = year_summary(loans, 2024).streak
    assert week_monday(date(2025, 1, 2)) == date(2024, 12, 30)
    # 2025 counts the week of 1 January (a 2025 loan is in it) and the next one.
    assert this_year == Streak(2, date(2024, 12, 30), date(2025, 1, 6))
    assert last_year == Streak(2, date(2024, 12, 23), date(2024, 12, 30))


def test_ties_do_not_depend_on_the_order_of_the_loans():
    loans = [
        loan("2025-05-01T08:00", "乙", ("乙作者",), "K", "乙馆", 2),
        loan("2025-05-02T20:00", "甲", ("甲作者",), "I", "甲馆", 1),
        loan("2025-06-01T08:00", "乙", ("乙作者",), "K", "乙馆", 2),
        loan("2025-06-02T20:00", "甲", ("甲作者",), "I", "甲馆", 1),
    ]
    shuffled = list(loans)
    random.Random(7).shuffle(shuffled)
    summary = year_summary(loans, 2025)
    assert summary == year_summary(list(reversed(loans)), 2025) == year_summary(shuffled, 2025)
    # Equal counts: classes and names by code point, the earlier hour and month.
    assert [c.letter for c in summary.classes] == ["I", "K"]
    assert [a.label for a in summary.authors] == ["乙作者", "甲作者"]
    assert summary.busiest_hour == 8 and summary.busiest_month == 5
    assert summary.favourite is not None and summary.favourite.title == "乙"


def test_a_title_borrowed_once_is_no_favourite_and_authors_count_once_per_loan():
    loans = [
        loan("2025-05-01T08:00", "甲", ("张三", "张三 ", "", "李四"), record_id=1),
        loan("2025-05-02T08:00", "乙", ("张三",), record_id=2),
    ]
    summary = year_summary(loans, 2025)
    assert summary.favourite is None
    assert [(a.label, a.count) for a in summary.authors] == [("张三", 2), ("李四", 1)]


def test_loans_at_the_same_moment_are_first_and_last_by_record():
    loans = [
        loan("2025-05-01T08:00", "乙", record_id=2),
        loan("2025-05-01T08:00", "甲", record_id=1),
    ]
    summary = year_summary(loans, 2025)
    assert summary.first is not None and summary.first.record_id == 1
    assert summary.last is not None and summary.last.record_id == 2


def test_the_snapshot_holds_no_library_and_reads_back():
    loans = [
        loan("2025-01-03T19:10", "红楼梦", ("曹雪芹",), "I", "光塔馆", 1),
        loan("2025-01-10T19:10", "红楼梦", ("曹雪芹",), "I", "东山馆", 1),
        loan("2025-02-03T09:10", "史记", ("司马迁",), "K", "东山馆", 2),
        loan("2025-02-04T09:10", "The Story of the Stone", ("Cao Xueqin",), "", "东山馆", 3),
    ]
    summary = year_summary(loans, 2025)
    snapshot = share_snapshot(summary)
    text = json.dumps(snapshot, ensure_ascii=False)
    assert "光塔馆" not in text and "东山馆" not in text
    assert snapshot["library_count"] == 2 and snapshot["streak_weeks"] == 2
    shared = SharedYear.from_snapshot(json.loads(text))
    assert (shared.year, shared.total, shared.titles, shared.unclassified) == (2025, 4, 3, 1)
    assert shared.months == summary.months and shared.hours == summary.hours
    assert shared.busiest_hour == 9 and shared.busiest_month == 1  # ties: the earlier
    assert [(c.letter, c.count) for c in shared.classes] == [("I", 2), ("K", 1)]
    assert shared.favourite is not None and shared.favourite.count == 2
    assert shared.first is not None and shared.first.title == "红楼梦"
    assert shared.top_class is not None and shared.top_class.letter == "I"


def test_a_damaged_snapshot_reads_back_as_safe_defaults():
    shared = SharedYear.from_snapshot(
        {
            "year": "2025",
            "total": -3,
            "months": [1, "x", None],
            "hours": "nope",
            "busiest_hour": 24,
            "busiest_month": True,
            "classes": [{"letter": "<script>", "count": 1}, "I", {"letter": "I", "count": 2}],
            "authors": {"name": "x"},
            "first": {"title": ""},
            "favourite": {"title": "甲", "record_id": "7", "count": 3},
        }
    )
    assert shared.year == 0 and shared.total == 0
    assert shared.months == (1,) + (0,) * 11 and shared.hours == (0,) * 24
    assert shared.busiest_hour is None and shared.busiest_month is None
    assert [(c.letter, c.count) for c in shared.classes] == [("I", 2)]
    assert shared.authors == () and shared.first is None
    assert shared.favourite is not None and shared.favourite.record_id == 0
