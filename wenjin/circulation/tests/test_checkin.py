"""Checkin anywhere (通还), routing, transits, fees, found items and the anonymous loan
fact."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from wenjin.catalog.models import Item, ItemStatus
from wenjin.circulation import services
from wenjin.circulation.models import (
    CirculationSettings,
    FloatingGroup,
    Loan,
    LoanFact,
    Transit,
)
from wenjin.circulation.selectors import stale_transits
from wenjin.lib import crypto
from wenjin.lib.errors import Conflict, Forbidden
from wenjin.patrons.models import Patron

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def lend(system, barcode, card, org="YX-GT", day=date(2026, 3, 2)):
    return services.checkout(
        actor=system,
        item_barcode=barcode,
        patron_barcode=card.barcode,
        org_code=org,
        at=at(day),
    ).loan


def give_back(system, barcode, org, day=date(2026, 3, 10)):
    return services.checkin(actor=system, item_barcode=barcode, org_code=org, at=at(day))


def test_return_at_the_owning_library_puts_it_back_on_the_shelf(system, items, reader):
    loan = lend(system, "B1", reader)
    result = give_back(system, "B1", "YX-GT")
    assert (result.item_status, result.destination.code, result.action) == (
        "available",
        "YX-GT",
        "stay",
    )
    assert result.fee_charged == Decimal("0.00")
    loan.refresh_from_db()
    assert loan.returned_at is not None and loan.checkin_org.code == "YX-GT"
    assert Item.objects.get(barcode="B1").status == ItemStatus.AVAILABLE


def test_return_elsewhere_sends_it_home_and_the_transit_is_received(system, items, reader):
    lend(system, "B1", reader)
    result = give_back(system, "B1", "HZ-A")
    assert (result.item_status, result.destination.code) == ("in_transit", "YX-GT")
    transit = Transit.objects.get(received_at=None)
    assert (transit.from_org.code, transit.to_org.code, transit.reason) == (
        "HZ-A",
        "YX-GT",
        "return_home",
    )
    # Received at the wrong branch first: sent on.
    wrong = services.transit_receive(actor=system, item_barcode="B1", org_code="YX-DS")
    assert (
        wrong.rerouted and wrong.item_status == "in_transit" and wrong.destination.code == "YX-GT"
    )
    assert Transit.objects.filter(received_at=None).get().from_org.code == "YX-DS"
    home = services.transit_receive(actor=system, item_barcode="B1", org_code="YX-GT")
    assert not home.rerouted and home.item_status == "available"
    assert not Transit.objects.filter(received_at=None).exists()
    item = Item.objects.get(barcode="B1")
    assert (item.status, item.current_org.code) == ("available", "YX-GT")


def test_receiving_an_item_not_in_transit_is_refused(system, items):
    with pytest.raises(Conflict) as refused:
        services.transit_receive(actor=system, item_barcode="B1", org_code="YX-GT")
    assert refused.value.code == "NOT_IN_TRANSIT"


def test_an_item_in_transit_may_be_lent_at_its_destination(system, items, make_reader):
    first, second = make_reader(), make_reader()
    lend(system, "B1", first)
    give_back(system, "B1", "HZ-A")
    with pytest.raises(services.Refused) as elsewhere:
        lend(system, "B1", second, org="YX-DS", day=date(2026, 3, 11))
    assert elsewhere.value.code == "ITEM_IN_TRANSIT"
    loan = lend(system, "B1", second, org="YX-GT", day=date(2026, 3, 11))
    assert loan.checkout_org.code == "YX-GT"
    assert not Transit.objects.filter(received_at=None).exists()


def test_floating_items_stay_where_they_are_returned(system, items, reader, tree):
    group = FloatingGroup.objects.create(name="越秀浮动馆藏")
    group.members.add(tree["YX-GT"], tree["YX-DS"])
    lend(system, "B1", reader)
    result = give_back(system, "B1", "YX-DS")
    assert (result.item_status, result.action) == ("available", "stay")
    assert Item.objects.get(barcode="B1").current_org.code == "YX-DS"
    # Outside the group it still travels home.
    lend(system, "B2", reader)
    assert give_back(system, "B2", "HZ-A").item_status == "in_transit"


def test_out_of_scheme_returns_elsewhere_are_accepted_or_refused_by_setting(
    system, add_items, reader
):
    add_items("YX-DS", "P1", material_type="periodical")
    lend(system, "P1", reader, org="YX-DS")
    CirculationSettings.objects.update_or_create(defaults={"out_of_scheme_return": "refuse"})
    with pytest.raises(Conflict) as refused:
        give_back(system, "P1", "YX-GT")
    assert refused.value.code == "NOT_IN_NETWORK_SCHEME"
    assert Loan.objects.get().returned_at is None
    settings = CirculationSettings.objects.get()
    settings.out_of_scheme_return = "transit"
    settings.save()  # the change is seen at once (the settings cache is cleared)
    result = give_back(system, "P1", "YX-GT")
    assert (result.item_status, result.destination.code) == ("in_transit", "YX-DS")


def test_overdue_fee_at_checkin_capped_and_waived_for_concession(system, items, make_reader):
    adult = make_reader()
    lend(system, "B1", adult)  # due 2026-04-02
    assert give_back(system, "B1", "YX-GT", day=date(2026, 4, 5)).fee_charged == Decimal("0.30")
    lend(system, "B2", adult, day=date(2026, 4, 6))  # due 2026-05-07
    assert give_back(system, "B2", "YX-GT", day=date(2027, 1, 1)).fee_charged == Decimal("10.00")
    concession = make_reader(category="concession")
    lend(system, "B3", concession)
    assert give_back(system, "B3", "YX-GT", day=date(2026, 5, 1)).fee_charged == Decimal("0.00")


def test_a_found_item_is_routed_and_no_longer_lost(system, items):
    Item.objects.filter(barcode="B1").update(status=ItemStatus.LOST)
    result = give_back(system, "B1", "HZ-A")
    assert result.was_found and result.loan is None
    assert (result.item_status, result.destination.code) == ("in_transit", "YX-GT")


def test_a_second_checkin_closes_nothing_more(system, items, reader):
    lend(system, "B1", reader)
    give_back(system, "B1", "YX-GT")
    again = give_back(system, "B1", "YX-GT")
    assert again.loan is None and again.item_status == "available"
    assert LoanFact.objects.count() == 1


def test_withdrawn_items_are_set_aside(system, items):
    Item.objects.filter(barcode="B1").update(status=ItemStatus.WITHDRAWN)
    with pytest.raises(Conflict) as refused:
        give_back(system, "B1", "YX-GT")
    assert refused.value.code == "ITEM_WITHDRAWN"


def test_each_finished_loan_leaves_an_anonymous_fact(system, items, make_reader):
    child_guardian = make_reader()
    child = make_reader(born=date(2017, 6, 1), guardian_barcode=child_guardian.barcode)
    lend(system, "B5", child, org="YX-GT")
    give_back(system, "B5", "HZ-A", day=date(2026, 4, 10))
    fact = LoanFact.objects.get()
    assert (fact.checkout_date, fact.return_date) == (date(2026, 3, 2), date(2026, 4, 10))
    assert (fact.checkout_org.code, fact.checkin_org.code, fact.owning_org.code) == (
        "YX-GT",
        "HZ-A",
        "YX-DS",
    )
    assert (fact.patron_category, fact.age_band, fact.home_org.code) == ("child", "7-11", "YX-GT")
    assert (fact.material_type, fact.clc_top, fact.overdue_days) == ("book", "K", 8)
    assert fact.reader_key == crypto.pseudonym(f"patron:{child.patron_id}")
    assert child.barcode not in fact.reader_key and len(fact.reader_key) == 32
    # The same reader gets the same key again; another reader another key.
    lend(system, "B5", child, org="YX-DS", day=date(2026, 4, 11))
    give_back(system, "B5", "YX-DS", day=date(2026, 4, 12))
    lend(system, "B6", child_guardian, org="YX-DS", day=date(2026, 4, 11))
    give_back(system, "B6", "YX-DS", day=date(2026, 4, 12))
    keys = list(LoanFact.objects.order_by("pk").values_list("reader_key", flat=True))
    assert keys[0] == keys[1] != keys[2]


def test_history_is_kept_only_for_readers_who_opted_in(system, items, make_reader):
    private, keeper = make_reader(), make_reader()
    Patron.objects.filter(pk=keeper.patron_id).update(keeps_history=True)
    lend(system, "B1", private)
    lend(system, "B2", keeper)
    give_back(system, "B1", "YX-GT")
    give_back(system, "B2", "YX-GT")
    assert Loan.objects.get(item__barcode="B1").patron is None
    assert Loan.objects.get(item__barcode="B2").patron_id == keeper.patron_id


def test_checkin_needs_the_desk_role_there(items, reader, system, make_staff, actor_for):
    lend(system, "B1", reader)
    cataloguer = actor_for(make_staff("cat", "cataloguer", "YX-GT"))
    with pytest.raises(Forbidden):
        services.checkin(actor=cataloguer, item_barcode="B1", org_code="YX-GT")
    assert Loan.objects.get().returned_at is None


def test_old_transits_are_reported(system, items, reader):
    lend(system, "B1", reader)
    give_back(system, "B1", "HZ-A")  # 2026-03-10, long ago
    assert [t.item.barcode for t in stale_transits(7)] == ["B1"]
