"""The annual and monthly reports, from rollups where every figure is known."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from wenjin.network.models import OrgUnit
from wenjin.stats import policies
from wenjin.stats.models import AnnualInput, Period, Rollup, RollupRun, StatsSettings
from wenjin.stats.report import annual_report, monthly_report

pytestmark = pytest.mark.django_db

YEAR = 2019  # the old form, with e-books
NEW_YEAR = 2024  # the 2020 form


def put(units, code, period, day, measure, value, dim=""):
    Rollup.objects.create(
        org_unit=units[code], period=period, day=day, measure=measure, dim=dim, value=value
    )


def entered(units, code, year, key, value, by="统计员甲"):
    AnnualInput.objects.create(
        org_unit=units[code],
        year=year,
        key=key,
        value=Decimal(str(value)),
        entered_at=timezone.now(),
        entered_by_label=by,
    )


def finished_run(last: date) -> None:
    RollupRun.objects.create(
        started_at=timezone.now(),
        finished_at=timezone.now(),
        first_day=date(last.year, 1, 1),
        last_day=last,
    )


@pytest.fixture
def units(tree):
    return tree


@pytest.fixture
def year_data(units):
    """YX (own) and its children YX-GT (with YX-GT-SP below) and YX-DS, in YEAR."""
    D, S, Y = Period.DAY, Period.SNAPSHOT, Period.YEAR
    march = date(YEAR, 3, 5)
    end = date(YEAR, 12, 31)
    for code, loans, renewals, visits, lending in [
        ("YX", 10, 2, 500, 8),
        ("YX-GT", 20, 3, 700, 15),
        ("YX-GT-SP", 5, 0, 0, 5),
        ("YX-DS", 7, 1, 300, 6),
        ("HZ-A", 1000, 100, 9000, 800),  # outside YX: never in its report
    ]:
        put(units, code, D, march, "loans", loans)
        put(units, code, D, march, "renewals", renewals)
        if visits:
            put(units, code, D, march, "visits", visits)
        put(units, code, D, march, "lending_visits", lending)
    put(units, "YX-GT", D, march, "items_acquired", 40)
    put(units, "YX-DS", D, date(YEAR, 7, 1), "items_acquired", 60)
    put(units, "YX-GT", D, date(YEAR - 1, 12, 31), "items_acquired", 999)  # last year
    for code, kind, sessions, people in [
        ("YX", "lecture", 3, 120),
        ("YX-GT", "lecture", 2, 80),
        ("YX-GT", "exhibition", 1, 1000),
        ("YX-DS", "training", 4, 60),
        ("YX-DS", "reading_promotion", 1, 40),
        ("YX-DS", "other", 0, 0),
    ]:
        if sessions:
            put(units, code, D, date(YEAR, 4, 1), "events", sessions, kind)
            put(units, code, D, date(YEAR, 4, 1), "event_attendance", people, kind)
    for code, dim, value in [
        ("YX", "book", 1000),
        ("YX", "ancient", 30),
        ("YX", "microform", 5),
        ("YX-GT", "book", 400),
        ("YX-GT", "periodical", 50),
        ("YX-GT", "audiovisual", 20),
        ("YX-DS", "book", 200),
        ("YX-DS", "electronic", 3),
        ("YX-DS", "other", 2),
    ]:
        put(units, code, S, end, "holdings", value, dim)
        put(units, code, S, date(YEAR, 6, 30), "holdings", 1, dim)  # an earlier snapshot
    put(units, "YX", S, end, "holdings_rare", 12)
    put(units, "YX-GT", S, end, "holdings_braille_books", 6)
    put(units, "YX", S, end, "holdings_open_shelf", 900)
    put(units, "YX-GT", S, end, "holdings_open_shelf", 470)
    put(units, "YX-DS", S, end, "holdings_children", 150)
    put(units, "YX", S, end, "valid_cards", 300)
    put(units, "YX-DS", S, end, "valid_cards", 90)
    put(units, "YX", Y, date(YEAR, 1, 1), "active_readers", 33)
    put(units, "YX-GT", Y, date(YEAR, 1, 1), "active_readers", 21)
    entered(units, "YX", YEAR, "shelf_length_m", "1200.5")
    entered(units, "YX-GT", YEAR, "shelf_length_m", "300")
    entered(units, "YX", YEAR, "computers", 40)
    entered(units, "YX-GT", YEAR, "reader_terminals", 12, by="统计员乙")
    entered(units, "YX", YEAR, "ebooks_purchased", 5000)
    entered(units, "YX", YEAR, "ebooks_shared", 250)
    entered(units, "YX", YEAR, "website_visits", 88000)
    entered(units, "HZ-A", YEAR, "computers", 1000)  # outside YX
    finished_run(end)


def values(report) -> dict:
    return {row["key"]: row["value"] for row in report["comprehensive"]}


def test_every_key_of_the_comprehensive_table(year_data, units):
    report = annual_report(units["YX"], YEAR)
    assert report["schema"] == "2011"
    got = values(report)
    assert [row["key"] for row in report["comprehensive"]] == [
        row.key for row in policies.comprehensive_rows(YEAR)
    ]
    assert got == {
        "holdings_total": 1710,
        "books": 1600,
        "braille_books": 6,
        "ancient_books": 30,
        "rare_books": 12,
        "periodicals": 50,
        "audiovisual": 20,
        "microforms": 5,
        "other_holdings": 5,
        "open_shelf": 1370,
        "childrens_holdings": 150,
        "ebooks_total": 5250,
        "ebooks_self_built": None,
        "ebooks_purchased": 5000,
        "ebooks_shared": 250,
        "shelf_length_m": 1500.5,
        "holdings_added": 100,
        "ebooks_added": None,
        "periodical_titles_purchased": None,
        "valid_cards": 390,
        "visits": 1500,
        "lending_visits": 34,
        "items_lent": 42,
        "lectures": 5,
        "lecture_attendance": 200,
        "exhibitions": 1,
        "exhibition_attendance": 1000,
        "trainings": 4,
        "training_attendance": 60,
        "computers": 40,
        "reader_terminals": 12,
        "website_visits": 88000,
    }
    rows = {row["key"]: row for row in report["comprehensive"]}
    assert rows["holdings_total"]["source"] == "computed"
    assert rows["holdings_total"]["no"] == 1 and rows["holdings_total"]["label"] == "总藏量"
    assert rows["computers"]["source"] == "entered"
    assert rows["ebooks_self_built"]["source"] == "missing"
    assert rows["reader_terminals"]["entered"] == [
        {"org_code": "YX-GT", "by": "统计员乙", "at": rows["reader_terminals"]["entered"][0]["at"]}
    ]
    assert {who["org_code"] for who in rows["shelf_length_m"]["entered"]} == {"YX", "YX-GT"}
    assert rows["braille_books"]["indent"] == 2 and rows["books"]["indent"] == 1


def test_the_2020_form_drops_ebooks_and_adds_digital_rows(units):
    entered(units, "YX", NEW_YEAR, "av_resources_khours", "12.25")
    entered(units, "YX", NEW_YEAR, "digital_text_tb", "3.5")
    entered(units, "YX", NEW_YEAR, "online_service_visits", 4000)
    report = annual_report(units["YX"], NEW_YEAR)
    assert report["schema"] == "2020"
    keys = [row["key"] for row in report["comprehensive"]]
    assert not [key for key in keys if key.startswith("ebooks")]
    got = values(report)
    assert got["av_resources_khours"] == 12.25
    assert got["digital_text_tb"] == 3.5
    assert got["online_service_visits"] == 4000
    assert keys.index("online_service_visits") == len(keys) - 1
    assert annual_report(units["YX"], 2019)["schema"] == "2011"


def test_renewals_and_cards_used_are_configurable(year_data, units):
    settings = StatsSettings.load()
    settings.items_lent_includes_renewals = True
    settings.valid_cards = StatsSettings.ValidCards.USED
    settings.save()
    report = annual_report(units["YX"], YEAR)
    assert values(report)["items_lent"] == 42 + 6
    assert values(report)["valid_cards"] == 33  # distinct readers of the subtree, not summed
    assert report["definitions"] == {"items_lent_includes_renewals": True, "valid_cards": "used"}
    assert {note["key"] for note in report["notes"]} >= {"items_lent_renewals", "valid_cards_used"}


def test_activities_in_the_forms_order_with_shares_summing_to_100(year_data, units):
    activities = annual_report(units["YX"], YEAR)["activities"]
    rows = activities["rows"]
    assert [row["kind"] for row in rows] == [
        "exhibition",
        "lecture",
        "training",
        "reading_promotion",
    ]
    assert [row["label"] for row in rows] == ["展览", "讲座", "培训", "阅读推广"]
    assert [row["sessions"] for row in rows] == [1, 5, 4, 1]
    assert [row["attendance"] for row in rows] == [1000, 200, 60, 40]
    # 1/11, 5/11, 4/11, 1/11 = 9.0909…, 45.4545…, 36.3636…, 9.0909… → largest remainders
    assert [row["sessions_share"] for row in rows] == [9.09, 45.46, 36.36, 9.09]
    assert sum(Decimal(str(row["sessions_share"])) for row in rows) == Decimal("100.00")
    # 76.923…, 15.384…, 4.615…, 3.076…: the two hundredths left go to 3.07 and 4.61
    assert [row["attendance_share"] for row in rows] == [76.92, 15.38, 4.62, 3.08]
    assert sum(Decimal(str(row["attendance_share"])) for row in rows) == Decimal("100.00")
    assert activities["total"] == {
        "kind": "total",
        "label": "合计",
        "sessions": 11,
        "sessions_share": 100.0,
        "attendance": 1300,
        "attendance_share": 100.0,
    }


def test_other_kinds_follow_the_four_and_an_empty_year_has_zero_shares(units):
    put(units, "YX", Period.DAY, date(YEAR, 5, 1), "events", 2, "other")
    put(units, "YX", Period.DAY, date(YEAR, 5, 1), "event_attendance", 10, "other")
    rows = annual_report(units["YX"], YEAR)["activities"]["rows"]
    assert [row["kind"] for row in rows][-1] == "other"
    assert rows[-1]["sessions_share"] == 100.0
    empty = annual_report(units["HZ"], YEAR)["activities"]
    assert all(row["sessions_share"] == 0.0 for row in empty["rows"])
    assert empty["total"]["sessions"] == 0


def test_branches_split_the_subtree_and_add_up(year_data, units):
    report = annual_report(units["YX"], YEAR)
    branches = {branch["org_code"]: branch for branch in report["branches"]}
    assert list(branches) == ["YX", "YX-DS", "YX-GT"] or list(branches) == ["YX", "YX-GT", "YX-DS"]
    assert branches["YX"]["own"] and not branches["YX-GT"]["own"]
    assert branches["YX-GT"]["values"]["items_lent"] == 25  # its service point included
    assert branches["YX"]["values"]["items_lent"] == 10
    assert branches["YX-DS"]["values"]["other_holdings"] == 5
    for key in ("items_lent", "visits", "holdings_total", "lectures", "holdings_added"):
        assert sum(branch["values"][key] for branch in branches.values()) == values(report)[key]
    assert branches["YX-GT"]["values"]["shelf_length_m"] == 300
    # a branch's own report covers its subtree and matches its column
    gt = annual_report(units["YX-GT"], YEAR)
    assert values(gt)["items_lent"] == 25 and values(gt)["visits"] == 700
    assert values(gt)["valid_cards"] == 0


def test_snapshot_is_the_last_one_in_the_period(year_data, units):
    report = annual_report(units["YX"], YEAR)
    assert report["snapshot_day"] == f"{YEAR}-12-31"
    june = monthly_report(units["YX"], YEAR, 6)
    assert values(june)["holdings_total"] == 9  # one of each dim on 30 June
    assert june["snapshot_day"] == f"{YEAR}-06-30"


def test_monthly_report_has_the_computed_rows_of_the_month(year_data, units):
    march = monthly_report(units["YX"], YEAR, 3)
    assert march["month"] == 3 and march["period"] == {
        "from": f"{YEAR}-03-01",
        "to": f"{YEAR}-03-31",
    }
    assert {row["source"] for row in march["comprehensive"]} <= {"computed", "missing"}
    assert values(march)["items_lent"] == 42
    assert values(march)["holdings_total"] is None  # no snapshot in March
    assert values(march)["lectures"] == 0
    april = monthly_report(units["YX"], YEAR, 4)
    assert values(april)["lectures"] == 5
    with pytest.raises(policies.InputError):
        monthly_report(units["YX"], YEAR, 13)
    with pytest.raises(policies.InputError):
        annual_report(units["YX"], 1800)


def test_subset_larger_than_total_is_flagged(year_data, units):
    entered(units, "YX-DS", YEAR, "reader_terminals", 50)  # YX has 40 computers in all
    checks = annual_report(units["YX"], YEAR)["checks"]
    subset = [check for check in checks if check["code"] == "SUBSET_EXCEEDS_TOTAL"]
    assert subset and subset[0]["org_code"] == "YX"
    assert "供读者使用的终端数" in subset[0]["message"]
    # YX-DS entered terminals but no computers: nothing to compare its column with
    assert all(check["org_code"] != "YX-DS" for check in subset)


def test_lending_visits_above_visits_only_where_gates_count(units):
    put(units, "YX-DS", Period.DAY, date(YEAR, 2, 1), "lending_visits", 50)
    put(units, "YX-DS", Period.DAY, date(YEAR, 2, 1), "visits", 20)
    put(units, "YX-GT", Period.DAY, date(YEAR, 2, 1), "lending_visits", 50)  # no counter
    checks = annual_report(units["YX"], YEAR)["checks"]
    codes = [(check["code"], check["org_code"]) for check in checks]
    assert ("SUBSET_EXCEEDS_TOTAL", "YX-DS") in codes
    assert ("SUBSET_EXCEEDS_TOTAL", "YX-GT") not in codes


def test_visits_that_fell_by_90_percent_are_flagged(units):
    put(units, "YX-GT", Period.DAY, date(YEAR - 1, 3, 1), "visits", 1000)
    put(units, "YX-GT", Period.DAY, date(YEAR, 3, 1), "visits", 100)
    put(units, "YX-DS", Period.DAY, date(YEAR - 1, 3, 1), "visits", 1000)
    put(units, "YX-DS", Period.DAY, date(YEAR, 3, 1), "visits", 101)
    checks = annual_report(units["YX"], YEAR)["checks"]
    dropped = [check["org_code"] for check in checks if check["code"] == "VISITS_DROPPED"]
    assert dropped == ["YX-GT"]
    settings = StatsSettings.load()
    settings.visits_drop_alert_percent = 50
    settings.save()
    checks = annual_report(units["YX"], YEAR)["checks"]
    assert sorted(c["org_code"] for c in checks if c["code"] == "VISITS_DROPPED") == [
        "YX-DS",
        "YX-GT",
    ]


def test_the_year_before_is_the_whole_calendar_year_before(units):
    # 2024 has 366 days: the year before 2025 ends on 31 December 2024, not a day early
    put(units, "YX-DS", Period.DAY, date(2024, 12, 31), "visits", 1000)
    put(units, "YX-DS", Period.DAY, date(2025, 6, 1), "visits", 50)
    checks = annual_report(units["YX"], 2025)["checks"]
    assert [c["org_code"] for c in checks if c["code"] == "VISITS_DROPPED"] == ["YX-DS"]
    # a month report of February 2024 compares with February 2023 (to the 28th)
    put(units, "YX-GT", Period.DAY, date(2023, 3, 1), "visits", 1000)
    put(units, "YX-GT", Period.DAY, date(2024, 2, 29), "visits", 50)
    february = monthly_report(units["YX"], 2024, 2)["checks"]
    assert not [c for c in february if c["code"] == "VISITS_DROPPED"]


def test_loans_at_a_closed_unit_are_flagged(units):
    OrgUnit.objects.filter(code="YX-DS").update(status="closed", status_from=date(YEAR, 6, 1))
    put(units, "YX-DS", Period.DAY, date(YEAR, 5, 31), "loans", 3)  # before closing: fine
    checks = annual_report(units["YX"], YEAR)["checks"]
    assert not [c for c in checks if c["code"] == "LOANS_WHILE_CLOSED"]
    put(units, "YX-DS", Period.DAY, date(YEAR, 6, 2), "loans", 4)
    checks = annual_report(units["YX"], YEAR)["checks"]
    closed = [c for c in checks if c["code"] == "LOANS_WHILE_CLOSED"]
    assert [c["org_code"] for c in closed] == ["YX-DS"] and "4" in closed[0]["message"]


def test_missing_or_stale_rollups_are_flagged(units):
    checks = annual_report(units["YX"], YEAR)["checks"]
    assert [c["code"] for c in checks] == ["NO_ROLLUPS"]
    finished_run(date(YEAR, 6, 30))
    report = annual_report(units["YX"], YEAR)
    assert [c["code"] for c in report["checks"]] == ["ROLLUPS_BEHIND"]
    assert report["rollups_through"] == f"{YEAR}-06-30"
    this_year = timezone.localdate().year
    finished_run(timezone.localdate() - timedelta(days=1))
    assert not annual_report(units["YX"], this_year)["checks"]


def test_report_reads_rollups_only(year_data, units):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        annual_report(units["YX"], YEAR)
    assert len(queries) <= 20
    sql = " ".join(query["sql"] for query in queries).lower()
    for raw in ("circulation_loan", "catalog_item", "patrons_card", "stats_gatecount"):
        assert raw not in sql
    assert "stats_rollup" in sql
