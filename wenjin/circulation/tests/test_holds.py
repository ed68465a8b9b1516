"""Holds: queue order, targeting by tree distance (closed units skipped), capture at
checkin, transit to the pickup unit, the hold shelf and its expiry, cancellation at each
stage, the pull list, refusals."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from wenjin.catalog.models import Item, ItemStatus
from wenjin.catalog.services import items_add, record_save_fields
from wenjin.circulation import services
from wenjin.circulation.models import Hold, HoldStatus, Loan, LoanRule
from wenjin.circulation.selectors import pull_list
from wenjin.circulation.services import holds
from wenjin.lib.errors import Conflict
from wenjin.network import services as network
from wenjin.network.policies import parse_periods

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def place(system, card, pickup="YX-DS", **target):
    if not target:
        target = {"record_id": Item.objects.get(barcode="B1").record_id}
    return holds.hold_place(
        actor=system, patron_barcode=card.barcode, pickup_org_code=pickup, **target
    )


def lend(system, barcode, card, org="YX-GT"):
    return services.checkout(
        actor=system, item_barcode=barcode, patron_barcode=card.barcode, org_code=org
    )


def status(barcode):
    return Item.objects.get(barcode=barcode).status


def test_a_hold_targets_the_nearest_copy(system, items, add_items, make_reader):
    add_items("HZ-A", "H1")
    reader = make_reader()
    assert place(system, reader, pickup="YX-DS").target_item.barcode == "B5"  # same branch
    other = make_reader()
    # B5 is taken by the first hold; the next nearest is B6, also at YX-DS.
    assert place(system, other, pickup="YX-DS").target_item.barcode == "B6"
    third = make_reader()
    # Then the sibling branch YX-GT (distance 2) before Haizhu (distance 4).
    assert place(system, third, pickup="YX-DS").target_item.barcode == "B1"


def test_closed_units_are_skipped(system, items, add_items, make_reader, tree):
    add_items("HZ-A", "H1")
    for code in ("YX-GT", "YX-DS"):
        network.org_unit_update(actor=system, code=code, changes={"status": "temporarily_closed"})
    hold = place(system, make_reader(), pickup="HZ-A")
    assert hold.target_item.barcode == "H1"


def test_queue_positions_are_first_come_first_served(system, items, make_reader):
    for barcode in ("B1", "B2", "B3", "B4", "B5", "B6"):
        lend(system, barcode, make_reader(), org="YX-GT" if barcode < "B5" else "YX-DS")
    readers = [make_reader() for _ in range(3)]
    placed = [place(system, card) for card in readers]
    assert [holds.queue_position(h) for h in placed] == [1, 2, 3]
    assert all(h.target_item_id is None for h in placed)  # nothing on a shelf
    holds.hold_cancel(actor=system, hold_id=placed[0].pk)
    placed = [Hold.objects.get(pk=h.pk) for h in placed]
    assert [holds.queue_position(h) for h in placed] == [0, 1, 2]


def test_capture_at_checkin_transit_to_pickup_and_the_shelf(system, items, make_reader):
    borrower, waiting, other = make_reader(), make_reader(), make_reader()
    for barcode in ("B1", "B2", "B3", "B4", "B5", "B6"):
        lend(system, barcode, borrower, org="YX-GT" if barcode < "B5" else "YX-DS")
    hold = place(system, waiting, pickup="YX-DS")
    # The first copy returned anywhere is captured for the first hold.
    returned = services.checkin(actor=system, item_barcode="B2", org_code="YX-GT")
    assert (returned.action, returned.destination.code, returned.hold.pk) == (
        "transit",
        "YX-DS",
        hold.pk,
    )
    hold.refresh_from_db()
    assert hold.status == HoldStatus.IN_TRANSIT and hold.captured_item.barcode == "B2"
    # Nobody else may take it, even at the desk it was returned to.
    with pytest.raises(services.Refused) as refused:
        lend(system, "B2", other, org="YX-GT")
    assert refused.value.code == "HOLD_FOR_OTHER_PATRON"
    received = services.transit_receive(actor=system, item_barcode="B2", org_code="YX-DS")
    assert received.item_status == "on_hold_shelf"
    hold.refresh_from_db()
    assert hold.status == HoldStatus.READY and hold.expires_on > timezone.localdate()
    with pytest.raises(services.Refused):
        lend(system, "B2", other, org="YX-DS")
    loan = lend(system, "B2", waiting, org="YX-DS").loan
    hold.refresh_from_db()
    assert hold.status == HoldStatus.FULFILLED and loan.patron_id == waiting.patron_id


def test_a_return_at_the_pickup_unit_goes_straight_to_the_shelf(system, items, make_reader):
    borrower, waiting = make_reader(), make_reader()
    for barcode in ("B1", "B2", "B3", "B4", "B5", "B6"):
        lend(system, barcode, borrower, org="YX-GT" if barcode < "B5" else "YX-DS")
    place(system, waiting, pickup="YX-GT")
    returned = services.checkin(actor=system, item_barcode="B1", org_code="YX-GT")
    assert (returned.item_status, returned.action) == ("on_hold_shelf", "hold_shelf")
    assert [h.captured_item.barcode for h in Hold.objects.filter(status="ready")] == ["B1"]


def test_the_shelf_wait_counts_open_days_only(system, items, make_reader):
    # YX-GT closes on Mondays.
    hours = {day: parse_periods("09:00-21:00") for day in range(1, 7)}
    network.weekly_hours_set(actor=system, code="YX-GT", hours=hours)
    borrower, waiting = make_reader(), make_reader()
    for barcode in ("B1", "B2", "B3", "B4", "B5", "B6"):
        lend(system, barcode, borrower, org="YX-GT" if barcode < "B5" else "YX-DS")
    place(system, waiting, pickup="YX-GT")
    tuesday = datetime(2026, 12, 1, 10, tzinfo=SHANGHAI)
    services.checkin(actor=system, item_barcode="B1", org_code="YX-GT", at=tuesday)
    # Seven open days from Wednesday 2 December, skipping Monday the 7th: Wednesday the 9th.
    assert Hold.objects.get(status="ready").expires_on == date(2026, 12, 9)


def test_renewal_is_refused_while_someone_waits(system, items, make_reader):
    borrower, waiting = make_reader(), make_reader()
    for barcode in ("B1", "B2", "B3", "B4", "B5", "B6"):
        lend(system, barcode, borrower, org="YX-GT" if barcode < "B5" else "YX-DS")
    place(system, waiting)
    with pytest.raises(services.Refused) as refused:
        services.renew(actor=system, item_barcode="B1", patron_barcode=borrower.barcode)
    assert refused.value.code == "HOLD_FOR_OTHER_PATRON"


def test_expired_holds_release_the_copy_to_the_next_reader(system, items, make_reader):
    borrower, first, second = make_reader(), make_reader(), make_reader()
    for barcode in ("B1", "B2", "B3", "B4", "B5", "B6"):
        lend(system, barcode, borrower, org="YX-GT" if barcode < "B5" else "YX-DS")
    place(system, first, pickup="YX-GT")
    place(system, second, pickup="YX-DS")
    services.checkin(actor=system, item_barcode="B1", org_code="YX-GT")
    Hold.objects.filter(status="ready").update(expires_on=timezone.localdate() - timedelta(days=1))
    assert holds.expire_holds() == 1
    assert Hold.objects.get(patron_id=first.patron_id).status == HoldStatus.EXPIRED
    # The copy goes to the second reader's pickup unit.
    assert Hold.objects.get(patron_id=second.patron_id).status == HoldStatus.IN_TRANSIT
    assert status("B1") == ItemStatus.IN_TRANSIT


def test_cancelling_a_hold_on_the_shelf_sends_the_copy_home(system, items, make_reader):
    borrower, waiting = make_reader(), make_reader()
    for barcode in ("B1", "B2", "B3", "B4", "B5", "B6"):
        lend(system, barcode, borrower, org="YX-GT" if barcode < "B5" else "YX-DS")
    hold = place(system, waiting, pickup="YX-DS")
    services.checkin(actor=system, item_barcode="B1", org_code="YX-DS")  # owned by YX-GT
    assert status("B1") == ItemStatus.ON_HOLD_SHELF
    holds.hold_cancel(actor=system, hold_id=hold.pk, reason="读者不要了")
    assert status("B1") == ItemStatus.IN_TRANSIT
    with pytest.raises(Conflict):
        holds.hold_cancel(actor=system, hold_id=hold.pk)


def test_cancelling_in_transit_routes_the_copy_on_arrival(system, items, make_reader):
    borrower, waiting = make_reader(), make_reader()
    for barcode in ("B1", "B2", "B3", "B4", "B5", "B6"):
        lend(system, barcode, borrower, org="YX-GT" if barcode < "B5" else "YX-DS")
    hold = place(system, waiting, pickup="YX-DS")
    services.checkin(actor=system, item_barcode="B1", org_code="YX-GT")
    holds.hold_cancel(actor=system, hold_id=hold.pk)
    arrived = services.transit_receive(actor=system, item_barcode="B1", org_code="YX-DS")
    assert (arrived.item_status, arrived.destination.code) == ("in_transit", "YX-GT")


def test_pull_list_and_not_on_shelf(system, items, make_reader, tree):
    hold = place(system, make_reader(), pickup="YX-DS")
    assert [h.target_item.barcode for h in pull_list(tree["YX-DS"])] == ["B5"]
    affected = holds.pull_not_found(actor=system, item_barcode="B5", org_code="YX-DS")
    assert [h.pk for h in affected] == [hold.pk]
    assert status("B5") == ItemStatus.MISSING
    assert Hold.objects.get(pk=hold.pk).target_item.barcode == "B6"
    # Fetched and scanned at the desk: captured and on the shelf.
    result = services.checkin(actor=system, item_barcode="B6", org_code="YX-DS")
    assert result.item_status == "on_hold_shelf" and result.hold.pk == hold.pk


def test_another_reader_taking_a_targeted_copy_retargets_the_hold(system, items, make_reader):
    hold = place(system, make_reader(), pickup="YX-DS")
    lend(system, "B5", make_reader(), org="YX-DS")
    assert Hold.objects.get(pk=hold.pk).target_item.barcode == "B6"


def test_refusals(system, items, add_items, make_reader, tree):
    reader = make_reader()
    place(system, reader)
    with pytest.raises(Conflict) as twice:
        place(system, reader)
    assert twice.value.code == "HOLD_EXISTS"
    add_items("YX-GT", "R1", is_rare=True)
    with pytest.raises(services.Refused) as rare:
        place(system, make_reader(), item_barcode="R1")
    assert rare.value.code == "NOT_HOLDABLE"
    borrower = make_reader()
    lend(system, "B2", borrower)
    with pytest.raises(Conflict) as has_it:
        place(system, borrower)
    assert has_it.value.code == "ALREADY_ON_LOAN"
    network.org_unit_create(
        actor=system, code="YX-ATM", kind="lending_atm", name_zh="ATM", parent_code="YX-DS"
    )
    with pytest.raises(Conflict) as atm:
        place(system, make_reader(), pickup="YX-ATM")
    assert atm.value.code == "PICKUP_NOT_AVAILABLE"
    assert not Loan.objects.filter(patron_id=reader.patron_id).exists()


def test_the_hold_limit_names_the_rule(system, items, make_reader):
    LoanRule.objects.update(max_holds=1, updated_at=timezone.now())
    other = record_save_fields(actor=system, values={"title": "广州城坊志", "language": "chi"})
    reader = make_reader()
    place(system, reader)
    items_add(actor=system, record_id=other.pk, owning_org_code="YX-GT", barcodes=["C1"])
    with pytest.raises(services.Refused) as refused:
        place(system, reader, record_id=other.pk)
    assert refused.value.code == "HOLD_LIMIT_REACHED" and "1" in refused.value.message


def test_the_daily_job_expires_uncollected_holds(system, items, make_reader):
    from io import StringIO

    from django.core.management import call_command

    borrower, waiting = make_reader(), make_reader()
    for barcode in ("B1", "B2", "B3", "B4", "B5", "B6"):
        lend(system, barcode, borrower, org="YX-GT" if barcode < "B5" else "YX-DS")
    place(system, waiting, pickup="YX-GT")
    services.checkin(actor=system, item_barcode="B1", org_code="YX-GT")
    later = (timezone.localdate() + timedelta(days=30)).isoformat()
    out = StringIO()
    call_command("run_daily", "--date", later, stdout=out)
    assert "holds_expired: 1" in out.getvalue()
    assert status("B1") == ItemStatus.AVAILABLE  # back on its own shelf at YX-GT


def test_notice_hooks_fire_after_commit(
    system, items, make_reader, django_capture_on_commit_callbacks
):
    from wenjin.circulation import signals

    ready, expiring = [], []

    def on_ready(sender, hold, **kwargs):
        ready.append(hold.pk)

    def on_expiring(sender, hold, **kwargs):
        expiring.append(hold.pk)

    signals.hold_ready.connect(on_ready)
    signals.hold_expiring.connect(on_expiring)
    try:
        borrower, waiting = make_reader(), make_reader()
        for barcode in ("B1", "B2", "B3", "B4", "B5", "B6"):
            lend(system, barcode, borrower, org="YX-GT" if barcode < "B5" else "YX-DS")
        hold = place(system, waiting, pickup="YX-GT")
        with django_capture_on_commit_callbacks(execute=True):
            services.checkin(actor=system, item_barcode="B1", org_code="YX-GT")
        assert ready == [hold.pk]
        last_day = Hold.objects.get(pk=hold.pk).expires_on
        holds.expire_holds(last_day)
        assert expiring == [hold.pk]
    finally:
        signals.hold_ready.disconnect(on_ready)
        signals.hold_expiring.disconnect(on_expiring)
