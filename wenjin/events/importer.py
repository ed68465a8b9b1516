"""Import historical and planned events from a CSV or XLSX file (``wenjin import-events``;
the file is read by ``import_files``).

The file has a header row (line 1) naming the columns ``kind``, ``title``, ``series``,
``org_code``, ``venue``, ``start``, ``end``, ``capacity`` and ``attendance`` (or their
Chinese names 类型, 名称/标题, 系列, 组织馆代码, 场地, 开始, 结束, 容量, 参与人次; column order
is free and other columns are ignored). ``kind``, ``title``, ``org_code`` and ``start``
are required; the other columns may be left out or left empty. The format follows the
extension (``.csv`` or ``.xlsx``, the first sheet); a CSV file is read as UTF-8 (with or
without a BOM), else as GB18030. Times are ``YYYY-MM-DD HH:MM`` local time (Asia/Shanghai;
``YYYY/MM/DD`` and seconds are accepted too, and XLSX date-time cells as they are).

An event is identified by (``org_code``, ``title``, ``start``):

- A new event ends at ``end``, or two hours after its start when ``end`` is empty. It is
  recorded "finished" when it has already ended, otherwise "published"; a capacity makes
  it take registrations (the usual default).
- An existing event is changed only where a non-empty cell differs from it (kind, series,
  venue, end, capacity, attendance): an empty cell never clears anything, so an import
  cannot wipe what staff entered in the pages, and importing the same file twice changes
  nothing and writes no audit entries. A finished event takes only its attendance from
  the file (its other details are history; differences are reported as notes); a
  cancelled one is left alone (a row that would change it is reported). A published
  event that has ended stays published until the daily job finishes it.
- ``attendance`` is the event's total: it replaces the check-ins and day counts in the
  statistics (``attendance_total_set``, audited with the file name and line).

Every row is checked and imported in its own transaction: a bad row is reported with its
line number and reason and skipped, the good rows are imported. With ``dry_run`` the
whole import runs inside a transaction that is rolled back, so the report is exactly what
a real import would do and nothing is written.
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.events import policies
from wenjin.events.import_files import EventFileError, header_columns, is_blank, read_rows
from wenjin.events.models import Event, EventStatus
from wenjin.events.services.attendance import MAX_DAY_COUNT, attendance_total_set
from wenjin.events.services.events import EventDetails, event_create, event_update
from wenjin.lib.errors import DomainError
from wenjin.network.models import OrgUnit
from wenjin.network.selectors import get_unit

# An event whose end is left empty lasts this long (a typical lecture or class).
DEFAULT_LENGTH = timedelta(hours=2)
CAPACITY_MAX = policies.CAPACITY_MAX
FIRST_YEAR, LAST_YEAR = policies.FIRST_YEAR, policies.LAST_YEAR
NAME_MAX = 150  # series and venue names
TIME_FORMATS = tuple(
    f"%Y{sep}%m{sep}%d{gap}%H:%M{seconds}"
    for sep, gap in (("-", " "), ("/", " "), ("-", "T"))
    for seconds in ("", ":%S")
)
_WHOLE = re.compile(r"[+-]?\d+")


class RowError(Exception):
    """Why one row is skipped."""


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do). ``errors`` and ``notes`` are
    (line, message) pairs; a row with an error was skipped."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    rows: int = 0
    encoding: str = ""
    dry_run: bool = False

    @property
    def skipped(self) -> int:
        return len(self.errors)


@dataclass(frozen=True)
class EventRow:
    """One checked row. Empty optional cells are "" or None (``ends_at`` None: not given)."""

    line: int
    kind: str
    title: str
    unit: OrgUnit
    starts_at: datetime
    ends_at: datetime | None
    series: str
    venue: str
    capacity: int | None
    attendance: int | None


# ---------------------------------------------------------------------------- checking


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def parse_time(value: Any) -> datetime:
    """An aware datetime from a text cell (``YYYY-MM-DD HH:MM``, local time) or an XLSX
    date-time cell; ValueError otherwise."""
    if isinstance(value, datetime):
        moment = value
        # Excel keeps times as fractions of a day: drop the float noise below a second.
        if moment.microsecond:
            moment = moment.replace(microsecond=0) + timedelta(
                seconds=round(moment.microsecond / 1_000_000)
            )
    elif isinstance(value, date):
        raise ValueError("no time")
    else:
        text = _text(value)
        for pattern in TIME_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            raise ValueError(text)
    if timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment, timezone.get_default_timezone())


def parse_count(value: Any) -> int | None:
    """A whole number from a cell (None when empty); ValueError otherwise."""
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(value)
    text = _text(value)
    if not text:
        return None
    if not _WHOLE.fullmatch(text):
        raise ValueError(text)
    return int(text)


class _Units:
    """Org units by code, looked up once per import."""

    def __init__(self) -> None:
        self.known: dict[str, OrgUnit | DomainError] = {}

    def get(self, code: str) -> OrgUnit:
        if code not in self.known:
            try:
                self.known[code] = get_unit(code)
            except DomainError as error:
                self.known[code] = error
        found = self.known[code]
        if isinstance(found, DomainError):
            raise RowError(found.message)
        return found


def check_row(line: int, cells: list[Any], columns: dict[str, int], units: _Units) -> EventRow:
    """One row checked and converted; RowError with every problem found otherwise."""

    def cell(column: str) -> Any:
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) else None

    problems: list[str] = []
    kind = ""
    try:
        kind = policies.parse_kind(_text(cell("kind")))
    except DomainError as error:
        problems.append(error.message)
    title = _text(cell("title"))
    if not title:
        problems.append(_("The title is empty."))
    elif len(title) > policies.TITLE_MAX:
        problems.append(
            _("The title is longer than %(max)d characters.") % {"max": policies.TITLE_MAX}
        )
    code = _text(cell("org_code"))
    unit: OrgUnit | None = None
    if not code:
        problems.append(_("The org_code is empty."))
    else:
        try:
            unit = units.get(code)
        except RowError as error:
            problems.append(str(error))
    times: dict[str, datetime | None] = {}
    for column in ("start", "end"):
        value = cell(column)
        if column == "end" and not _text(value):
            times[column] = None
            continue
        try:
            times[column] = parse_time(value)
        except ValueError:
            times[column] = None
            problems.append(
                _("%(column)s “%(value)s” is not a time: write YYYY-MM-DD HH:MM.")
                % {"column": column, "value": _text(value)}
            )
    starts_at, ends_at = times["start"], times["end"]
    for moment in (starts_at, ends_at):
        if moment and not FIRST_YEAR <= moment.year <= LAST_YEAR:
            problems.append(
                _("%(when)s is outside the years %(first)d–%(last)d.")
                % {"when": f"{moment:%Y-%m-%d}", "first": FIRST_YEAR, "last": LAST_YEAR}
            )
    if starts_at and ends_at and ends_at <= starts_at:
        problems.append(_("The end must be after the start."))
    capacity = attendance = None
    try:
        capacity = parse_count(cell("capacity"))
        if capacity is not None and not 1 <= capacity <= CAPACITY_MAX:
            raise ValueError(capacity)
    except ValueError:
        problems.append(
            _(
                "capacity “%(value)s” is not a whole number from 1 to %(max)d (leave it empty for no limit)."
            )
            % {"value": _text(cell("capacity")), "max": CAPACITY_MAX}
        )
    try:
        attendance = parse_count(cell("attendance"))
        if attendance is not None and not 0 <= attendance <= MAX_DAY_COUNT:
            raise ValueError(attendance)
    except ValueError:
        problems.append(
            _("attendance “%(value)s” is not a whole number from 0 to %(max)d.")
            % {"value": _text(cell("attendance")), "max": MAX_DAY_COUNT}
        )
    if problems or unit is None or starts_at is None:
        raise RowError(" ".join(problems))
    return EventRow(
        line=line,
        kind=kind,
        title=title,
        unit=unit,
        starts_at=starts_at,
        ends_at=ends_at,
        series=_text(cell("series"))[:NAME_MAX],
        venue=_text(cell("venue"))[:NAME_MAX],
        capacity=capacity,
        attendance=attendance,
    )


# ---------------------------------------------------------------------------- writing


def _reason(error: DomainError) -> str:
    fields = error.details.get("fields") or {}
    if not fields:
        return error.message
    return f"{error.message} ({'; '.join(f'{name}: {text}' for name, text in fields.items())})"


def find_event(row: EventRow) -> Event | None:
    """The event a row names: same organiser, title and start (a live one before a
    cancelled one, the oldest first)."""
    matches = list(
        Event.objects.select_related("series", "venue")
        .filter(org_unit=row.unit, title=row.title, starts_at=row.starts_at)
        .order_by("pk")
    )
    live = [event for event in matches if event.status != EventStatus.CANCELLED]
    return (live or matches or [None])[0]


def _create(row: EventRow, actor: Actor, reason: str) -> Event:
    ends_at = row.ends_at or row.starts_at + DEFAULT_LENGTH
    over = ends_at < timezone.now()
    details = EventDetails(
        kind=row.kind,
        title=row.title,
        starts_at=row.starts_at,
        ends_at=ends_at,
        series=row.series,
        venue=row.venue,
        capacity=row.capacity,
        status=EventStatus.FINISHED if over else EventStatus.PUBLISHED,
    )
    event = event_create(actor=actor, org_code=row.unit.code, details=details)
    if row.attendance is not None:
        event = attendance_total_set(
            actor=actor, event_id=event.pk, total=row.attendance, reason=reason
        )
    return event


def _differences(event: Event, row: EventRow) -> dict[str, Any]:
    """The details (besides attendance) where the row's non-empty cells differ."""
    wanted: dict[str, Any] = {}
    if row.kind != event.kind:
        wanted["kind"] = row.kind
    if row.series and row.series != (event.series.name if event.series else ""):
        wanted["series"] = row.series
    if row.venue and row.venue != (event.venue.name if event.venue else ""):
        wanted["venue"] = row.venue
    if row.ends_at and row.ends_at != event.ends_at:
        wanted["ends_at"] = row.ends_at
    if row.capacity is not None and row.capacity != event.capacity:
        wanted["capacity"] = row.capacity
    return wanted


def _details(event: Event, wanted: dict[str, Any]) -> EventDetails:
    """The event's details as they are, with the row's changes."""
    capacity = wanted.get("capacity", event.capacity)
    # Registration follows the capacity unless someone chose otherwise.
    default = event.registration_required == (event.capacity is not None)
    return EventDetails(
        kind=wanted.get("kind", event.kind),
        title=event.title,
        starts_at=event.starts_at,
        ends_at=wanted.get("ends_at", event.ends_at),
        description=event.description,
        series=wanted.get("series", event.series.name if event.series else ""),
        venue=wanted.get("venue", ""),
        venue_id=None if "venue" in wanted else event.venue_id,
        audiences=event.audience_codes,
        capacity=capacity,
        registration_required=None if default else event.registration_required,
        registration_opens_at=event.registration_opens_at,
        registration_closes_at=event.registration_closes_at,
        online=event.online,
        stream_url=event.stream_url,
        status=event.status,
        image_alt=event.image_alt,
        partner_ids=list(event.partners.values_list("pk", flat=True)),
    )


def _update(event: Event, row: EventRow, actor: Actor, reason: str, result: ImportResult) -> str:
    wanted = _differences(event, row)
    total_differs = row.attendance is not None and row.attendance != event.attendance_total
    if event.status == EventStatus.CANCELLED:
        if wanted or total_differs:
            raise RowError(_("The event was cancelled: it is not changed."))
        return "unchanged"
    if event.status == EventStatus.FINISHED:
        if wanted:
            result.notes.append(
                (
                    row.line,
                    _(
                        "The event has finished: only its attendance is taken from the file "
                        "(%(fields)s differ)."
                    )
                    % {"fields": ", ".join(wanted)},
                )
            )
        wanted = {}
    if wanted:
        event_update(actor=actor, event_id=event.pk, details=_details(event, wanted))
    if total_differs:
        attendance_total_set(actor=actor, event_id=event.pk, total=row.attendance, reason=reason)
    return "updated" if wanted or total_differs else "unchanged"


def _import_row(row: EventRow, actor: Actor, reason: str, result: ImportResult) -> str:
    event = find_event(row)
    if event is None:
        _create(row, actor, reason)
        return "created"
    return _update(event, row, actor, reason, result)


def import_events(path: Path, *, actor: Actor, dry_run: bool = False) -> ImportResult:
    """Import the events in a CSV or XLSX file (see the module docstring); raises
    EventFileError when the file cannot be read or lacks required columns."""
    path = Path(path)
    rows, encoding = read_rows(path)
    result = ImportResult(encoding=encoding, dry_run=dry_run)
    rows = [(line, cells) for line, cells in rows if not is_blank(cells)]
    if not rows:
        raise EventFileError(_("The file is empty: line 1 is the header."))
    header_line, header = rows[0]
    columns = header_columns(header, header_line)
    units = _Units()
    seen: dict[tuple[int, str, datetime], int] = {}
    with transaction.atomic() if dry_run else nullcontext():
        for line, cells in rows[1:]:
            result.rows += 1
            try:
                row = check_row(line, cells, columns, units)
                key = (row.unit.pk, row.title, row.starts_at)
                if key in seen:
                    raise RowError(
                        _(
                            "This row names the same event (org_code, title, start) as line %(line)d."
                        )
                        % {"line": seen[key]}
                    )
                seen[key] = line
                with transaction.atomic():
                    outcome = _import_row(row, actor, f"import {path.name} line {line}", result)
            except RowError as error:
                result.errors.append((line, str(error)))
                continue
            except DomainError as error:
                result.errors.append((line, _reason(error)))
                continue
            except DatabaseError as error:
                result.errors.append(
                    (line, _("The database refused the row: %(error)s") % {"error": error})
                )
                continue
            except (OverflowError, ValueError) as error:  # one odd value never sinks the file
                result.errors.append(
                    (line, _("A value is out of range: %(error)s") % {"error": error})
                )
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
        if dry_run:
            transaction.set_rollback(True)
    return result
