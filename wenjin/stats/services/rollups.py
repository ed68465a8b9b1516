"""Rebuilding the rollups for a date range (``wenjin stats rebuild``, the daily job).

A rebuild recomputes every measure for the days in the range, the months and years the
range touches (monthly and yearly measures are recomputed whole) and the snapshots at
each month's end in the range and at its last day. Rows are replaced month by month,
each month in one transaction, so a rebuild can run beside the desks and a second run
over the same range writes exactly the same rows.
"""

from __future__ import annotations

import bisect
import time as clock
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, DateField, F, Func, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, ExtractHour, TruncDate
from django.utils import timezone

from wenjin.catalog.models import Item
from wenjin.circulation.models import LendingVisit, Loan, LoanRenewal
from wenjin.events.models import Event, EventStatus
from wenjin.network.models import OrgUnit
from wenjin.patrons.models import Card, CardEvent, CardStatus
from wenjin.stats.measures import NO_CLASS, hour_dim
from wenjin.stats.models import GateCount, Period, Rollup, RollupRun, StatsSettings

Key = tuple[int, str, date, str, str]  # (org unit, period, day, measure, dim)

# Cards in these states are not valid, whatever their expiry date.
_DEAD_CARD = {CardStatus.CANCELLED, CardStatus.LOST}
HELD_EVENT_STATUSES = (EventStatus.PUBLISHED, EventStatus.FINISHED)


@dataclass
class RebuildResult:
    first_day: date
    last_day: date
    rows: int
    changed: int
    seconds: float


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def months_between(first: date, last: date) -> list[date]:
    """First days of the months from ``first``'s to ``last``'s."""
    months, cursor = [], month_start(first)
    while cursor <= last:
        months.append(cursor)
        cursor = month_end(cursor) + timedelta(days=1)
    return months


def snapshot_days(first: date, last: date) -> list[date]:
    """Each month's last day within the range, and the range's last day."""
    days = [month_end(month) for month in months_between(first, last)]
    return sorted({day for day in days if first <= day <= last} | {last})


class _Rows:
    """Figures being gathered, summed per key (zeros are not stored)."""

    def __init__(self) -> None:
        self.values: dict[Key, int] = defaultdict(int)

    def add(self, org: int, period: str, day: date, measure: str, dim: str, value: int) -> None:
        if value:
            self.values[(org, period, day, measure, dim or "")] += int(value)

    def add_day(
        self, org: int, day: date | datetime, measure: str, value: int, dim: str = ""
    ) -> None:
        if isinstance(day, datetime):
            day = timezone.localdate(day)
        self.add(org, Period.DAY, day, measure, dim, value)


# ---- local days and hours ---------------------------------------------------------------


def _fixed_offset_minutes() -> int | None:
    """The time zone's offset in minutes when it has one all year (Asia/Shanghai has had
    no summer time since 1991), else None."""
    zone = timezone.get_current_timezone()
    offsets = {zone.utcoffset(datetime(2024, month, 1)) for month in (1, 4, 7, 10)}
    if len(offsets) != 1:
        return None
    offset = offsets.pop()
    return int(offset.total_seconds() // 60) if offset is not None else None


def _sqlite_shift() -> str | None:
    """SQLite keeps datetimes as UTC text and Django converts them to local time with a
    Python function called once per row; with a fixed offset SQLite's own date functions
    do the same work natively, several times faster over a year of loans."""
    if connection.vendor != "sqlite":
        return None
    minutes = _fixed_offset_minutes()
    return None if minutes is None else f"{minutes:+d} minutes"


def local_day(field: str) -> Func:
    """The local calendar day of a datetime column, as an SQL expression."""
    shift = _sqlite_shift()
    if shift is None:
        return TruncDate(field)
    return Func(F(field), Value(shift), function="date", output_field=DateField())


def local_hour(field: str) -> Func:
    """The local hour (0–23) of a datetime column, as an SQL expression."""
    shift = _sqlite_shift()
    if shift is None:
        return ExtractHour(field)
    return Func(
        F(field),
        Value(shift),
        template="CAST(strftime('%%H', %(expressions)s) AS INTEGER)",
        output_field=IntegerField(),
    )


# ---- the measures ---------------------------------------------------------------------


def _loans(rows: _Rows, first: date, last: date) -> None:
    span = (_start(first), _start(last + timedelta(days=1)))
    loans = Loan.objects.filter(checked_out_at__gte=span[0], checked_out_at__lt=span[1])
    by_day = loans.annotate(day=local_day("checked_out_at")).values("checkout_org_id", "day")
    for row in by_day.annotate(n=Count("id")):
        rows.add_day(row["checkout_org_id"], row["day"], "loans", row["n"])
    visits = LendingVisit.objects.filter(day__gte=first, day__lte=last)
    for row in visits.values("org_unit_id", "day").annotate(n=Count("id")):
        rows.add_day(row["org_unit_id"], row["day"], "lending_visits", row["n"])
    # A renewal recorded without its unit (imported history) counts where the loan was made.
    renewals = LoanRenewal.objects.filter(at__gte=span[0], at__lt=span[1]).annotate(
        day=local_day("at"), unit=Coalesce("org_unit_id", "loan__checkout_org_id")
    )
    for row in renewals.values("unit", "day").annotate(n=Count("id")):
        rows.add_day(row["unit"], row["day"], "renewals", row["n"])
    returns = Loan.objects.filter(
        returned_at__gte=span[0], returned_at__lt=span[1], closed_as="returned"
    )
    for row in (
        returns.annotate(day=local_day("returned_at"))
        .values("checkin_org_id", "day")
        .annotate(n=Count("id"))
    ):
        rows.add_day(row["checkin_org_id"], row["day"], "returns", row["n"])


def _loans_monthly(rows: _Rows, month: date) -> None:
    span = (_start(month), _start(month_end(month) + timedelta(days=1)))
    loans = Loan.objects.filter(checked_out_at__gte=span[0], checked_out_at__lt=span[1])
    for row in loans.values("checkout_org_id", clc=F("item__record__clc_top")).annotate(
        n=Count("id")
    ):
        rows.add(
            row["checkout_org_id"],
            Period.MONTH,
            month,
            "loans_by_clc",
            row["clc"] or NO_CLASS,
            row["n"],
        )
    hours = loans.annotate(hour=local_hour("checked_out_at")).values("checkout_org_id", "hour")
    for row in hours.annotate(n=Count("id")):
        rows.add(
            row["checkout_org_id"],
            Period.MONTH,
            month,
            "loans_by_hour",
            hour_dim(row["hour"]),
            row["n"],
        )


def _active_readers(
    rows: _Rows, period: str, start: date, end: date, ancestry: dict[int, list[int]]
) -> None:
    """Distinct readers who borrowed in [start, end], for every unit's whole subtree."""
    visits = LendingVisit.objects.filter(day__gte=start, day__lte=end)
    readers: dict[int, set[str]] = defaultdict(set)
    for org_id, key in visits.values_list("org_unit_id", "reader_key").distinct().iterator():
        for unit_id in ancestry.get(org_id, (org_id,)):
            readers[unit_id].add(key)
    for unit_id, keys in readers.items():
        rows.add(unit_id, period, start, "active_readers", "", len(keys))


def _visits(rows: _Rows, first: date, last: date, months: list[date]) -> None:
    counts = GateCount.objects.filter(day__gte=first, day__lte=last)
    for row in counts.values("org_unit_id", "day").annotate(n=Sum("count")):
        rows.add_day(row["org_unit_id"], row["day"], "visits", row["n"])
    hourly = GateCount.objects.filter(
        day__gte=months[0], day__lte=month_end(months[-1]), hour__isnull=False
    )
    for month in months:
        in_month = hourly.filter(day__gte=month, day__lte=month_end(month))
        for row in in_month.values("org_unit_id", "hour").annotate(n=Sum("count")):
            rows.add(
                row["org_unit_id"],
                Period.MONTH,
                month,
                "visits_by_hour",
                hour_dim(row["hour"]),
                row["n"],
            )


def _cards_issued(rows: _Rows, first: date, last: date) -> None:
    cards = Card.objects.filter(issued_on__gte=first, issued_on__lte=last)
    for row in cards.values("issued_at_id", "issued_on").annotate(n=Count("id")):
        rows.add_day(row["issued_at_id"], row["issued_on"], "cards_issued", row["n"])


def _events(rows: _Rows, first: date, last: date) -> None:
    events = Event.objects.filter(
        starts_at__gte=_start(first),
        starts_at__lt=_start(last + timedelta(days=1)),
        status__in=HELD_EVENT_STATUSES,
    )
    grouped = events.annotate(day=local_day("starts_at")).values("org_unit_id", "day", "kind")
    for row in grouped.annotate(n=Count("id"), people=Sum("attendance")):
        rows.add_day(row["org_unit_id"], row["day"], "events", row["n"], row["kind"])
        rows.add_day(
            row["org_unit_id"], row["day"], "event_attendance", row["people"] or 0, row["kind"]
        )


_ITEM_KEY = (
    "owning_org_id",
    "material_type",
    "is_braille",
    "is_rare",
    "is_open_shelf",
    "is_children",
)


def _items() -> Iterable:
    return Item.objects.annotate(acq=Coalesce("acquired_on", local_day("created_at")))


def _holdings(rows: _Rows, first: date, last: date, days: list[date]) -> None:
    """Holdings at each snapshot day: an item counts from its acquisition to the day
    before its withdrawal. One query for the state before the range and two for the
    changes within it, rather than one scan of all items per snapshot."""
    before = first - timedelta(days=1)
    base = (
        _items()
        .filter(acq__lte=before)
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=before))
    )
    state: dict[tuple, int] = defaultdict(int)
    for row in base.values(*_ITEM_KEY).annotate(n=Count("id")):
        state[tuple(row[k] for k in _ITEM_KEY)] += row["n"]
    changes: dict[date, list[tuple[tuple, int]]] = defaultdict(list)
    entering = (
        _items()
        .filter(acq__gte=first, acq__lte=last)
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=F("acq")))
    )
    for row in entering.values(*_ITEM_KEY, "acq").annotate(n=Count("id")):
        changes[row["acq"]].append((tuple(row[k] for k in _ITEM_KEY), row["n"]))
    leaving = _items().filter(
        withdrawn_on__gte=first, withdrawn_on__lte=last, acq__lt=F("withdrawn_on")
    )
    for row in leaving.values(*_ITEM_KEY, "withdrawn_on").annotate(n=Count("id")):
        changes[row["withdrawn_on"]].append((tuple(row[k] for k in _ITEM_KEY), -row["n"]))
    change_days = sorted(changes)
    applied = 0
    for day in days:
        while applied < len(change_days) and change_days[applied] <= day:
            for key, n in changes[change_days[applied]]:
                state[key] += n
            applied += 1
        for (org, material, braille, rare, open_shelf, children), n in state.items():
            if n <= 0:
                continue
            rows.add(org, Period.SNAPSHOT, day, "holdings", material, n)
            if braille and material == "book":
                rows.add(org, Period.SNAPSHOT, day, "holdings_braille_books", "", n)
            if rare and material == "ancient":  # 善本 is a part of 古籍 on the form
                rows.add(org, Period.SNAPSHOT, day, "holdings_rare", "", n)
            if open_shelf:
                rows.add(org, Period.SNAPSHOT, day, "holdings_open_shelf", "", n)
            if children:
                rows.add(org, Period.SNAPSHOT, day, "holdings_children", "", n)
    acquired = _items().filter(acq__gte=first, acq__lte=last)
    for row in acquired.values("owning_org_id", "acq").annotate(n=Count("id")):
        rows.add_day(row["owning_org_id"], row["acq"], "items_acquired", row["n"])
    withdrawn = Item.objects.filter(withdrawn_on__gte=first, withdrawn_on__lte=last)
    for row in withdrawn.values("owning_org_id", "withdrawn_on").annotate(n=Count("id")):
        rows.add_day(row["owning_org_id"], row["withdrawn_on"], "items_withdrawn", row["n"])


def _valid_cards(rows: _Rows, days: list[date]) -> None:
    """Valid cards at each snapshot day, from the cards' status history: the state after
    the last recorded change on or before the day (before any change: the state the card
    was issued in, else its present state)."""
    last = days[-1]
    history: dict[int, list[tuple[date, str, date]]] = defaultdict(list)
    events = CardEvent.objects.filter(card__issued_on__lte=last).order_by("card_id", "at", "id")
    for card_id, at, status, expires_on in events.values_list(
        "card_id", "at", "status", "expires_on"
    ).iterator():
        history[card_id].append((timezone.localdate(at), status, expires_on))
    cards = Card.objects.filter(issued_on__lte=last).values_list(
        "id", "issued_at_id", "issued_on", "status", "expires_on"
    )
    for card_id, org, issued_on, status, expires_on in cards.iterator():
        changes = history.get(card_id, [])
        change_days = [change[0] for change in changes]
        for day in days:
            if issued_on > day:
                continue
            index = bisect.bisect_right(change_days, day)
            if index:
                _, state, until = changes[index - 1]
            elif changes:
                _, state, until = changes[0]
            else:
                state, until = status, expires_on
            if state not in _DEAD_CARD and until >= day:
                rows.add(org, Period.SNAPSHOT, day, "valid_cards", "", 1)


# ---- the rebuild ----------------------------------------------------------------------


def covered_through(first: date, last: date) -> date | None:
    """The last day up to which [first, last] is covered by finished full rebuilds without
    a gap (None when ``first`` itself is not): a report of a year rolled up only in part
    says so instead of showing zeros."""
    runs = RollupRun.objects.filter(
        finished_at__isnull=False, families="", first_day__lte=last, last_day__gte=first
    ).order_by("first_day")
    reached = first - timedelta(days=1)
    for run_first, run_last in runs.values_list("first_day", "last_day"):
        if run_first > reached + timedelta(days=1):
            break
        reached = max(reached, run_last)
    return min(reached, last) if reached >= first else None


def _ancestry() -> dict[int, list[int]]:
    """Each unit's id with its ancestors' ids (the units whose subtree it is in)."""
    return {unit.pk: [*unit.ancestor_ids, unit.pk] for unit in OrgUnit.objects.only("pk", "path")}


def _chunks(first: date, last: date) -> Iterator[tuple[date, date]]:
    for month in months_between(first, last):
        yield max(first, month), min(last, month_end(month))


# The measures each builder writes: a rebuild of some families replaces only theirs.
FAMILIES: dict[str, frozenset[str]] = {
    "circulation": frozenset(
        {"loans", "lending_visits", "renewals", "returns", "loans_by_clc", "loans_by_hour"}
        | {"active_readers"}
    ),
    "visits": frozenset({"visits", "visits_by_hour"}),
    "cards": frozenset({"cards_issued", "valid_cards"}),
    "events": frozenset({"events", "event_attendance"}),
    "holdings": frozenset(
        {"items_acquired", "items_withdrawn", "holdings", "holdings_braille_books"}
        | {"holdings_rare", "holdings_open_shelf", "holdings_children"}
    ),
}
ALL_FAMILIES = frozenset(FAMILIES)


def rollup_rebuild(
    *, first: date, last: date, by: str = "", families: Iterable[str] = ALL_FAMILIES
) -> RebuildResult:
    """Recompute the rollups for ``first``…``last`` (inclusive); idempotent. ``families``
    limits the rebuild to some builders (the daily job refreshes events over two years
    without recounting two years of loans)."""
    if last < first:
        raise ValueError("last day before first day")
    chosen = frozenset(families)
    if not chosen or chosen - ALL_FAMILIES:
        raise ValueError(f"unknown rollup families {sorted(chosen - ALL_FAMILIES)}")
    began = clock.monotonic()
    run = RollupRun.objects.create(
        started_at=timezone.now(),
        first_day=first,
        last_day=last,
        by=by[:150],
        families="" if chosen == ALL_FAMILIES else ",".join(sorted(chosen)),
    )
    months = months_between(first, last)
    snapshots = snapshot_days(first, last)
    years = sorted({month.year for month in months})
    rows = _Rows()
    if "circulation" in chosen:
        ancestry = _ancestry()
        _loans(rows, first, last)
        for month in months:
            _loans_monthly(rows, month)
            _active_readers(rows, Period.MONTH, month, month_end(month), ancestry)
        for year in years:
            _active_readers(rows, Period.YEAR, date(year, 1, 1), date(year, 12, 31), ancestry)
    if "visits" in chosen:
        _visits(rows, first, last, months)
    if "cards" in chosen:
        _cards_issued(rows, first, last)
        _valid_cards(rows, snapshots)
    if "events" in chosen:
        _events(rows, first, last)
    if "holdings" in chosen:
        _holdings(rows, first, last, snapshots)
    measures = frozenset().union(*(FAMILIES[name] for name in chosen))
    changed = _write(rows, first, last, years if "circulation" in chosen else [], measures)
    written = len(rows.values)
    seconds = clock.monotonic() - began
    RollupRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(), rows=written, seconds=seconds
    )
    return RebuildResult(first, last, written, changed, seconds)


def _write(rows: _Rows, first: date, last: date, years: list[int], measures: frozenset[str]) -> int:
    """Replace the range's rows of ``measures`` with ``rows``; returns how many figures
    changed (added, removed or with another value), so a second run can say it changed
    nothing."""
    by_chunk: dict[date, list[Rollup]] = defaultdict(list)
    yearly: list[Rollup] = []
    for (org, period, day, measure, dim), value in rows.values.items():
        row = Rollup(org_unit_id=org, period=period, day=day, measure=measure, dim=dim, value=value)
        if period == Period.YEAR:
            yearly.append(row)
        else:
            by_chunk[month_start(day)].append(row)
    mine = Rollup.objects.filter(measure__in=measures)
    changed = 0
    for start, end in _chunks(first, last):
        month = month_start(start)
        old = mine.filter(
            Q(period__in=(Period.DAY, Period.SNAPSHOT), day__gte=start, day__lte=end)
            | Q(period=Period.MONTH, day=month)
        )
        changed += _replace(old, by_chunk.get(month, []))
    if years:
        old = mine.filter(period=Period.YEAR, day__in=[date(y, 1, 1) for y in years])
        changed += _replace(old, yearly)
    return changed


def _replace(old: QuerySet[Rollup], new: list[Rollup]) -> int:
    """Make ``old`` hold exactly ``new``, writing only the figures that differ (a nightly
    rebuild of settled days writes nothing), in one transaction holding the statistics
    settings row: two rebuilds at once (the nightly job and one queued from the pages)
    take turns month by month instead of inserting the same figures twice. Returns how
    many figures changed."""
    fields = ("org_unit_id", "period", "day", "measure", "dim")
    with transaction.atomic():
        lock = StatsSettings.objects.select_for_update().filter(pk=StatsSettings.load().pk)
        list(lock.values_list("pk", flat=True))
        before = {row[1:-1]: (row[0], row[-1]) for row in old.values_list("pk", *fields, "value")}
        after = {tuple(getattr(row, name) for name in fields): row for row in new}
        differ = {key for key in before.keys() & after.keys() if before[key][1] != after[key].value}
        removed, added = before.keys() - after.keys(), after.keys() - before.keys()
        stale = [before[key][0] for key in removed | differ]
        for start in range(0, len(stale), 900):
            Rollup.objects.filter(pk__in=stale[start : start + 900]).delete()
        Rollup.objects.bulk_create([after[key] for key in added | differ], batch_size=2000)
    return len(removed) + len(added) + len(differ)
