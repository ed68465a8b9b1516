"""Closing a loan: at checkin, or when the item is declared lost."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from wenjin.accounts.actor import Actor
from wenjin.catalog.models import Item
from wenjin.circulation import policies, selectors
from wenjin.circulation.models import FeeKind, Loan, LoanFact
from wenjin.circulation.services import fees
from wenjin.lib import crypto
from wenjin.network.models import OrgUnit
from wenjin.patrons.policies import age_band, age_on
from wenjin.patrons.services.credit import credit_note_return


def _loan_fact(loan: Loan, item: Item, unit: OrgUnit, on_day: datetime) -> None:
    patron = loan.patron
    returned = timezone.localdate(on_day)
    checked_out = timezone.localdate(loan.checked_out_at)
    age = age_on(patron.birth_date, checked_out) if patron and patron.birth_date else None
    LoanFact.objects.create(
        checkout_date=checked_out,
        return_date=returned,
        checkout_org_id=loan.checkout_org_id,
        checkin_org=unit,
        owning_org_id=item.owning_org_id,
        home_org_id=patron.home_org_id if patron else None,
        material_type=item.material_type,
        clc_top=item.record.clc_top,
        language=item.language or item.record.language,
        patron_category=patron.category.code if patron else "",
        age_band=age_band(age),
        reader_key=crypto.reader_pseudonym(loan.patron_id) if patron else "",
        renewals=loan.renewals,
        overdue_days=policies.overdue_days(loan.due_date, returned),
    )


def close_loan(
    loan: Loan,
    item: Item,
    unit: OrgUnit,
    when: datetime,
    *,
    actor: Actor | None = None,
    closed_as: str = "returned",
) -> Decimal:
    """Close the loan, charge the overdue fee (recorded as a fee the reader owes), note
    the return in the reader's credit ledger, leave the anonymous fact, and unlink the
    reader unless they keep their reading history. Returns the overdue fee."""
    patron = loan.patron
    returned = timezone.localdate(when)
    waived = bool(patron and patron.category.fee_waiver)
    fee = selectors.loan_fee(loan, returned, waived=waived)
    _loan_fact(loan, item, unit, when)
    keep = bool(patron and patron.keeps_history)
    Loan.objects.filter(pk=loan.pk).update(
        returned_at=when,
        checkin_org=unit,
        overdue_fee=fee,
        closed_as=closed_as,
        patron=loan.patron_id if keep else None,
        card=loan.card_id if keep else None,
        recent_patron=None if keep else loan.patron_id,
    )
    loan.returned_at, loan.checkin_org, loan.overdue_fee = when, unit, fee
    loan.closed_as = closed_as
    if patron is not None:
        fees.charge(
            patron_id=patron.pk,
            kind=FeeKind.OVERDUE,
            amount=fee,
            owed_to=item.owning_org_id,
            charged_org=unit,
            when=when,
            actor=actor,
            loan=loan,
            item=item,
        )
        if closed_as == "returned":
            credit_note_return(
                patron_id=patron.pk,
                loan_id=loan.pk,
                overdue_days=policies.overdue_days(loan.due_date, returned),
                on=returned,
            )
    return fee
