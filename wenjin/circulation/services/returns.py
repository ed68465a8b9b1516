"""Checkin (通还), routing of returned and found items, transits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.services import audit_record
from wenjin.catalog.models import Item, ItemStatus
from wenjin.circulation import rows, selectors
from wenjin.circulation.models import CirculationSettings, Hold, Loan, Transit
from wenjin.circulation.services import losses
from wenjin.circulation.services.closing import close_loan
from wenjin.circulation.services.common import acting_unit, locked_item, moment
from wenjin.circulation.services.routing import place_item
from wenjin.lib.errors import Conflict
from wenjin.network.models import OrgUnit
from wenjin.network.policies import is_in_subtree

# Statuses a checkin clears: the item is in the librarian's hand, so it is not lost.
FOUND_STATUSES = frozenset({ItemStatus.LOST, ItemStatus.MISSING})


@dataclass
class CheckinResult:
    """What the routing slip says: the item's new status, where it goes, the fee charged
    and the loan closed (None for an item that was not on loan)."""

    item: Item
    item_status: str
    destination: OrgUnit
    fee_charged: Decimal
    loan: Loan | None
    action: str  # "stay", "hold_shelf" or "transit"
    was_found: bool = False
    hold: Hold | None = None


def checkin(
    *, actor: Actor, item_barcode: str, org_code: str, at: datetime | None = None
) -> CheckinResult:
    """Return an item at any unit (通还) and route it: to the first waiting hold it can
    fill (the hold shelf here, or in transit to the pickup unit), else it stays when this
    is its owning library or it floats here, else it goes home in transit. An item that
    was not on loan is routed the same way (a found item: lost or missing is cleared); an
    item in transit is received here and routed from here."""
    when = moment(at)
    with transaction.atomic():
        unit = acting_unit(actor, org_code, when)
        item = locked_item(item_barcode)
        if item.status == ItemStatus.WITHDRAWN:
            raise Conflict(
                "ITEM_WITHDRAWN", _("This item was withdrawn from the collection: set it aside.")
            )
        loan = rows.open_loan(item.pk)
        at_home = is_in_subtree(unit.path, item.owning_org.path)
        if loan is not None and not item.in_network_scheme and not at_home:
            setting = selectors.circulation_settings().out_of_scheme_return
            if setting == CirculationSettings.OutOfSchemeReturn.REFUSE:
                raise Conflict(
                    "NOT_IN_NETWORK_SCHEME",
                    _("This item is outside 通借通还: it must be returned to %(unit)s.")
                    % {"unit": item.owning_org.name_zh},
                )
        fee = Decimal("0.00")
        if loan is not None:
            fee = close_loan(loan, item, unit, when, actor=actor)
        # An open transit always goes with the in-transit status; skip the lookup otherwise.
        transit = selectors.open_transit(item.pk) if item.status == ItemStatus.IN_TRANSIT else None
        if transit is not None:
            Transit.objects.filter(pk=transit.pk).update(received_at=when, received_org=unit)
        was_found = item.status in FOUND_STATUSES
        if item.status == ItemStatus.LOST:
            losses.lost_item_found(item, unit, when, actor)
        placement = place_item(item, unit, when)
        status, destination = placement.status, placement.destination
        audit_record(
            actor,
            "circulation.checkin",
            org_unit=unit,
            target=loan or item,
            changes={
                "item": item.barcode,
                "route": placement.action,
                "to": destination.code,
                "fee": str(fee),
                **({"found": True} if was_found else {}),
            },
        )
    return CheckinResult(
        item, status, destination, fee, loan, placement.action, was_found, placement.hold
    )


@dataclass
class ReceiveResult:
    item: Item
    item_status: str
    destination: OrgUnit
    rerouted: bool


def transit_receive(
    *, actor: Actor, item_barcode: str, org_code: str, at: datetime | None = None
) -> ReceiveResult:
    """Receive an item in transit at ``org_code``: a copy for a hold picked up here goes on
    the hold shelf; otherwise it is routed as at checkin (a waiting hold first, then its
    own shelf or a floating one, else home): one received at the wrong unit is sent on."""
    when = moment(at)
    with transaction.atomic():
        unit = acting_unit(actor, org_code, when)
        item = locked_item(item_barcode)
        # An open transit always goes with the in-transit status; skip the lookup otherwise.
        transit = selectors.open_transit(item.pk) if item.status == ItemStatus.IN_TRANSIT else None
        if transit is None or item.status != ItemStatus.IN_TRANSIT:
            raise Conflict(
                "NOT_IN_TRANSIT",
                _("This item is not in transit (status: %(status)s): check it in instead.")
                % {"status": ItemStatus(item.status).label},
            )
        Transit.objects.filter(pk=transit.pk).update(received_at=when, received_org=unit)
        rerouted = transit.to_org_id != unit.pk
        placement = place_item(item, unit, when)
        status, destination = placement.status, placement.destination
        audit_record(
            actor,
            "circulation.transit_receive",
            org_unit=unit,
            target=item,
            changes={"item": item.barcode, "rerouted": rerouted, "to": destination.code},
        )
    return ReceiveResult(item, status, destination, rerouted)
