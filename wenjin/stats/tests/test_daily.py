"""The statistics step of the daily job and the `wenjin stats rebuild` command."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from wenjin.stats.models import GateCount, Period, Rollup, RollupRun
from wenjin.stats.services.daily import stats_daily
from wenjin.stats.services.rollups import rollup_rebuild

pytestmark = pytest.mark.django_db


def visits(code: str, day: date) -> int | None:
    row = Rollup.objects.filter(
        period=Period.DAY, measure="visits", day=day, org_unit__code=code
    ).first()
    return row.value if row else None


def test_daily_step_rebuilds_the_last_week(tree):
    today = timezone.localdate()
    for back in (1, 7, 8):
        GateCount.objects.create(org_unit=tree["YX"], day=today - timedelta(days=back), count=back)
    outcome = stats_daily(today)
    assert outcome == {"rollups_changed": 2, "late_rebuilds": 0}
    assert stats_daily(today) == {"rollups_changed": 0, "late_rebuilds": 0}
    assert visits("YX", today - timedelta(days=1)) == 1
    assert visits("YX", today - timedelta(days=7)) == 7
    assert visits("YX", today - timedelta(days=8)) is None  # older than the week


def test_daily_step_rebuilds_older_days_changed_since_the_last_night(tree):
    today = timezone.localdate()
    old_day = today - timedelta(days=60)
    count = GateCount.objects.create(org_unit=tree["YX-GT"], day=old_day, count=10)
    stats_daily(today)  # the first night: no previous night to compare with
    assert visits("YX-GT", old_day) is None
    RollupRun.objects.update(started_at=timezone.now() - timedelta(hours=1))
    count.count = 25
    count.save()  # a correction, recorded after that night
    # a rebuild by hand of another range in between does not hide the correction
    rollup_rebuild(first=today - timedelta(days=400), last=today - timedelta(days=399), by="cli")
    outcome = stats_daily(today)
    assert outcome["late_rebuilds"] == 1
    assert visits("YX-GT", old_day) == 25


def test_items_dated_back_are_counted_in_earlier_holdings(tree, system):
    from wenjin.catalog.models import Item
    from wenjin.catalog.services import items_add, record_save_fields

    today = timezone.localdate()
    record = record_save_fields(actor=system, values={"title": "补登的书"})
    items_add(actor=system, record_id=record.pk, owning_org_code="YX", barcodes=["OLD1"])
    Item.objects.update(acquired_on=today)
    stats_daily(today)
    month_end_before = today.replace(day=1) - timedelta(days=1)
    assert not Rollup.objects.filter(period=Period.SNAPSHOT, day=month_end_before).exists()
    RollupRun.objects.update(started_at=timezone.now() - timedelta(hours=1))
    item = Item.objects.get()
    item.acquired_on = today - timedelta(days=100)  # catalogued late, bought in the summer
    item.save()
    assert stats_daily(today + timedelta(days=1))["late_rebuilds"] == 1
    held = Rollup.objects.get(period=Period.SNAPSHOT, day=month_end_before, measure="holdings")
    assert held.value == 1


def test_events_moved_or_cancelled_after_the_fact_are_recounted(tree):
    from wenjin.events.models import Event

    today = timezone.localdate()
    then = timezone.make_aware(datetime.combine(today - timedelta(days=40), time(14)))
    event = Event.objects.create(
        kind="lecture",
        title="讲座",
        org_unit=tree["YX"],
        starts_at=then,
        ends_at=then + timedelta(hours=2),
        status="finished",
        attendance=30,
    )
    stats_daily(today - timedelta(days=30))
    assert lectures_on(then.date()) == 1
    Event.objects.filter(pk=event.pk).update(
        starts_at=then - timedelta(days=3), ends_at=then - timedelta(days=3, hours=-2)
    )
    stats_daily(today)
    assert lectures_on(then.date()) is None
    assert lectures_on(then.date() - timedelta(days=3)) == 1
    Event.objects.filter(pk=event.pk).update(status="cancelled")
    stats_daily(today + timedelta(days=1))
    assert lectures_on(then.date() - timedelta(days=3)) is None


def lectures_on(day: date) -> int | None:
    row = Rollup.objects.filter(period=Period.DAY, measure="events", dim="lecture", day=day).first()
    return row.value if row else None


def test_daily_job_runs_the_statistics_step(tree):
    from wenjin.circulation.services.daily import run_daily

    today = timezone.localdate()
    GateCount.objects.create(org_unit=tree["YX"], day=today - timedelta(days=2), count=42)
    outcome = run_daily(today)
    assert outcome.ran
    assert outcome.run.counts["statistics.rollups_changed"] == 1
    assert visits("YX", today - timedelta(days=2)) == 42


def test_command_rebuilds_a_range(tree):
    GateCount.objects.create(org_unit=tree["YX"], day=date(2025, 3, 1), count=9)
    out = StringIO()
    call_command("stats", "rebuild", "--from", "2025-03-01", "--to", "2025-03-31", stdout=out)
    assert "2025-03-01" in out.getvalue()
    assert visits("YX", date(2025, 3, 1)) == 9
    run = RollupRun.objects.get()
    assert run.by == "cli" and run.finished_at is not None and run.rows >= 1


@pytest.mark.parametrize(
    "args",
    [
        ["--from", "2025-13-01", "--to", "2025-12-31"],
        ["--from", "2025-03-02", "--to", "2025-03-01"],
        ["--from", "1990-01-01", "--to", "2025-01-01"],
    ],
)
def test_command_refuses_bad_ranges(tree, args):
    with pytest.raises(CommandError):
        call_command("stats", "rebuild", *args, stdout=StringIO())
    assert not Rollup.objects.exists()
