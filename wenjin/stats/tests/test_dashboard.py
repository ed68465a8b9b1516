"""The dashboard's selectors on small rollup sets where every figure is known: subtree
sums, active readers read (never summed), year over year, busiest hours, CLC classes,
the per-branch breakdown, top titles from real loan rows, and the range rules.

The tree (wenjin/conftest.py): GZ → (YX → (YX-GT → YX-GT-SP, YX-DS), HZ → HZ-A)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from wenjin.catalog.services import items_add, record_save_fields
from wenjin.circulation.models import Loan
from wenjin.conftest import SYSTEM
from wenjin.lib.errors import ValidationFailed
from wenjin.network.models import OrgUnit
from wenjin.stats import dashboard as dash
from wenjin.stats.models import Rollup, RollupRun

MARCH, APRIL = date(2025, 3, 1), date(2025, 4, 1)

# (unit, period, day, measure, dim, value)
ROWS = [
    # Loans: 15 in March 2025 in YX's subtree (YX itself, YX-GT, YX-GT-SP), 11 in April.
    ("YX", "D", date(2025, 3, 2), "loans", "", 5),
    ("YX-GT", "D", date(2025, 3, 15), "loans", "", 7),
    ("YX-GT-SP", "D", date(2025, 3, 31), "loans", "", 3),
    ("YX-DS", "D", date(2025, 4, 1), "loans", "", 11),
    # Outside the subtree or the range: never counted for YX, March–April 2025.
    ("HZ", "D", date(2025, 3, 10), "loans", "", 100),
    ("GZ", "D", date(2025, 3, 10), "loans", "", 1000),
    ("YX-GT", "D", date(2025, 2, 28), "loans", "", 50),
    ("YX-GT", "D", date(2025, 5, 1), "loans", "", 60),
    # A year earlier: 8 in March 2024, none in April 2024.
    ("YX-GT", "D", date(2024, 3, 20), "loans", "", 8),
    ("YX", "D", date(2025, 3, 3), "returns", "", 4),
    ("YX-DS", "D", date(2025, 4, 9), "visits", "", 300),
    ("YX-DS", "D", date(2024, 4, 9), "visits", "", 200),
    ("YX-GT", "D", date(2025, 3, 9), "cards_issued", "", 2),
    # Events are summed over their kinds.
    ("YX-GT", "D", date(2025, 3, 9), "events", "lecture", 2),
    ("YX-DS", "D", date(2025, 3, 9), "events", "exhibition", 1),
    ("YX-GT", "D", date(2025, 3, 9), "event_attendance", "lecture", 80),
    ("YX-DS", "D", date(2025, 3, 9), "event_attendance", "exhibition", 45),
    # Active readers: each unit's row is already its whole subtree's figure.
    ("YX", "M", MARCH, "active_readers", "", 40),
    ("YX-GT", "M", MARCH, "active_readers", "", 30),
    ("YX-DS", "M", MARCH, "active_readers", "", 25),
    ("YX", "M", APRIL, "active_readers", "", 35),
    ("YX", "M", date(2024, 3, 1), "active_readers", "", 20),
    ("YX", "Y", date(2025, 1, 1), "active_readers", "", 90),
    ("YX-GT", "Y", date(2025, 1, 1), "active_readers", "", 70),
    ("YX", "Y", date(2024, 1, 1), "active_readers", "", 60),
    # Hours and classes, by month.
    ("YX-GT", "M", MARCH, "loans_by_hour", "10", 4),
    ("YX-DS", "M", APRIL, "loans_by_hour", "10", 6),
    ("YX-DS", "M", APRIL, "loans_by_hour", "15", 3),
    ("HZ", "M", MARCH, "loans_by_hour", "10", 50),
    ("YX-GT", "M", date(2025, 5, 1), "loans_by_hour", "11", 70),
    ("YX-GT-SP", "M", MARCH, "visits_by_hour", "15", 20),
    ("YX-GT", "M", MARCH, "loans_by_clc", "I", 6),
    ("YX-GT", "M", MARCH, "loans_by_clc", "K", 2),
    ("YX-DS", "M", APRIL, "loans_by_clc", "I", 4),
    ("YX-DS", "M", APRIL, "loans_by_clc", "-", 3),
    ("HZ", "M", MARCH, "loans_by_clc", "Z", 99),
]


def put_rollups(rows: list[tuple] = ROWS) -> None:
    """The rows above, as Rollup rows."""
    units = dict(OrgUnit.objects.values_list("code", "pk"))
    Rollup.objects.bulk_create(
        Rollup(
            org_unit_id=units[code], period=period, day=day, measure=measure, dim=dim, value=value
        )
        for code, period, day, measure, dim, value in rows
    )


def add_loans() -> dict[str, int]:
    """Loans of four titles (direct rows, all returned but the last of each title):
    红楼梦 3× at YX-GT in March 2025, 水浒传 2× at YX-GT-SP (one on 30 April late in the
    evening), 西游记 5× at HZ (outside YX), 三国演义 4× at YX-GT in February 2025 and
    once at 00:10 on 1 May 2025 (outside the range); returns the record ids by title."""
    units = {unit.code: unit for unit in OrgUnit.objects.all()}
    zone = timezone.get_current_timezone()
    plan = {
        "红楼梦": ("YX-GT", [datetime(2025, 3, day, 10, 0) for day in (1, 2, 3)]),
        "水浒传": ("YX-GT-SP", [datetime(2025, 4, 2, 9, 0), datetime(2025, 4, 30, 23, 30)]),
        "西游记": ("HZ", [datetime(2025, 3, day, 10, 0) for day in range(1, 6)]),
        "三国演义": (
            "YX-GT",
            [datetime(2025, 2, day, 10, 0) for day in (1, 2, 3, 4)] + [datetime(2025, 5, 1, 0, 10)],
        ),
    }
    ids = {}
    for title, (code, moments) in plan.items():
        record = record_save_fields(actor=SYSTEM, values={"title": title, "clc": "I242"})
        ids[title] = record.pk
        owner = "HZ" if code == "HZ" else "YX-GT"
        [item] = items_add(
            actor=SYSTEM, record_id=record.pk, owning_org_code=owner, barcodes=[f"T{record.pk}"]
        )
        for index, moment in enumerate(moments):
            at = timezone.make_aware(moment, zone)
            Loan.objects.create(
                item=item,
                checkout_org=units[code],
                checked_out_at=at,
                due_date=(at + timedelta(days=31)).date(),
                rule_name="test",
                renewals_allowed=1,
                renewal_days=31,
                fee_per_day=Decimal("0.10"),
                fee_cap=Decimal("10.00"),
                returned_at=None if index == len(moments) - 1 else at + timedelta(days=1),
            )
    return ids


@pytest.fixture
def rollups(tree):
    put_rollups()
    return tree


def test_additive_series_sum_the_subtree_within_the_months(rollups):
    board = dash.dashboard(rollups["YX"], MARCH, APRIL)
    loans = board.get("loans")
    assert board.months == [MARCH, APRIL]
    assert loans.values == [15, 11]
    assert loans.total == 26
    assert board.get("returns").values == [4, 0]
    assert board.get("visits").values == [0, 300]
    assert board.get("cards_issued").values == [2, 0]
    assert board.get("events").values == [3, 0]
    assert board.get("event_attendance").values == [125, 0]
    # A branch's subtree: YX-GT and its service point only.
    assert dash.dashboard(rollups["YX-GT"], MARCH, APRIL).get("loans").values == [10, 0]
    # The root sees everything, HZ included (the out-of-range days still are not).
    assert dash.dashboard(rollups["GZ"], MARCH, APRIL).get("loans").total == 26 + 100 + 1000


def test_active_readers_are_the_units_own_row_never_a_sum(rollups):
    yx = dash.dashboard(rollups["YX"], MARCH, APRIL).get("active_readers")
    # 40, not 40 + 30 + 25: the children's rows are parts of the same readers.
    assert yx.values == [40, 35]
    assert yx.additive is False
    # Two months: no row holds the distinct readers of both, so no total.
    assert yx.total is None and yx.change is None
    one_month = dash.dashboard(rollups["YX"], MARCH, MARCH).get("active_readers")
    assert (one_month.total, one_month.earlier_total, one_month.change) == (40, 20, 100.0)
    year = dash.dashboard(rollups["YX"], date(2025, 1, 1), date(2025, 12, 1)).get("active_readers")
    assert (year.total, year.earlier_total, year.change) == (90, 60, 50.0)
    assert dash.dashboard(rollups["YX-GT"], MARCH, MARCH).get("active_readers").total == 30


def test_year_over_year_compares_the_same_months_a_year_earlier(rollups):
    loans = dash.dashboard(rollups["YX"], MARCH, APRIL).get("loans")
    assert loans.earlier_values == [8, 0]
    assert [figure.change for figure in loans.months] == [87.5, None]  # none in April 2024
    assert loans.earlier_total == 8
    assert loans.change == 225.0
    visits = dash.dashboard(rollups["YX"], MARCH, APRIL).get("visits")
    assert visits.months[1].change == 50.0


def test_busiest_hours_sum_the_months_and_the_subtree(rollups):
    board = dash.dashboard(rollups["YX"], MARCH, APRIL)
    assert len(board.hours) == 24
    assert [figure.hour for figure in board.hours] == list(range(24))
    assert board.hours[10].loans == 10  # HZ's 50 and May's 70 left out
    assert board.hours[11].loans == 0
    assert (board.hours[15].loans, board.hours[15].visits) == (3, 20)
    assert board.busiest_hour("loans") == 10
    assert board.busiest_hour("visits") == 15
    assert dash.dashboard(rollups["HZ-A"], MARCH, APRIL).busiest_hour("loans") is None


def test_top_classes_are_named_and_sorted_with_shares(rollups):
    with translation.override("en"):
        board = dash.dashboard(rollups["YX"], MARCH, APRIL)
    assert [(c.code, c.loans, c.share) for c in board.classes] == [
        ("I", 10, 66.7),
        ("-", 3, 20.0),
        ("K", 2, 13.3),
    ]
    assert board.classes[0].name == "Literature"
    assert board.classes[1].name == "Unclassified"
    with translation.override("zh-hans"):
        assert dash.dashboard(rollups["YX"], MARCH, APRIL).classes[0].name == "文学"


def test_branch_breakdown_gives_each_child_subtree_and_the_unit_itself(rollups):
    board = dash.dashboard(rollups["YX"], MARCH, APRIL)
    rows = {(branch.unit.code, branch.own): branch.values for branch in board.branches}
    assert list(rows) == [("YX", True), ("YX-GT", False), ("YX-DS", False)]
    assert rows[("YX", True)]["loans"] == 5
    assert rows[("YX-GT", False)]["loans"] == 10  # with its service point
    assert rows[("YX-DS", False)]["loans"] == 11
    assert rows[("YX-DS", False)]["visits"] == 300
    assert sum(values["loans"] for values in rows.values()) == board.get("loans").total
    # No active-readers figure for two months; for one month, each child's own row.
    assert rows[("YX-GT", False)]["active_readers"] is None
    march = dash.dashboard(rollups["YX"], MARCH, MARCH)
    figures = {branch.unit.code: branch.values["active_readers"] for branch in march.branches}
    assert figures == {"YX": None, "YX-GT": 30, "YX-DS": 25}
    # A unit without children has no breakdown.
    assert dash.dashboard(rollups["YX-DS"], MARCH, APRIL).branches == []


def test_top_titles_count_loans_in_the_subtree_and_the_months(tree, django_assert_num_queries):
    ids = add_loans()
    with django_assert_num_queries(1):
        titles = dash.top_titles(tree["YX"], MARCH, APRIL)
    assert [(t.title, t.loans) for t in titles] == [("红楼梦", 3), ("水浒传", 2)]
    assert titles[0].record_id == ids["红楼梦"]
    assert [t.title for t in dash.top_titles(tree["GZ"], MARCH, APRIL)] == [
        "西游记",
        "红楼梦",
        "水浒传",
    ]
    assert [(t.title, t.loans) for t in dash.top_titles(tree["YX"], date(2025, 2, 1), MARCH)] == [
        ("三国演义", 4),
        ("红楼梦", 3),
    ]
    assert dash.top_titles(tree["YX"], MARCH, APRIL, limit=1)[0].title == "红楼梦"
    assert dash.top_titles(tree["HZ-A"], MARCH, APRIL) == []


def test_how_current_the_rollups_are(rollups):
    board = dash.dashboard(rollups["YX"], MARCH, APRIL)
    assert board.last_run is None and board.rollups_through is None and board.not_rolled_up
    now = timezone.now()
    RollupRun.objects.create(
        started_at=now - timedelta(hours=2),
        finished_at=now - timedelta(hours=2),
        first_day=date(2025, 1, 1),
        last_day=date(2025, 12, 31),
    )
    latest = RollupRun.objects.create(
        started_at=now - timedelta(hours=1),
        finished_at=now - timedelta(hours=1),
        first_day=date(2025, 3, 1),
        last_day=date(2025, 3, 31),
    )
    RollupRun.objects.create(  # still running: not the latest finished one
        started_at=now, first_day=date(2025, 4, 1), last_day=date(2025, 4, 30)
    )
    board = dash.dashboard(rollups["YX"], MARCH, APRIL)
    assert board.last_run == latest
    assert board.rollups_through == date(2025, 4, 30)  # covered to the range's end
    assert not board.not_rolled_up
    assert dash.dashboard(rollups["YX"], MARCH, date(2026, 1, 1)).not_rolled_up
    # a gap: only March of 2024 was rebuilt, so April 2024 is not rolled up
    RollupRun.objects.create(
        started_at=now, finished_at=now, first_day=date(2024, 3, 1), last_day=date(2024, 3, 31)
    )
    gap = dash.dashboard(rollups["YX"], date(2024, 3, 1), date(2024, 4, 1))
    assert gap.rollups_through == date(2024, 3, 31) and gap.not_rolled_up
    assert dash.dashboard(rollups["YX"], date(2023, 3, 1), date(2023, 4, 1)).rollups_through is None


def test_a_reversed_or_too_long_range_is_refused(rollups):
    with pytest.raises(ValidationFailed) as reversed_range:
        dash.dashboard(rollups["YX"], APRIL, MARCH)
    assert reversed_range.value.details["fields"] == {"from": "after the last"}
    with pytest.raises(ValidationFailed):
        dash.dashboard(rollups["YX"], date(2022, 1, 1), date(2025, 1, 1))  # 37 months
    assert len(dash.dashboard(rollups["YX"], date(2022, 2, 1), date(2025, 1, 1)).months) == 36


def test_months_are_read_and_stepped_through():
    assert dash.parse_month("2025-03") == MARCH
    assert dash.parse_month(" 2025-03-17 ") == MARCH
    for bad in ("2025-13", "March", "", "2025/03", "0001-01", "2025-3"):
        with pytest.raises(ValueError):
            dash.parse_month(bad)
    assert dash.add_months(date(2025, 11, 1), 3) == date(2026, 2, 1)
    assert dash.add_months(date(2025, 1, 1), -1) == date(2024, 12, 1)
    assert dash.month_end(date(2024, 2, 1)) == date(2024, 2, 29)
    assert dash.month_list(date(2024, 11, 5), date(2025, 2, 1)) == [
        date(2024, 11, 1),
        date(2024, 12, 1),
        date(2025, 1, 1),
        date(2025, 2, 1),
    ]
    assert dash.default_range(date(2026, 3, 15)) == (date(2025, 3, 1), date(2026, 2, 1))
    assert dash.default_range(date(2026, 1, 1)) == (date(2025, 1, 1), date(2025, 12, 1))


def test_percent_change_and_which_distinct_row_covers_a_range():
    assert dash.percent_change(15, 8) == 87.5
    assert dash.percent_change(5, 10) == -50.0
    assert dash.percent_change(3, 0) is None
    assert dash.percent_change(None, 10) is None
    assert dash.distinct_row(MARCH, MARCH) == ("M", MARCH)
    assert dash.distinct_row(date(2025, 1, 1), date(2025, 12, 1)) == ("Y", date(2025, 1, 1))
    assert dash.distinct_row(MARCH, APRIL) is None
    assert dash.distinct_row(date(2024, 1, 1), date(2025, 12, 1)) is None


def test_the_dashboard_reads_a_fixed_number_of_queries(rollups, django_assert_max_num_queries):
    # Eight reads whatever the number of units, months or rows: children, daily rows,
    # distinct rows, the subtree's paths, hour and class rows, top titles, the last run
    # and how far the rollups reach.
    with django_assert_max_num_queries(8):
        dash.dashboard(rollups["GZ"], date(2024, 1, 1), date(2025, 12, 1))
