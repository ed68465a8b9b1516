"""Checkout and renewal through the services: rules, refusals with their explanation,
overrides, limits, the calendar, permissions and atomicity."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from wenjin.accounts.models import AuditEntry
from wenjin.catalog.models import Item, ItemStatus
from wenjin.circulation import services
from wenjin.circulation.models import Loan, LoanRenewal, LoanRule
from wenjin.lib.errors import Conflict, Forbidden, NotFound, ValidationFailed
from wenjin.network import services as network
from wenjin.network.calendar import calendar_load, read_calendar_csv
from wenjin.network.policies import parse_periods
from wenjin.patrons.models import Card, CardStatus, PatronCategory
from wenjin.patrons.services import family_create

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def lend(system, barcode: str, card: Card, org: str = "YX-GT", **values):
    return services.checkout(
        actor=system, item_barcode=barcode, patron_barcode=card.barcode, org_code=org, **values
    )


def test_checkout_lends_for_the_rule_period_and_records_it(system, items, reader):
    result = lend(system, "B1", reader, at=at(date(2026, 3, 2)))
    loan = result.loan
    assert not result.renewed
    assert result.rule.name == "图书（默认）" and result.rule.loan_days == 31
    assert loan.due_date == date(2026, 4, 2)
    assert (loan.renewals_allowed, loan.fee_per_day, loan.fee_cap) == (
        1,
        Decimal("0.10"),
        Decimal("10.00"),
    )
    item = Item.objects.get(barcode="B1")
    assert item.status == ItemStatus.CHECKED_OUT
    assert AuditEntry.objects.filter(action="circulation.checkout", object_id=str(loan.pk)).exists()


def test_periodicals_are_lent_for_15_days(system, add_items, reader):
    add_items("YX-GT", "P1", material_type="periodical")
    result = lend(system, "P1", reader, at=at(date(2026, 3, 2)))
    assert result.rule.name == "期刊" and result.loan.due_date == date(2026, 3, 17)


def test_borrow_anywhere_in_the_scheme(system, items, reader):
    loan = lend(system, "B5", reader, org="YX-GT").loan  # owned by YX-DS
    assert loan.checkout_org.code == "YX-GT"


def test_an_item_on_loan_to_the_same_reader_is_renewed(system, items, reader):
    first = lend(system, "B1", reader, at=at(date(2026, 3, 2))).loan
    again = lend(system, "B1", reader, at=at(date(2026, 3, 20)))
    assert again.renewed and again.loan.pk == first.pk
    assert again.loan.due_date == date(2026, 5, 3)  # from the due date, not from today
    assert Loan.objects.count() == 1 and LoanRenewal.objects.count() == 1


def test_an_item_on_loan_to_someone_else_is_refused(system, items, make_reader):
    first, second = make_reader(), make_reader()
    lend(system, "B1", first)
    with pytest.raises(services.Refused) as refused:
        lend(system, "B1", second)
    assert refused.value.code == "ITEM_ON_LOAN" and refused.value.status == 409
    assert refused.value.details["rule"]["name"] == "图书（默认）"


def test_unknown_barcodes_are_404(system, items, reader):
    with pytest.raises(NotFound) as missing_item:
        lend(system, "NOPE", reader)
    assert missing_item.value.code == "ITEM_NOT_FOUND"
    with pytest.raises(NotFound) as missing_card:
        services.checkout(actor=system, item_barcode="B1", patron_barcode="299", org_code="YX-GT")
    assert missing_card.value.code == "PATRON_NOT_FOUND"


def test_card_problems_refuse(system, items, reader):
    Card.objects.filter(pk=reader.pk).update(expires_on=date(2020, 1, 1))
    with pytest.raises(services.Refused) as expired:
        lend(system, "B1", reader)
    assert expired.value.code == "CARD_EXPIRED" and expired.value.details["overridable"]
    Card.objects.filter(pk=reader.pk).update(status=CardStatus.LOST, expires_on=date(2030, 1, 1))
    with pytest.raises(services.Refused) as lost:
        lend(system, "B1", reader)
    assert lost.value.code == "CARD_LOST" and not lost.value.details["overridable"]
    assert not Loan.objects.exists()


def test_an_overdue_item_blocks_further_borrowing(system, items, reader):
    lend(system, "B1", reader, at=at(date.today() - timedelta(days=60)))
    with pytest.raises(services.Refused) as blocked:
        lend(system, "B2", reader)
    assert blocked.value.code == "PATRON_BLOCKED"
    assert "1" in blocked.value.message


def limited_rule(max_items: int = 2) -> LoanRule:
    return LoanRule.objects.create(
        name="少量", patron_category=PatronCategory.objects.get(code="adult"), max_items=max_items
    )


def test_the_limit_holds_and_names_the_rule(system, items, reader):
    limited_rule()
    lend(system, "B1", reader)
    lend(system, "B2", reader)
    with pytest.raises(services.Refused) as refused:
        lend(system, "B3", reader)
    assert refused.value.code == "LIMIT_REACHED"
    assert "少量" in refused.value.message and refused.value.details["rule"]["max_items"] == 2


def test_a_director_overrides_with_a_reason_and_it_is_audited(items, reader, make_staff, actor_for):
    limited_rule(max_items=0)
    director = actor_for(make_staff("dir", "branch_director", "YX-GT"))
    with pytest.raises(ValidationFailed):
        lend(director, "B1", reader, overrides=["LIMIT_REACHED"])
    result = lend(director, "B1", reader, overrides=["LIMIT_REACHED"], override_reason="读者急需")
    assert result.overridden == ["LIMIT_REACHED"]
    assert result.loan.override_reason == "读者急需"
    entry = AuditEntry.objects.get(action="circulation.override")
    assert entry.changes["overridden"] == ["LIMIT_REACHED"] and entry.actor_label == "dir"


def test_desk_staff_may_not_override(items, reader, make_staff, actor_for):
    limited_rule(max_items=0)
    desk = actor_for(make_staff("desk", "desk_staff", "YX-GT"))
    with pytest.raises(Forbidden):
        lend(desk, "B1", reader, overrides=["LIMIT_REACHED"], override_reason="x")
    assert not Loan.objects.exists()


def test_not_overridable_refusals_stay_refused(items, make_reader, make_staff, actor_for):
    director = actor_for(make_staff("dir", "branch_director", "YX-GT"))
    first, second = make_reader(), make_reader()
    lend(director, "B1", first)
    with pytest.raises(services.Refused) as refused:
        lend(director, "B1", second, overrides=["ITEM_ON_LOAN"], override_reason="x")
    assert refused.value.code == "ITEM_ON_LOAN"


def test_staff_circulate_only_within_their_subtree(items, reader, make_staff, actor_for):
    desk = actor_for(make_staff("ds_desk", "desk_staff", "YX-DS"))
    with pytest.raises(Forbidden):
        lend(desk, "B1", reader, org="YX-GT")
    assert lend(desk, "B1", reader, org="YX-DS").loan.checkout_org.code == "YX-DS"


def test_a_unit_out_of_service_lends_nothing(system, items, reader):
    network.org_unit_update(actor=system, code="YX-GT", changes={"status": "closed"})
    with pytest.raises(Conflict) as refused:
        lend(system, "B1", reader)
    assert refused.value.code == "ORG_NOT_IN_SERVICE"


def test_items_outside_the_scheme_are_lent_only_at_home(system, add_items, reader):
    (periodical,) = add_items("YX-DS", "P1", material_type="periodical")
    assert not periodical.in_network_scheme
    with pytest.raises(services.Refused) as refused:
        lend(system, "P1", reader, org="YX-GT")
    assert refused.value.code == "NOT_IN_NETWORK_SCHEME"
    assert lend(system, "P1", reader, org="YX-DS").loan


def test_rare_books_are_for_the_reading_room(system, add_items, reader):
    add_items("YX-GT", "R1", is_rare=True)
    with pytest.raises(services.Refused) as refused:
        lend(system, "R1", reader)
    assert refused.value.code == "ITEM_NOT_LOANABLE" and "善本" in refused.value.message


def test_a_family_shares_one_quota(system, items, make_reader):
    LoanRule.objects.filter(patron_category__code="family", material_type="").update(
        max_items=2, updated_at=timezone.now()
    )
    adult, other_adult = make_reader(), make_reader()
    child = make_reader(born=date(2018, 1, 1), guardian_barcode=adult.barcode)
    family_create(
        actor=system,
        name="陈家",
        barcodes=[adult.barcode, other_adult.barcode, child.barcode],
    )
    lend(system, "B1", adult)
    lend(system, "B2", child)
    with pytest.raises(services.Refused) as refused:
        lend(system, "B3", other_adult)
    assert refused.value.code == "LIMIT_REACHED"


def test_a_branch_rule_beats_the_network_rule(system, items, reader, tree):
    LoanRule.objects.create(name="东山短借", checkout_org=tree["YX-DS"], loan_days=7)
    result = lend(system, "B5", reader, org="YX-DS", at=at(date(2026, 3, 2)))
    assert result.rule.name == "东山短借" and result.loan.due_date == date(2026, 3, 9)
    other = lend(system, "B1", reader, org="YX-GT", at=at(date(2026, 3, 2)))
    assert other.rule.name == "图书（默认）"


def test_due_dates_skip_closed_days(system, items, reader):
    # YX-GT closes on Mondays, and for a week of renovation.
    hours = {day: parse_periods("09:00-21:00") for day in range(1, 7)}
    network.weekly_hours_set(actor=system, code="YX-GT", hours=hours)
    # 2026-03-02 + 28 days = 2026-03-30, a Monday → Tuesday 31st.
    LoanRule.objects.filter(name="图书（默认）").update(loan_days=28, updated_at=timezone.now())
    assert lend(system, "B1", reader, at=at(date(2026, 3, 2))).loan.due_date == date(2026, 3, 31)
    network.schedule_exception_add(
        actor=system,
        code="YX-GT",
        kind="closed",
        start_date=date(2026, 3, 31),
        end_date=date(2026, 4, 3),
        reason="装修",
    )
    assert lend(system, "B2", reader, at=at(date(2026, 3, 2))).loan.due_date == date(2026, 4, 4)


def test_due_dates_skip_public_holidays_for_units_that_observe_them(system, items, reader):
    calendar_load(
        actor=system,
        lines=read_calendar_csv(
            "date,kind,name,hours_of_weekday\n"
            "2026-10-01,holiday,国庆节,\n2026-10-02,holiday,国庆节,\n"
            "2026-10-10,workday,调休上班,0\n"
        ),
    )
    start = date(2026, 8, 31)  # + 31 days = 2026-10-01
    assert lend(system, "B1", reader, at=at(start)).loan.due_date == date(2026, 10, 1)
    network.org_unit_update(actor=system, code="YX-GT", changes={"observes_public_holidays": True})
    assert lend(system, "B2", reader, at=at(start)).loan.due_date == date(2026, 10, 3)
    # Closed at weekends, but open on the make-up working day (a Saturday).
    weekdays = {day: parse_periods("09:00-17:00") for day in range(5)}
    network.weekly_hours_set(actor=system, code="YX-GT", hours=weekdays)
    start = date(2026, 9, 9)  # + 31 days = Saturday 2026-10-10
    assert lend(system, "B3", reader, at=at(start)).loan.due_date == date(2026, 10, 10)


def test_renewal_counts_from_the_due_date_and_is_limited(system, items, reader):
    lend(system, "B1", reader, at=at(date(2026, 3, 2)))
    renewed = services.renew(
        actor=system, item_barcode="B1", patron_barcode=reader.barcode, at=at(date(2026, 3, 5))
    )
    assert renewed.loan.due_date == date(2026, 5, 3) and renewed.loan.renewals == 1
    with pytest.raises(services.Refused) as refused:
        services.renew(
            actor=system, item_barcode="B1", patron_barcode=reader.barcode, at=at(date(2026, 3, 6))
        )
    assert refused.value.code == "RENEWALS_USED"
    assert Loan.objects.get().due_date == date(2026, 5, 3)


def test_renewing_someone_elses_loan_is_not_found(system, items, make_reader):
    owner, other = make_reader(), make_reader()
    lend(system, "B1", owner)
    with pytest.raises(NotFound) as missing:
        services.renew(actor=system, item_barcode="B1", patron_barcode=other.barcode)
    assert missing.value.code == "LOAN_NOT_FOUND"


def test_a_failure_mid_checkout_leaves_nothing_written(system, items, reader):
    with (
        mock.patch(
            "wenjin.circulation.services.lending.audit_record", side_effect=RuntimeError("disk")
        ),
        pytest.raises(RuntimeError),
    ):
        lend(system, "B1", reader)
    assert not Loan.objects.exists()
    assert Item.objects.get(barcode="B1").status == ItemStatus.AVAILABLE
