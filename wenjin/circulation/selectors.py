"""Reads for circulation: the rules matrix (cached per process), a reader's loans and
counts, due-date calendars, transits."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from wenjin.circulation import policies
from wenjin.circulation.models import (
    CirculationSettings,
    FloatingGroup,
    Loan,
    LoanRule,
    Transit,
)
from wenjin.network import policies as network_policies
from wenjin.network.models import OrgUnit
from wenjin.network.selectors import schedule_for
from wenjin.patrons.models import Patron

# Rules change a few times a year; each process re-reads them when a cheap version query
# says they changed, and at the latest after this many seconds (a unit moved in the tree
# changes the paths the rules match on without touching the rules).
RULES_MAX_AGE_SECONDS = 60.0

_rules_lock = threading.Lock()
_rules_cache: dict[str, object] = {"version": None, "loaded": 0.0, "rules": ()}


def _rules_version() -> tuple[int, object]:
    version = LoanRule.objects.aggregate(n=Count("id"), changed=Max("updated_at"))
    return (version["n"], version["changed"])


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
    )


def loan_rules() -> tuple[policies.RuleTerms, ...]:
    """Every loan rule as matcher terms, from the process cache when still current."""
    version = _rules_version()
    now = time.monotonic()
    with _rules_lock:
        fresh = now - float(_rules_cache["loaded"]) < RULES_MAX_AGE_SECONDS  # type: ignore[arg-type]
        if _rules_cache["version"] == version and fresh:
            return _rules_cache["rules"]  # type: ignore[return-value]
    rules = tuple(
        _terms(rule) for rule in LoanRule.objects.select_related("checkout_org", "owning_org")
    )
    with _rules_lock:
        _rules_cache.update(version=version, loaded=now, rules=rules)
    return rules


def circulation_settings() -> CirculationSettings:
    return CirculationSettings.objects.first() or CirculationSettings()


def today() -> date:
    return timezone.localdate()


def adjusted_due_date(unit: OrgUnit, due: date) -> date:
    """``due``, or the next day ``unit`` is open when it is closed that day (weekly hours,
    closures, public holidays). A unit with no opening hours recorded keeps ``due``."""
    schedule = schedule_for(unit, due, days=network_policies.NEXT_OPEN_SEARCH_DAYS)
    if not schedule.weekly:
        return due
    return network_policies.next_open_day(schedule, due) or due


@dataclass
class LoanCounts:
    open: int
    overdue: int
    of_type: int


def loan_counts(patron: Patron, material_type: str, on: date) -> LoanCounts:
    """Open, overdue and same-type open loans of a reader, or of their whole family when
    their category shares a family quota (one query)."""
    loans = Loan.objects.filter(returned_at__isnull=True)
    if patron.family_id and patron.category.is_family:
        loans = loans.filter(patron__family_id=patron.family_id)
    else:
        loans = loans.filter(patron_id=patron.pk)
    counts = loans.aggregate(
        open=Count("id"),
        overdue=Count("id", filter=Q(due_date__lt=on)),
        of_type=Count("id", filter=Q(item__material_type=material_type)),
    )
    return LoanCounts(counts["open"], counts["overdue"], counts["of_type"])


def debt_of(patron: Patron) -> Decimal:
    """Unpaid fees of a reader. The fees issue keeps the ledger; until then the overdue
    fees charged at checkin are the only fees, and none is recorded as paid or unpaid."""
    del patron
    return Decimal("0.00")


def floats_at(item_owning_id: int, here_id: int, material_type: str) -> bool:
    """Whether an item owned by ``item_owning_id`` stays at ``here_id`` when returned there
    (both units in one floating group that covers its material type)."""
    groups = FloatingGroup.objects.filter(members=here_id).filter(members=item_owning_id)
    return groups.filter(Q(material_type="") | Q(material_type=material_type)).exists()


def open_loans(patron: Patron) -> QuerySet[Loan]:
    return (
        Loan.objects.filter(patron=patron, returned_at__isnull=True)
        .select_related("item", "item__record", "checkout_org")
        .order_by("due_date", "pk")
    )


def open_loan_count(patron: Patron) -> int:
    return Loan.objects.filter(patron=patron, returned_at__isnull=True).count()


def open_transit(item_id: int) -> Transit | None:
    return (
        Transit.objects.filter(item_id=item_id, received_at__isnull=True)
        .select_related("to_org", "from_org")
        .first()
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
    accruing = policies.overdue_fee(
        due=loan.due_date,
        returned=on,
        fee_per_day=loan.fee_per_day,
        fee_cap=loan.fee_cap,
        grace_days=loan.grace_days,
    )
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
