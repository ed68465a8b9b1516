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
    return counts
