"""A year of demo circulation, made through the circulation services with back-dated
times: loans at the branches where the copies stand, most returned where they were
borrowed, some returned elsewhere and sent home, a few still in transit, some overdue.

The readers in good standing that the manifest lists first are never lent anything here:
the loans go to readers registered for this purpose.
"""

from __future__ import annotations

import heapq
import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from wenjin.accounts.actor import Actor
from wenjin.catalog.models import Item, ItemStatus
from wenjin.circulation import services
from wenjin.lib.errors import DomainError
from wenjin.network.models import OrgUnit
from wenjin.patrons.models import Card

# Loans started per day of the simulated year, by catalogue size.
LOANS_PER_DAY = {"full": 6.0, "tiny": 0.4, "none": 0.0}
HISTORY_DAYS = 365


def _moment(day: date, rng: random.Random) -> datetime:
    clock = time(hour=rng.randint(9, 20), minute=rng.randrange(60))
    return timezone.make_aware(datetime.combine(day, clock))


def build_circulation(
    actor: Actor, rng: random.Random, today: date, borrowers: list[Card], size: str
) -> dict[str, int]:
    """Simulate the past year day by day; returns counts of what happened."""
    per_day = LOANS_PER_DAY.get(size, 0.0)
    if not per_day or not borrowers:
        return {"loans": 0}
    lendable = list(
        Item.objects.filter(status=ItemStatus.AVAILABLE, in_network_scheme=True)
        .select_related("current_org")
        .order_by("pk")
    )
    desks = list(
        OrgUnit.objects.filter(kind__in=("district_main", "branch", "special_branch")).order_by(
            "code"
        )
    )
    if not lendable or not desks:
        return {"loans": 0}
    # (day, sequence, action, payload): returns and transit receipts waiting for their day.
    agenda: list[tuple[date, int, str, dict[str, Any]]] = []
    sequence = 0
    counts = {"loans": 0, "returns": 0, "returned_elsewhere": 0, "refused": 0}
    on_loan: set[str] = set()
    start = today - timedelta(days=HISTORY_DAYS)
    for offset in range(HISTORY_DAYS + 1):
        day = start + timedelta(days=offset)
        while agenda and agenda[0][0] <= day:
            _when, _seq, action, payload = heapq.heappop(agenda)
            try:
                if action == "return":
                    result = services.checkin(
                        actor=actor,
                        item_barcode=payload["item"],
                        org_code=payload["org"],
                        at=_moment(day, rng),
                    )
                    on_loan.discard(payload["item"])
                    counts["returns"] += 1
                    if result.action == "transit":
                        counts["returned_elsewhere"] += 1
                        sequence += 1
                        heapq.heappush(
                            agenda,
                            (
                                day + timedelta(days=rng.randint(1, 6)),
                                sequence,
                                "receive",
                                {"item": payload["item"], "org": result.destination.code},
                            ),
                        )
                else:
                    services.transit_receive(
                        actor=actor,
                        item_barcode=payload["item"],
                        org_code=payload["org"],
                        at=_moment(day, rng),
                    )
            except DomainError:
                counts["refused"] += 1
        if day >= today:
            break
        loans_today = int(per_day) + (rng.random() < per_day % 1)
        for _ in range(loans_today):
            item = rng.choice(lendable)
            if item.barcode in on_loan:
                continue
            card = rng.choice(borrowers)
            try:
                services.checkout(
                    actor=actor,
                    item_barcode=item.barcode,
                    patron_barcode=card.barcode,
                    org_code=item.current_org.code,
                    at=_moment(day, rng),
                )
            except DomainError:
                counts["refused"] += 1
                continue
            on_loan.add(item.barcode)
            counts["loans"] += 1
            kept_days = rng.choice((7, 12, 20, 25, 28, 30, 33, 45))
            if (today - day).days <= 75 and rng.random() < 0.25:
                continue  # still out: overdue by now if borrowed over a loan period ago
            returns_at = item.current_org.code if rng.random() < 0.8 else rng.choice(desks).code
            sequence += 1
            due_back = day + timedelta(days=kept_days)
            payload = {"item": item.barcode, "org": returns_at}
            heapq.heappush(agenda, (due_back, sequence, "return", payload))
    counts.update(_holds(actor, rng, borrowers))
    return counts


def _holds(actor: Actor, rng: random.Random, borrowers: list[Card]) -> dict[str, int]:
    """Holds as they stand on a normal morning: some waiting for a copy to come back,
    some on a pull list, some travelling to the pickup branch, some on the hold shelf."""
    from wenjin.circulation.models import Hold, HoldStatus, Loan
    from wenjin.circulation.services import holds

    now = timezone.now()
    readers = list(borrowers)
    rng.shuffle(readers)
    on_loan = list(
        Loan.objects.filter(returned_at__isnull=True)
        .order_by("pk")
        .values_list("item__record_id", "item__current_org__code")
    )
    available = list(
        Item.objects.filter(status=ItemStatus.AVAILABLE, in_network_scheme=True)
        .order_by("pk")
        .values_list("barcode", "record_id", "current_org__code")[:2000]
    )
    desks = list(
        OrgUnit.objects.filter(kind__in=("branch", "special_branch"), status="open")
        .order_by("code")
        .values_list("code", flat=True)
    )
    plans: list[tuple[str, int, str]] = []  # (kind, record, pickup unit)
    for record_id, _where in on_loan[:6]:
        plans.append(("waiting", record_id, rng.choice(desks)))
    for kind, count in (("pull", 4), ("transit", 4), ("shelf", 4)):
        for _ in range(count):
            _barcode, record_id, where = rng.choice(available)
            pickup = where if kind == "shelf" else rng.choice([d for d in desks if d != where])
            plans.append((kind, record_id, pickup))
    placed = 0
    for (kind, record_id, pickup), card in zip(plans, readers, strict=False):
        try:
            hold = holds.hold_place(
                actor=actor,
                patron_barcode=card.barcode,
                pickup_org_code=pickup,
                record_id=record_id,
                at=now,
            )
            if kind in ("transit", "shelf") and hold.target_item_id:
                target = Item.objects.select_related("current_org").get(pk=hold.target_item_id)
                services.checkin(
                    actor=actor, item_barcode=target.barcode, org_code=target.current_org.code
                )
            placed += 1
        except DomainError:
            continue
    return {
        "holds": placed,
        "holds_ready": Hold.objects.filter(status=HoldStatus.READY).count(),
        "holds_in_transit": Hold.objects.filter(status=HoldStatus.IN_TRANSIT).count(),
    }
