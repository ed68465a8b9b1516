"""Holds (预约) on titles and items."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class HoldStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    IN_TRANSIT = "in_transit", _("In transit to pickup")
    READY = "ready", _("On the hold shelf")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


ACTIVE_HOLD_STATUSES = (HoldStatus.WAITING, HoldStatus.IN_TRANSIT, HoldStatus.READY)


class Hold(models.Model):
    """A reader's hold (预约) on a title (any copy) or on one item, picked up at a unit.

    Waiting holds queue per record in the order they were placed. A waiting hold may
    target an available copy (it is then on that copy's branch's pull list); a copy is
    captured when it is checked in for the hold, and travels to the pickup unit or goes
    on the hold shelf there. A captured copy is lent to no one else.
    """

    patron = models.ForeignKey("patrons.Patron", on_delete=models.CASCADE, related_name="holds")
    record = models.ForeignKey("catalog.Record", on_delete=models.PROTECT, related_name="holds")
    item = models.ForeignKey(
        "catalog.Item",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="item_holds",
        help_text="an item-level hold: only this copy fills it",
    )
    pickup_org = models.ForeignKey("network.OrgUnit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=12, choices=HoldStatus.choices, default=HoldStatus.WAITING, db_index=True
    )
    placed_at = models.DateTimeField()
    target_item = models.ForeignKey(
        "catalog.Item", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    captured_item = models.ForeignKey(
        "catalog.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    captured_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["placed_at", "pk"]
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        constraints = [
            # A copy fills one hold at a time.
            models.UniqueConstraint(
                fields=["captured_item"],
                condition=Q(status__in=["in_transit", "ready"]),
                name="hold_one_per_captured_item",
            ),
            # One active hold per reader and title.
            models.UniqueConstraint(
                fields=["patron", "record"],
                condition=Q(status__in=["waiting", "in_transit", "ready"]),
                name="hold_one_active_per_reader_and_title",
            ),
        ]
        indexes = [models.Index(fields=["record", "status", "placed_at"])]

    def __str__(self) -> str:
        return f"hold {self.pk} on record {self.record_id}"
