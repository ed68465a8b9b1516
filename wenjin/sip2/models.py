"""The log of SIP2 transactions: every message a device sent, and what came of it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sip2Transaction(models.Model):
    """One SIP2 message and its outcome (``ok``, ``refused`` with the refusal's code,
    ``error`` when a handler failed, ``checksum``/``malformed``/``too_long`` for a frame
    that could not be used, ``resend`` for a 97), with how long it took. No PIN or
    password is ever stored here."""

    at = models.DateTimeField(db_index=True)
    device = models.ForeignKey(
        "network.Device", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    org_unit = models.ForeignKey(
        "network.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    peer = models.CharField(max_length=64, blank=True)
    message = models.CharField(max_length=2)
    outcome = models.CharField(max_length=12)
    code = models.CharField(max_length=40, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("SIP2 transaction")
        verbose_name_plural = _("SIP2 transactions")
        indexes = [models.Index(fields=["device", "at"], name="sip2_by_device")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.message} {self.outcome}"
