"""Checkout and renewal."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.services import audit_record
from wenjin.catalog.models import Item, ItemStatus, MaterialType
from wenjin.circulation import policies, rows, selectors
from wenjin.circulation.models import LendingVisit, Loan, LoanRenewal, Transit
from wenjin.circulation.services import holds
from wenjin.circulation.services.common import (
    Refused,
    acting_unit,
    check_overrides,
    locked_item,
    moment,
    refuse_unless_overridden,
)
from wenjin.lib import crypto
from wenjin.lib.errors import Conflict, NotFound
from wenjin.network.models import OrgUnit
from wenjin.network.policies import is_in_subtree
from wenjin.patrons.credit import deposit_needed
from wenjin.patrons.credit_providers import credit_standing_for
from wenjin.patrons.models import Card, Family, Patron


@dataclass
class LoanResult:
    """A checkout or renewal: the loan, its rule, and whether the checkout became a
    renewal (the item was already on loan to this reader)."""

    loan: Loan
    rule: policies.RuleTerms
    renewed: bool = False
    overridden: list[str] = field(default_factory=list)


def _situation(unit: OrgUnit, item: Item, patron: Patron) -> policies.Situation:
    return policies.Situation(
        checkout_path=unit.path,
        owning_path=item.owning_org.path,
        category_id=patron.category_id,
        material_type=item.material_type,
        is_children=item.is_children,
        is_rare=item.is_rare,
    )


def _rule_for(unit: OrgUnit, item: Item, patron: Patron) -> policies.RuleTerms:
    rule = policies.match_rule(selectors.loan_rules(), _situation(unit, item, patron))
    if rule is None:
        raise Refused(
            policies.Refusal(
                "NO_LOAN_RULE",
                _("No loan rule covers this item for this reader here: ask a librarian."),
            )
        )
    return rule


def _locked_reader(barcode: str) -> Card:
    """The reader's card, with the card and the reader (or their family, when they share a
    quota) locked, so two desks cannot both lend the last item of a quota."""
    card = rows.lock_reader((barcode or "").strip())
    if card is None:
        raise NotFound("PATRON_NOT_FOUND", _("There is no reader with this card number."))
    patron = card.patron
    if patron.family_id and patron.category.is_family:
        list(Family.objects.select_for_update().filter(pk=patron.family_id).values_list("pk"))
    return card


def _reader_state(
    card: Card, item: Item, on: date, rule: policies.RuleTerms
) -> policies.ReaderState:
    # Loans of the item's type are counted only when the rule limits them.
    of_type = item.material_type if rule.max_items_of_type is not None else None
    patron = card.patron
    open_loans, overdue, open_of_type = rows.loan_counts(patron, of_type, on)
    standing = credit_standing_for(patron)
    return policies.ReaderState(
        card_status=card.status,
        card_expires_on=card.expires_on,
        overdue_loans=overdue,
        debt=selectors.debt_of(patron),
        open_loans=open_loans,
        open_loans_of_type=open_of_type,
        extra_quota=standing.extra_quota,
        deposit_due=deposit_needed(patron.category.deposit_amount, patron.deposit_held, standing),
    )


def _limits() -> policies.Limits:
    settings = selectors.circulation_settings()
    return policies.Limits(debt_limit=settings.debt_limit, overdue_blocks=settings.overdue_blocks)


def checkout(
    *,
    actor: Actor,
    item_barcode: str,
    patron_barcode: str,
    org_code: str,
    overrides: Iterable[str] = (),
    override_reason: str = "",
    at: datetime | None = None,
) -> LoanResult:
    """Lend an item to a reader at ``org_code``, after every check of the rules matrix.

    An item already on loan to the same reader is renewed instead (``renewed`` is True).
    A refusal raises ``Refused`` (409) naming the failed check and the matched rule;
    ``overrides`` lists refusal codes a permitted member of staff overrides, with a reason.
    """
    when = moment(at)
    on = timezone.localdate(when)
    with transaction.atomic():
        unit = acting_unit(actor, org_code, when)
        codes = check_overrides(actor, unit, overrides, override_reason)
        card = _locked_reader(patron_barcode)
        item = locked_item(item_barcode)
        patron = card.patron
        if item.status == ItemStatus.CHECKED_OUT:
            loan = rows.open_loan(item.pk)
            if loan is not None and loan.patron_id == patron.pk:
                loan.item = item
                loan.checkout_org = selectors.unit_by_id(loan.checkout_org_id)
                return _renew_locked(
                    actor, loan, card, unit, codes, override_reason, when, renewed_by_checkout=True
                )
        rule = _rule_for(unit, item, patron)
        transit = selectors.open_transit(item.pk) if item.status == ItemStatus.IN_TRANSIT else None
        reader = _reader_state(card, item, on, rule)
        held = (
            holds.captured_hold(item.pk)
            if item.status in (ItemStatus.ON_HOLD_SHELF, ItemStatus.IN_TRANSIT)
            else None
        )
        own_hold = held is not None and held.patron_id == patron.pk
        item_state = policies.ItemState(
            # The reader's own hold on the shelf (or arriving here) is theirs to take.
            status=ItemStatus.AVAILABLE if own_hold else item.status,
            in_scheme=item.in_network_scheme,
            at_owning_library=is_in_subtree(unit.path, item.owning_org.path),
            transit_to_here=transit is not None and transit.to_org_id == unit.pk,
        )
        held_refusal = (
            [policies.Refusal("HOLD_FOR_OTHER_PATRON", _("This item is held for another reader."))]
            if held is not None and not own_hold
            else []
        )
        refusals = (
            held_refusal
            + policies.reader_refusals(reader, on, _limits())
            + policies.item_refusals(item_state, rule)
            + policies.limit_refusals(reader, rule, MaterialType(item.material_type).label)
        )
        overridden = refuse_unless_overridden(refusals, codes, rule)
        if transit is not None:
            Transit.objects.filter(pk=transit.pk).update(received_at=when, received_org=unit)
        due = selectors.adjusted_due_date(unit, policies.provisional_due_date(on, rule.loan_days))
        loan = Loan.objects.create(
            item=item,
            patron=patron,
            card=card,
            checkout_org=unit,
            checked_out_at=when,
            due_date=due,
            rule_id=rule.id,
            rule_name=rule.name,
            renewals_allowed=rule.renewals_allowed,
            renewal_days=rule.renewal_days,
            fee_per_day=rule.fee_per_day,
            fee_cap=rule.fee_cap,
            grace_days=rule.grace_days,
            override_reason=override_reason.strip()[:200] if overridden else "",
        )
        LendingVisit.objects.bulk_create(
            [
                LendingVisit(
                    day=timezone.localdate(when),
                    org_unit=unit,
                    reader_key=crypto.reader_pseudonym(patron.pk),
                )
            ],
            ignore_conflicts=True,
        )
        Item.objects.filter(pk=item.pk).update(
            status=ItemStatus.CHECKED_OUT, current_org=unit, updated_at=timezone.now()
        )
        holds.fulfil_on_checkout(item, patron, when)
        audit_record(
            actor,
            "circulation.override" if overridden else "circulation.checkout",
            org_unit=unit,
            target=loan,
            changes={"item": item.barcode, "rule": rule.id, "due": due, "overridden": overridden}
            if overridden
            else {"item": item.barcode, "rule": rule.id, "due": due},
        )
    return LoanResult(loan, rule, overridden=overridden)


def renew(
    *,
    actor: Actor,
    item_barcode: str,
    patron_barcode: str,
    org_code: str | None = None,
    overrides: Iterable[str] = (),
    override_reason: str = "",
    at: datetime | None = None,
) -> LoanResult:
    """Renew a reader's loan: the new due date counts from the current due date. Refused
    when the renewals are used up, the reader is blocked or another reader waits."""
    when = moment(at)
    with transaction.atomic():
        card = _locked_reader(patron_barcode)
        item = locked_item(item_barcode)
        loan = rows.open_loan(item.pk)
        if loan is None or loan.patron_id != card.patron_id:
            raise NotFound("LOAN_NOT_FOUND", _("This item is not on loan to this reader."))
        loan.item = item
        loan.checkout_org = selectors.unit_by_id(loan.checkout_org_id)
        unit = acting_unit(actor, org_code or loan.checkout_org.code, when)
        codes = check_overrides(actor, unit, overrides, override_reason)
        return _renew_locked(actor, loan, card, unit, codes, override_reason, when)


def _renew_locked(
    actor: Actor,
    loan: Loan,
    card: Card,
    unit: OrgUnit,
    codes: frozenset[str],
    override_reason: str,
    when: datetime,
    *,
    renewed_by_checkout: bool = False,
) -> LoanResult:
    on = timezone.localdate(when)
    item = loan.item
    rule = _rule_for(loan.checkout_org, item, card.patron)
    # The loan's own terms count, not today's rules: they were agreed at checkout.
    rule = policies.RuleTerms(
        **{
            **rule.__dict__,
            "renewals_allowed": loan.renewals_allowed,
            "renewal_days": loan.renewal_days,
            "name": loan.rule_name,
        }
    )
    reader = _reader_state(card, item, on, rule)
    refusals = policies.reader_refusals(reader, on, _limits()) + policies.renewal_refusals(
        renewals=loan.renewals,
        renewals_allowed=loan.renewals_allowed,
        hold_waiting=holds.waiting_for(item, card.patron_id),
    )
    overridden = refuse_unless_overridden(refusals, codes, rule)
    old_due = loan.due_date
    new_due = selectors.adjusted_due_date(
        loan.checkout_org, policies.provisional_due_date(old_due, loan.renewal_days)
    )
    if new_due <= old_due:
        raise Conflict("RENEWAL_NOT_LATER", _("Renewing would not move the due date."))
    Loan.objects.filter(pk=loan.pk).update(due_date=new_due, renewals=loan.renewals + 1)
    loan.due_date, loan.renewals = new_due, loan.renewals + 1
    LoanRenewal.objects.create(
        loan=loan, at=when, org_unit=unit, via=actor.via, old_due_date=old_due, new_due_date=new_due
    )
    changes: dict[str, object] = {"item": item.barcode, "due": new_due}
    if renewed_by_checkout:
        changes["by_checkout"] = True
    if overridden:
        changes["overridden"] = overridden
    audit_record(
        actor,
        "circulation.override" if overridden else "circulation.renew",
        org_unit=unit,
        target=loan,
        changes=changes,
    )
    return LoanResult(loan, rule, renewed=True, overridden=overridden)
