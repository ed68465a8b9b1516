"""Pure rules of the network: tree arithmetic on materialised paths and opening hours.

Nothing here touches the database; selectors load a ``UnitSchedule`` and these functions
answer "is it open at T", "what are the hours on D" and "next open day on or after D".
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils.translation import gettext as _

from wenjin.lib.errors import ValidationFailed

MINUTES_PER_DAY = 1440
# Unstaffed machines keep their own hours: closures and special hours set higher up the
# tree (a holiday, early closing on New Year's Eve) do not apply to them.
UNSTAFFED_KINDS = frozenset({"self_service_library", "lending_atm"})
# How far "next open day" looks ahead before answering "not within a year".
NEXT_OPEN_SEARCH_DAYS = 366


# --- Tree ---------------------------------------------------------------------------------


def path_for(parent_path: str | None, pk: int) -> str:
    """The materialised path of a unit with primary key ``pk`` under ``parent_path``."""
    return f"{parent_path or '/'}{pk}/"


def path_ids(path: str) -> list[int]:
    """Primary keys along a path, root first, the unit itself last."""
    return [int(part) for part in path.strip("/").split("/") if part]


def is_in_subtree(path: str, subtree_root_path: str) -> bool:
    """Whether the unit at ``path`` is the subtree root itself or below it."""
    return path.startswith(subtree_root_path)


def tree_distance(path_a: str, path_b: str) -> int:
    """Number of edges between two units (0 for the same unit, 1 for parent and child,
    2 for siblings or grandparent and grandchild)."""
    ids_a, ids_b = path_ids(path_a), path_ids(path_b)
    common = 0
    for left, right in zip(ids_a, ids_b, strict=False):
        if left != right:
            break
        common += 1
    if common == 0:
        raise ValueError("units are in different trees")
    return len(ids_a) + len(ids_b) - 2 * common


# --- Opening hours ------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Period:
    """An opening period within one day, in minutes after midnight (closes may be 1440)."""

    opens: int
    closes: int

    def __str__(self) -> str:
        return f"{format_minute(self.opens)}-{format_minute(self.closes)}"

    def contains(self, minute: int) -> bool:
        return self.opens <= minute < self.closes


def format_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


_TIME_RE = re.compile(r"^\s*(\d{1,2})[:：](\d{2})\s*$")
_PERIOD_SPLIT_RE = re.compile(r"[,，;；\s]+(?=\d)")
_DASH_RE = re.compile(r"\s*[-–—~～至到]\s*")


def parse_minute(text: str) -> int:
    """``"09:30"`` → 570; ``"24:00"`` → 1440. Raises ``ValueError`` on anything else."""
    match = _TIME_RE.match(text)
    if not match:
        raise ValueError(text)
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(text)
    return hours * 60 + minutes


def validate_periods(periods: Iterable[Period], *, field_name: str = "hours") -> list[Period]:
    """Sorted periods, or ``ValidationFailed`` for inverted, out-of-day or overlapping ones."""
    ordered = sorted(periods)
    for period in ordered:
        if not (0 <= period.opens < MINUTES_PER_DAY and 0 < period.closes <= MINUTES_PER_DAY):
            raise ValidationFailed(
                _("Times must lie between 00:00 and 24:00."),
                fields={field_name: str(period)},
                code="INVALID_HOURS",
            )
        if period.opens >= period.closes:
            raise ValidationFailed(
                _("Opening period %(period)s ends before it starts.") % {"period": period},
                fields={field_name: str(period)},
                code="INVERTED_HOURS",
            )
    for earlier, later in itertools.pairwise(ordered):
        if later.opens < earlier.closes:
            raise ValidationFailed(
                _("Opening periods %(a)s and %(b)s overlap.") % {"a": earlier, "b": later},
                fields={field_name: f"{earlier}, {later}"},
                code="OVERLAPPING_HOURS",
            )
    return ordered


def parse_periods(text: str, *, field_name: str = "hours") -> list[Period]:
    """Parse ``"09:00-12:00, 14:00-21:00"`` (empty text: closed that day)."""
    text = _DASH_RE.sub("-", text.strip())
    if not text:
        return []
    periods = []
    for chunk in _PERIOD_SPLIT_RE.split(text):
        opens_text, separator, closes_text = (
            chunk.replace("–", "-").replace("—", "-").partition("-")
        )
        try:
            if not separator:
                raise ValueError(chunk)
            periods.append(Period(parse_minute(opens_text), parse_minute(closes_text)))
        except ValueError:
            raise ValidationFailed(
                _("Cannot read “%(text)s”: write periods like 09:00-12:00, 14:00-21:00.")
                % {"text": chunk.strip()},
                fields={field_name: chunk.strip()},
                code="INVALID_HOURS",
            ) from None
    return validate_periods(periods, field_name=field_name)


@dataclass(frozen=True)
class ExceptionSpan:
    """A closure (``periods`` is None) or special hours over ``start``–``end`` inclusive.

    ``own`` is False when the span was inherited from an ancestor unit.
    """

    start: date
    end: date
    periods: tuple[Period, ...] | None
    reason: str = ""
    own: bool = True

    @property
    def is_closure(self) -> bool:
        return self.periods is None

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass
class UnitSchedule:
    """Everything needed to say when one unit is open."""

    status: str
    status_from: date | None = None
    status_until: date | None = None
    weekly: Mapping[int, Sequence[Period]] = field(default_factory=dict)
    exceptions: Sequence[ExceptionSpan] = ()
    # The national calendar (day → ("holiday", _) or ("workday", weekday whose hours apply)),
    # consulted only when the unit observes public holidays.
    observes_holidays: bool = False
    calendar: Mapping[date, tuple[str, int]] = field(default_factory=dict)


def in_service_on(schedule: UnitSchedule, day: date) -> bool:
    """Whether the unit's lifecycle status lets it open at all on ``day``."""
    starts, ends = schedule.status_from, schedule.status_until
    if schedule.status == "open":
        return True
    if schedule.status == "planned":
        return starts is not None and day >= starts
    if schedule.status == "temporarily_closed":
        within = (starts is None or day >= starts) and (ends is None or day <= ends)
        return not within
    if schedule.status == "closed":
        return starts is not None and day < starts
    raise ValueError(f"unknown status {schedule.status!r}")


def periods_on(schedule: UnitSchedule, day: date) -> tuple[Period, ...]:
    """The opening periods on ``day``, after status, closures and special hours."""
    if not in_service_on(schedule, day):
        return ()
    covering = [span for span in schedule.exceptions if span.covers(day)]
    # The unit's own exceptions beat inherited ones (a branch may open on a network-wide
    # holiday); among those that count, a closure beats special hours.
    counting = [span for span in covering if span.own] or covering
    if any(span.is_closure for span in counting):
        return ()
    if counting:
        return tuple(min(counting, key=lambda span: span.start).periods or ())
    weekday = day.weekday()
    if schedule.observes_holidays and day in schedule.calendar:
        kind, hours_of = schedule.calendar[day]
        if kind == "holiday":
            return ()
        weekday = hours_of
    return tuple(schedule.weekly.get(weekday, ()))


def closure_on(schedule: UnitSchedule, day: date) -> ExceptionSpan | None:
    """The closure that shuts the unit on ``day``, if one does (a public holiday the unit
    observes counts as one)."""
    for span in schedule.exceptions:
        if span.is_closure and span.covers(day):
            return span
    if schedule.observes_holidays and schedule.calendar.get(day, ("",))[0] == "holiday":
        return ExceptionSpan(day, day, None, _("Public holiday"), own=False)
    return None


def is_open_at(schedule: UnitSchedule, moment: datetime) -> bool:
    """Whether the unit is open at ``moment`` (an aware datetime in the library's zone or a
    naive local one)."""
    minute = moment.hour * 60 + moment.minute
    return any(period.contains(minute) for period in periods_on(schedule, moment.date()))


def next_open_day(schedule: UnitSchedule, day: date) -> date | None:
    """The first day on or after ``day`` with any opening period, or None within a year."""
    for offset in range(NEXT_OPEN_SEARCH_DAYS):
        candidate = day + timedelta(days=offset)
        if periods_on(schedule, candidate):
            return candidate
    return None


def next_opening(schedule: UnitSchedule, moment: datetime) -> datetime | None:
    """When the unit next opens after ``moment`` (naive local datetime), or None."""
    minute = moment.hour * 60 + moment.minute
    for offset in range(NEXT_OPEN_SEARCH_DAYS):
        day = moment.date() + timedelta(days=offset)
        for period in periods_on(schedule, day):
            if offset > 0 or period.opens > minute:
                return datetime.combine(day, time()) + timedelta(minutes=period.opens)
    return None
