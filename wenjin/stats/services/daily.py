"""The daily job's statistics step: keep the rollups current.

Each night the last week is rebuilt in full (late gate counts, offline kiosk uploads and
returns arrive a few days late). Older figures that changed since the previous night are
rebuilt by the builders they belong to: gate counts corrected for an old day (that
month's visits), items whose acquisition or withdrawal date was set to an earlier day
(holdings from then on), cards registered with an earlier issue date (cards from then
on). Events are recounted over this year and the last every night — there are few of
them, and an event moved to another day or cancelled after the fact leaves no trace of
the day it left.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db.models import Min

from wenjin.catalog.models import Item
from wenjin.patrons.models import Card
from wenjin.stats.models import GateCount, RollupRun
from wenjin.stats.services.rollups import month_start, rollup_rebuild

LOOKBACK_DAYS = 7
DAILY_JOB = "daily job"
# Corrections older than this are left to `wenjin stats rebuild` (a deliberate act).
LATE_CHANGE_DAYS = 800


def _watermark() -> datetime | None:
    """When the previous nightly statistics step started: changes recorded after it are
    not in the rollups yet (runs by hand or from the pages do not move it)."""
    previous = (
        RollupRun.objects.filter(by=DAILY_JOB, finished_at__isnull=False, families="")
        .order_by("-started_at")
        .first()
    )
    return previous.started_at if previous else None


def _late_gate_months(since: datetime, oldest: date, before: date) -> list[tuple[date, date]]:
    days = (
        GateCount.objects.filter(recorded_at__gte=since, day__lt=before, day__gte=oldest)
        .values_list("day", flat=True)
        .distinct()
    )
    by_month: dict[date, list[date]] = defaultdict(list)
    for day in days:
        by_month[month_start(day)].append(day)
    return [(min(group), max(group)) for _month, group in sorted(by_month.items())]


def _earliest_late_item_day(since: datetime, oldest: date, before: date) -> date | None:
    changed = Item.objects.filter(updated_at__gte=since)
    days = [
        changed.filter(acquired_on__lt=before).aggregate(day=Min("acquired_on"))["day"],
        changed.filter(withdrawn_on__lt=before).aggregate(day=Min("withdrawn_on"))["day"],
    ]
    known = [day for day in days if day is not None]
    return max(min(known), oldest) if known else None


def _earliest_late_card_day(since: datetime, oldest: date, before: date) -> date | None:
    day = (
        Card.objects.filter(events__at__gte=since, issued_on__lt=before)
        .aggregate(day=Min("issued_on"))
        .get("day")
    )
    return max(day, oldest) if day else None


def stats_daily(on: date) -> dict[str, int]:
    """Rebuild the rollups for the week before ``on`` and what changed before it since
    the previous night. Returns the figures changed and the late rebuilds made."""
    last = on - timedelta(days=1)
    first = last - timedelta(days=LOOKBACK_DAYS - 1)
    oldest = first - timedelta(days=LATE_CHANGE_DAYS)
    since = _watermark()
    changed = rollup_rebuild(first=first, last=last, by=DAILY_JOB).changed
    late = 0
    if since is not None:
        for start, end in _late_gate_months(since, oldest, first):
            changed += rollup_rebuild(
                first=start, last=end, by=DAILY_JOB, families={"visits"}
            ).changed
            late += 1
        for family, day in (
            ("holdings", _earliest_late_item_day(since, oldest, first)),
            ("cards", _earliest_late_card_day(since, oldest, first)),
        ):
            if day is not None:
                changed += rollup_rebuild(
                    first=day, last=last, by=DAILY_JOB, families={family}
                ).changed
                late += 1
    events_from = date(last.year - 1, 1, 1)
    if events_from < first:
        changed += rollup_rebuild(
            first=events_from, last=first - timedelta(days=1), by=DAILY_JOB, families={"events"}
        ).changed
    # Figures changed, not written: a second run the same day reports nothing done.
    return {"rollups_changed": changed, "late_rebuilds": late}
