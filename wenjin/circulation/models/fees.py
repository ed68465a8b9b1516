"""Fees (费用) a reader owes, the payments and refunds that settle them, and the periods in
which no overdue fee is charged. Money is yuan in ``Decimal`` with two places."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class FeeKind(models.TextChoices):
    OVERDUE = "overdue", _("Overdue fee")
    LOST = "lost", _("Lost item: replacement")
    PROCESSING = "processing", _("Lost item: processing fee")
    DAMAGED = "damaged", _("Damaged item")
    OTHER = "other", _("Other charge")


class FeeStatus(models.TextChoices):
    OPEN = "open", _("Owed")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")
    CANCELLED = "cancelled", _("Cancelled")


class Fee(models.Model):
    """One charge to a reader: what for, how much, and how much is still owed.

    ``balance`` falls as payments are allocated to it and waivers reduce it; the fee is
    ``open`` while anything is owed, then ``paid``, ``waived`` (wholly or the rest of it)
    or ``cancelled`` (reversed: a lost item found). Loss and damage are settled with the
    owning library (``owed_to``), whichever desk took the money.
    """

    patron = models.ForeignKey("patrons.Patron", on_delete=models.PROTECT, related_name="fees")
    kind = models.CharField(_("kind"), max_length=12, choices=FeeKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=FeeStatus.choices, default=FeeStatus.OPEN
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    balance = models.DecimalField(_("still owed"), max_digits=10, decimal_places=2)
    loan = models.ForeignKey(
        "circulation.Loan", null=True, blank=True, on_delete=models.PROTECT, related_name="fees"
    )
    item = models.ForeignKey(
        "catalog.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="fees"
    )
    owed_to = models.ForeignKey(
        "network.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("owed to")
    )
    charged_at = models.DateTimeField(_("charged at"), db_index=True)
    charged_org = models.ForeignKey("network.OrgUnit", on_delete=models.PROTECT, related_name="+")
    charged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["charged_at", "pk"]
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fee_amount_positive"),
            models.CheckConstraint(
                condition=Q(balance__gte=0, balance__lte=F("amount")), name="fee_balance_in_range"
            ),
            models.CheckConstraint(
                condition=Q(status="open", balance__gt=0) | ~Q(status="open"),
                name="fee_open_owes",
            ),
        ]
        indexes = [
            models.Index(
                fields=["patron", "charged_at"],
                condition=Q(status="open"),
                name="fee_open_by_patron",
            )
        ]

    def __str__(self) -> str:
        return f"fee {self.pk} {self.kind} {self.amount}"


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")


class Payment(models.Model):
    """Money taken from a reader at a desk (``amount`` > 0) or given back (a refund,
    ``amount`` < 0, pointing at the payment it refunds when there is one). A payment
    reference from WeChat Pay or Alipay is used once: the database refuses it twice."""

    patron = models.ForeignKey("patrons.Patron", on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    method = models.CharField(_("method"), max_length=8, choices=PaymentMethod.choices)
    reference = models.CharField(_("payment reference"), max_length=64, blank=True)
    refund_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    at = models.DateTimeField(db_index=True)
    org_unit = models.ForeignKey(
        "network.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("desk")
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="payment_not_zero"),
            models.UniqueConstraint(
                fields=["method", "reference"],
                condition=~Q(reference=""),
                name="payment_reference_once",
            ),
        ]
        indexes = [models.Index(fields=["org_unit", "at"], name="payment_by_desk")]

    def __str__(self) -> str:
        return f"payment {self.pk} {self.amount} {self.method}"

    @property
    def is_refund(self) -> bool:
        return self.amount < 0


class FeeAllocation(models.Model):
    """The part of a payment that settled one fee (negative for a refund that reopened
    it), so each fee's history and each payment's spread can be shown and undone."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    fee = models.ForeignKey(Fee, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.payment_id} → fee {self.fee_id}: {self.amount}"


class FeeAction(models.Model):
    """A change to a fee other than a payment: a waiver (with the reason and who gave it)
    or a cancellation (a lost item found), and how much it took off the balance."""

    class Kind(models.TextChoices):
        WAIVE = "waive", _("Waived")
        CANCEL = "cancel", _("Cancelled")

    fee = models.ForeignKey(Fee, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    reason = models.CharField(_("reason"), max_length=200)
    at = models.DateTimeField()
    org_unit = models.ForeignKey(
        "network.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} fee {self.fee_id}: {self.amount}"


class FeeFreePeriod(models.Model):
    """Days on which no overdue fee accrues (e.g. every April, the reading month): from
    ``start`` to ``end`` inclusive, in one year or, when ``every_year``, each year on the
    same month and day."""

    name = models.CharField(_("name"), max_length=100)
    start = models.DateField(_("from"))
    end = models.DateField(_("to (inclusive)"))
    every_year = models.BooleanField(_("every year"), default=False)

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("fee-free period")
        verbose_name_plural = _("fee-free periods")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="feefree_end_after_start")
        ]

    def __str__(self) -> str:
        return self.name
