"""Pure circulation rules: which loan rule matches, due dates, checkout and renewal checks,
overdue fees and where a returned item goes. Nothing here touches the database.

Rule matching (借阅规则矩阵)
---------------------------
A rule sets any of five conditions: checkout unit (matches that unit and every unit below
it), owning unit (likewise), reader category, material type, item flags (children's,
rare). A rule matches when every condition it sets holds. Of the matching rules the most
specific wins, compared in this order, each step only breaking ties of the one before:

1. the checkout unit: a deeper unit in the tree beats a shallower one, any beats none;
2. the owning unit, the same way;
3. a rule naming the reader category beats one that does not;
4. a rule naming the material type beats one that does not;
5. more item flags named beats fewer;
6. the older rule (lower id) wins a tie that is still left.

So a branch's own rule for its own children's books beats the network's rule for
children's books, and any rule written for a branch beats every network-wide rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from wenjin.circulation import fee_rules
from wenjin.network.policies import is_in_subtree

CENT = Decimal("0.01")


@dataclass(frozen=True)
class RuleTerms:
    """One loan rule, as the matcher and the checks see it."""

    id: int
    name: str
    checkout_path: str | None = None
    checkout_depth: int = -1
    owning_path: str | None = None
    owning_depth: int = -1
    category_id: int | None = None
    material_type: str = ""
    is_children: bool | None = None
    is_rare: bool | None = None
    loanable: bool = True
    loan_days: int = 31
    renewals_allowed: int = 1
    renewal_days: int = 31
    max_items: int = 30
    max_items_of_type: int | None = None
    network_lending: bool | None = None
    fee_per_day: Decimal = Decimal("0.10")
    fee_cap: Decimal = Decimal("10.00")
    grace_days: int = 0
    holds_allowed: bool = True
    max_holds: int = 10
    hold_shelf_days: int = 7


@dataclass(frozen=True)
class Situation:
    """What a checkout is about: where, which item, which reader."""

    checkout_path: str
    owning_path: str
    category_id: int
    material_type: str
    is_children: bool
    is_rare: bool


def rule_matches(rule: RuleTerms, situation: Situation) -> bool:
    if rule.checkout_path and not is_in_subtree(situation.checkout_path, rule.checkout_path):
        return False
    if rule.owning_path and not is_in_subtree(situation.owning_path, rule.owning_path):
        return False
    if rule.category_id is not None and rule.category_id != situation.category_id:
        return False
    if rule.material_type and rule.material_type != situation.material_type:
        return False
    if rule.is_children is not None and rule.is_children != situation.is_children:
        return False
    return rule.is_rare is None or rule.is_rare == situation.is_rare


def specificity(rule: RuleTerms) -> tuple[int, int, int, int, int, int]:
    """The sort key of the module docstring: larger is more specific."""
    flags = (rule.is_children is not None) + (rule.is_rare is not None)
    return (
        rule.checkout_depth,
        rule.owning_depth,
        rule.category_id is not None,
        bool(rule.material_type),
        flags,
        -rule.id,
    )


def match_rule(rules: Sequence[RuleTerms], situation: Situation) -> RuleTerms | None:
    """The most specific matching rule, or None when no rule matches."""
    matching = [rule for rule in rules if rule_matches(rule, situation)]
    return max(matching, key=specificity) if matching else None


def describe_rule(rule: RuleTerms) -> dict[str, object]:
    """The matched rule, as the desk page and the API explain it."""
    return {
        "id": rule.id,
        "name": rule.name,
        "loan_days": rule.loan_days,
        "renewals_allowed": rule.renewals_allowed,
        "renewal_days": rule.renewal_days,
        "max_items": rule.max_items,
        "max_items_of_type": rule.max_items_of_type,
        "fee_per_day": f"{rule.fee_per_day:.2f}",
        "fee_cap": f"{rule.fee_cap:.2f}",
        "grace_days": rule.grace_days,
        "holds_allowed": rule.holds_allowed,
        "max_holds": rule.max_holds,
        "hold_shelf_days": rule.hold_shelf_days,
    }


# --- Checks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """One failed check: a stable code, a message for the desk or the reader, and whether
    a permitted member of staff may override it (with a reason)."""

    code: str
    message: str
    overridable: bool = False


@dataclass
class ReaderState:
    """What the checks need to know about the reader and their card."""

    card_status: str
    card_expires_on: date
    overdue_loans: int = 0
    debt: Decimal = Decimal("0.00")
    open_loans: int = 0
    open_loans_of_type: int = 0
    # Credit borrowing (信用借阅): extra items a good score earns, and the deposit still to
    # pay (none for deposit-free credit or a category without a deposit).
    extra_quota: int = 0
    deposit_due: Decimal = Decimal("0.00")


@dataclass
class ItemState:
    status: str
    in_scheme: bool
    at_owning_library: bool  # the checkout unit is the owning unit or below it
    transit_to_here: bool = False  # in transit, and this unit is its destination


@dataclass
class Limits:
    debt_limit: Decimal = Decimal("10.00")
    overdue_blocks: bool = True
    extra: list[Refusal] = field(default_factory=list)


def reader_refusals(reader: ReaderState, today: date, limits: Limits) -> list[Refusal]:
    """Checks on the reader that hold for checkout and renewal alike."""
    refusals = []
    if reader.card_status == "lost":
        refusals.append(
            Refusal("CARD_LOST", _("This card was reported lost: ask for the new card."))
        )
    elif reader.card_status == "blocked":
        refusals.append(Refusal("PATRON_BLOCKED", _("This card is blocked."), overridable=True))
    elif reader.card_status == "cancelled":
        refusals.append(Refusal("CARD_CANCELLED", _("This card has been cancelled.")))
    elif reader.card_status == "expired" or reader.card_expires_on < today:
        refusals.append(
            Refusal(
                "CARD_EXPIRED",
                _("The card expired on %(day)s: renew it at the desk.")
                % {"day": reader.card_expires_on.isoformat()},
                overridable=True,
            )
        )
    if limits.overdue_blocks and reader.overdue_loans:
        refusals.append(
            Refusal(
                "PATRON_BLOCKED",
                _("The reader has %(n)d overdue item(s): return them first.")
                % {"n": reader.overdue_loans},
                overridable=True,
            )
        )
    if reader.debt > limits.debt_limit:
        refusals.append(
            Refusal(
                "PATRON_BLOCKED",
                _("Unpaid fees of ¥%(debt)s are over the limit of ¥%(limit)s.")
                % {"debt": f"{reader.debt:.2f}", "limit": f"{limits.debt_limit:.2f}"},
                overridable=True,
            )
        )
    if reader.deposit_due > 0:
        refusals.append(
            Refusal(
                "DEPOSIT_REQUIRED",
                _("A deposit of ¥%(due)s is needed before borrowing (or a good credit score).")
                % {"due": f"{reader.deposit_due:.2f}"},
                overridable=True,
            )
        )
    return refusals + list(limits.extra)


def item_refusals(item: ItemState, rule: RuleTerms) -> list[Refusal]:
    refusals = []
    if item.status == "checked_out":
        refusals.append(Refusal("ITEM_ON_LOAN", _("This item is on loan to another reader.")))
    elif item.status == "in_transit" and not item.transit_to_here:
        refusals.append(
            Refusal(
                "ITEM_IN_TRANSIT",
                _("This item is in transit to another library."),
                overridable=True,
            )
        )
    elif item.status == "on_hold_shelf":
        refusals.append(
            Refusal("HOLD_FOR_OTHER_PATRON", _("This item is waiting for another reader's hold."))
        )
    elif item.status not in ("available", "in_transit"):
        refusals.append(
            Refusal(
                "ITEM_NOT_LOANABLE",
                _("This item cannot be lent in its present status (%(status)s).")
                % {"status": item.status},
            )
        )
    if not rule.loanable:
        refusals.append(
            Refusal(
                "ITEM_NOT_LOANABLE",
                _("Rule %(rule)s: items like this are for use in the library only.")
                % {"rule": rule.name},
                overridable=True,
            )
        )
    in_scheme = item.in_scheme if rule.network_lending is None else rule.network_lending
    if not in_scheme and not item.at_owning_library:
        refusals.append(
            Refusal(
                "NOT_IN_NETWORK_SCHEME",
                _("This item is outside 通借通还: it is lent only by its owning library."),
                overridable=True,
            )
        )
    return refusals


def limit_refusals(reader: ReaderState, rule: RuleTerms, material_label: str) -> list[Refusal]:
    refusals = []
    most = rule.max_items + reader.extra_quota
    if reader.open_loans >= most:
        refusals.append(
            Refusal(
                "LIMIT_REACHED",
                _("Rule %(rule)s: at most %(n)d items on loan, and %(have)d are.")
                % {"rule": rule.name, "n": most, "have": reader.open_loans},
                overridable=True,
            )
        )
    if rule.max_items_of_type is not None and reader.open_loans_of_type >= rule.max_items_of_type:
        refusals.append(
            Refusal(
                "LIMIT_REACHED",
                _("Rule %(rule)s: at most %(n)d items of type %(type)s on loan.")
                % {"rule": rule.name, "n": rule.max_items_of_type, "type": material_label},
                overridable=True,
            )
        )
    return refusals


def renewal_refusals(
    *, renewals: int, renewals_allowed: int, hold_waiting: bool = False
) -> list[Refusal]:
    refusals = []
    if renewals >= renewals_allowed:
        refusals.append(
            Refusal(
                "RENEWALS_USED",
                _("This loan has been renewed %(n)d time(s), as often as its rule allows.")
                % {"n": renewals},
                overridable=True,
            )
        )
    if hold_waiting:
        refusals.append(
            Refusal("HOLD_FOR_OTHER_PATRON", _("Another reader is waiting for this item."))
        )
    return refusals


def first_blocking(refusals: Sequence[Refusal], overrides: frozenset[str]) -> Refusal | None:
    """The first refusal not overridden (only overridable ones can be)."""
    for refusal in refusals:
        if not (refusal.overridable and refusal.code in overrides):
            return refusal
    return None


# --- Dates and fees ---------------------------------------------------------------------------


def provisional_due_date(start: date, days: int) -> date:
    """The due date before the calendar moves it off closed days."""
    return start + timedelta(days=days)


def overdue_days(due: date, returned: date) -> int:
    return max(0, (returned - due).days)


# Fees live in fee_rules; the checks and the loan views call it from here too.
overdue_fee = fee_rules.overdue_fee


# --- Routing after checkin --------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """Where a returned or found item goes next: ``stay`` (shelve it here) or ``transit``
    to ``destination_id``."""

    action: str
    destination_id: int
    reason: str = ""


def route_item(*, here_id: int, owning_id: int, floats_here: bool) -> Route:
    """Where an item returned at ``here`` goes when no hold wants it: it stays at its
    owning library or where it floats, else travels home."""
    if here_id == owning_id or floats_here:
        return Route("stay", here_id)
    return Route("transit", owning_id, "return_home")
