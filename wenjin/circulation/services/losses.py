"""Lost, claimed-returned and damaged items, and the reversal when a lost item turns up.

Loss and damage are settled with the owning library: the fees are owed to it, whichever
desk records them. A lost item costs its replacement price (or the network's default)
plus a processing fee; found and returned, the replacement fee is cancelled or refunded
(``CirculationSettings.refund_when_found``) and the processing fee stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.services import audit_record
from wenjin.catalog.models import Item, ItemStatus
from wenjin.circulation import fee_rules, rows, selectors
from wenjin.circulation.models import Fee, FeeKind, FeeStatus, Loan
from wenjin.circulation.services import fees
from wenjin.circulation.services.closing import close_loan
from wenjin.circulation.services.common import acting_unit, locked_item, moment
from wenjin.lib.errors import Conflict, ValidationFailed
from wenjin.network.models import OrgUnit
from wenjin.patrons.models import Patron
from wenjin.patrons.services.credit import credit_note_found, credit_note_lost

# Days after a return in which damage found on the item is charged to its last reader.
DAMAGE_CHARGE_DAYS = 3


@dataclass
class LostResult:
    """An item declared lost: the loan closed, and the fees charged for it."""

    item: Item
    loan: Loan
    overdue_fee: Decimal
    charged: list[Fee]


def _open_loan(item: Item) -> Loan:
    loan = rows.open_loan(item.pk)
    if loan is None:
        raise Conflict("NOT_ON_LOAN", _("This item is not on loan."))
    return loan


def declare_lost(
    loan: Loan, item: Item, unit: OrgUnit, when: datetime, actor: Actor | None, note: str = ""
) -> LostResult:
    """Inside the caller's transaction, with the item locked: close the loan as lost,
    charge the overdue fee to date, the replacement and the processing fee, mark the
    item lost and lower the reader's credit."""
    patron_id = loan.patron_id
    overdue = close_loan(loan, item, unit, when, actor=actor, closed_as="lost")
    settings = selectors.circulation_settings()
    replacement, processing = fee_rules.replacement_charges(
        item.price, settings.default_replacement_price, settings.lost_processing_fee
    )
    charged = []
    if patron_id is not None:
        for kind, amount in ((FeeKind.LOST, replacement), (FeeKind.PROCESSING, processing)):
            fee = fees.charge(
                patron_id=patron_id,
                kind=kind,
                amount=amount,
                owed_to=item.owning_org_id,
                charged_org=unit,
                when=when,
                actor=actor,
                loan=loan,
                item=item,
                note=note,
            )
            if fee is not None:
                charged.append(fee)
        credit_note_lost(patron_id=patron_id, item_id=item.pk, on=timezone.localdate(when))
    Item.objects.filter(pk=item.pk).update(status=ItemStatus.LOST)
    item.status = ItemStatus.LOST
    return LostResult(item, loan, overdue, charged)


def item_declare_lost(
    *, actor: Actor, item_barcode: str, org_code: str, note: str = "", at: datetime | None = None
) -> LostResult:
    """A reader reports a borrowed item lost (or staff declare it lost): the loan closes
    and the reader owes the overdue fee so far, the replacement and the processing fee."""
    when = moment(at)
    with transaction.atomic():
        unit = acting_unit(actor, org_code, when)
        item = locked_item(item_barcode)
        loan = _open_loan(item)
        result = declare_lost(loan, item, unit, when, actor, (note or "").strip())
        audit_record(
            actor,
            "circulation.lost",
            org_unit=unit,
            target=loan,
            changes={
                "item": item.barcode,
                "patron": loan.patron_id,
                "fees": [str(fee.amount) for fee in result.charged],
                "overdue_fee": str(result.overdue_fee),
            },
        )
    return result


def loan_claim_returned(
    *, actor: Actor, item_barcode: str, org_code: str, note: str, at: datetime | None = None
) -> Loan:
    """The reader says they returned the item: from now no fee accrues and the loan stops
    blocking them while staff search the shelves. Found, it is checked in as usual (the
    fee counted to the claim); not found, staff declare it lost."""
    when = moment(at)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(
            _("Write down what the reader says (when and where they returned it)."),
            fields={"note": ""},
            code="NOTE_REQUIRED",
        )
    with transaction.atomic():
        unit = acting_unit(actor, org_code, when)
        item = locked_item(item_barcode)
        loan = _open_loan(item)
        if loan.claimed_returned_at is not None:
            raise Conflict("ALREADY_CLAIMED", _("The reader has already claimed this returned."))
        Loan.objects.filter(pk=loan.pk).update(claimed_returned_at=when)
        loan.claimed_returned_at = when
        audit_record(
            actor,
            "circulation.claimed_returned",
            org_unit=unit,
            target=loan,
            changes={"item": item.barcode, "patron": loan.patron_id, "note": note},
        )
    return loan


def item_damage_charge(
    *,
    actor: Actor,
    item_barcode: str,
    org_code: str,
    amount: object,
    note: str,
    at: datetime | None = None,
) -> Fee:
    """Charge the reader who last borrowed an item for damage found on it (usually just
    after checkin) and mark it damaged. The fee is owed to the owning library."""
    when = moment(at)
    fees.money(amount)
    fees.required_note(note, _("Describe the damage."))
    with transaction.atomic():
        unit = acting_unit(actor, org_code, when)
        item = locked_item(item_barcode)
        loan = Loan.objects.filter(item=item).order_by("-checked_out_at", "-pk").first()
        borrower_id = loan and (loan.patron_id or loan.recent_patron_id)
        # Damage found long after a return cannot fairly be put on that reader.
        stale = bool(
            loan
            and loan.returned_at
            and when - loan.returned_at > timedelta(days=DAMAGE_CHARGE_DAYS)
        )
        if loan is None or not borrower_id or stale:
            raise Conflict(
                "NO_BORROWER",
                _(
                    "No reader can be charged: the last borrower of this item is no longer "
                    "on record (returned more than %(days)d days ago)."
                )
                % {"days": DAMAGE_CHARGE_DAYS},
            )
        fee = fees.fee_charge(
            actor=actor,
            patron=Patron.objects.get(pk=borrower_id),
            kind=FeeKind.DAMAGED,
            amount=amount,
            org_code=org_code,
            note=note,
            item=item,
            at=when,
        )
        Fee.objects.filter(pk=fee.pk).update(loan=loan)
        if item.status not in (ItemStatus.CHECKED_OUT, ItemStatus.IN_TRANSIT):
            Item.objects.filter(pk=item.pk).update(status=ItemStatus.DAMAGED)
        audit_record(
            actor, "circulation.damaged", org_unit=unit, target=item, changes={"fee": fee.pk}
        )
    return fee


def forget_recent_borrowers(on: date) -> int:
    """The daily job's part: returned loans lose their reader DAMAGE_CHARGE_DAYS after
    return (the reading history a reader opted into is on ``patron``, not here)."""
    cutoff = timezone.make_aware(
        datetime.combine(on - timedelta(days=DAMAGE_CHARGE_DAYS), datetime.min.time())
    )
    return Loan.objects.filter(recent_patron__isnull=False, returned_at__lt=cutoff).update(
        recent_patron=None
    )


def lost_item_found(item: Item, unit: OrgUnit, when: datetime, actor: Actor | None) -> Decimal:
    """A lost item back in a librarian's hand (inside checkin's transaction): cancel its
    replacement fee, refunding what was paid of it, when the network does so; the
    processing fee stands. Raises the reader's credit back. Returns the refund."""
    fee = (
        Fee.objects.filter(item=item, kind=FeeKind.LOST)
        .exclude(status__in=[FeeStatus.CANCELLED, FeeStatus.WAIVED])
        .order_by("-charged_at", "-pk")
        .first()
    )
    if fee is None or not selectors.circulation_settings().refund_when_found:
        return Decimal("0.00")
    refund = fees.fee_cancel(
        fee, reason=_("The lost item was found and returned."), unit=unit, when=when, actor=actor
    )
    credit_note_found(patron_id=fee.patron_id, item_id=item.pk, on=timezone.localdate(when))
    return refund


def declare_long_overdue_lost(on: date) -> int:
    """The daily job's part: items overdue ``lost_after_days`` or more (0: never), and not
    claimed returned, are declared lost and charged. Each runs in its own transaction
    with the item locked, so a second copy of the job finds nothing left to do."""
    days = selectors.circulation_settings().lost_after_days
    if not days:
        return 0
    cutoff = on - timedelta(days=days)
    candidates = list(
        Loan.objects.filter(
            returned_at__isnull=True, claimed_returned_at__isnull=True, due_date__lte=cutoff
        ).values_list("item__barcode", "checkout_org_id")
    )
    when = timezone.make_aware(datetime.combine(on, datetime.min.time()).replace(hour=1))
    declared = 0
    system = Actor.system("daily")
    for barcode, checkout_org_id in candidates:
        with transaction.atomic():
            item = rows.lock_item(barcode)
            loan = rows.open_loan(item.pk) if item else None
            if item is None or loan is None or loan.claimed_returned_at is not None:
                continue  # returned, or declared lost by another run, since the list was read
            unit = selectors.unit_by_id(checkout_org_id)
            declare_lost(loan, item, unit, when, None, _("Declared lost by the daily job."))
            audit_record(
                system,
                "circulation.lost",
                org_unit=unit,
                target=loan,
                changes={"item": barcode, "patron": loan.patron_id, "long_overdue_days": days},
            )
            declared += 1
    return declared
