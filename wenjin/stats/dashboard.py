"""What the statistics dashboard shows, read from the rollups: monthly series of one org
unit's subtree with the same months a year earlier, busiest hours, top CLC classes, the
per-branch breakdown, and the ten titles lent most (the one read of raw loans).

Additive measures are summed over the chosen unit's subtree (units whose path starts with
its path). Active readers are distinct counts: each unit's row already holds its whole
subtree's figure, so only the chosen unit's own row is read, never a sum; a figure for a
range exists only where a row was kept for exactly that range (one month or one calendar
year) and is None otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from wenjin.circulation.models import Loan
from wenjin.lib.clc import CLC_TOP_CLASSES
from wenjin.lib.errors import ValidationFailed
from wenjin.network.models import OrgUnit
from wenjin.stats.measures import NO_CLASS, hour_dim
from wenjin.stats.models import Period, Rollup, RollupRun
from wenjin.stats.services.rollups import covered_through, month_end
from wenjin.stats.services.rollups import months_between as month_list

# A dashboard covers at most three years of months: more would not fit a chart.
MAX_MONTHS = 36
TOP_TITLES = 10

# (key, label): the monthly series in the order the page shows them. The key is the
# rollup measure's name.
SERIES: tuple[tuple[str, object], ...] = (
    ("loans", gettext_lazy("Loans")),
    ("returns", gettext_lazy("Returns")),
    ("visits", gettext_lazy("Visits")),
    ("active_readers", gettext_lazy("Active readers")),
    ("cards_issued", gettext_lazy("New cards")),
    ("events", gettext_lazy("Events")),
    ("event_attendance", gettext_lazy("Event attendance")),
)
DISTINCT = frozenset({"active_readers"})
# Daily, additive measures (events and attendance are summed over their kinds).
DAILY = tuple(key for key, _label in SERIES if key not in DISTINCT)


# --- Months (pure) ------------------------------------------------------------------------


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after ``month``'s (before if negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def year_earlier(month: date) -> date:
    """The same month a year before (always a first day, so never 29 February)."""
    return month.replace(year=month.year - 1)


def default_range(today: date) -> tuple[date, date]:
    """The last twelve complete months before ``today``'s month."""
    last = add_months(today.replace(day=1), -1)
    return add_months(last, -11), last


def parse_month(value: str) -> date:
    """``"2025-03"`` (or a whole date in that month) → 1 March 2025; ValueError otherwise."""
    value = value.strip()
    if len(value) == 7:
        value += "-01"
    day = date.fromisoformat(value)
    if not 1900 < day.year < 3000:
        raise ValueError(value)
    return day.replace(day=1)


def check_range(first: date, last: date) -> list[date]:
    """The months of a valid range; ``ValidationFailed`` when reversed or too long."""
    if first > last:
        raise ValidationFailed(
            _("The first month comes after the last one."), fields={"from": "after the last"}
        )
    months = month_list(first, last)
    if len(months) > MAX_MONTHS:
        raise ValidationFailed(
            _("Choose at most %(n)d months.") % {"n": MAX_MONTHS}, fields={"to": "too long"}
        )
    return months


def percent_change(now: int | None, before: int | None) -> float | None:
    """The change from ``before`` to ``now`` in percent (one decimal); None when there is
    nothing to compare with (no earlier figure, or an earlier figure of 0)."""
    if now is None or not before:
        return None
    return round((now - before) * 100 / before, 1)


def clc_name(code: str) -> str:
    """A CLC top class's name in the page's language ("unclassified" for ``-``)."""
    if code == NO_CLASS:
        return _("Unclassified")
    names = CLC_TOP_CLASSES.get(code)
    if names is None:
        return code
    return names[0] if (get_language() or "").lower().startswith("zh") else names[1]


def distinct_row(first: date, last: date) -> tuple[str, date] | None:
    """The (period, day) of the active-readers row that covers exactly the months from
    ``first`` to ``last``, or None when no such row is kept."""
    if first == last:
        return Period.MONTH, first
    if first.year == last.year and first.month == 1 and last.month == 12:
        return Period.YEAR, first
    return None


# --- What the page shows ------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigure:
    month: date
    value: int
    earlier: int
    change: float | None


@dataclass(frozen=True)
class Series:
    """One measure month by month, against the same months a year earlier. ``total`` is
    None for distinct counts over a range no rollup row covers."""

    key: str
    label: str
    additive: bool
    months: list[MonthFigure]
    total: int | None
    earlier_total: int | None

    @property
    def change(self) -> float | None:
        return percent_change(self.total, self.earlier_total)

    @property
    def values(self) -> list[int]:
        return [figure.value for figure in self.months]

    @property
    def earlier_values(self) -> list[int]:
        return [figure.earlier for figure in self.months]


@dataclass(frozen=True)
class HourFigure:
    hour: int
    loans: int
    visits: int


@dataclass(frozen=True)
class ClassFigure:
    code: str
    name: str
    loans: int
    share: float  # percent of the range's loans with a class row, one decimal


@dataclass(frozen=True)
class TitleFigure:
    record_id: int
    title: str
    loans: int


@dataclass(frozen=True)
class BranchFigure:
    """A child unit's subtree (``own`` False), or the chosen unit without its children."""

    unit: OrgUnit
    own: bool
    values: dict[str, int | None]


@dataclass
class Dashboard:
    org: OrgUnit
    first: date  # first day of the first month
    last: date  # first day of the last month
    series: list[Series] = field(default_factory=list)
    hours: list[HourFigure] = field(default_factory=list)
    classes: list[ClassFigure] = field(default_factory=list)
    titles: list[TitleFigure] = field(default_factory=list)
    branches: list[BranchFigure] = field(default_factory=list)
    last_run: RollupRun | None = None
    rollups_through: date | None = None

    @property
    def months(self) -> list[date]:
        return month_list(self.first, self.last)

    @property
    def last_day(self) -> date:
        return month_end(self.last)

    @property
    def not_rolled_up(self) -> bool:
        """Part of the range lies after the last day any rebuild covered."""
        return self.rollups_through is None or self.rollups_through < self.last_day

    def get(self, key: str) -> Series:
        return next(series for series in self.series if series.key == key)

    def busiest_hour(self, measure: str) -> int | None:
        """The hour with the most ``"loans"`` or ``"visits"`` (the earliest of equals),
        None when there were none."""
        best = max(self.hours, key=lambda figure: getattr(figure, measure), default=None)
        return best.hour if best is not None and getattr(best, measure) else None


def dashboard(org: OrgUnit, first: date, last: date) -> Dashboard:
    """The dashboard of ``org``'s subtree for the months from ``first`` to ``last``
    (any day of each; ``ValidationFailed`` when reversed or longer than ``MAX_MONTHS``)."""
    first, last = first.replace(day=1), last.replace(day=1)
    months = check_range(first, last)
    board = Dashboard(org=org, first=first, last=last)
    children = list(OrgUnit.objects.filter(parent=org).order_by("path"))
    daily = _daily(org, first, last)
    distinct = _distinct(org, children, first, last)
    months_then = [year_earlier(month) for month in months]
    for key, label in SERIES:
        additive = key not in DISTINCT
        if additive:
            by_month = daily.get(key, {})
            now = [sum(by_month.get(month, {}).values()) for month in months]
            then = [sum(by_month.get(month, {}).values()) for month in months_then]
            total, earlier_total = sum(now), sum(then)
        else:
            own = distinct.get(org.pk, {})
            now = [own.get((Period.MONTH, month), 0) for month in months]
            then = [own.get((Period.MONTH, month), 0) for month in months_then]
            row = distinct_row(first, last)
            total = own.get(row, 0) if row else None
            earlier_row = distinct_row(year_earlier(first), year_earlier(last))
            earlier_total = own.get(earlier_row, 0) if earlier_row else None
        board.series.append(
            Series(
                key=key,
                label=str(label),
                additive=additive,
                months=[
                    MonthFigure(month, value, before, percent_change(value, before))
                    for month, value, before in zip(months, now, then, strict=True)
                ],
                total=total,
                earlier_total=earlier_total,
            )
        )
    board.branches = _branches(org, children, months, daily, distinct)
    board.hours, board.classes = _monthly_dims(org, first, last)
    board.titles = top_titles(org, first, last)
    board.last_run = (
        RollupRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
    )
    board.rollups_through = covered_through(first, month_end(last))
    return board


# measure → month → unit id → sum of the month's daily rows
_Daily = dict[str, dict[date, dict[int, int]]]


def _daily(org: OrgUnit, first: date, last: date) -> _Daily:
    """One read of the daily rows of the subtree, for the range and a year earlier."""
    span = Q(day__gte=first, day__lte=month_end(last)) | Q(
        day__gte=year_earlier(first), day__lte=month_end(year_earlier(last))
    )
    rows = (
        Rollup.objects.filter(span, period=Period.DAY, measure__in=DAILY)
        .filter(org_unit__path__startswith=org.path)
        .annotate(month=TruncMonth("day"))
        .values_list("measure", "month", "org_unit_id")
        .annotate(total=Sum("value"))
        .order_by()
    )
    found: _Daily = {}
    for measure, month, unit_id, total in rows:
        month = month.date() if isinstance(month, datetime) else month
        units = found.setdefault(measure, {}).setdefault(month, {})
        units[unit_id] = units.get(unit_id, 0) + total
    return found


def _distinct(
    org: OrgUnit, children: list[OrgUnit], first: date, last: date
) -> dict[int, dict[tuple[str, date], int]]:
    """Active readers rows of the unit and its children: unit id → (period, day) → value."""
    months = month_list(first, last)
    monthly = months + [year_earlier(month) for month in months]
    years = {date(month.year, 1, 1) for month in monthly}
    rows = Rollup.objects.filter(
        Q(period=Period.MONTH, day__in=monthly) | Q(period=Period.YEAR, day__in=years),
        measure="active_readers",
        org_unit_id__in=[org.pk, *(child.pk for child in children)],
    ).values_list("org_unit_id", "period", "day", "value")
    found: dict[int, dict[tuple[str, date], int]] = {}
    for unit_id, period, day, value in rows:
        # Only one row per (unit, period, day) with no dimension is written; summing
        # would hide a second one (a dimension), so the plain row is kept as it is.
        found.setdefault(unit_id, {})[(period, day)] = value
    return found


def _branches(
    org: OrgUnit,
    children: list[OrgUnit],
    months: list[date],
    daily: _Daily,
    distinct: dict[int, dict[tuple[str, date], int]],
) -> list[BranchFigure]:
    """The unit's own figures (without its children) and each child's subtree total."""
    if not children:
        return []
    paths = dict(
        OrgUnit.objects.filter(path__startswith=org.path).values_list("pk", "path").order_by()
    )

    def child_of(unit_id: int) -> int:
        rest = paths.get(unit_id, org.path)[len(org.path) :].strip("/")
        return int(rest.split("/")[0]) if rest else org.pk

    totals: dict[int, dict[str, int]] = {}
    for measure, by_month in daily.items():
        for month in months:
            for unit_id, value in by_month.get(month, {}).items():
                into = totals.setdefault(child_of(unit_id), {})
                into[measure] = into.get(measure, 0) + value
    row = distinct_row(months[0], months[-1])
    figures = []
    for unit, own in [(org, True), *((child, False) for child in children)]:
        values: dict[str, int | None] = {}
        for key, _label in SERIES:
            if key in DISTINCT:
                values[key] = None if own or row is None else distinct.get(unit.pk, {}).get(row, 0)
            else:
                values[key] = totals.get(unit.pk, {}).get(key, 0)
        figures.append(BranchFigure(unit=unit, own=own, values=values))
    return figures


def _monthly_dims(
    org: OrgUnit, first: date, last: date
) -> tuple[list[HourFigure], list[ClassFigure]]:
    """Loans and visits by hour, and loans by CLC class, summed over the subtree and range."""
    rows = (
        Rollup.objects.filter(
            period=Period.MONTH,
            day__gte=first,
            day__lte=last,
            measure__in=("loans_by_hour", "visits_by_hour", "loans_by_clc"),
            org_unit__path__startswith=org.path,
        )
        .values_list("measure", "dim")
        .annotate(total=Sum("value"))
        .order_by()
    )
    sums: dict[str, dict[str, int]] = {}
    for measure, dim, total in rows:
        sums.setdefault(measure, {})[dim] = total
    hours = [
        HourFigure(
            hour,
            sums.get("loans_by_hour", {}).get(hour_dim(hour), 0),
            sums.get("visits_by_hour", {}).get(hour_dim(hour), 0),
        )
        for hour in range(24)
    ]
    by_class = sums.get("loans_by_clc", {})
    counted = sum(by_class.values())
    classes = [
        ClassFigure(code, clc_name(code), loans, round(loans * 100 / counted, 1))
        for code, loans in sorted(by_class.items(), key=lambda pair: (-pair[1], pair[0]))
        if loans > 0
    ]
    return hours, classes


def top_titles(org: OrgUnit, first: date, last: date, limit: int = TOP_TITLES) -> list[TitleFigure]:
    """The titles lent most from ``org``'s subtree in the months ``first``…``last``: one
    query on the loans (no rollup keeps titles), ties in title order."""
    start = timezone.make_aware(datetime.combine(first.replace(day=1), time()))
    end = timezone.make_aware(datetime.combine(add_months(last.replace(day=1), 1), time()))
    rows = (
        Loan.objects.filter(
            checkout_org__path__startswith=org.path,
            checked_out_at__gte=start,
            checked_out_at__lt=end,
        )
        .values_list("item__record_id", "item__record__title")
        .annotate(loans=Count("pk"))
        .order_by("-loans", "item__record__title", "item__record_id")[:limit]
    )
    return [TitleFigure(record_id, title, loans) for record_id, title, loans in rows]
