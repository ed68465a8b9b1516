"""The statistics step of the daily job and the `wenjin stats rebuild` command."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from wenjin.stats.models import GateCount, Period, Rollup, RollupRun
from wenjin.stats.services.daily import stats_daily

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
    assert outcome == {"rollups_changed": 2, "late_months": 0}
    assert stats_daily(today) == {"rollups_changed": 0, "late_months": 0}
    assert visits("YX", today - timedelta(days=1)) == 1
    assert visits("YX", today - timedelta(days=7)) == 7
    assert visits("YX", today - timedelta(days=8)) is None  # older than the week


def test_daily_step_rebuilds_older_days_changed_since_the_last_rebuild(tree):
    today = timezone.localdate()
    old_day = today - timedelta(days=60)
    count = GateCount.objects.create(org_unit=tree["YX-GT"], day=old_day, count=10)
    stats_daily(today)  # the first run: no previous rebuild to compare with
    assert visits("YX-GT", old_day) is None
    RollupRun.objects.update(started_at=timezone.now() - timedelta(hours=1))
    count.count = 25
    count.save()  # a correction, recorded after that rebuild
    outcome = stats_daily(today)
    assert outcome == {"rollups_changed": 1, "late_months": 1}
    assert visits("YX-GT", old_day) == 25


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
