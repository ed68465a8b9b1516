"""The staff events calendar: a month (a grid of weeks, Monday first, that becomes a
day-by-day list on a phone) or a week, for one library and its branches or the whole
network. Events over several days (exhibitions) are listed once as running, and marked
on their opening day, instead of filling every cell they span.

A month of the network is thousands of events, so the page reads plain rows (no model
instances) and keeps only what the cells show: a few per day, and how many more."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import BigIntegerField, Func
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from wenjin.events import policies, selectors
from wenjin.events.models import Event, EventKind, EventStatus
from wenjin.events.selectors import EventFilter
from wenjin.network.models import OrgUnit

# Events shown in one cell before a "more" link to the list for that day: a month of the
# whole network has thousands of events, a cell has room for a few.
MONTH_CELL_LIMIT = 5
WEEK_CELL_LIMIT = 20
# Running exhibitions listed above the grid; the rest are a link to the list away.
RUNNING_LIMIT = 40
DETAIL_MARK = 987654321  # stands in for an event id in the one reversed detail URL
# An evening that ends after midnight is still one day's event.
MULTI_DAY_MIN = timedelta(hours=12)
_COLUMNS = (
    "pk",
    "title",
    "kind",
    "status",
    "starts_at",
    "ends_at",
    "capacity",
    "seats_taken",
    "org_unit__code",
    "venue__name",
)


class EpochSeconds(Func):
    """A timestamp column as whole seconds since 1970 (UTC), on PostgreSQL and SQLite."""

    output_field = BigIntegerField()
    template = "CAST(EXTRACT(EPOCH FROM %(expressions)s) AS BIGINT)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        # Django keeps SQLite timestamps as UTC text; julianday() reads it.
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND((julianday(%(expressions)s) - 2440587.5) * 86400) AS INTEGER)",
            **extra,
        )


def is_multi_day(event: Event) -> bool:
    """An event over more than one day (an exhibition, a two-day workshop)."""
    return _spans_days(event.starts_at, event.ends_at, timezone.get_current_timezone())


def _spans_days(starts_at: datetime, ends_at: datetime, zone: tzinfo) -> bool:
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    return end.date() > start.date() and end - start > MULTI_DAY_MIN


@dataclass(slots=True)
class CalendarEntry:
    """What a cell or the running list shows of one event."""

    pk: int
    title: str
    kind: str
    status: str
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    seats_taken: int
    org_code: str
    venue_name: str | None
    multi_day: bool = False
    url: str = ""

    def get_kind_display(self) -> str:
        return str(EventKind(self.kind).label)

    def get_status_display(self) -> str:
        return str(EventStatus(self.status).label)


@dataclass
class CalendarDay:
    """One cell: the events starting that day (up to the cell's limit) and how many
    more there are; multi-day events appear here on their opening day only."""

    day: date
    in_range: bool = True
    events: list[CalendarEntry] = field(default_factory=list)
    more: int = 0
    is_today: bool = False


def calendar_days(
    first: date,
    last: date,
    criteria: EventFilter,
    limit: int,
    pad: bool,
    detail_url: str = "/{pk}/",
) -> tuple[list[CalendarDay], list[CalendarEntry], int, int]:
    """The cells from ``first`` to ``last`` (padded to whole weeks from Monday when
    ``pad``), the multi-day events running in the range (listed once, at most
    ``RUNNING_LIMIT`` of them, in start order), how many events there are and how many of
    them run over several days.

    Two reads: every event's id and times (a month of the city is thousands), then the
    details of only the few a cell or the running list shows."""
    start = first - timedelta(days=first.weekday()) if pad else first
    end = last + timedelta(days=6 - last.weekday()) if pad else last
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    cells: dict[date, CalendarDay] = {}
    day = start
    while day <= end:
        cells[day] = CalendarDay(day=day, in_range=first <= day <= last, is_today=day == today)
        day += timedelta(days=1)
    # Seconds since 1970 rather than timestamps: thousands of timestamps cost more to
    # parse than everything else the page does.
    slim = list(
        selectors.events(criteria)
        .annotate(start_second=EpochSeconds("starts_at"), end_second=EpochSeconds("ends_at"))
        .values_list("pk", "start_second", "end_second")
    )
    placed: list[tuple[int, CalendarDay | None, bool]] = []  # (pk, its cell, multi-day)
    shown_in: dict[date, int] = {}
    running = 0
    for pk, start_second, end_second in slim:
        starts_at = datetime.fromtimestamp(start_second, zone)
        ends_at = datetime.fromtimestamp(end_second, zone)
        multi = _spans_days(starts_at, ends_at, zone)
        cell = cells.get(starts_at.astimezone(zone).date())
        if cell is not None and cell.in_range:
            if shown_in.get(cell.day, 0) < limit:
                shown_in[cell.day] = shown_in.get(cell.day, 0) + 1
            else:
                cell.more += 1
                cell = None
        else:
            cell = None
        listed = multi and running < RUNNING_LIMIT
        running += multi
        if cell is not None or listed:
            placed.append((pk, cell, listed))
    details = {
        row[0]: row
        for row in Event.objects.filter(pk__in=[pk for pk, _cell, _listed in placed])
        .values_list(*_COLUMNS)
        .iterator()
    }
    listed_entries: list[CalendarEntry] = []
    for pk, cell, listed in placed:
        row = details[pk]
        entry = CalendarEntry(
            *row,
            multi_day=_spans_days(row[4], row[5], zone),
            url=detail_url.replace("{pk}", str(pk)),
        )
        if cell is not None:
            cell.events.append(entry)
        if listed:
            listed_entries.append(entry)
    return list(cells.values()), listed_entries, len(slim), running


def _month_of(day: date) -> tuple[date, date]:
    return selectors.month_days(day.year, day.month)


def _day_param(text: str) -> date:
    try:
        return policies.clamp_day(date.fromisoformat(text))
    except ValueError:
        return timezone.localdate()


def _encode(params: dict[str, Any]) -> str:
    query = QueryDict(mutable=True)
    for name, value in params.items():
        query[name] = str(value)
    return query.urlencode()


@login_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    """A month (``?view=month``, the default) or week (``?view=week``) around
    ``?date=YYYY-MM-DD`` for ``?org=CODE`` and its branches, or the whole network."""
    view = "week" if request.GET.get("view") == "week" else "month"
    anchor = _day_param(request.GET.get("date", ""))
    code = request.GET.get("org", "").strip()
    unit = OrgUnit.objects.filter(code=code).first() if code else None
    if code and unit is None:
        raise Http404(_("There is no such library."))
    if view == "month":
        first, last = _month_of(anchor)
        previous, following = _month_of(first - timedelta(days=1))[0], last + timedelta(days=1)
        limit = MONTH_CELL_LIMIT
    else:
        first = anchor - timedelta(days=anchor.weekday())
        last = first + timedelta(days=6)
        previous, following = first - timedelta(days=7), first + timedelta(days=7)
        limit = WEEK_CELL_LIMIT
    criteria = EventFilter(
        org_path=unit.path if unit else "",
        since=first,
        until=last,
        statuses=tuple(EventStatus.values),
    )
    detail_url = reverse("events:detail", args=[DETAIL_MARK]).replace(str(DETAIL_MARK), "{pk}")
    days, running, count, running_count = calendar_days(
        first, last, criteria, limit, pad=view == "month", detail_url=detail_url
    )
    org = {"org": unit.code} if unit else {}
    base = reverse("events:calendar")
    list_base = reverse("events:list")

    def link(**params: Any) -> str:
        return f"{base}?{_encode(params)}"

    return render(
        request,
        "events/staff_calendar.html",
        {
            "view": view,
            "first": first,
            "last": last,
            "unit": unit,
            "units": OrgUnit.objects.order_by("path").only("code", "name_zh", "name_en"),
            "days": days,
            "running": running,
            "running_more": max(0, running_count - len(running)),
            "count": count,
            "previous_url": link(view=view, date=previous.isoformat(), **org),
            "next_url": link(view=view, date=following.isoformat(), **org),
            "today_url": link(view=view, **org),
            "month_url": link(view="month", date=first.isoformat(), **org),
            "week_url": link(view="week", date=anchor.isoformat(), **org),
            "list_url": f"{list_base}?{_encode({'since': first, 'until': last, **org})}",
            "list_base": list_base,
        },
    )
