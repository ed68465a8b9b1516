"""Reads for circulation: the rules matrix, settings, units and calendars (cached per
process for a few seconds), a reader's loans and counts, transits."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from django.db.models import QuerySet, Sum
from django.utils import timezone

from wenjin.circulation import fee_rules, hold_rules, policies
from wenjin.circulation.models import (
    ACTIVE_HOLD_STATUSES,
    CirculationSettings,
    Fee,
    FeeFreePeriod,
    FeeStatus,
    FloatingGroup,
    Hold,
    HoldStatus,
    Loan,
    LoanRule,
    Transit,
)
from wenjin.network import policies as network_policies
from wenjin.network.models import OrgUnit, OrgUnitStatus
from wenjin.network.selectors import get_unit, schedule_for
from wenjin.patrons.models import Patron

T = TypeVar("T")

# Rules, settings, units, hours and floating groups change a few times a year but are read
# by every checkout. Each process keeps them for a few seconds: a change made in this
# process clears the cache at once (signals in apps.py), one made elsewhere (another web
# worker, a bulk update) shows within CACHE_SECONDS.
CACHE_SECONDS = 5.0
_cache: dict[tuple[object, ...], tuple[float, object]] = {}


def _cached(key: tuple[object, ...], load: Callable[[], T]) -> T:
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]  # type: ignore[return-value]
    value = load()
    _cache[key] = (now, value)
    return value


def clear_caches(**_signal_arguments: object) -> None:
    """Forget every cached rule, setting, unit and calendar (a signal receiver too)."""
    _cache.clear()


def _terms(rule: LoanRule) -> policies.RuleTerms:
    return policies.RuleTerms(
        id=rule.pk,
        name=rule.name,
        checkout_path=rule.checkout_org.path if rule.checkout_org else None,
        checkout_depth=rule.checkout_org.depth if rule.checkout_org else -1,
        owning_path=rule.owning_org.path if rule.owning_org else None,
        owning_depth=rule.owning_org.depth if rule.owning_org else -1,
        category_id=rule.patron_category_id,
        material_type=rule.material_type,
        is_children=rule.is_children,
        is_rare=rule.is_rare,
        loanable=rule.loanable,
        loan_days=rule.loan_days,
        renewals_allowed=rule.renewals_allowed,
        renewal_days=rule.renewal_days,
        max_items=rule.max_items,
        max_items_of_type=rule.max_items_of_type,
        network_lending=rule.network_lending,
        fee_per_day=rule.fee_per_day,
        fee_cap=rule.fee_cap,
        grace_days=rule.grace_days,
        holds_allowed=rule.holds_allowed,
        max_holds=rule.max_holds,
        hold_shelf_days=rule.hold_shelf_days,
    )


def loan_rules() -> tuple[policies.RuleTerms, ...]:
    """Every loan rule as matcher terms."""
    return _cached(
        ("rules",),
        lambda: tuple(
            _terms(rule) for rule in LoanRule.objects.select_related("checkout_org", "owning_org")
        ),
    )


def circulation_settings() -> CirculationSettings:
    return _cached(
        ("settings",), lambda: CirculationSettings.objects.first() or CirculationSettings()
    )


def unit_by_code(code: str) -> OrgUnit:
    """The unit with ``code`` (ORG_UNIT_NOT_FOUND when there is none)."""
    return _cached(("unit", code), lambda: get_unit(code))


def unit_by_id(unit_id: int) -> OrgUnit:
    return _cached(("unit_id", unit_id), lambda: OrgUnit.objects.get(pk=unit_id))


def first_row(rows: QuerySet[T]) -> T | None:
    """The first row, or None, without the ORDER BY of ``.first()``: on a unique lookup the
    ordering only tempts PostgreSQL into walking the primary key index."""
    return next(iter(rows.order_by()[:1]), None)


def today() -> date:
    return timezone.localdate()


def adjusted_due_date(unit: OrgUnit, due: date) -> date:
    """``due``, or the next day ``unit`` is open when it is closed that day (weekly hours,
    closures, public holidays). A unit with no opening hours recorded keeps ``due``."""

    def load() -> date:
        schedule = schedule_for(unit, due, days=network_policies.NEXT_OPEN_SEARCH_DAYS)
        if not schedule.weekly:
            return due
        return network_policies.next_open_day(schedule, due) or due

    return _cached(("due", unit.pk, due), load)


def debt_of(patron: Patron) -> Decimal:
    """What a reader still owes: the balance of their open fees."""
    total = (
        Fee.objects.filter(patron_id=patron.pk, status=FeeStatus.OPEN)
        .aggregate(total=Sum("balance"))
        .get("total")
    )
    return (total or Decimal("0.00")).quantize(Decimal("0.01"))


def free_periods() -> tuple[fee_rules.FreePeriod, ...]:
    """The fee-free periods (cached like the rules)."""
    return _cached(
        ("free_periods",),
        lambda: tuple(
            fee_rules.FreePeriod(p.start, p.end, p.every_year) for p in FeeFreePeriod.objects.all()
        ),
    )


def loan_fee(loan: Loan, on: date, *, waived: bool = False) -> Decimal:
    """The overdue fee of ``loan`` if it came back on ``on`` (or on the day the reader
    claimed to have returned it, if earlier): the loan's terms, less the days its owning
    library was closed and fee-free days. Reads the calendar only for a late loan."""
    if loan.claimed_returned_at is not None:
        on = min(on, timezone.localdate(loan.claimed_returned_at))
    if waived or (on - loan.due_date).days <= loan.grace_days:
        return Decimal("0.00")
    owning = unit_by_id(loan.item.owning_org_id)
    schedule = schedule_for(owning, loan.due_date, days=(on - loan.due_date).days + 1)

    def closed(day: date) -> bool:
        return not network_policies.periods_on(schedule, day)

    return fee_rules.overdue_fee(
        due=loan.due_date,
        returned=on,
        fee_per_day=loan.fee_per_day,
        fee_cap=loan.fee_cap,
        grace_days=loan.grace_days,
        # A unit with no opening hours recorded is never counted as closed.
        closed=closed if schedule.weekly else None,
        free_periods=free_periods(),
    )


def floats_at(item_owning_id: int, here_id: int, material_type: str) -> bool:
    """Whether an item owned by ``item_owning_id`` stays at ``here_id`` when returned there
    (both units in one floating group that covers its material type)."""
    groups = _cached(("floating",), _floating_groups)
    return any(
        here_id in members and item_owning_id in members and kind in ("", material_type)
        for members, kind in groups
    )


def _floating_groups() -> list[tuple[frozenset[int], str]]:
    members: dict[int, set[int]] = {}
    for group_id, unit_id in FloatingGroup.members.through.objects.values_list(
        "floatinggroup_id", "orgunit_id"
    ):
        members.setdefault(group_id, set()).add(unit_id)
    return [
        (frozenset(members.get(group.pk, ())), group.material_type)
        for group in FloatingGroup.objects.all()
    ]


def open_loans(patron: Patron) -> QuerySet[Loan]:
    return (
        Loan.objects.filter(patron=patron, returned_at__isnull=True)
        .select_related("item", "item__record", "checkout_org", "patron__category")
        .order_by("due_date", "pk")
    )


def open_loan_count(patron: Patron) -> int:
    return Loan.objects.filter(patron=patron, returned_at__isnull=True).count()


def open_transit(item_id: int) -> Transit | None:
    return first_row(
        Transit.objects.filter(item_id=item_id, received_at__isnull=True).select_related(
            "to_org", "from_org"
        )
    )


def transits(unit: OrgUnit, direction: str) -> QuerySet[Transit]:
    """Open transits coming to ``unit`` (``incoming``) or sent from it (``outgoing``)."""
    rows = Transit.objects.filter(received_at__isnull=True).select_related(
        "item", "item__record", "from_org", "to_org"
    )
    rows = rows.filter(to_org=unit) if direction == "incoming" else rows.filter(from_org=unit)
    return rows.order_by("sent_at", "pk")


def stale_transits(older_than_days: int | None = None) -> QuerySet[Transit]:
    """Transits still open after the configured number of days (a report for staff)."""
    days = older_than_days or circulation_settings().stale_transit_days
    cutoff = timezone.now() - timedelta(days=days)
    return (
        Transit.objects.filter(received_at__isnull=True, sent_at__lt=cutoff)
        .select_related("item", "item__record", "from_org", "to_org")
        .order_by("sent_at")
    )


def loan_out(loan: Loan, on: date | None = None) -> dict[str, object]:
    """A loan as the desk page and the API show it, with the fee accruing so far."""
    on = on or today()
    record = loan.item.record
    patron = loan.patron
    accruing = loan_fee(loan, on, waived=bool(patron and patron.category.fee_waiver))
    return {
        "loan_id": loan.pk,
        "item_barcode": loan.item.barcode,
        "title": record.title,
        "call_number": loan.item.call_number,
        "checkout_org_code": loan.checkout_org.code,
        "checked_out_at": loan.checked_out_at,
        "due_date": loan.due_date,
        "overdue_days": policies.overdue_days(loan.due_date, on),
        "fee_accruing": accruing,
        "renewals": loan.renewals,
        "renewals_allowed": loan.renewals_allowed,
        "rule": loan.rule_name,
    }


def transit_out(transit: Transit) -> dict[str, object]:
    return {
        "id": transit.pk,
        "item_barcode": transit.item.barcode,
        "title": transit.item.record.title,
        "from_org_code": transit.from_org.code,
        "to_org_code": transit.to_org.code,
        "reason": transit.reason,
        "sent_at": transit.sent_at,
    }


def rule_rows() -> list[LoanRule]:
    """The rules matrix, most specific first (the order in which they win)."""
    rules = list(LoanRule.objects.select_related("checkout_org", "owning_org", "patron_category"))
    return sorted(rules, key=lambda rule: policies.specificity(_terms(rule)), reverse=True)


def rule_out(rule: LoanRule) -> dict[str, object]:
    """A rule with its conditions, for the rules API and page."""
    return policies.describe_rule(_terms(rule)) | {
        "checkout_org_code": rule.checkout_org.code if rule.checkout_org else None,
        "owning_org_code": rule.owning_org.code if rule.owning_org else None,
        "patron_category": rule.patron_category.code if rule.patron_category else None,
        "material_type": rule.material_type or None,
        "is_children": rule.is_children,
        "is_rare": rule.is_rare,
        "loanable": rule.loanable,
        "network_lending": rule.network_lending,
    }


def patron_holds(patron: Patron) -> QuerySet[Hold]:
    return (
        Hold.objects.filter(patron=patron, status__in=ACTIVE_HOLD_STATUSES)
        .select_related("record", "pickup_org", "captured_item")
        .order_by("placed_at", "pk")
    )


def pull_list(unit: OrgUnit) -> QuerySet[Hold]:
    """Holds waiting for a copy that stands on ``unit``'s shelves: what to fetch, in the
    order the holds were placed."""
    return (
        Hold.objects.filter(
            status=HoldStatus.WAITING,
            target_item__current_org=unit,
            target_item__status="available",
        )
        .select_related("record", "pickup_org", "target_item", "target_item__location")
        .order_by("placed_at", "pk")
    )


def hold_shelf(unit: OrgUnit) -> QuerySet[Hold]:
    """Copies waiting on ``unit``'s hold shelf, soonest expiring first."""
    return (
        Hold.objects.filter(status=HoldStatus.READY, pickup_org=unit)
        .select_related("record", "patron", "captured_item")
        .order_by("expires_on", "pk")
    )


def hold_out(hold: Hold) -> dict[str, object]:
    from wenjin.circulation.services.holds import queue_position

    item = hold.captured_item or hold.target_item
    return {
        "hold_id": hold.pk,
        "record_id": hold.record_id,
        "title": hold.record.title,
        "item_barcode": hold.item.barcode if hold.item_id else None,
        "pickup_org_code": hold.pickup_org.code,
        "status": hold.status,
        "position": queue_position(hold),
        "placed_at": hold.placed_at,
        "expires_on": hold.expires_on,
        "copy_barcode": item.barcode if item else None,
        "call_number": item.call_number if item else "",
        "location": item.location.name if item and item.location_id else "",
    }


def pickup_units() -> list[OrgUnit]:
    """Units a reader may choose to collect a hold at: in service and able to hand it
    over (the hold service refuses the others)."""
    return list(
        OrgUnit.objects.filter(status=OrgUnitStatus.OPEN)
        .exclude(kind__in=hold_rules.NO_PICKUP_KINDS)
        .order_by("path")
    )
