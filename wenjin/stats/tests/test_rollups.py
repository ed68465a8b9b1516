"""Rollup rebuilds over a small network where every figure is known."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from wenjin.catalog.models import Item, ItemStatus
from wenjin.circulation import services as circulation
from wenjin.circulation.tests.conftest import (  # noqa: F401 (fixtures)
    add_items,
    categories,
    fresh_circulation_caches,
    make_reader,
    record,
)
from wenjin.events.models import Event, EventStatus
from wenjin.patrons.models import Card
from wenjin.stats.models import GateCount, Period, Rollup
from wenjin.stats.services.rollups import (
    months_between,
    rollup_rebuild,
    snapshot_days,
)

pytestmark = pytest.mark.django_db

YEAR = 2026
FIRST, LAST = date(YEAR, 1, 1), date(YEAR, 12, 31)


def at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


def figures(period: str = Period.DAY, **filters) -> dict[tuple, int]:
    rows = Rollup.objects.filter(period=period, **filters)
    return {(row.org_unit.code, row.day, row.measure, row.dim): row.value for row in rows}


def total(measure: str, period: str = Period.DAY, **filters) -> int:
    return sum(
        Rollup.objects.filter(period=period, measure=measure, **filters).values_list(
            "value", flat=True
        )
    )


@pytest.fixture
def world(tree, system, add_items, make_reader):  # noqa: F811
    """Six books and four special items, two readers with cards issued in January, loans
    in March, a return and a renewal, gate counts and events."""
    books = add_items("YX-GT", "B1", "B2", "B3", "B4") + add_items("YX-DS", "B5", "B6")
    add_items("YX-GT", "P1", material_type="periodical")
    add_items("YX-GT", "A1", material_type="ancient", is_rare=True, is_open_shelf=False)
    add_items("YX-GT", "BR1", is_braille=True)
    add_items("YX-DS", "C1", is_children=True)
    Item.objects.update(acquired_on=date(2020, 5, 1))
    Item.objects.filter(barcode__in=["B5", "B6", "C1"]).update(acquired_on=date(YEAR, 2, 10))
    Item.objects.filter(barcode="B4").update(
        withdrawn_on=date(YEAR, 6, 30), status=ItemStatus.WITHDRAWN
    )
    first = make_reader(issued_on=date(YEAR, 1, 5), home="YX-GT")
    second = make_reader(issued_on=date(YEAR, 1, 6), home="YX-DS")
    march10, march11 = date(YEAR, 3, 10), date(YEAR, 3, 11)
    lend = circulation.checkout
    lend(
        actor=system,
        item_barcode="B1",
        patron_barcode=first.barcode,
        org_code="YX-GT",
        at=at(march10, 10),
    )
    lend(
        actor=system,
        item_barcode="B2",
        patron_barcode=first.barcode,
        org_code="YX-GT",
        at=at(march10, 14),
    )
    lend(
        actor=system,
        item_barcode="B5",
        patron_barcode=first.barcode,
        org_code="YX-DS",
        at=at(march10, 16),
    )
    lend(
        actor=system,
        item_barcode="B3",
        patron_barcode=second.barcode,
        org_code="YX-GT",
        at=at(march11, 10),
    )
    circulation.checkin(
        actor=system, item_barcode="B1", org_code="YX-DS", at=at(date(YEAR, 3, 20), 11)
    )
    circulation.renew(
        actor=system,
        item_barcode="B2",
        patron_barcode=first.barcode,
        org_code="YX-GT",
        at=at(date(YEAR, 3, 25), 9),
    )
    GateCount.objects.create(org_unit=tree["YX-GT"], day=march10, count=100)
    GateCount.objects.create(org_unit=tree["YX-DS"], day=march10, hour=10, count=5)
    GateCount.objects.create(org_unit=tree["YX-DS"], day=march10, hour=11, count=7)
    for kind, status, attendance, org in [
        ("lecture", EventStatus.FINISHED, 40, "YX-GT"),
        ("lecture", EventStatus.CANCELLED, 0, "YX-GT"),
        ("exhibition", EventStatus.PUBLISHED, 300, "YX-DS"),
        ("training", EventStatus.DRAFT, 0, "YX-DS"),
    ]:
        Event.objects.create(
            kind=kind,
            title=kind,
            org_unit=tree[org],
            starts_at=at(date(YEAR, 4, 2), 14),
            ends_at=at(date(YEAR, 4, 2), 16),
            status=status,
            attendance=attendance,
        )
    return {"books": books, "first": first, "second": second}


def test_flows_land_on_the_day_and_unit_where_they_happened(world):
    rollup_rebuild(first=FIRST, last=LAST)
    day = figures()
    march10 = date(YEAR, 3, 10)
    assert day[("YX-GT", march10, "loans", "")] == 2
    assert day[("YX-DS", march10, "loans", "")] == 1
    assert day[("YX-GT", date(YEAR, 3, 11), "loans", "")] == 1
    # one reader, two loans at one unit on one day: one lending visit; another unit: another
    assert day[("YX-GT", march10, "lending_visits", "")] == 1
    assert day[("YX-DS", march10, "lending_visits", "")] == 1
    assert day[("YX-DS", date(YEAR, 3, 20), "returns", "")] == 1
    assert day[("YX-GT", date(YEAR, 3, 25), "renewals", "")] == 1
    assert day[("YX-GT", march10, "visits", "")] == 100
    assert day[("YX-DS", march10, "visits", "")] == 12
    assert day[("YX-GT", date(YEAR, 1, 5), "cards_issued", "")] == 1
    assert day[("YX-DS", date(YEAR, 2, 10), "items_acquired", "")] == 3
    assert day[("YX-GT", date(YEAR, 6, 30), "items_withdrawn", "")] == 1
    # cancelled and draft events are not held
    assert day[("YX-GT", date(YEAR, 4, 2), "events", "lecture")] == 1
    assert day[("YX-GT", date(YEAR, 4, 2), "event_attendance", "lecture")] == 40
    assert day[("YX-DS", date(YEAR, 4, 2), "events", "exhibition")] == 1
    assert total("events", dim="training") == 0
    assert total("loans") == 4


def test_from_the_desk_to_the_annual_report(world):
    """Raw records → rebuild → report, end to end."""
    from wenjin.network.models import OrgUnit
    from wenjin.stats.report import annual_report

    rollup_rebuild(first=FIRST, last=LAST)
    report = annual_report(OrgUnit.objects.get(code="YX"), YEAR)
    got = {row["key"]: row["value"] for row in report["comprehensive"]}
    assert got["items_lent"] == 4
    assert got["lending_visits"] == 3  # reader 1 at two units on the 10th, reader 2 on the 11th
    assert got["visits"] == 112
    assert got["holdings_total"] == 9  # ten items, one withdrawn
    assert (got["books"], got["periodicals"], got["ancient_books"]) == (7, 1, 1)
    assert (got["rare_books"], got["braille_books"], got["childrens_holdings"]) == (1, 1, 1)
    assert got["holdings_added"] == 3
    assert got["valid_cards"] == 2
    assert (got["lectures"], got["lecture_attendance"]) == (1, 40)
    assert (got["exhibitions"], got["exhibition_attendance"]) == (1, 300)
    assert (got["trainings"], got["training_attendance"]) == (0, 0)
    shares = [row["sessions_share"] for row in report["activities"]["rows"]]
    assert shares == [50.0, 50.0, 0.0, 0.0]


def test_a_lending_visit_is_kept_without_the_items(world):
    from wenjin.circulation.models import LendingVisit

    # three visits for four checkouts; the renewal is not a visit
    assert LendingVisit.objects.count() == 3
    assert {field.name for field in LendingVisit._meta.get_fields()} == {
        "id",
        "day",
        "org_unit",
        "reader_key",
    }


def test_monthly_measures_by_hour_and_class(world):
    rollup_rebuild(first=date(YEAR, 3, 1), last=date(YEAR, 3, 31))
    month = figures(Period.MONTH)
    march = date(YEAR, 3, 1)
    assert month[("YX-GT", march, "loans_by_hour", "10")] == 2  # B1 on the 10th, B3 on the 11th
    assert month[("YX-GT", march, "loans_by_hour", "14")] == 1
    assert month[("YX-GT", march, "loans_by_clc", "K")] == 3  # the fixture record is K296.5
    assert month[("YX-DS", march, "visits_by_hour", "10")] == 5
    assert month[("YX-DS", march, "visits_by_hour", "11")] == 7


def test_active_readers_are_distinct_over_each_subtree(world, tree):
    rollup_rebuild(first=FIRST, last=LAST)
    year = figures(Period.YEAR)
    # the first reader borrowed at YX-GT and YX-DS, the second at YX-GT
    assert year[("YX-GT", FIRST, "active_readers", "")] == 2
    assert year[("YX-DS", FIRST, "active_readers", "")] == 1
    assert year[("YX", FIRST, "active_readers", "")] == 2  # not 3: distinct, not summed
    assert year[("GZ", FIRST, "active_readers", "")] == 2
    assert ("HZ", FIRST, "active_readers", "") not in year
    assert figures(Period.MONTH)[("YX", date(YEAR, 3, 1), "active_readers", "")] == 2


def test_holdings_snapshots_follow_acquisitions_and_withdrawals(world):
    rollup_rebuild(first=FIRST, last=LAST)
    snap = figures(Period.SNAPSHOT)
    jan, mar, jul = date(YEAR, 1, 31), date(YEAR, 3, 31), date(YEAR, 7, 31)
    assert snap[("YX-GT", jan, "holdings", "book")] == 5  # B1–B4 and the braille book
    assert ("YX-DS", jan, "holdings", "book") not in snap  # B5, B6 arrive in February
    assert snap[("YX-DS", mar, "holdings", "book")] == 3  # B5, B6, C1
    assert snap[("YX-GT", jul, "holdings", "book")] == 4  # B4 withdrawn on 30 June
    assert snap[("YX-GT", jul, "holdings", "periodical")] == 1
    assert snap[("YX-GT", jul, "holdings", "ancient")] == 1
    assert snap[("YX-GT", jul, "holdings_rare", "")] == 1
    assert snap[("YX-GT", jul, "holdings_braille_books", "")] == 1
    assert snap[("YX-DS", jul, "holdings_children", "")] == 1
    # B1–B3, the periodical and the braille book; the rare ancient book is closed stacks
    assert snap[("YX-GT", jul, "holdings_open_shelf", "")] == 5
    assert {key[1] for key in snap} == set(snapshot_days(FIRST, LAST))


def test_valid_cards_follow_the_card_history(world, system, make_reader):  # noqa: F811
    from wenjin.patrons import services as patrons

    leaving = make_reader(issued_on=date(YEAR, 1, 7), home="YX-DS")
    rollup_rebuild(first=FIRST, last=LAST)
    snap = figures(Period.SNAPSHOT)
    assert ("YX-GT", date(YEAR, 1, 4), "valid_cards", "") not in snap
    assert snap[("YX-GT", date(YEAR, 1, 31), "valid_cards", "")] == 1
    assert snap[("YX-DS", date(YEAR, 1, 31), "valid_cards", "")] == 2
    # cancelled today: the history keeps it valid at every month's end before today
    patrons.card_cancel(actor=system, barcode=leaving.barcode, org_code="YX-DS", reason="moved")
    today = timezone.localdate()
    rollup_rebuild(first=FIRST, last=today)
    snap = figures(Period.SNAPSHOT)
    assert snap[("YX-DS", date(YEAR, 1, 31), "valid_cards", "")] == 2
    assert snap[("YX-DS", today, "valid_cards", "")] == 1
    assert Card.objects.get(pk=leaving.pk).status == "cancelled"


def test_rebuild_is_idempotent_and_replaces_stale_rows(world, tree):
    first = rollup_rebuild(first=FIRST, last=LAST)
    before = sorted(
        Rollup.objects.values_list("org_unit", "period", "day", "measure", "dim", "value")
    )
    second = rollup_rebuild(first=FIRST, last=LAST)
    after = sorted(
        Rollup.objects.values_list("org_unit", "period", "day", "measure", "dim", "value")
    )
    assert before == after and first.rows == second.rows == len(after)
    # a late gate count for March replaces the March figure when March is rebuilt
    GateCount.objects.filter(org_unit=tree["YX-GT"]).update(count=150)
    rollup_rebuild(first=date(YEAR, 3, 10), last=date(YEAR, 3, 10))
    assert figures()[("YX-GT", date(YEAR, 3, 10), "visits", "")] == 150
    # rows of days outside the range are untouched; the whole March month rows are redone
    assert total("loans") == 4
    assert figures(Period.MONTH)[("YX-GT", date(YEAR, 3, 1), "loans_by_hour", "10")] == 2


def test_rebuild_of_an_empty_range_and_a_reversed_range(db):
    result = rollup_rebuild(first=date(2001, 1, 1), last=date(2001, 1, 31))
    assert result.rows == 0 and not Rollup.objects.exists()
    with pytest.raises(ValueError):
        rollup_rebuild(first=date(2001, 2, 1), last=date(2001, 1, 1))


def test_calendar_helpers():
    assert months_between(date(2025, 11, 15), date(2026, 2, 1)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert snapshot_days(date(2024, 1, 15), date(2024, 3, 10)) == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 10),
    ]
    assert snapshot_days(date(2024, 1, 1), date(2024, 1, 1)) == [date(2024, 1, 1)]


def test_days_and_hours_are_local_at_midnight(tree, system, add_items, make_reader):  # noqa: F811
    """Stored in UTC, counted on Shanghai's calendar: 00:30 belongs to its own day."""
    add_items("YX-GT", "M1", "M2")
    card = make_reader(issued_on=date(YEAR, 1, 5))
    day = date(YEAR, 5, 20)
    early = timezone.make_aware(datetime(YEAR, 5, 20, 0, 30))
    late = timezone.make_aware(datetime(YEAR, 5, 20, 23, 30))
    for barcode, when in (("M1", early), ("M2", late)):
        circulation.checkout(
            actor=system,
            item_barcode=barcode,
            patron_barcode=card.barcode,
            org_code="YX-GT",
            at=when,
        )
    rollup_rebuild(first=date(YEAR, 5, 1), last=date(YEAR, 5, 31))
    assert figures()[("YX-GT", day, "loans", "")] == 2
    assert total("loans") == 2
    month = figures(Period.MONTH)
    assert month[("YX-GT", date(YEAR, 5, 1), "loans_by_hour", "00")] == 1
    assert month[("YX-GT", date(YEAR, 5, 1), "loans_by_hour", "23")] == 1
