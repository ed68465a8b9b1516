"""The pure event rules, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wenjin.events import policies
from wenjin.events.policies import RegistrationState, Window
from wenjin.lib.errors import ValidationFailed

NOON = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("lecture", "lecture"),
        ("讲座", "lecture"),
        (" 展览 ", "exhibition"),
        ("培训", "training"),
        ("阅读推广", "reading_promotion"),
        ("Reading  Promotion", "reading_promotion"),
        ("其它", "other"),
    ],
)
def test_kinds_are_read_from_codes_and_names(text, kind):
    assert policies.parse_kind(text) == kind


@pytest.mark.parametrize("text", ["", "音乐会", "lectures"])
def test_unknown_kinds_are_refused(text):
    with pytest.raises(ValidationFailed) as error:
        policies.parse_kind(text)
    assert error.value.code == "EVENT_KIND_UNKNOWN"


def test_audiences_are_stored_between_commas_in_a_fixed_order():
    assert policies.join_audiences(["elderly", "children"]) == ",children,elderly,"
    assert policies.join_audiences([]) == ""
    with pytest.raises(ValidationFailed):
        policies.join_audiences(["aliens"])


def test_times_must_be_in_order():
    policies.check_times(NOON, NOON + timedelta(minutes=1))
    for end in (NOON, NOON - timedelta(minutes=1)):  # RFC 5545 wants DTEND after DTSTART
        with pytest.raises(ValidationFailed) as error:
            policies.check_times(NOON, end)
        assert "ends_at" in error.value.details["fields"]
    with pytest.raises(ValidationFailed) as error:
        policies.check_times(NOON.replace(year=1), NOON + timedelta(hours=1))
    assert "starts_at" in error.value.details["fields"]
    with pytest.raises(ValidationFailed) as error:
        policies.check_times(NOON, NOON + timedelta(hours=2), NOON, NOON - timedelta(days=1))
    assert "registration_closes_at" in error.value.details["fields"]
    with pytest.raises(ValidationFailed):
        policies.check_times(NOON, NOON + timedelta(hours=2), None, NOON + timedelta(hours=3))


def window(**values) -> Window:
    base = {
        "status": "published",
        "takes_registrations": True,
        "starts_at": NOON,
        "opens_at": None,
        "closes_at": None,
    }
    return Window(**(base | values))


def test_registration_is_open_until_the_start_by_default():
    assert policies.registration_state(window(), NOON - timedelta(seconds=1)) == "open"
    assert policies.registration_state(window(), NOON) == RegistrationState.CLOSED


def test_registration_window_and_status():
    opens, closes = NOON - timedelta(days=7), NOON - timedelta(days=1)
    w = window(opens_at=opens, closes_at=closes)
    assert policies.registration_state(w, opens - timedelta(minutes=1)) == "not_yet"
    assert policies.registration_state(w, opens) == "open"
    assert policies.registration_state(w, closes) == "closed"
    assert policies.registration_state(window(status="draft"), opens) == "unavailable"
    assert policies.registration_state(window(status="cancelled"), opens) == "unavailable"
    assert policies.registration_state(window(takes_registrations=False), opens) == "not_required"


def test_seats_and_the_waiting_list():
    assert policies.takes_seat(None, 10_000)
    assert policies.takes_seat(2, 1)
    assert not policies.takes_seat(2, 2)
    assert policies.seats_to_fill(3, 1, 5) == 2
    assert policies.seats_to_fill(3, 3, 5) == 0
    assert policies.seats_to_fill(3, 4, 5) == 0  # over capacity after a cut: nobody moves
    assert policies.seats_to_fill(None, 9, 4) == 4


def test_weekly_repeats():
    starts = policies.weekly_starts(NOON, 3)
    assert starts == [NOON + timedelta(weeks=n) for n in (1, 2, 3)]
    for sessions in (0, policies.MAX_REPEATS + 1):
        with pytest.raises(ValidationFailed):
            policies.weekly_starts(NOON, sessions)


def test_check_in_runs_from_two_hours_before_until_the_end():
    end = NOON + timedelta(hours=2)
    assert not policies.checkin_open(NOON, end, NOON - timedelta(hours=2, seconds=1))
    assert policies.checkin_open(NOON, end, NOON - timedelta(hours=2))
    assert policies.checkin_open(NOON, end, end)
    assert not policies.checkin_open(NOON, end, end + timedelta(seconds=1))


def test_a_set_total_replaces_the_counts():
    assert policies.attendance_figure(None, 30, 120) == 150
    assert policies.attendance_figure(400, 30, 120) == 400
    assert policies.attendance_figure(0, 30, 120) == 0
