"""Event rules as pure functions: kinds and audiences from what people type, the
registration window, where a new registration goes (a seat or the waiting list), the
dates of a weekly series, check-in times and the attendance figure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

from wenjin.events.models import Audience, EventKind, EventStatus
from wenjin.lib.errors import ValidationFailed

# What an import or a form may call a kind besides its code.
KIND_NAMES: dict[str, str] = {
    "讲座": EventKind.LECTURE,
    "讲坛": EventKind.LECTURE,
    "展览": EventKind.EXHIBITION,
    "展": EventKind.EXHIBITION,
    "培训": EventKind.TRAINING,
    "阅读推广": EventKind.READING_PROMOTION,
    "阅读推广活动": EventKind.READING_PROMOTION,
    "其他": EventKind.OTHER,
    "其它": EventKind.OTHER,
    "lecture": EventKind.LECTURE,
    "exhibition": EventKind.EXHIBITION,
    "training": EventKind.TRAINING,
    "reading promotion": EventKind.READING_PROMOTION,
    "reading_promotion": EventKind.READING_PROMOTION,
    "other": EventKind.OTHER,
}

# Readers may be let in this long before an event starts.
CHECKIN_OPENS_BEFORE = timedelta(hours=2)
# The most sessions one "repeat weekly" makes at once (a year of weekly sessions).
MAX_REPEATS = 52
TITLE_MAX = 200
CAPACITY_MAX = 100_000
# Events are dated within these years; anything else is a typing slip.
FIRST_YEAR, LAST_YEAR = 1950, 2100


def clamp_day(day: date) -> date:
    """A date filter kept within the years events can have (a far-off date typed in a
    filter must not overflow date arithmetic)."""
    return min(max(day, date(FIRST_YEAR, 1, 1)), date(LAST_YEAR, 12, 31))


def parse_kind(text: str) -> str:
    """The kind code for a code, a Chinese name or an English name; ValidationFailed
    otherwise."""
    key = " ".join((text or "").strip().lower().split())
    kind = KIND_NAMES.get(key)
    if kind is None:
        raise ValidationFailed(
            _(
                "Unknown event kind “%(kind)s”: use lecture, exhibition, training, reading_promotion or other (讲座, 展览, 培训, 阅读推广, 其他)."
            )
            % {"kind": text},
            fields={"kind": _("unknown kind")},
            code="EVENT_KIND_UNKNOWN",
        )
    return str(kind)


def join_audiences(codes: list[str] | tuple[str, ...]) -> str:
    """Audience codes stored between commas (``",children,elderly,"``); unknown codes are
    refused."""
    known = set(Audience.values)
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ValidationFailed(
            _("Unknown audience: %(codes)s.") % {"codes": ", ".join(unknown)},
            fields={"audiences": _("unknown audience")},
            code="EVENT_AUDIENCE_UNKNOWN",
        )
    ordered = [code for code in Audience.values if code in set(codes)]
    return f",{','.join(ordered)}," if ordered else ""


def check_times(
    starts_at: datetime,
    ends_at: datetime,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> None:
    """An event ends after it starts, within sensible years; registration opens before it
    closes and closes no later than the end."""
    fields: dict[str, str] = {}
    for name, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            fields[name] = _("Give a date between %(first)d and %(last)d.") % {
                "first": FIRST_YEAR,
                "last": LAST_YEAR,
            }
    if ends_at <= starts_at:
        # iCalendar (RFC 5545) wants an end after the start, and so do readers.
        fields["ends_at"] = _("The end must be after the start.")
    if opens_at and closes_at and closes_at < opens_at:
        fields["registration_closes_at"] = _("Registration closes before it opens.")
    if closes_at and closes_at > ends_at:
        fields["registration_closes_at"] = _("Registration closes after the event has ended.")
    if fields:
        raise ValidationFailed(_("Check the event's times."), fields=fields, code="EVENT_TIMES")


@dataclass(frozen=True)
class Window:
    """What registration needs to know about an event."""

    status: str
    takes_registrations: bool
    starts_at: datetime
    opens_at: datetime | None
    closes_at: datetime | None


class RegistrationState:
    OPEN = "open"
    NOT_REQUIRED = "not_required"
    NOT_YET = "not_yet"
    CLOSED = "closed"
    UNAVAILABLE = "unavailable"  # a draft, cancelled or finished event


def registration_state(window: Window, now: datetime) -> str:
    """Whether a reader can register now."""
    if window.status != EventStatus.PUBLISHED:
        return RegistrationState.UNAVAILABLE
    if not window.takes_registrations:
        return RegistrationState.NOT_REQUIRED
    if window.opens_at and now < window.opens_at:
        return RegistrationState.NOT_YET
    if now >= (window.closes_at or window.starts_at):
        return RegistrationState.CLOSED
    return RegistrationState.OPEN


def takes_seat(capacity: int | None, seats_taken: int) -> bool:
    """Whether a new registration gets a seat (otherwise it joins the waiting list)."""
    return capacity is None or seats_taken < capacity


def seats_to_fill(capacity: int | None, seats_taken: int, waiting: int) -> int:
    """How many waiting readers move up now."""
    if capacity is None:
        return waiting
    return max(0, min(waiting, capacity - seats_taken))


def weekly_starts(first: datetime, sessions: int) -> list[datetime]:
    """Start times of the next ``sessions`` weekly sessions after ``first``."""
    if not 1 <= sessions <= MAX_REPEATS:
        raise ValidationFailed(
            _("Repeat between 1 and %(max)d times.") % {"max": MAX_REPEATS},
            fields={"sessions": _("out of range")},
            code="EVENT_REPEAT_RANGE",
        )
    return [first + timedelta(weeks=week) for week in range(1, sessions + 1)]


def checkin_open(starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    """Readers are checked in from two hours before the start until the end."""
    return starts_at - CHECKIN_OPENS_BEFORE <= now <= ends_at


def attendance_figure(total: int | None, checked_in: int, counted: int) -> int:
    """The event's attendance: a total someone set replaces the counts; otherwise the
    check-ins plus the visitors counted by day."""
    return total if total is not None else checked_in + counted
