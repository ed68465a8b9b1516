"""The pure rules: matching and its tie-breaks, checks and their explanations, fees,
routing."""

from datetime import date
from decimal import Decimal

from wenjin.circulation import policies
from wenjin.circulation.policies import ItemState, Limits, ReaderState, Refusal, RuleTerms

# A tree: /1/ city, /1/2/ district, /1/2/3/ branch A, /1/2/4/ branch B.
HERE = policies.Situation(
    checkout_path="/1/2/3/",
    owning_path="/1/2/4/",
    category_id=7,
    material_type="book",
    is_children=True,
    is_rare=False,
)


def rule(rule_id: int, **values: object) -> RuleTerms:
    return RuleTerms(id=rule_id, name=f"r{rule_id}", **values)


def test_a_rule_with_no_conditions_matches_everything():
    assert policies.match_rule([rule(1)], HERE).id == 1


def test_no_matching_rule_gives_none():
    assert policies.match_rule([rule(1, material_type="periodical")], HERE) is None


def test_conditions_must_all_hold():
    assert not policies.rule_matches(rule(1, category_id=8), HERE)
    assert not policies.rule_matches(rule(1, is_children=False), HERE)
    assert not policies.rule_matches(rule(1, is_rare=True), HERE)
    assert not policies.rule_matches(rule(1, checkout_path="/1/2/4/", checkout_depth=2), HERE)
    assert not policies.rule_matches(rule(1, owning_path="/1/2/3/", owning_depth=2), HERE)
    assert policies.rule_matches(
        rule(1, checkout_path="/1/2/", checkout_depth=1, owning_path="/1/", owning_depth=0), HERE
    )


def test_org_subtree_matching_does_not_confuse_prefixes():
    # /1/2/ must not match /1/23/: paths end in a slash.
    situation = policies.Situation("/1/23/", "/1/23/", 7, "book", False, False)
    assert not policies.rule_matches(rule(1, checkout_path="/1/2/", checkout_depth=1), situation)


def test_deeper_checkout_unit_beats_everything_below_it_in_the_order():
    network_wide_specific = rule(1, category_id=7, material_type="book", is_children=True)
    branch_general = rule(2, checkout_path="/1/2/3/", checkout_depth=2)
    district_general = rule(3, checkout_path="/1/2/", checkout_depth=1)
    rules = [network_wide_specific, district_general, branch_general]
    assert policies.match_rule(rules, HERE).id == 2


def test_owning_unit_breaks_a_tie_of_checkout_units():
    rules = [
        rule(1, checkout_path="/1/2/", checkout_depth=1, category_id=7),
        rule(2, checkout_path="/1/2/", checkout_depth=1, owning_path="/1/2/4/", owning_depth=2),
    ]
    assert policies.match_rule(rules, HERE).id == 2


def test_category_beats_material_type_beats_flags():
    rules = [
        rule(1, material_type="book", is_children=True),
        rule(2, category_id=7),
        rule(3, is_children=True, is_rare=False),
    ]
    assert policies.match_rule(rules, HERE).id == 2
    assert policies.match_rule(rules[::2], HERE).id == 1
    assert policies.match_rule([rule(4, is_children=True), rules[2]], HERE).id == 3


def test_a_full_tie_goes_to_the_older_rule():
    assert (
        policies.match_rule([rule(9, material_type="book"), rule(4, material_type="book")], HERE).id
        == 4
    )


TODAY = date(2026, 3, 10)


def reader(**values: object) -> ReaderState:
    return ReaderState(**{"card_status": "active", "card_expires_on": date(2030, 1, 1), **values})


def codes(refusals: list[Refusal]) -> list[str]:
    return [refusal.code for refusal in refusals]


def test_a_reader_in_good_standing_passes():
    assert policies.reader_refusals(reader(), TODAY, Limits()) == []


def test_card_states_refuse_with_their_own_codes():
    assert codes(policies.reader_refusals(reader(card_status="lost"), TODAY, Limits())) == [
        "CARD_LOST"
    ]
    assert codes(policies.reader_refusals(reader(card_status="blocked"), TODAY, Limits())) == [
        "PATRON_BLOCKED"
    ]
    expired = policies.reader_refusals(reader(card_expires_on=date(2026, 3, 9)), TODAY, Limits())
    assert codes(expired) == ["CARD_EXPIRED"] and "2026-03-09" in expired[0].message
    # The day of expiry itself still works.
    assert policies.reader_refusals(reader(card_expires_on=TODAY), TODAY, Limits()) == []


def test_overdue_items_and_debt_block_and_say_why():
    refusals = policies.reader_refusals(
        reader(overdue_loans=2, debt=Decimal("10.50")), TODAY, Limits()
    )
    assert codes(refusals) == ["PATRON_BLOCKED", "PATRON_BLOCKED"]
    assert "2" in refusals[0].message and "10.50" in refusals[1].message
    assert (
        policies.reader_refusals(reader(overdue_loans=2), TODAY, Limits(overdue_blocks=False)) == []
    )
    assert policies.reader_refusals(reader(debt=Decimal("10.00")), TODAY, Limits()) == []


def test_limits_count_network_wide_and_per_type():
    limited = rule(1, max_items=3, max_items_of_type=1)
    assert policies.limit_refusals(reader(open_loans=2), limited, "图书") == []
    at_limit = policies.limit_refusals(reader(open_loans=3), limited, "图书")
    assert codes(at_limit) == ["LIMIT_REACHED"] and "r1" in at_limit[0].message
    of_type = policies.limit_refusals(reader(open_loans=1, open_loans_of_type=1), limited, "期刊")
    assert codes(of_type) == ["LIMIT_REACHED"] and "期刊" in of_type[0].message


def item(**values: object) -> ItemState:
    return ItemState(
        **{"status": "available", "in_scheme": True, "at_owning_library": False, **values}
    )


def test_item_checks():
    general = rule(1)
    assert policies.item_refusals(item(), general) == []
    assert codes(policies.item_refusals(item(status="checked_out"), general)) == ["ITEM_ON_LOAN"]
    assert codes(policies.item_refusals(item(status="in_transit"), general)) == ["ITEM_IN_TRANSIT"]
    assert policies.item_refusals(item(status="in_transit", transit_to_here=True), general) == []
    assert codes(policies.item_refusals(item(status="lost"), general)) == ["ITEM_NOT_LOANABLE"]
    assert codes(policies.item_refusals(item(status="on_hold_shelf"), general)) == [
        "HOLD_FOR_OTHER_PATRON"
    ]
    assert codes(policies.item_refusals(item(), rule(2, loanable=False))) == ["ITEM_NOT_LOANABLE"]


def test_scheme_membership_follows_the_item_unless_the_rule_overrides():
    outside = item(in_scheme=False)
    assert codes(policies.item_refusals(outside, rule(1))) == ["NOT_IN_NETWORK_SCHEME"]
    assert policies.item_refusals(item(in_scheme=False, at_owning_library=True), rule(1)) == []
    assert policies.item_refusals(outside, rule(1, network_lending=True)) == []
    assert codes(policies.item_refusals(item(), rule(1, network_lending=False))) == [
        "NOT_IN_NETWORK_SCHEME"
    ]


def test_overrides_pass_only_overridable_refusals():
    lost = Refusal("CARD_LOST", "lost")
    limit = Refusal("LIMIT_REACHED", "limit", overridable=True)
    assert policies.first_blocking([limit], frozenset({"LIMIT_REACHED"})) is None
    assert policies.first_blocking([limit, lost], frozenset({"LIMIT_REACHED", "CARD_LOST"})) is lost
    assert policies.first_blocking([limit], frozenset()) is limit


def test_renewal_checks():
    assert policies.renewal_refusals(renewals=0, renewals_allowed=1) == []
    assert codes(policies.renewal_refusals(renewals=1, renewals_allowed=1)) == ["RENEWALS_USED"]
    assert codes(policies.renewal_refusals(renewals=0, renewals_allowed=1, hold_waiting=True)) == [
        "HOLD_FOR_OTHER_PATRON"
    ]


def fee(due: date, returned: date, **values: object) -> Decimal:
    terms = {"fee_per_day": Decimal("0.10"), "fee_cap": Decimal("10.00"), **values}
    return policies.overdue_fee(due=due, returned=returned, **terms)


def test_overdue_fee_per_day_capped_with_grace_and_waiver():
    due = date(2026, 3, 1)
    assert fee(due, due) == Decimal("0.00")
    assert fee(due, date(2026, 3, 4)) == Decimal("0.30")
    assert fee(due, date(2027, 3, 1)) == Decimal("10.00")
    assert fee(due, date(2026, 3, 3), grace_days=2) == Decimal("0.00")
    assert fee(due, date(2026, 3, 4), grace_days=2) == Decimal("0.30")
    assert fee(due, date(2026, 3, 4), waived=True) == Decimal("0.00")
    assert fee(due, date(2026, 2, 20)) == Decimal("0.00")


def test_routing_home_or_stay():
    assert policies.route_item(here_id=3, owning_id=3, floats_here=False).action == "stay"
    assert policies.route_item(here_id=4, owning_id=3, floats_here=True).action == "stay"
    home = policies.route_item(here_id=4, owning_id=3, floats_here=False)
    assert (home.action, home.destination_id, home.reason) == ("transit", 3, "return_home")
