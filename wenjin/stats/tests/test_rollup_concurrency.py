"""Two rollup rebuilds of the same months at once (the nightly job and one queued from
the pages), on real concurrent connections, on SQLite and PostgreSQL: they take turns
month by month and leave exactly the figures one rebuild leaves."""

from __future__ import annotations

import contextlib
import threading
from datetime import date

import pytest
from django.db.models import QuerySet

from wenjin.network.models import OrgUnit
from wenjin.stats.models import GateCount, Rollup, StatsSettings
from wenjin.stats.services.rollups import RebuildResult, rollup_rebuild
from wenjin.tests.concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def meet_before_insert(monkeypatch):
    """Make the race certain: each rebuild, having read its first month's figures (none
    yet), waits (up to 3 s) for the other to have read them too. Without the rebuilds
    taking turns both would then insert the same figures; with it the second is still
    waiting for its turn, the wait runs out and the first goes on."""
    barrier = threading.Barrier(2)
    seen = threading.local()
    original = QuerySet.bulk_create

    def bulk_create(self, objs, *args, **kwargs):
        if self.model is Rollup and not getattr(seen, "done", False):
            seen.done = True
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=3)
        return original(self, objs, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "bulk_create", bulk_create)


def test_two_rebuilds_of_the_same_range_at_once(tree, meet_before_insert):
    StatsSettings.load()  # as in a running network (its creation would also serialise them)
    units = list(OrgUnit.objects.all())
    GateCount.objects.bulk_create(
        GateCount(org_unit=unit, day=date(2025, month, day), hour=hour, count=day + hour)
        for unit in units
        for month in (1, 2, 3)
        for day in (1, 15, 28)
        for hour in (9, 10, 11)
    )
    outcomes = run_together(
        [lambda: rollup_rebuild(first=date(2025, 1, 1), last=date(2025, 3, 31))] * 2
    )
    assert all(isinstance(outcome, RebuildResult) for outcome in outcomes), outcomes
    after_race = sorted(
        Rollup.objects.values_list("org_unit", "period", "day", "measure", "dim", "value")
    )
    rollup_rebuild(first=date(2025, 1, 1), last=date(2025, 3, 31))  # alone
    alone = sorted(
        Rollup.objects.values_list("org_unit", "period", "day", "measure", "dim", "value")
    )
    assert after_race == alone
    daily = Rollup.objects.filter(measure="visits", period="D")
    assert daily.count() == len(units) * 9
    assert sum(daily.values_list("value", flat=True)) == len(units) * 3 * (
        (1 + 15 + 28) * 3 + 3 * (9 + 10 + 11)
    )
