"""Where an item in a librarian's hand goes next: to the reader whose hold it fills (hold
shelf here, or in transit to the pickup unit), else back on a shelf here (its own library,
or a floating collection), else home in transit. Shared by checkin, transit receipt and
the release of a cancelled or expired hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from wenjin.catalog.models import Item, ItemStatus
from wenjin.circulation import hold_rules, policies, selectors, signals
from wenjin.circulation.models import Hold, HoldStatus, Transit, TransitReason
from wenjin.network import policies as network_policies
from wenjin.network.models import OrgUnit
from wenjin.network.selectors import schedule_for


@dataclass
class Placement:
    """The routing slip: the item's new status, where it goes, and the hold it fills."""

    status: str
    destination: OrgUnit
    action: str  # "stay", "hold_shelf" or "transit"
    hold: Hold | None = None


def send(item: Item, here: OrgUnit, to_id: int, reason: str, when: datetime) -> None:
    Transit.objects.create(item=item, from_org=here, to_org_id=to_id, reason=reason, sent_at=when)


def shelf_expiry(pickup: OrgUnit, when: datetime, open_days: int) -> date:
    """The last day a hold waits on ``pickup``'s shelf (its open days only)."""
    ready = timezone.localdate(when)
    schedule = schedule_for(pickup, ready, days=400)
    if not schedule.weekly:
        return hold_rules.shelf_expiry(ready, open_days, lambda _day: True)
    return hold_rules.shelf_expiry(
        ready, open_days, lambda day: bool(network_policies.periods_on(schedule, day))
    )


def _to_pickup(item: Item, unit: OrgUnit, hold: Hold, when: datetime) -> Placement:
    from wenjin.circulation.services import holds

    if hold.pickup_org_id == unit.pk:
        if hold.status == HoldStatus.READY:  # scanned again on the shelf: nothing changes
            return Placement(ItemStatus.ON_HOLD_SHELF, unit, "hold_shelf", hold)
        days = holds.shelf_days(hold, item)
        Hold.objects.filter(pk=hold.pk).update(
            status=HoldStatus.READY, ready_at=when, expires_on=shelf_expiry(unit, when, days)
        )
        transaction.on_commit(lambda: signals.hold_ready.send(sender=Hold, hold=hold))
        hold.status = HoldStatus.READY
        return Placement(ItemStatus.ON_HOLD_SHELF, unit, "hold_shelf", hold)
    send(item, unit, hold.pickup_org_id, TransitReason.HOLD, when)
    Hold.objects.filter(pk=hold.pk).update(status=HoldStatus.IN_TRANSIT)
    hold.status = HoldStatus.IN_TRANSIT
    return Placement(
        ItemStatus.IN_TRANSIT, selectors.unit_by_id(hold.pickup_org_id), "transit", hold
    )


def place_item(item: Item, unit: OrgUnit, when: datetime) -> Placement:
    """Route a locked item now at ``unit`` and write its new status and place. Any open
    transit of the item must already be closed by the caller."""
    from wenjin.circulation.services import holds  # holds use routing to release items

    active = holds.active_holds(item.record_id)
    captured = next(
        (
            hold
            for hold in active
            if hold.captured_item_id == item.pk
            and hold.status in (HoldStatus.IN_TRANSIT, HoldStatus.READY)
        ),
        None,
    )
    if captured is not None:
        placement = _to_pickup(item, unit, captured, when)
    else:
        hold = holds.capture(item, when, active) if active else None
        if hold is not None:
            placement = _to_pickup(item, unit, hold, when)
        else:
            floats = selectors.floats_at(item.owning_org_id, unit.pk, item.material_type)
            route = policies.route_item(
                here_id=unit.pk, owning_id=item.owning_org_id, floats_here=floats
            )
            if route.action == "transit":
                send(item, unit, route.destination_id, route.reason, when)
                placement = Placement(
                    ItemStatus.IN_TRANSIT, selectors.unit_by_id(route.destination_id), "transit"
                )
            else:
                placement = Placement(ItemStatus.AVAILABLE, unit, "stay")
    Item.objects.filter(pk=item.pk).update(
        status=placement.status, current_org=unit, updated_at=timezone.now()
    )
    item.status, item.current_org = placement.status, unit
    return placement
