"""Two desks, or a desk and a kiosk, at the same moment: real concurrent connections
(threads, and forked processes like the demo's web workers), on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing

import pytest
from django.db import connections

from wenjin.catalog.models import Item
from wenjin.circulation import services
from wenjin.circulation.models import Loan, LoanFact, LoanRule
from wenjin.lib.errors import DomainError
from wenjin.patrons.models import PatronCategory
from wenjin.tests.concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_desks_lending_one_item_gives_one_loan(system, items, make_reader):
    readers = [make_reader() for _ in range(4)]
    outcomes = run_together(
        [
            lambda card=card, org=org: (
                services.checkout(
                    actor=system, item_barcode="B1", patron_barcode=card.barcode, org_code=org
                ).loan.pk
            )
            for card, org in zip(readers, ["YX-GT", "YX-DS", "HZ-A", "YX-GT"], strict=True)
        ]
    )
    assert sum(isinstance(o, int) for o in outcomes) == 1, outcomes
    assert outcomes.count("ITEM_ON_LOAN") == 3, outcomes
    assert Loan.objects.filter(returned_at=None).count() == 1


def test_two_checkins_of_one_item_close_one_loan(system, items, reader):
    services.checkout(
        actor=system, item_barcode="B1", patron_barcode=reader.barcode, org_code="YX-GT"
    )
    outcomes = run_together(
        [
            lambda org=org: services.checkin(actor=system, item_barcode="B1", org_code=org).loan
            for org in ("YX-GT", "HZ-A", "YX-DS")
        ]
    )
    assert not any(isinstance(o, BaseException) for o in outcomes), outcomes
    assert sum(o is not None for o in outcomes) == 1, outcomes
    assert LoanFact.objects.count() == 1
    assert Loan.objects.get().returned_at is not None


def test_a_reader_at_the_limit_cannot_borrow_twice_at_two_branches(system, items, reader):
    LoanRule.objects.create(
        name="限两册", patron_category=PatronCategory.objects.get(code="adult"), max_items=2
    )
    services.checkout(
        actor=system, item_barcode="B1", patron_barcode=reader.barcode, org_code="YX-GT"
    )
    outcomes = run_together(
        [
            lambda barcode=barcode, org=org: (
                services.checkout(
                    actor=system, item_barcode=barcode, patron_barcode=reader.barcode, org_code=org
                ).loan.pk
            )
            for barcode, org in (("B2", "YX-GT"), ("B5", "YX-DS"), ("B3", "HZ-A"))
        ]
    )
    assert sum(isinstance(o, int) for o in outcomes) == 1, outcomes
    assert outcomes.count("LIMIT_REACHED") == 2, outcomes
    assert Loan.objects.filter(returned_at=None).count() == 2


def _process_checkout(item: str, patron: str, org: str, results: multiprocessing.Queue) -> None:
    from wenjin.accounts.actor import Actor

    try:
        loan = services.checkout(
            actor=Actor.system("test"), item_barcode=item, patron_barcode=patron, org_code=org
        ).loan
        results.put(("ok", loan.pk))
    except DomainError as error:
        results.put(("refused", error.code))
    except BaseException as error:  # reported by the assertion in the parent
        results.put(("error", repr(error)))
    finally:
        connections.close_all()


def test_processes_lending_one_item_give_one_loan(system, items, make_reader):
    """Like the demo's gunicorn workers and a SIP2 process: separate processes, one
    database."""
    readers = [make_reader() for _ in range(3)]
    connections.close_all()  # a forked child must open its own connection
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [
        context.Process(target=_process_checkout, args=("B2", card.barcode, "YX-GT", results))
        for card in readers
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert [kind for kind, _ in outcomes].count("ok") == 1, outcomes
    assert [value for _, value in outcomes].count("ITEM_ON_LOAN") == 2, outcomes
    assert Loan.objects.filter(returned_at=None, item=Item.objects.get(barcode="B2")).count() == 1


def test_two_readers_placing_the_last_copy_hold_queue_one_after_the_other(
    system, add_items, make_reader
):
    from wenjin.circulation.models import Hold
    from wenjin.circulation.services import holds

    (only,) = add_items("YX-GT", "L1")
    readers = [make_reader() for _ in range(2)]
    outcomes = run_together(
        [
            lambda card=card: (
                holds.hold_place(
                    actor=system,
                    patron_barcode=card.barcode,
                    pickup_org_code="YX-GT",
                    record_id=only.record_id,
                ).pk
            )
            for card in readers
        ]
    )
    assert all(isinstance(o, int) for o in outcomes), outcomes
    placed = list(Hold.objects.order_by("placed_at", "pk"))
    assert [holds.queue_position(h) for h in placed] == [1, 2]
    assert [h.target_item_id for h in placed] == [only.pk, None]  # one copy, one fetch


def test_a_checkout_racing_a_capture(system, add_items, make_reader):
    """A copy on the pull list is scanned for the hold at the desk while another reader
    borrows it at a kiosk: either the hold gets it or the reader does, never both."""
    from wenjin.circulation.models import Hold
    from wenjin.circulation.services import holds

    (copy,) = add_items("YX-GT", "L2")
    waiting, walk_in = make_reader(), make_reader()
    hold = holds.hold_place(
        actor=system,
        patron_barcode=waiting.barcode,
        pickup_org_code="YX-GT",
        record_id=copy.record_id,
    )
    outcomes = run_together(
        [
            lambda: services.checkin(actor=system, item_barcode="L2", org_code="YX-GT").action,
            lambda: (
                services.checkout(
                    actor=system,
                    item_barcode="L2",
                    patron_barcode=walk_in.barcode,
                    org_code="YX-GT",
                ).loan.pk
            ),
        ]
    )
    assert not any(isinstance(o, BaseException) for o in outcomes), outcomes
    # Either the loan came first and the checkin closed it and captured the copy, or the
    # capture came first and the checkout was refused: both end with the copy held.
    assert "hold_shelf" in outcomes, outcomes
    other = next(o for o in outcomes if o != "hold_shelf")
    assert isinstance(other, int) or other == "HOLD_FOR_OTHER_PATRON", outcomes
    hold.refresh_from_db()
    assert hold.status == "ready" and hold.captured_item_id == copy.pk
    assert not Loan.objects.filter(item=copy, returned_at=None).exists()
    assert Hold.objects.filter(status="ready", captured_item=copy).count() == 1
