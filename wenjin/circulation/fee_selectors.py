"""Reads for fees: a reader's fees and payments, what is accruing on open loans, and the
daily cash and payment summary per desk and branch for reconciliation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.circulation import selectors
from wenjin.circulation.models import Fee, FeeStatus, Payment, PaymentMethod
from wenjin.lib.errors import Forbidden
from wenjin.network.models import OrgUnit, OrgUnitKind
from wenjin.network.policies import path_ids
from wenjin.patrons.models import Patron

ZERO = Decimal("0.00")


def patron_fees(patron: Patron, *, status: str | None = None) -> QuerySet[Fee]:
    """A reader's fees, those still owing first (largest first), then newest first."""
    fees = Fee.objects.filter(patron=patron).select_related("item", "item__record", "owed_to")
    if status:
        fees = fees.filter(status=status)
    # "open" sorts after "cancelled" and before "paid"/"waived": order by owing first.
    return fees.order_by("-balance", "-charged_at", "-pk")


def fee_out(fee: Fee) -> dict[str, object]:
    """A fee as the API and the staff pages show it."""
    item = fee.item
    return {
        "id": fee.pk,
        "kind": fee.kind,
        "kind_label": str(fee.get_kind_display()),
        "status": fee.status,
        "amount": f"{fee.amount:.2f}",
        "balance": f"{fee.balance:.2f}",
        "charged_at": fee.charged_at,
        "item_barcode": item.barcode if item else None,
        "title": item.record.title if item else None,
        "owed_to_org_code": fee.owed_to.code,
        "note": fee.note,
    }


def accruing(patron: Patron, on: date | None = None) -> Decimal:
    """The overdue fees building up on a reader's open loans (not owed until return)."""
    on = on or selectors.today()
    waived = patron.category.fee_waiver
    return sum(
        (selectors.loan_fee(loan, on, waived=waived) for loan in selectors.open_loans(patron)),
        ZERO,
    )


def patron_payments(patron: Patron, limit: int = 20) -> list[Payment]:
    return list(
        Payment.objects.filter(patron=patron)
        .select_related("org_unit", "taken_by")
        .order_by("-at", "-pk")[:limit]
    )


@dataclass
class DeskDay:
    """One desk's (unit's) takings on one day, by method: payments in, refunds out."""

    unit: OrgUnit
    taken: dict[str, Decimal] = field(default_factory=dict)
    refunded: dict[str, Decimal] = field(default_factory=dict)
    count: int = 0

    @property
    def net(self) -> Decimal:
        return sum(self.taken.values(), ZERO) - sum(self.refunded.values(), ZERO)

    def net_of(self, method: str) -> Decimal:
        return self.taken.get(method, ZERO) - self.refunded.get(method, ZERO)


@dataclass
class DaySummary:
    """The day's takings per desk, and totals per branch (the desks under it) and overall,
    so each desk's cash drawer and each platform's statement can be reconciled."""

    day: date
    desks: list[DeskDay]
    branches: list[DeskDay]
    total: DeskDay
    methods: tuple[str, ...] = tuple(PaymentMethod.values)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def summary_scope(actor: Actor, unit: OrgUnit | None) -> list[str] | None:
    """The subtree paths whose takings ``actor`` may see: ``unit``'s when asked for (the
    actor must work there), else every subtree where they work the desk (None: all)."""
    if unit is not None:
        actor.require(Perm.CIRCULATE, unit)
        return [unit.path]
    paths = actor.scope(Perm.CIRCULATE)
    if paths is not None and not paths:
        raise Forbidden(_("Your roles do not allow seeing takings."))
    return paths


def day_summary(day: date, paths: list[str] | None) -> DaySummary:
    """Payments and refunds on ``day`` at the desks in the subtrees at ``paths`` (None: the
    whole network), grouped by desk and by branch (the desk's ancestor at branch level,
    or the desk itself)."""
    start, end = _day_bounds(day)
    rows = Payment.objects.filter(at__gte=start, at__lt=end)
    if paths is not None:
        scope = Q(pk__in=[])
        for path in paths:
            scope |= Q(org_unit__path__startswith=path)
        rows = rows.filter(scope)
    grouped = (
        rows.values("org_unit_id", "method")
        .annotate(
            taken=Sum("amount", filter=Q(amount__gt=0)),
            refunded=Sum("amount", filter=Q(amount__lt=0)),
            count=Count("pk"),
        )
        .order_by("org_unit_id", "method")
    )
    desks: dict[int, DeskDay] = {}
    for row in grouped:
        unit = selectors.unit_by_id(row["org_unit_id"])
        desk = desks.setdefault(unit.pk, DeskDay(unit))
        desk.taken[row["method"]] = row["taken"] or ZERO
        desk.refunded[row["method"]] = -(row["refunded"] or ZERO)
        desk.count += row["count"]
    branches: dict[int, DeskDay] = {}
    total = DeskDay(OrgUnit(code="*", name_zh="合计", name_en="Total"))
    for desk in desks.values():
        branch_unit = _branch_of(desk.unit)
        branch = branches.setdefault(branch_unit.pk, DeskDay(branch_unit))
        for target in (branch, total):
            for method, amount in desk.taken.items():
                target.taken[method] = target.taken.get(method, ZERO) + amount
            for method, amount in desk.refunded.items():
                target.refunded[method] = target.refunded.get(method, ZERO) + amount
            target.count += desk.count
    return DaySummary(
        day,
        sorted(desks.values(), key=lambda d: d.unit.path),
        sorted(branches.values(), key=lambda d: d.unit.path),
        total,
    )


def _branch_of(unit: OrgUnit) -> OrgUnit:
    """The branch a desk reports to: the unit itself when it is a library, else its nearest
    ancestor that is one (a service point or a machine reports to its library)."""
    if unit.kind not in _DESK_ONLY_KINDS:
        return unit
    for ancestor_id in reversed(path_ids(unit.path)[:-1]):
        ancestor = selectors.unit_by_id(ancestor_id)
        if ancestor.kind not in _DESK_ONLY_KINDS:
            return ancestor
    return unit


# Units that take money but report it to the library they belong to.
_DESK_ONLY_KINDS = frozenset(
    {OrgUnitKind.SERVICE_POINT, OrgUnitKind.SELF_SERVICE_LIBRARY, OrgUnitKind.LENDING_ATM}
)


def open_balance_by_patron(
    min_amount: Decimal = Decimal("0.01"),
) -> list[tuple[int, Decimal, datetime]]:
    """(reader id, balance owed, oldest open fee's date) for every reader owing at least
    ``min_amount``: the fee reminders' list."""
    rows = (
        Fee.objects.filter(status=FeeStatus.OPEN)
        .values("patron_id")
        .annotate(owed=Sum("balance"), oldest=Min("charged_at"))
        .filter(owed__gte=min_amount)
        .order_by("patron_id")
    )
    return [(row["patron_id"], row["owed"], row["oldest"]) for row in rows]
