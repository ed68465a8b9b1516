"""Holds (预约): placing, targeting the nearest copy, capture when a copy is in hand,
cancelling, the pull list's "not on the shelf", and hold-shelf expiry."""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import audit_record
from wenjin.catalog.models import Item, ItemStatus, Record
from wenjin.circulation import hold_rules, policies, rows, selectors, signals
from wenjin.circulation.models import ACTIVE_HOLD_STATUSES, Hold, HoldStatus, Loan
from wenjin.circulation.services.common import (
    Refused,
    acting_unit,
    locked_item,
    moment,
    refuse_unless_overridden,
)
from wenjin.lib.errors import Conflict, NotFound, ValidationFailed
from wenjin.network import policies as network_policies
from wenjin.network.models import OrgUnit
from wenjin.network.policies import UnitSchedule
from wenjin.patrons.models import Patron


def _rule(pickup: OrgUnit, item: Item, patron: Patron) -> policies.RuleTerms | None:
    situation = policies.Situation(
        checkout_path=pickup.path,
        owning_path=item.owning_org.path,
        category_id=patron.category_id,
        material_type=item.material_type,
        is_children=item.is_children,
        is_rare=item.is_rare,
    )
    return policies.match_rule(selectors.loan_rules(), situation)


def _holdable(pickup: OrgUnit, item: Item, patron: Patron) -> bool:
    rule = _rule(pickup, item, patron)
    return bool(rule and rule.holds_allowed and rule.loanable)


def shelf_days(hold: Hold, item: Item) -> int:
    """How many open days the hold waits on the shelf, by the rule for its copy."""
    pickup = selectors.unit_by_id(hold.pickup_org_id)
    patron = Patron.objects.select_related("category").get(pk=hold.patron_id)
    rule = _rule(pickup, item, patron)
    return rule.hold_shelf_days if rule else 7


def _in_service(unit: OrgUnit, on: date) -> bool:
    return network_policies.in_service_on(
        UnitSchedule(unit.status, unit.status_from, unit.status_until), on
    )


def _retarget(hold: Hold, on: date, exclude: set[int] | None = None) -> None:
    """Point a waiting hold at the nearest available copy that no other waiting hold is
    fetching (or at none: it then waits for a copy to come back)."""
    pickup = selectors.unit_by_id(hold.pickup_org_id)
    copies = Item.objects.filter(status=ItemStatus.AVAILABLE).select_related(
        "owning_org", "current_org"
    )
    copies = (
        copies.filter(pk=hold.item_id) if hold.item_id else copies.filter(record=hold.record_id)
    )
    taken = set(
        Hold.objects.filter(
            record_id=hold.record_id, status=HoldStatus.WAITING, target_item__isnull=False
        )
        .exclude(pk=hold.pk)
        .values_list("target_item_id", flat=True)
    ) | (exclude or set())
    patron = hold.patron
    candidates = {item.pk: item for item in copies if item.pk not in taken}
    choice = hold_rules.nearest_copy(
        [
            hold_rules.Copy(
                item.pk,
                item.current_org.path,
                _in_service(item.current_org, on),
                _holdable(pickup, item, patron),
            )
            for item in candidates.values()
        ],
        pickup.path,
    )
    target = choice.item_id if choice else None
    if target != hold.target_item_id:
        Hold.objects.filter(pk=hold.pk).update(target_item_id=target)
        hold.target_item_id = target


def queue_position(hold: Hold) -> int:
    """1 for the first waiting reader of the title; 0 once the hold is no longer waiting."""
    if hold.status != HoldStatus.WAITING:
        return 0
    ahead = Hold.objects.filter(record_id=hold.record_id, status=HoldStatus.WAITING).filter(
        Q(placed_at__lt=hold.placed_at) | Q(placed_at=hold.placed_at, pk__lt=hold.pk)
    )
    return ahead.count() + 1


def hold_place(
    *,
    actor: Actor,
    patron_barcode: str,
    pickup_org_code: str,
    record_id: int | None = None,
    item_barcode: str | None = None,
    at: datetime | None = None,
) -> Hold:
    """Place a hold on a title (any copy) or on one item, to be picked up at a unit."""
    if (record_id is None) == (not item_barcode):
        raise ValidationFailed(
            _("Name either a title (record_id) or an item (item_barcode)."),
            fields={"record_id": "", "item_barcode": ""},
        )
    when = moment(at)
    on = timezone.localdate(when)
    actor.require_anywhere(Perm.CIRCULATE)
    with transaction.atomic():
        pickup = selectors.unit_by_code((pickup_org_code or "").strip())
        if pickup.kind in hold_rules.NO_PICKUP_KINDS or not _in_service(pickup, on):
            raise Conflict(
                "PICKUP_NOT_AVAILABLE",
                _("Held books cannot be picked up at %(unit)s.") % {"unit": pickup.name_zh},
            )
        card = rows.lock_reader((patron_barcode or "").strip())
        if card is None:
            raise NotFound("PATRON_NOT_FOUND", _("There is no reader with this card number."))
        patron = card.patron
        item = None
        if item_barcode:
            item = Item.objects.select_related("owning_org").filter(barcode=item_barcode).first()
            if item is None:
                raise NotFound(
                    "ITEM_NOT_FOUND",
                    _("There is no item with barcode %(b)s.") % {"b": item_barcode},
                )
            record_id = item.record_id
        # Holds on one title queue one after another: lock the title while placing.
        record = Record.objects.select_for_update().filter(pk=record_id).first()
        if record is None:
            raise NotFound("RECORD_NOT_FOUND", _("No such record."))
        copies = (
            [item]
            if item
            else list(
                Item.objects.filter(record=record)
                .exclude(status=ItemStatus.WITHDRAWN)
                .select_related("owning_org")
            )
        )
        if not copies:
            raise Conflict("NO_COPIES", _("The library has no copy of this title to hold."))
        holdable = [copy for copy in copies if _holdable(pickup, copy, patron)]
        if not holdable:
            raise Refused(
                policies.Refusal(
                    "NOT_HOLDABLE", _("No copy of this title may be held for pickup there.")
                )
            )
        rule = _rule(pickup, holdable[0], patron)
        reader = policies.ReaderState(
            card_status=card.status,
            card_expires_on=card.expires_on,
            debt=selectors.debt_of(patron),
        )
        refuse_unless_overridden(
            policies.reader_refusals(
                reader,
                on,
                # Debt over the network's limit blocks holds as it blocks borrowing; an
                # overdue item does not (the reader may return it before the hold fills).
                policies.Limits(
                    debt_limit=selectors.circulation_settings().debt_limit, overdue_blocks=False
                ),
            ),
            frozenset(),
            rule,
        )
        active = Hold.objects.filter(patron=patron, status__in=ACTIVE_HOLD_STATUSES)
        if active.filter(record=record).exists():
            raise Conflict("HOLD_EXISTS", _("The reader already has a hold on this title."))
        if rule is not None and active.count() >= rule.max_holds:
            raise Refused(
                policies.Refusal(
                    "HOLD_LIMIT_REACHED",
                    _("Rule %(rule)s: at most %(n)d holds at a time.")
                    % {"rule": rule.name, "n": rule.max_holds},
                ),
                rule,
            )
        if Loan.objects.filter(
            patron=patron, returned_at__isnull=True, item__record=record
        ).exists():
            raise Conflict("ALREADY_ON_LOAN", _("The reader has this title on loan already."))
        # Stamped after the title's lock, so queue order is the order holds were placed in.
        placed = at or timezone.now()
        try:
            with transaction.atomic():
                hold = Hold.objects.create(
                    patron=patron, record=record, item=item, pickup_org=pickup, placed_at=placed
                )
        except IntegrityError:
            raise Conflict(
                "HOLD_EXISTS", _("The reader already has a hold on this title.")
            ) from None
        hold.patron = patron
        _retarget(hold, on)
        audit_record(
            actor,
            "hold.place",
            org_unit=pickup,
            target=hold,
            changes={"record": record.pk, "item": item_barcode or None},
        )
    return hold


def active_holds(record_id: int) -> list[Hold]:
    """A title's active holds, oldest first, with their readers (usually none: one cheap
    query on every checkout and checkin)."""
    return list(
        Hold.objects.filter(record_id=record_id, status__in=ACTIVE_HOLD_STATUSES)
        .select_related("patron", "patron__category")
        .order_by("placed_at", "pk")
    )


def captured_hold(item_id: int) -> Hold | None:
    """The hold a copy is travelling to or waiting on the shelf for."""
    return (
        Hold.objects.filter(
            captured_item_id=item_id, status__in=(HoldStatus.IN_TRANSIT, HoldStatus.READY)
        )
        .order_by()
        .first()
    )


def capture(item: Item, when: datetime, active: list[Hold]) -> Hold | None:
    """Give a copy in hand to the first waiting hold it can fill (FIFO per title), among
    the title's ``active`` holds; the caller routes it to the hold's pickup unit."""
    waiting = [
        hold
        for hold in active
        if hold.status == HoldStatus.WAITING and hold.item_id in (None, item.pk)
    ]
    for hold in waiting:
        pickup = selectors.unit_by_id(hold.pickup_org_id)
        if not _holdable(pickup, item, hold.patron):
            continue
        Hold.objects.filter(pk=hold.pk).update(
            captured_item=item, captured_at=when, target_item=None
        )
        hold.captured_item_id, hold.target_item_id = item.pk, None
        # Holds that were fetching this copy from a shelf look for another.
        on = timezone.localdate(when)
        for other in Hold.objects.filter(
            target_item_id=item.pk, status=HoldStatus.WAITING
        ).select_related("patron"):
            _retarget(other, on, exclude={item.pk})
        return hold
    return None


def fulfil_on_checkout(item: Item, patron: Patron, when: datetime) -> None:
    """A checkout fills the reader's own hold on the title; holds that were fetching this
    copy from the shelf look for another."""
    if not Hold.objects.filter(record_id=item.record_id, status__in=ACTIVE_HOLD_STATUSES).exists():
        return
    Hold.objects.filter(
        patron=patron, record_id=item.record_id, status__in=ACTIVE_HOLD_STATUSES
    ).update(status=HoldStatus.FULFILLED, closed_at=when, target_item=None)
    on = timezone.localdate(when)
    for other in Hold.objects.filter(
        target_item_id=item.pk, status=HoldStatus.WAITING
    ).select_related("patron"):
        _retarget(other, on, exclude={item.pk})


def waiting_for(item: Item, patron_id: int) -> bool:
    """Whether another reader waits for a copy this one could be (renewals are refused)."""
    return (
        Hold.objects.filter(record_id=item.record_id, status=HoldStatus.WAITING)
        .filter(Q(item__isnull=True) | Q(item_id=item.pk))
        .exclude(patron_id=patron_id)
        .exists()
    )


def _locked_hold(hold_id: int) -> Hold:
    hold = Hold.objects.select_for_update().filter(pk=hold_id).first()
    if hold is None:
        raise NotFound("HOLD_NOT_FOUND", _("There is no such hold."))
    return hold


def _release(hold: Hold, when: datetime) -> None:
    """A cancelled or expired hold's copy goes on: to the next hold, or home. A copy still
    in transit to the pickup unit is routed when it arrives."""
    from wenjin.circulation.services.routing import place_item

    if hold.captured_item_id is None or hold.status != HoldStatus.READY:
        return
    item = locked_item(Item.objects.values_list("barcode", flat=True).get(pk=hold.captured_item_id))
    place_item(item, selectors.unit_by_id(hold.pickup_org_id), when)


def hold_cancel(
    *, actor: Actor, hold_id: int, reason: str = "", at: datetime | None = None
) -> Hold:
    """Cancel a hold at any stage; a copy waiting on the shelf for it goes on at once."""
    when = moment(at)
    with transaction.atomic():
        hold = _locked_hold(hold_id)
        pickup = selectors.unit_by_id(hold.pickup_org_id)
        actor.require_anywhere(Perm.CIRCULATE)
        if hold.status not in ACTIVE_HOLD_STATUSES:
            raise Conflict("HOLD_NOT_ACTIVE", _("This hold is no longer active."))
        was = hold.status
        Hold.objects.filter(pk=hold.pk).update(
            status=HoldStatus.CANCELLED,
            closed_at=when,
            close_reason=(reason or "").strip()[:200],
            target_item=None,
        )
        hold.status = was  # _release looks at the stage it was cancelled in
        _release(hold, when)
        hold.status = HoldStatus.CANCELLED
        audit_record(actor, "hold.cancel", org_unit=pickup, target=hold, changes={"stage": was})
    return hold


def expire_holds(on: date | None = None) -> int:
    """The daily job: holds whose shelf time ran out expire, and their copies go on;
    readers whose hold is on its last day are reminded (``hold_expiring``)."""
    on = on or timezone.localdate()
    for hold in Hold.objects.filter(status=HoldStatus.READY, expires_on=on):
        signals.hold_expiring.send(sender=Hold, hold=hold)
    expired = 0
    for hold_id in Hold.objects.filter(status=HoldStatus.READY, expires_on__lt=on).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            hold = _locked_hold(hold_id)
            if hold.status != HoldStatus.READY:
                continue
            when = timezone.now()
            Hold.objects.filter(pk=hold.pk).update(
                status=HoldStatus.EXPIRED, closed_at=when, close_reason="not collected"
            )
            _release(hold, when)
            expired += 1
    return expired


def pull_not_found(*, actor: Actor, item_barcode: str, org_code: str) -> list[Hold]:
    """An item on the pull list is not on its shelf: it becomes missing and the holds
    that wanted it look for another copy. Returns those holds."""
    when = moment(None)
    with transaction.atomic():
        unit = acting_unit(actor, org_code, when)
        item = locked_item(item_barcode)
        if item.status != ItemStatus.AVAILABLE:
            raise Conflict("NOT_ON_SHELF_LIST", _("This item is not waiting on a shelf."))
        Item.objects.filter(pk=item.pk).update(status=ItemStatus.MISSING, updated_at=timezone.now())
        affected = list(
            Hold.objects.filter(target_item_id=item.pk, status=HoldStatus.WAITING).select_related(
                "patron"
            )
        )
        for hold in affected:
            _retarget(hold, timezone.localdate(when), exclude={item.pk})
        audit_record(
            actor,
            "hold.pull_not_found",
            org_unit=unit,
            target=item,
            changes={"holds": len(affected)},
        )
    return affected
