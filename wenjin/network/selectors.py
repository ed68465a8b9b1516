"""Reads about the network: finding units, tree queries and schedules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wenjin.lib.errors import NotFound
from wenjin.network import policies
from wenjin.network.models import OrgUnit, PublicCalendarDay, ScheduleException, WeeklyHours
from wenjin.network.policies import ExceptionSpan, Period, UnitSchedule


def get_unit(code: str) -> OrgUnit:
    """The unit with ``code``, or an ORG_UNIT_NOT_FOUND error."""
    if "\x00" in code:  # PostgreSQL refuses NUL in text; no code has one
        code = code.replace("\x00", "")
        raise NotFound(
            "ORG_UNIT_NOT_FOUND", _("There is no org unit with code %(code)s.") % {"code": code}
        )
    unit = OrgUnit.objects.select_related("parent", "director").filter(code=code).first()
    if unit is None:
        raise NotFound(
            "ORG_UNIT_NOT_FOUND", _("There is no org unit with code %(code)s.") % {"code": code}
        )
    return unit


def ancestors(unit: OrgUnit) -> list[OrgUnit]:
    """The unit's ancestors, root first (one query)."""
    ids = unit.ancestor_ids
    by_id = OrgUnit.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def descendants(unit: OrgUnit, *, include_self: bool = False) -> QuerySet[OrgUnit]:
    """Every unit below ``unit`` at any depth, in tree order (one query)."""
    units = OrgUnit.objects.filter(path__startswith=unit.path)
    return units if include_self else units.exclude(pk=unit.pk)


def tree_distance(unit_a: OrgUnit, unit_b: OrgUnit) -> int:
    """Edges between two units in the tree (no query: read from their paths)."""
    return policies.tree_distance(unit_a.path, unit_b.path)


@dataclass
class TreeNode:
    """A unit with its children, for rendering the network as a tree."""

    unit: OrgUnit
    children: list[TreeNode] = field(default_factory=list)


def unit_tree(units: Iterable[OrgUnit] | None = None) -> list[TreeNode]:
    """Nest units (all of them by default) into trees; returns the roots in order."""
    if units is None:
        units = OrgUnit.objects.order_by("depth", "sort_order", "code")
    nodes: dict[int, TreeNode] = {}
    roots: list[TreeNode] = []
    for unit in sorted(units, key=lambda u: (u.depth, u.sort_order, u.code)):
        node = TreeNode(unit)
        nodes[unit.pk] = node
        parent = nodes.get(unit.parent_id) if unit.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


# --- Schedules ----------------------------------------------------------------------------


def schedules_for(units: Iterable[OrgUnit], start: date, end: date) -> dict[int, UnitSchedule]:
    """Schedules for several units covering ``start``–``end`` (two queries in all).

    Exceptions recorded on an ancestor with ``applies_to_subtree`` count for every unit
    below it.
    """
    units = list(units)
    if not units:
        return {}
    unit_ids = [unit.pk for unit in units]
    weekly: dict[int, dict[int, list[Period]]] = {pk: {} for pk in unit_ids}
    for row in WeeklyHours.objects.filter(org_unit_id__in=unit_ids):
        weekly[row.org_unit_id].setdefault(row.weekday, []).append(
            Period(row.opens_minute, row.closes_minute)
        )
    ancestor_ids = {pk for unit in units for pk in unit.ancestor_ids}
    exceptions = list(
        ScheduleException.objects.filter(start_date__lte=end, end_date__gte=start).filter(
            Q(org_unit_id__in=unit_ids) | Q(org_unit_id__in=ancestor_ids, applies_to_subtree=True)
        )
    )
    calendar = {}
    if any(unit.observes_public_holidays for unit in units):
        calendar = {
            row.day: (row.kind, row.hours_of_weekday)
            for row in PublicCalendarDay.objects.filter(day__gte=start, day__lte=end)
        }
    schedules = {}
    for unit in units:
        chain = set() if unit.kind in policies.UNSTAFFED_KINDS else set(unit.ancestor_ids)
        spans = [
            _span(exception, own=exception.org_unit_id == unit.pk)
            for exception in exceptions
            if exception.org_unit_id == unit.pk
            or (exception.applies_to_subtree and exception.org_unit_id in chain)
        ]
        schedules[unit.pk] = UnitSchedule(
            status=unit.status,
            status_from=unit.status_from,
            status_until=unit.status_until,
            weekly={day: sorted(periods) for day, periods in weekly[unit.pk].items()},
            exceptions=spans,
            observes_holidays=unit.observes_public_holidays,
            calendar=calendar,
        )
    return schedules


def _span(exception: ScheduleException, *, own: bool) -> ExceptionSpan:
    periods = None
    if exception.kind == "special_hours":
        periods = (Period(exception.opens_minute, exception.closes_minute),)
    return ExceptionSpan(exception.start_date, exception.end_date, periods, exception.reason, own)


def schedule_for(
    unit: OrgUnit, start: date, days: int = policies.NEXT_OPEN_SEARCH_DAYS
) -> UnitSchedule:
    return schedules_for([unit], start, start + timedelta(days=days))[unit.pk]


def local_now() -> datetime:
    """Now in the library's time zone, as a naive local datetime for the schedule rules."""
    return timezone.localtime().replace(tzinfo=None)


def is_open_at(unit: OrgUnit, moment: datetime) -> bool:
    """Whether ``unit`` is open at ``moment`` (aware datetimes are read in Asia/Shanghai)."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment).replace(tzinfo=None)
    return policies.is_open_at(schedule_for(unit, moment.date(), days=0), moment)


def next_open_day(unit: OrgUnit, day: date) -> date | None:
    """The first day on or after ``day`` on which ``unit`` opens (None within a year)."""
    return policies.next_open_day(schedule_for(unit, day), day)


@dataclass
class OpenState:
    """What a page says about a unit right now: open until …, or closed and opening at …."""

    is_open: bool
    today: tuple[Period, ...]
    closes_at: str | None
    next_opening: datetime | None
    closure_reason: str


def open_state(schedule: UnitSchedule, now: datetime) -> OpenState:
    today = policies.periods_on(schedule, now.date())
    minute = now.hour * 60 + now.minute
    current = next((period for period in today if period.contains(minute)), None)
    closure = policies.closure_on(schedule, now.date())
    return OpenState(
        is_open=current is not None,
        today=today,
        closes_at=policies.format_minute(current.closes) if current else None,
        next_opening=None if current else policies.next_opening(schedule, now),
        closure_reason=closure.reason if closure else "",
    )


def open_states(units: Iterable[OrgUnit], now: datetime | None = None) -> dict[int, OpenState]:
    """Open-now state for many units at once (two queries)."""
    now = now or local_now()
    units = list(units)
    schedules = schedules_for(
        units, now.date(), now.date() + timedelta(days=policies.NEXT_OPEN_SEARCH_DAYS)
    )
    return {pk: open_state(schedule, now) for pk, schedule in schedules.items()}


def upcoming_exceptions(unit: OrgUnit, today: date) -> QuerySet[ScheduleException]:
    """The unit's own and inherited closures and special hours not yet over."""
    inherited_from = [] if unit.kind in policies.UNSTAFFED_KINDS else unit.ancestor_ids
    return (
        ScheduleException.objects.filter(end_date__gte=today)
        .filter(Q(org_unit=unit) | Q(org_unit_id__in=inherited_from, applies_to_subtree=True))
        .select_related("org_unit")
    )


def weekly_hours_of(unit: OrgUnit) -> dict[int, list[Period]]:
    hours: dict[int, list[Period]] = {day: [] for day in range(7)}
    for row in unit.weekly_hours.all():
        hours[row.weekday].append(Period(row.opens_minute, row.closes_minute))
    return hours


# --- What pages and the API show about a unit ---------------------------------------------


def unit_out(unit: OrgUnit, parent_codes: dict[int, str]) -> dict:
    return {
        "code": unit.code,
        "kind": unit.kind,
        "name": unit.name_zh,
        "name_en": unit.name_en,
        "parent": parent_codes.get(unit.parent_id) if unit.parent_id else None,
        "depth": unit.depth,
        "status": unit.status,
        "address": unit.address,
        "latitude": float(unit.latitude) if unit.latitude is not None else None,
        "longitude": float(unit.longitude) if unit.longitude is not None else None,
    }


def exception_out(exception: ScheduleException) -> dict:
    hours = None
    if exception.opens_minute is not None and exception.closes_minute is not None:
        hours = str(policies.Period(exception.opens_minute, exception.closes_minute))
    return {
        "id": exception.pk,
        "org_code": exception.org_unit.code,
        "kind": exception.kind,
        "start_date": exception.start_date,
        "end_date": exception.end_date,
        "reason": exception.reason,
        "hours": hours,
        "applies_to_subtree": exception.applies_to_subtree,
    }


def unit_detail(unit: OrgUnit) -> dict:
    """Everything the unit page and the API say about one unit."""
    now = local_now()
    chain = ancestors(unit)
    parent_codes = {ancestor.pk: ancestor.code for ancestor in chain}
    state = open_states([unit], now)[unit.pk]
    weekly = weekly_hours_of(unit)
    return {
        **unit_out(unit, parent_codes),
        "floor_area_m2": unit.floor_area_m2,
        "phone": unit.phone,
        "status_from": unit.status_from,
        "status_until": unit.status_until,
        "themed_collection": unit.themed_collection,
        "observes_public_holidays": unit.observes_public_holidays,
        # Only the name: a public username would let anyone lock the account out.
        "director": {"display_name": str(unit.director)} if unit.director else None,
        "ancestors": [ancestor.code for ancestor in chain],
        "children": list(
            unit.children.order_by("sort_order", "code").values_list("code", flat=True)
        ),
        "opening_hours": [
            {"weekday": day, "periods": [str(p) for p in periods]}
            for day, periods in weekly.items()
            if periods
        ],
        "is_open_now": state.is_open,
        "today": {
            "date": now.date(),
            "periods": [str(p) for p in state.today],
            "closure_reason": state.closure_reason,
        },
        "next_opening": (timezone.make_aware(state.next_opening) if state.next_opening else None),
        "closures": [
            exception_out(exception) for exception in upcoming_exceptions(unit, now.date())
        ],
        "partners": [
            {
                "name": partnership.partner.name_zh,
                "name_en": partnership.partner.name_en,
                "kind": partnership.partner.kind,
                "role": partnership.role,
                "since": partnership.started_on,
            }
            for partnership in unit.partnerships.select_related("partner")
        ],
    }
