"""Gate counts through the services: slots stored and replaced, daily and hourly never
mixed for a day, bad slots refused, the stats.gate scope, batches, and writers racing
for the same slot on real concurrent connections (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone, translation

from wenjin.accounts.models import AuditEntry
from wenjin.lib.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from wenjin.stats.models import GateCount
from wenjin.stats.selectors_gate import gate_days
from wenjin.stats.services import gate_counts as service
from wenjin.stats.services.gate_counts import (
    GATE_COUNT_MAX,
    GateSlot,
    gate_count_days_changed_since,
    gate_count_set,
    gate_counts_set,
)
from wenjin.stats.tests.conftest import days_ago
from wenjin.tests.concurrency import run_together

DAY = date(2025, 3, 7)


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the catalogue translates them to Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def gt_desk(actor_with):
    """Desk staff at the YX-GT branch (stats.gate on YX-GT and its service point)."""
    return actor_with("desk_staff", "YX-GT")


@pytest.mark.django_db
class TestOneSlot:
    def test_a_daily_count_is_stored_then_replaced_with_the_old_figure_audited(self, tree, gt_desk):
        first = gate_count_set(actor=gt_desk, org_code="YX-GT", day=DAY, count=410)
        assert (first.status, first.row.count, first.row.hour) == ("created", 410, None)
        assert first.row.recorded_by == gt_desk.label and first.row.source == "api"

        again = gate_count_set(actor=gt_desk, org_code="YX-GT", day=DAY, count=432, source="form")
        assert (again.status, again.previous) == ("updated", 410)
        row = GateCount.objects.get(org_unit=tree["YX-GT"], day=DAY)
        assert (row.count, row.source) == (432, "form")
        entries = AuditEntry.objects.filter(action="stats.gate_count").order_by("pk")
        assert [entry.changes["counts"] for entry in entries] == [
            {"day": [None, 410]},
            {"day": [410, 432]},
        ]
        assert entries.last().org_unit == tree["YX-GT"]

    def test_resending_the_same_figure_changes_nothing(self, tree, gt_desk):
        gate_count_set(actor=gt_desk, org_code="YX-GT", day=DAY, count=7, hour=9)
        stamped = GateCount.objects.get().recorded_at
        same = gate_count_set(actor=gt_desk, org_code="YX-GT", day=DAY, count=7, hour=9)
        assert same.status == "unchanged"
        assert GateCount.objects.get().recorded_at == stamped
        assert AuditEntry.objects.filter(action="stats.gate_count").count() == 1

    def test_hours_of_a_day_are_separate_slots(self, tree, gt_desk):
        for hour, count in ((9, 30), (10, 45), (0, 0)):
            gate_count_set(actor=gt_desk, org_code="YX-GT", day=DAY, hour=hour, count=count)
        rows = GateCount.objects.filter(day=DAY).order_by("hour")
        assert [(row.hour, row.count) for row in rows] == [(0, 0), (9, 30), (10, 45)]

    def test_an_hourly_count_for_a_day_with_a_daily_one_is_refused(self, tree, gt_desk):
        gate_count_set(actor=gt_desk, org_code="YX-GT", day=DAY, count=400)
        with pytest.raises(Conflict) as refused:
            gate_count_set(actor=gt_desk, org_code="YX-GT", day=DAY, hour=9, count=30)
        assert refused.value.code == "GATE_COUNT_MIXED"
        assert "2025-03-07" in refused.value.message
        assert GateCount.objects.count() == 1

    def test_a_daily_count_for_a_day_with_hourly_ones_is_refused(self, tree, gt_desk):
        gate_count_set(actor=gt_desk, org_code="YX-GT", day=DAY, hour=9, count=30)
        with pytest.raises(Conflict) as refused:
            gate_count_set(actor=gt_desk, org_code="YX-GT", day=DAY, count=400)
        assert refused.value.code == "GATE_COUNT_MIXED"
        # Another day, or another unit the same day, may be daily.
        gate_count_set(actor=gt_desk, org_code="YX-GT", day=DAY - timedelta(days=1), count=5)
        gate_count_set(actor=gt_desk, org_code="YX-GT-SP", day=DAY, count=5)
        assert GateCount.objects.filter(hour__isnull=True).count() == 2

    def test_an_unknown_unit_is_not_found(self, tree, gt_desk):
        with pytest.raises(NotFound) as missing:
            gate_count_set(actor=gt_desk, org_code="NOPE", day=DAY, count=1)
        assert missing.value.code == "ORG_UNIT_NOT_FOUND"

    @pytest.mark.parametrize(
        ("day", "hour", "count", "code"),
        [
            (timezone.localdate() + timedelta(days=1), None, 5, "GATE_DATE_FUTURE"),
            (date(1949, 12, 31), None, 5, "GATE_DATE_TOO_EARLY"),
            (DAY, 24, 5, "GATE_HOUR"),
            (DAY, -1, 5, "GATE_HOUR"),
            (DAY, None, -1, "GATE_COUNT_RANGE"),
            (DAY, None, GATE_COUNT_MAX + 1, "GATE_COUNT_RANGE"),
            (DAY, None, True, "GATE_COUNT_RANGE"),
            (DAY, None, 2.5, "GATE_COUNT_RANGE"),
            ("2025-03-07", None, 5, "GATE_DATE"),
        ],
    )
    def test_impossible_slots_are_refused(self, tree, gt_desk, day, hour, count, code):
        with pytest.raises(ValidationFailed) as refused:
            gate_count_set(actor=gt_desk, org_code="YX-GT", day=day, hour=hour, count=count)
        assert refused.value.code == "VALIDATION_ERROR"
        assert refused.value.details["reason"] == code
        assert GateCount.objects.count() == 0

    def test_today_and_the_cap_are_accepted(self, tree, gt_desk):
        today = timezone.localdate()
        gate_count_set(actor=gt_desk, org_code="YX-GT", day=today, count=GATE_COUNT_MAX)
        assert GateCount.objects.get().count == GATE_COUNT_MAX


@pytest.mark.django_db
class TestScope:
    def test_the_subtree_is_allowed_and_a_sibling_is_not(self, tree, gt_desk):
        gate_count_set(actor=gt_desk, org_code="YX-GT-SP", day=DAY, count=3)
        with pytest.raises(Forbidden) as refused:
            gate_count_set(actor=gt_desk, org_code="YX-DS", day=DAY, count=3)
        assert refused.value.details["permission"] == "stats.gate"
        assert GateCount.objects.count() == 1

    @pytest.mark.parametrize("role", ["cataloguer", "events_organiser", None])
    def test_roles_without_stats_gate_are_refused(self, tree, actor_with, role):
        with pytest.raises(Forbidden):
            gate_count_set(actor=actor_with(role, "YX"), org_code="YX-GT", day=DAY, count=3)
        assert GateCount.objects.count() == 0

    def test_the_permission_is_checked_before_the_slot(self, tree, gt_desk):
        # Someone outside the unit learns nothing about what would be wrong there.
        with pytest.raises(Forbidden):
            gate_count_set(actor=gt_desk, org_code="HZ-A", day=DAY, hour=99, count=-1)


@pytest.mark.django_db
class TestBatch:
    def test_good_slots_are_stored_and_each_bad_one_reported(self, tree, gt_desk):
        slots = [
            GateSlot("YX-GT", DAY, 100),
            GateSlot("NOPE", DAY, 1),
            GateSlot("YX-GT", DAY, 101, hour=9),  # mixes with the daily count above
            GateSlot("YX-DS", DAY, 5),  # outside the desk's scope
            GateSlot("YX-GT-SP", DAY, 7, hour=23),
            GateSlot("YX-GT-SP", DAY, -3, hour=22),
            GateSlot("YX-GT", DAY, 120),  # the same slot again: replaces
        ]
        result = gate_counts_set(actor=gt_desk, slots=slots, source="import")
        assert [index for index, _outcome in result.stored] == [0, 4, 6]
        assert [(index, error.code) for index, error in result.errors] == [
            (1, "ORG_UNIT_NOT_FOUND"),
            (2, "GATE_COUNT_MIXED"),
            (3, "FORBIDDEN"),
            (5, "VALIDATION_ERROR"),
        ]
        assert (result.count("created"), result.count("updated")) == (2, 1)
        assert GateCount.objects.get(org_unit=tree["YX-GT"]).count == 120
        # One audit entry per unit and day, from the first figure to the last.
        entry = AuditEntry.objects.get(action="stats.gate_count", org_unit=tree["YX-GT"])
        assert entry.changes == {
            "date": "2025-03-07",
            "counts": {"day": [None, 120]},
            "source": "import",
        }

    def test_a_dry_run_checks_against_the_database_and_writes_nothing(self, tree, gt_desk):
        gate_count_set(actor=gt_desk, org_code="YX-GT", day=DAY, count=100)
        slots = [
            GateSlot("YX-GT", DAY, 150),
            GateSlot("YX-GT", DAY, 9, hour=9),
            GateSlot("YX-GT-SP", DAY, 4, hour=9),
            GateSlot("YX-GT-SP", DAY, 4),
        ]
        result = gate_counts_set(actor=gt_desk, slots=slots, source="import", dry_run=True)
        assert [(i, o.status) for i, o in result.stored] == [(0, "updated"), (2, "created")]
        assert [(i, e.code) for i, e in result.errors] == [
            (1, "GATE_COUNT_MIXED"),
            (3, "GATE_COUNT_MIXED"),
        ]
        assert list(GateCount.objects.values_list("count", flat=True)) == [100]
        assert AuditEntry.objects.filter(action="stats.gate_count").count() == 1

    def test_an_unknown_source_is_a_programming_error(self, tree, gt_desk):
        with pytest.raises(ValueError):
            gate_counts_set(actor=gt_desk, slots=[], source="fax")


@pytest.mark.django_db
class TestReads:
    def test_days_changed_since_a_moment(self, tree, gt_desk):
        gate_count_set(actor=gt_desk, org_code="YX-GT", day=DAY, count=1)
        GateCount.objects.update(recorded_at=timezone.now() - timedelta(days=2))
        moment = timezone.now() - timedelta(hours=1)
        assert gate_count_days_changed_since(moment) == set()
        gate_count_set(actor=gt_desk, org_code="YX-GT-SP", day=DAY - timedelta(days=40), count=2)
        gate_count_set(actor=gt_desk, org_code="YX-GT", day=DAY, count=3)  # a late correction
        assert gate_count_days_changed_since(moment) == {DAY, DAY - timedelta(days=40)}

    def test_gate_days_sum_the_hours_and_name_the_last_writer(self, tree, gt_desk, actor_with):
        other = actor_with("statistician", "YX")
        gate_count_set(actor=gt_desk, org_code="YX-GT", day=days_ago(1), count=10, hour=9)
        gate_count_set(actor=other, org_code="YX-GT", day=days_ago(1), count=15, hour=10)
        gate_count_set(actor=gt_desk, org_code="YX-GT", day=days_ago(3), count=200)
        days = gate_days(tree["YX-GT"], days_ago(13), timezone.localdate())
        assert [(d.day, d.total, d.hours) for d in days] == [
            (days_ago(1), 25, 2),
            (days_ago(3), 200, 0),
        ]
        assert days[0].recorded_by == other.label


@pytest.mark.django_db
def test_an_insert_colliding_with_a_committed_row_becomes_an_update(tree, gt_desk):
    """The fallback for a writer that did not take the unit lock: the unique constraint
    refuses the insert and the figure replaces the one stored."""
    gate_count_set(actor=gt_desk, org_code="YX-GT", day=DAY, count=5, hour=8)
    with transaction.atomic():
        outcome = service._store(tree["YX-GT"], DAY, 8, 6, None, source="api", by=gt_desk.label)
    assert (outcome.status, outcome.previous) == ("updated", 5)
    assert GateCount.objects.get().count == 6


@pytest.mark.django_db(transaction=True)
class TestConcurrency:
    def test_two_writers_of_the_same_slot_leave_one_row(self, tree, system):
        outcomes = run_together(
            [
                lambda count=count: (
                    gate_count_set(
                        actor=system, org_code="YX-GT", day=DAY, hour=9, count=count
                    ).status
                )
                for count in (11, 12)
            ]
        )
        assert sorted(outcomes) == ["created", "updated"], outcomes
        assert GateCount.objects.count() == 1
        assert GateCount.objects.get().count in (11, 12)

    def test_a_daily_and_an_hourly_count_racing_for_a_day_never_both_get_in(self, tree, system):
        outcomes = run_together(
            [
                lambda: gate_count_set(actor=system, org_code="YX-GT", day=DAY, count=400).status,
                lambda: (
                    gate_count_set(
                        actor=system, org_code="YX-GT", day=DAY, hour=10, count=40
                    ).status
                ),
            ]
        )
        assert sorted(outcomes) == ["GATE_COUNT_MIXED", "created"], outcomes
        assert GateCount.objects.count() == 1

    def test_many_hours_of_one_day_at_once_are_all_stored(self, tree, system):
        outcomes = run_together(
            [
                lambda hour=hour: (
                    gate_count_set(
                        actor=system, org_code="YX-GT", day=DAY, hour=hour, count=hour
                    ).status
                )
                for hour in range(8)
            ]
        )
        assert outcomes == ["created"] * 8, outcomes
        assert sorted(GateCount.objects.values_list("hour", flat=True)) == list(range(8))


def test_the_slot_check_needs_no_database():
    service.check_slot(DAY, 23, 0)
    with pytest.raises(DomainError):
        service.check_slot(datetime(2025, 3, 7).date(), 7, -5)
