"""Pure rules: tree arithmetic and opening hours, no database."""

from datetime import date, datetime

import pytest

from wenjin.lib.errors import ValidationFailed
from wenjin.network.policies import (
    ExceptionSpan,
    Period,
    UnitSchedule,
    in_service_on,
    is_open_at,
    next_open_day,
    next_opening,
    parse_periods,
    path_for,
    path_ids,
    periods_on,
    tree_distance,
)

WEEKDAYS_ONLY = {d: (Period(540, 1260),) for d in range(5)}  # Mon–Fri 09:00-21:00


def test_paths_and_distance():
    root = path_for(None, 1)
    child = path_for(root, 5)
    grandchild = path_for(child, 23)
    sibling = path_for(root, 7)
    assert grandchild == "/1/5/23/"
    assert path_ids(grandchild) == [1, 5, 23]
    assert tree_distance(grandchild, grandchild) == 0
    assert tree_distance(child, grandchild) == 1
    assert tree_distance(child, sibling) == 2
    assert tree_distance(grandchild, sibling) == 3
    assert tree_distance(root, grandchild) == 2
    with pytest.raises(ValueError):
        tree_distance("/1/2/", "/9/3/")


def test_parse_periods_reads_several_periods_in_any_order():
    assert parse_periods("14:00-21:00, 09:00-12:00") == [Period(540, 720), Period(840, 1260)]
    assert parse_periods("09:00–12:00，14:00-18:00") == [Period(540, 720), Period(840, 1080)]
    assert parse_periods("00:00-24:00") == [Period(0, 1440)]
    assert parse_periods("  ") == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("09:00-12:00, 11:00-14:00", "OVERLAPPING_HOURS"),
        ("18:00-09:00", "INVERTED_HOURS"),
        ("09:00-09:00", "INVERTED_HOURS"),
        ("9am-5pm", "INVALID_HOURS"),
        ("09:00", "INVALID_HOURS"),
        ("25:00-26:00", "INVALID_HOURS"),
        ("09:61-10:00", "INVALID_HOURS"),
    ],
)
def test_parse_periods_rejects_bad_hours(text, code):
    with pytest.raises(ValidationFailed) as caught:
        parse_periods(text, field_name="monday")
    assert caught.value.code == code
    assert "monday" in caught.value.details["fields"]


def test_weekly_hours_and_moments():
    schedule = UnitSchedule(status="open", weekly=WEEKDAYS_ONLY)
    friday, saturday = date(2026, 3, 6), date(2026, 3, 7)
    assert periods_on(schedule, friday) == (Period(540, 1260),)
    assert periods_on(schedule, saturday) == ()
    assert is_open_at(schedule, datetime(2026, 3, 6, 9, 0))
    assert is_open_at(schedule, datetime(2026, 3, 6, 20, 59))
    assert not is_open_at(schedule, datetime(2026, 3, 6, 21, 0))  # closing minute is closed
    assert not is_open_at(schedule, datetime(2026, 3, 6, 8, 59))
    assert next_open_day(schedule, saturday) == date(2026, 3, 9)
    assert next_opening(schedule, datetime(2026, 3, 6, 22, 0)) == datetime(2026, 3, 9, 9, 0)
    assert next_opening(schedule, datetime(2026, 3, 6, 7, 0)) == datetime(2026, 3, 6, 9, 0)


def test_closure_beats_weekly_hours_and_special_hours():
    closure = ExceptionSpan(date(2026, 7, 10), date(2026, 9, 17), None, "改造")
    special = ExceptionSpan(date(2026, 9, 17), date(2026, 9, 18), (Period(600, 960),), "短时")
    schedule = UnitSchedule(status="open", weekly=WEEKDAYS_ONLY, exceptions=[closure, special])
    assert periods_on(schedule, date(2026, 7, 10)) == ()
    assert periods_on(schedule, date(2026, 9, 17)) == ()  # both cover it: closure wins
    assert periods_on(schedule, date(2026, 9, 18)) == (Period(600, 960),)
    assert periods_on(schedule, date(2026, 9, 21)) == (Period(540, 1260),)
    assert next_open_day(schedule, date(2026, 7, 1)) == date(2026, 7, 1)
    assert next_open_day(schedule, date(2026, 7, 11)) == date(2026, 9, 18)


def test_own_special_hours_beat_inherited_ones():
    inherited = ExceptionSpan(
        date(2026, 12, 31), date(2026, 12, 31), (Period(540, 1020),), own=False
    )
    own = ExceptionSpan(date(2026, 12, 31), date(2026, 12, 31), (Period(600, 720),), own=True)
    schedule = UnitSchedule(status="open", weekly=WEEKDAYS_ONLY, exceptions=[inherited, own])
    assert periods_on(schedule, date(2026, 12, 31)) == (Period(600, 720),)


def test_special_hours_open_a_normally_closed_day():
    sunday = date(2026, 3, 8)
    special = ExceptionSpan(sunday, sunday, (Period(600, 900),))
    schedule = UnitSchedule(status="open", weekly=WEEKDAYS_ONLY, exceptions=[special])
    assert is_open_at(schedule, datetime(2026, 3, 8, 10, 30))


@pytest.mark.parametrize(
    ("status", "start", "end", "day", "expected"),
    [
        ("open", None, None, date(2026, 3, 6), True),
        ("planned", None, None, date(2026, 3, 6), False),
        ("planned", date(2026, 3, 1), None, date(2026, 3, 6), True),
        ("planned", date(2026, 4, 1), None, date(2026, 3, 6), False),
        ("temporarily_closed", date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 6), False),
        ("temporarily_closed", date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 1), True),
        ("temporarily_closed", None, None, date(2026, 3, 6), False),
        ("closed", None, None, date(2026, 3, 6), False),
        ("closed", date(2026, 4, 1), None, date(2026, 3, 6), True),
    ],
)
def test_lifecycle_status(status, start, end, day, expected):
    schedule = UnitSchedule(status=status, status_from=start, status_until=end)
    assert in_service_on(schedule, day) is expected


def test_temporarily_closed_unit_reopens_on_the_day_after_its_status_ends():
    schedule = UnitSchedule(
        status="temporarily_closed",
        status_from=date(2026, 3, 1),
        status_until=date(2026, 3, 10),
        weekly={d: (Period(540, 1260),) for d in range(7)},
    )
    assert next_open_day(schedule, date(2026, 3, 2)) == date(2026, 3, 11)


def test_a_unit_that_never_opens_has_no_next_open_day():
    assert next_open_day(UnitSchedule(status="closed"), date(2026, 3, 1)) is None
    assert next_opening(UnitSchedule(status="open"), datetime(2026, 3, 1, 8)) is None


def test_around_the_clock_unit():
    schedule = UnitSchedule(status="open", weekly={d: (Period(0, 1440),) for d in range(7)})
    assert is_open_at(schedule, datetime(2026, 3, 8, 0, 0))
    assert is_open_at(schedule, datetime(2026, 3, 8, 23, 59))
