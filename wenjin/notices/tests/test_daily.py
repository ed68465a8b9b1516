"""The daily scan: each kind on its day and no other, catch-up after missed days,
grouping of one reader's loans, and idempotence."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from wenjin.catalog.models import Item
from wenjin.circulation import services as circulation
from wenjin.circulation.models import HoldStatus
from wenjin.circulation.services import holds
from wenjin.notices.models import Notice
from wenjin.notices.services import notices_due
from wenjin.patrons.models import Card

pytestmark = pytest.mark.django_db
# In the future, so that the readers are not blocked by overdue loans when they borrow.
DUE = timezone.localdate() + timedelta(days=60)


def day(offset: int) -> date:
    return DUE + timedelta(days=offset)


def produced(on: date) -> dict[str, int]:
    return {kind: n for kind, n in notices_due(on).items() if n}


def test_each_kind_on_its_day_and_no_other(settings, make_reader, lend, sms_sent):
    settings.WENJIN_NOTICE_CATCH_UP_DAYS = 1  # exactly on the day
    first, second = make_reader(), make_reader()
    lend(first, "B1", DUE)
    lend(second, "B2", DUE)
    Card.objects.filter(pk=first.pk).update(expires_on=DUE)
    seen = {}
    for offset in range(-35, 41):
        found = produced(day(offset))
        if found:
            seen[offset] = found
    assert seen == {
        -30: {"card_expiring": 1},
        -3: {"due_soon": 2},
        1: {"overdue_1": 2},
        7: {"overdue_7": 2},
        30: {"overdue_30": 2},
    }
    assert Notice.objects.filter(outcome="sent").count() == 9
    assert len(sms_sent()) == 9


def test_a_missed_day_still_sends_once_and_only_the_latest_stage(make_reader, lend, sms_sent):
    card = make_reader()
    lend(card, "B1", DUE)
    assert produced(day(-1)) == {"due_soon": 1}  # the job did not run on day −3 nor −2
    assert produced(day(0)) == {}
    # Down for nine days after the due date: one overdue_7 notice, no overdue_1 too.
    assert produced(day(9)) == {"overdue_7": 1}
    assert produced(day(10)) == {}
    # Far too late for the 30-day notice (past its catch-up): nothing rather than stale.
    assert produced(day(40)) == {}
    assert [n.kind for n in Notice.objects.order_by("pk")] == ["due_soon", "overdue_7"]
    assert "已逾期9天" in sms_sent()[1]["text"]


def test_one_notice_lists_all_of_a_readers_loans_due_that_day(
    settings, system, make_reader, lend, sms_sent
):
    settings.WENJIN_NOTICE_CATCH_UP_DAYS = 1
    reader, other = make_reader(), make_reader()
    loans = [lend(reader, barcode, DUE) for barcode in ("B1", "B2", "B3", "B5")]
    later = lend(reader, "B4", day(1))
    lend(other, "B6", DUE)
    circulation.checkin(actor=system, item_barcode="B3", org_code="YX-GT")  # returned: left out
    assert produced(day(-3)) == {"due_soon": 2}
    mine = Notice.objects.get(patron=reader.patron)
    assert sorted(mine.loan_ids) == sorted(loan.pk for loan in loans if loan.item.barcode != "B3")
    assert mine.dedupe_key == f"due_soon:patron:{reader.patron_id}:{DUE.isoformat()}"
    assert "等3册" in mine.body
    assert produced(day(-2)) == {"due_soon": 1}  # B4, due a day later, on its own
    assert Notice.objects.get(loan_ids=[later.pk]).patron_id == reader.patron_id
    assert len(sms_sent()) == 3


def test_running_twice_the_same_day_sends_nothing_more(make_reader, lend, sms_sent):
    for barcode in ("B1", "B2", "B5"):
        lend(make_reader(), barcode, DUE)
    assert produced(day(-3)) == {"due_soon": 3}
    assert produced(day(-3)) == {}
    assert Notice.objects.count() == 3 and len(sms_sent()) == 3


def test_hold_expiring_on_the_last_shelf_day_only(system, items, make_reader, sms_sent):
    borrower, waiting = make_reader(), make_reader()
    hold = holds.hold_place(
        actor=system,
        patron_barcode=waiting.barcode,
        pickup_org_code="YX-GT",
        record_id=Item.objects.get(barcode="B1").record_id,
    )
    for barcode in ("B1", "B2", "B3", "B4", "B5", "B6"):
        circulation.checkout(
            actor=system,
            item_barcode=barcode,
            patron_barcode=borrower.barcode,
            org_code="YX-DS" if barcode in ("B5", "B6") else "YX-GT",
        )
    # The checkin's on-commit signal does not run in this test: the daily scan makes up
    # for the missed hold_ready notice.
    circulation.checkin(actor=system, item_barcode="B1", org_code="YX-GT")
    hold.refresh_from_db()
    assert hold.status == HoldStatus.READY
    last = hold.expires_on
    assert produced(last - timedelta(days=1)) == {"hold_ready": 1}
    assert produced(last) == {"hold_expiring": 1}
    assert produced(last) == {}
    assert produced(last + timedelta(days=1)) == {}
    expiring = Notice.objects.get(kind="hold_expiring")
    assert expiring.dedupe_key == f"hold_expiring:hold:{hold.pk}"
    assert "最后一天" in expiring.body


def test_card_expiring_names_the_card_masked(make_reader, sms_sent):
    card = make_reader()
    Card.objects.filter(pk=card.pk).update(expires_on=day(30))
    assert produced(DUE) == {"card_expiring": 1}
    notice = Notice.objects.get()
    assert card.barcode not in notice.body and card.barcode[-4:] in notice.body
    assert notice.dedupe_key == f"card_expiring:card:{card.pk}:{day(30).isoformat()}"
    # Renewed and expiring again years later: a new notice then.
    Card.objects.filter(pk=card.pk).update(expires_on=day(400))
    assert produced(day(370)) == {"card_expiring": 1}
