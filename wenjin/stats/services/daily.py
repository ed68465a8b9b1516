"""The daily job's statistics step: keep the rollups current.

Each night the last week is rebuilt (late gate counts, offline kiosk uploads and returns
arrive a few days late), and so are older days whose gate counts or events changed since
the last rebuild (a statistician correcting a count, attendance entered after an
exhibition) — month by month, so a correction in March rebuilds March, not the year.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.utils import timezone

from wenjin.events.models import Event
from wenjin.stats.models import GateCount, RollupRun
from wenjin.stats.services.rollups import month_start, rollup_rebuild

LOOKBACK_DAYS = 7
# Corrections older than this are left to `wenjin stats rebuild` (a deliberate act).
LATE_CHANGE_DAYS = 800


def _late_days(since: datetime, before: date) -> set[date]:
    """Days before ``before`` whose gate counts or held events changed after ``since``."""
    oldest = before - timedelta(days=LATE_CHANGE_DAYS)
    days = set(
        GateCount.objects.filter(recorded_at__gte=since, day__lt=before, day__gte=oldest)
        .values_list("day", flat=True)
        .distinct()
    )
    for starts_at in Event.objects.filter(updated_at__gte=since).values_list(
        "starts_at", flat=True
    ):
        day = timezone.localdate(starts_at)
        if oldest <= day < before:
            days.add(day)
    return days


def stats_daily(on: date) -> dict[str, int]:
    """Rebuild the rollups for the week before ``on`` and for older days changed since
    the previous rebuild. Returns the figures changed and the older months rebuilt."""
    last = on - timedelta(days=1)
    first = last - timedelta(days=LOOKBACK_DAYS - 1)
    latest = RollupRun.objects.filter(finished_at__isnull=False).order_by("-started_at").first()
    ranges = [(first, last)]
    if latest is not None:
        by_month: dict[date, list[date]] = defaultdict(list)
        for day in _late_days(latest.started_at, first):
            by_month[month_start(day)].append(day)
        ranges += [(min(days), max(days)) for _month, days in sorted(by_month.items())]
    changed = 0
    for start, end in ranges:
        changed += rollup_rebuild(first=start, last=end, by="daily job").changed
    # Figures changed, not written: a second run the same day reports nothing done.
    return {"rollups_changed": changed, "late_months": len(ranges) - 1}
