"""Demo statistics: gate counts within the units' opening hours, the statistician's
annual inputs, and rollups ready for the dashboards (and the same after a rebuild).
The small demo with the tiny catalogue is built once for the module and rolled back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from wenjin.demo import builder
from wenjin.demo.stats_builder import HAND_COUNTED, INPUT_UNITS, LABEL, NO_COUNTER
from wenjin.stats.models import AnnualInput, GateCount, Period, Rollup, RollupRun
from wenjin.stats.policies import INPUT_KEYS
from wenjin.stats.services.rollups import rollup_rebuild


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: object) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        builder.build(seed=5, catalog="tiny")
        yield
        transaction.set_rollback(True)


@pytest.fixture
def today(demo: None, db: None) -> date:
    return timezone.localdate()


def test_counters_count_hour_by_hour_within_opening_hours(today):
    yesterday = today - timedelta(days=1)
    year_ago = today - timedelta(days=365)
    counts = GateCount.objects.filter(org_unit__code="YX")
    assert counts.filter(hour__isnull=True).count() == 0
    assert counts.order_by("day").first().day == year_ago
    assert counts.order_by("day").last().day == yesterday
    # The district library opens 09:00-21:00: nobody is counted at night.
    assert set(counts.values_list("hour", flat=True)) == set(range(9, 21))
    # A street branch is closed on Mondays; the branch under renovation counts nobody.
    beijing = GateCount.objects.filter(org_unit__code="YX-BJ")
    assert beijing.exists()
    assert not [row.day for row in beijing if row.day.weekday() == 0]
    hongqiao = GateCount.objects.filter(org_unit__code="YX-HQ")
    assert hongqiao.filter(day__lt=today - timedelta(days=10)).exists()
    assert not hongqiao.filter(day__gte=today - timedelta(days=10)).exists()
    assert not GateCount.objects.filter(org_unit__code__in=NO_COUNTER).exists()
    # Weekends are busier than weekdays at the district library.
    by_day = dict(counts.values_list("day").annotate(n=Sum("count")))
    weekend = [n for day, n in by_day.items() if day.weekday() >= 5]
    weekday = [n for day, n in by_day.items() if day.weekday() < 5]
    assert sum(weekend) / len(weekend) > 1.2 * sum(weekday) / len(weekday)
    assert 300 < sum(weekday) / len(weekday) < 5_000


def test_hand_counted_service_points_send_one_figure_a_day(today):
    for code in HAND_COUNTED:
        rows = GateCount.objects.filter(org_unit__code=code)
        assert rows.exists(), code
        assert not rows.filter(hour__isnull=False).exists(), code
        assert rows.filter(day__gte=today - timedelta(days=31)).exists(), code
    assert set(GateCount.objects.values_list("recorded_by", flat=True)) == {LABEL}


def test_the_statistician_entered_last_year_and_this_year(today):
    for year in (today.year - 1, today.year):
        asked = {key for key, spec in INPUT_KEYS.items() if spec.since <= year <= spec.until}
        for code in INPUT_UNITS:
            rows = AnnualInput.objects.filter(org_unit__code=code, year=year)
            assert set(rows.values_list("key", flat=True)) == asked, (code, year)
            assert {row.entered_by.username for row in rows} == {"yx_stats"}
    district = AnnualInput.objects.get(org_unit__code="YX", year=today.year, key="computers")
    branch = AnnualInput.objects.get(org_unit__code="YX-GT", year=today.year, key="computers")
    assert district.value > 5 * branch.value


def test_rollups_hold_last_month_as_the_gate_counts_and_loans_say(today):
    run = RollupRun.objects.get()
    assert (run.first_day, run.last_day) == (date(today.year - 1, 1, 1), today - timedelta(days=1))
    month_ago = today - timedelta(days=30)
    visits = Rollup.objects.filter(period=Period.DAY, measure="visits", day__gte=month_ago)
    counted = GateCount.objects.filter(day__gte=month_ago).aggregate(n=Sum("count"))["n"]
    assert counted and visits.aggregate(n=Sum("value"))["n"] == counted
    assert visits.filter(org_unit__code="YX").count() == 30
    recent = Rollup.objects.filter(day__gte=month_ago)
    measures = set(recent.values_list("measure", flat=True))
    assert {"visits", "loans", "holdings", "valid_cards"} <= measures, measures
    assert Rollup.objects.filter(period=Period.YEAR, day=date(today.year, 1, 1)).exists()


def test_a_second_rebuild_writes_the_same_rows(today):
    def rows() -> list[tuple]:
        return sorted(
            Rollup.objects.values_list("org_unit_id", "period", "day", "measure", "dim", "value")
        )

    before = rows()
    result = rollup_rebuild(first=date(today.year - 1, 1, 1), last=today - timedelta(days=1))
    assert result.rows == len(before)
    assert rows() == before
