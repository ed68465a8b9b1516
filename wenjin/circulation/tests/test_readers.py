"""Where readers and circulation meet: cancellation and deletion wait for returns,
withdrawn consent removes kept history, the reader's export lists their loans."""

import pytest

from wenjin.circulation import services
from wenjin.circulation.models import Loan, LoanFact
from wenjin.lib.errors import Conflict
from wenjin.patrons.models import Patron
from wenjin.patrons.services import card_cancel, export_data, patron_delete, patron_update

pytestmark = pytest.mark.django_db


def lend_and_return(system, barcode, card, returned=True):
    services.checkout(
        actor=system, item_barcode=barcode, patron_barcode=card.barcode, org_code="YX-GT"
    )
    if returned:
        services.checkin(actor=system, item_barcode=barcode, org_code="YX-GT")


def test_a_card_is_not_cancelled_while_items_are_on_loan(system, items, reader):
    lend_and_return(system, "B1", reader, returned=False)
    with pytest.raises(Conflict) as refused:
        card_cancel(actor=system, barcode=reader.barcode, org_code="YX-GT")
    assert refused.value.code == "LOANS_OPEN" and "1" in refused.value.message
    services.checkin(actor=system, item_barcode="B1", org_code="YX-GT")
    assert card_cancel(actor=system, barcode=reader.barcode, org_code="YX-GT").status == "cancelled"


def test_deletion_waits_for_returns_and_keeps_only_anonymous_facts(system, items, reader):
    Patron.objects.filter(pk=reader.patron_id).update(keeps_history=True)
    lend_and_return(system, "B1", reader)
    lend_and_return(system, "B2", reader, returned=False)
    with pytest.raises(Conflict) as refused:
        patron_delete(actor=system, barcode=reader.barcode, org_code="YX-GT")
    assert refused.value.code == "LOANS_OPEN"
    services.checkin(actor=system, item_barcode="B2", org_code="YX-GT")
    patron_delete(actor=system, barcode=reader.barcode, org_code="YX-GT")
    assert not Loan.objects.filter(patron_id=reader.patron_id).exists()
    assert Loan.objects.count() == 2
    facts = LoanFact.objects.all()
    assert facts.count() == 2 and {f.patron_category for f in facts} == {"adult"}


def test_withdrawing_consent_removes_the_kept_history_but_not_open_loans(system, items, reader):
    patron_update(actor=system, barcode=reader.barcode, changes={"keeps_history": True})
    lend_and_return(system, "B1", reader)
    lend_and_return(system, "B2", reader, returned=False)
    assert Loan.objects.filter(patron_id=reader.patron_id).count() == 2
    patron_update(actor=system, barcode=reader.barcode, changes={"keeps_history": False})
    kept = Loan.objects.filter(patron_id=reader.patron_id)
    assert [loan.item.barcode for loan in kept] == ["B2"]


def test_the_readers_export_lists_their_loans(system, items, reader):
    Patron.objects.filter(pk=reader.patron_id).update(keeps_history=True)
    lend_and_return(system, "B1", reader)
    lend_and_return(system, "B2", reader, returned=False)
    data = export_data(Patron.objects.get(pk=reader.patron_id))
    assert [(loan["item_barcode"], loan["returned_at"] is None) for loan in data["loans"]] == [
        ("B1", False),
        ("B2", True),
    ]
    assert data["loans"][0]["title"] == "岭南文化十讲"
