"""Reads of the entrance gate counts: a unit's slots over a date range, and one line per
day for the staff page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet

from wenjin.network.models import OrgUnit
from wenjin.stats.models import GateCount


def gate_counts(unit: OrgUnit, first: date, last: date) -> QuerySet[GateCount]:
    """The unit's slots from ``first`` to ``last``, by day, the daily figure before hours."""
    return (
        GateCount.objects.filter(org_unit=unit, day__gte=first, day__lte=last)
        .select_related("org_unit")
        .order_by("day", "hour")
    )


@dataclass(frozen=True)
class GateDay:
    """One day's visitors at a unit: the daily figure or the sum of its hours, and who
    stored the latest of its slots, when."""

    day: date
    total: int
    hours: int  # 0 for a daily figure
    recorded_by: str
    recorded_at: datetime
    source: str


def gate_days(unit: OrgUnit, first: date, last: date) -> list[GateDay]:
    """The unit's recorded days from ``first`` to ``last``, the latest first."""
    by_day: dict[date, list[GateCount]] = {}
    for row in gate_counts(unit, first, last):
        by_day.setdefault(row.day, []).append(row)
    days = []
    for day, rows in sorted(by_day.items(), reverse=True):
        latest = max(rows, key=lambda row: row.recorded_at)
        days.append(
            GateDay(
                day=day,
                total=sum(row.count for row in rows),
                hours=sum(1 for row in rows if row.hour is not None),
                recorded_by=latest.recorded_by,
                recorded_at=latest.recorded_at,
                source=latest.source,
            )
        )
    return days
