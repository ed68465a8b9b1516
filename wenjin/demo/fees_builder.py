"""Demo fees and notices, made through the services: the reading month fee-free, most
overdue fees paid at the desk (cash, WeChat Pay, Alipay) on the day they were charged,
a few waived, a lost book and a claim of return; readers' notice contacts, some in
English. The daily job's notices then go to the demo's file outboxes."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from wenjin.accounts.actor import Actor
from wenjin.circulation.models import Fee, FeeFreePeriod, FeeStatus, Loan
from wenjin.circulation.services import fees, losses
from wenjin.lib.errors import DomainError
from wenjin.notices.services import reader_contact_save
from wenjin.patrons.models import Card


def add_fee_free_month() -> None:
    """April, the reading month (全民阅读月), carries no overdue fees in the demo."""
    FeeFreePeriod.objects.create(
        name="全民阅读月（四月）", start=date(2026, 4, 1), end=date(2026, 4, 30), every_year=True
    )


def build_fees(actor: Actor, rng: random.Random, today: date, borrowers: list[Card]) -> dict:
    """Settle most of the year's fees as readers would, and record losses and contacts."""
    counts = {"paid": 0, "waived": 0, "lost": 0, "claimed": 0, "contacts": 0}
    for fee in Fee.objects.filter(status=FeeStatus.OPEN).select_related("patron", "charged_org"):
        roll = rng.random()
        if roll < 0.7:
            method = rng.choice(("cash", "cash", "wechat", "alipay"))
            reference = (
                f"{method[:2].upper()}{fee.charged_at:%Y%m%d}{fee.pk:08d}"
                if method != "cash"
                else ""
            )
            fees.payment_take(
                actor=actor,
                patron=fee.patron,
                amount=fee.balance,
                method=method,
                reference=reference,
                org_code=fee.charged_org.code,
                fee_ids=[fee.pk],
                at=fee.charged_at + timedelta(minutes=2),
            )
            counts["paid"] += 1
        elif roll < 0.75:
            fees.fee_waive(
                actor=actor,
                fee_id=fee.pk,
                reason="老年读者首次逾期，予以减免",
                at=fee.charged_at + timedelta(minutes=3),
            )
            counts["waived"] += 1
    overdue = list(
        Loan.objects.filter(returned_at__isnull=True, due_date__lt=today - timedelta(days=20))
        .select_related("item")
        .order_by("pk")
    )
    # Yesterday afternoon: the demo builds the same data whenever it runs on one day.
    when = timezone.make_aware(datetime.combine(today - timedelta(days=1), time(16, 0)))
    for loan, action in zip(overdue, ("lost", "claimed"), strict=False):
        try:
            if action == "lost":
                losses.item_declare_lost(
                    actor=actor,
                    item_barcode=loan.item.barcode,
                    org_code=loan.item.owning_org.code,
                    note="读者报失，愿按价赔偿",
                    at=when,
                )
            else:
                losses.loan_claim_returned(
                    actor=actor,
                    item_barcode=loan.item.barcode,
                    org_code=loan.item.owning_org.code,
                    note="读者称已还入还书箱，请查架",
                    at=when,
                )
            counts[action] += 1
        except DomainError:
            continue
    for number, card in enumerate(borrowers):
        if number % 3 == 2:
            continue  # no contact: their notices are recorded as "no contact"
        english = number % 7 == 0
        reader_contact_save(
            actor=actor,
            patron=card.patron,
            email=f"reader{number:03d}@example.cn" if number % 2 == 0 else "",
            language="en" if english else "zh-hans",
            channels=["email", "sms"],
            opt_outs=[],
        )
        counts["contacts"] += 1
    return counts
