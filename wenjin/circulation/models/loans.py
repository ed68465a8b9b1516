"""Circulation across the network (通借通还): the rules matrix, loans and their renewals,
transits between units, floating collections, and the anonymous fact each finished loan
leaves for statistics."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wenjin.catalog.models import MaterialType


class LoanRule(models.Model):
    """One row of the rules matrix (借阅规则).

    A rule matches a checkout when every condition it sets holds: the checkout unit is
    ``checkout_org`` or below it, the item's owning unit is ``owning_org`` or below it,
    and the reader category, material type and item flags are the ones named. An empty
    condition matches anything. Of the matching rules the most specific wins
    (``wenjin.circulation.policies.specificity`` documents the order and the tie-break).
    """

    name = models.CharField(_("name"), max_length=100)
    checkout_org = models.ForeignKey(
        "network.OrgUnit",
        verbose_name=_("checkout at (and below)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owning_org = models.ForeignKey(
        "network.OrgUnit",
        verbose_name=_("items owned by (and below)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    patron_category = models.ForeignKey(
        "patrons.PatronCategory",
        verbose_name=_("reader category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    material_type = models.CharField(
        _("material type"), max_length=16, choices=MaterialType.choices, blank=True
    )
    is_children = models.BooleanField(_("children's items"), null=True, blank=True)
    is_rare = models.BooleanField(_("rare items"), null=True, blank=True)
    loanable = models.BooleanField(_("may be borrowed"), default=True)
    loan_days = models.PositiveSmallIntegerField(_("loan period (days)"), default=31)
    renewals_allowed = models.PositiveSmallIntegerField(_("renewals allowed"), default=1)
    renewal_days = models.PositiveSmallIntegerField(
        _("renewal period (days, from the due date)"), default=31
    )
    max_items = models.PositiveSmallIntegerField(_("most items on loan (network-wide)"), default=30)
    max_items_of_type = models.PositiveSmallIntegerField(
        _("most items of this material type on loan"), null=True, blank=True
    )
    # None: follow the item's own scheme flag (catalog SchemeRule); True/False overrides it.
    network_lending = models.BooleanField(
        _("borrow and return anywhere (通借通还)"), null=True, blank=True
    )
    fee_per_day = models.DecimalField(
        _("overdue fee per day (¥)"), max_digits=6, decimal_places=2, default=Decimal("0.10")
    )
    fee_cap = models.DecimalField(
        _("overdue fee cap per item (¥)"), max_digits=8, decimal_places=2, default=Decimal("10.00")
    )
    grace_days = models.PositiveSmallIntegerField(_("grace days"), default=0)
    holds_allowed = models.BooleanField(_("may be placed on hold"), default=True)
    max_holds = models.PositiveSmallIntegerField(_("most holds a reader may have"), default=10)
    hold_shelf_days = models.PositiveSmallIntegerField(
        _("days a held item waits on the hold shelf"), default=7
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("loan rule")
        verbose_name_plural = _("loan rules")
        constraints = [
            models.CheckConstraint(condition=Q(loan_days__gte=1), name="loanrule_loan_days"),
            models.CheckConstraint(condition=Q(fee_per_day__gte=0), name="loanrule_fee"),
            models.CheckConstraint(condition=Q(fee_cap__gte=0), name="loanrule_fee_cap"),
        ]

    def __str__(self) -> str:
        return self.name


class Loan(models.Model):
    """One checkout of one item, open until checkin.

    The terms of the matched rule are copied onto the loan, so a later change to the
    rules never rewrites a loan already made. At most one open loan per item (a database
    constraint). After return the reader link is cleared unless the reader keeps their
    reading history; the anonymous ``LoanFact`` keeps what statistics need.
    """

    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="loans")
    patron = models.ForeignKey(
        "patrons.Patron", null=True, blank=True, on_delete=models.SET_NULL, related_name="loans"
    )
    card = models.ForeignKey(
        "patrons.Card", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checkout_org = models.ForeignKey("network.OrgUnit", on_delete=models.PROTECT, related_name="+")
    checked_out_at = models.DateTimeField(db_index=True)
    due_date = models.DateField(_("due date"), db_index=True)
    rule = models.ForeignKey(
        LoanRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="loans"
    )
    rule_name = models.CharField(max_length=100)
    renewals = models.PositiveSmallIntegerField(_("renewals"), default=0)
    renewals_allowed = models.PositiveSmallIntegerField()
    renewal_days = models.PositiveSmallIntegerField()
    fee_per_day = models.DecimalField(max_digits=6, decimal_places=2)
    fee_cap = models.DecimalField(max_digits=8, decimal_places=2)
    grace_days = models.PositiveSmallIntegerField(default=0)
    returned_at = models.DateTimeField(null=True, blank=True)
    checkin_org = models.ForeignKey(
        "network.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    overdue_fee = models.DecimalField(
        _("overdue fee"), max_digits=8, decimal_places=2, default=Decimal("0.00")
    )
    override_reason = models.CharField(max_length=200, blank=True)
    # Closed as returned (checkin), lost (the reader pays for it) or written off (a claim
    # of return accepted); open loans leave it empty.
    closed_as = models.CharField(max_length=12, blank=True)
    # The reader says it was returned: no fee accrues after this and it stops blocking
    # while staff search the shelves.
    claimed_returned_at = models.DateTimeField(null=True, blank=True)
    # After return, the reader of a loan not kept in their history stays here for
    # DAMAGE_CHARGE_DAYS only, so damage found when the item is inspected can be charged;
    # the daily job then clears it.
    recent_patron = models.ForeignKey(
        "patrons.Patron", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-checked_out_at", "-pk"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(returned_at__isnull=True),
                name="loan_one_open_per_item",
            )
        ]
        indexes = [
            models.Index(
                fields=["patron", "due_date"],
                condition=Q(returned_at__isnull=True),
                name="loan_open_by_patron",
            )
        ]

    def __str__(self) -> str:
        return f"loan {self.pk} item {self.item_id}"

    @property
    def is_open(self) -> bool:
        return self.returned_at is None


class LoanRenewal(models.Model):
    """One renewal of a loan: when, where, through which front end, old and new due date."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="renewal_rows")
    at = models.DateTimeField()
    org_unit = models.ForeignKey(
        "network.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    via = models.CharField(max_length=16)
    old_due_date = models.DateField()
    new_due_date = models.DateField()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("renewal")

    def __str__(self) -> str:
        return f"{self.loan_id}: {self.old_due_date} → {self.new_due_date}"


class TransitReason(models.TextChoices):
    RETURN_HOME = "return_home", _("Back to its owning library")
    HOLD = "hold", _("For a hold")
    REROUTE = "reroute", _("Re-routed")
    TRANSFER = "transfer", _("Transfer")


class Transit(models.Model):
    """An item on its way from one unit to another (在途); open until received.

    A receipt at any other unit than ``to_org`` closes this transit and opens a new one
    from there (the item is re-routed).
    """

    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="transits")
    from_org = models.ForeignKey("network.OrgUnit", on_delete=models.PROTECT, related_name="+")
    to_org = models.ForeignKey("network.OrgUnit", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=16, choices=TransitReason.choices)
    sent_at = models.DateTimeField(db_index=True)
    received_at = models.DateTimeField(null=True, blank=True)
    received_org = models.ForeignKey(
        "network.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("transit")
        verbose_name_plural = _("transits")
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(received_at__isnull=True),
                name="transit_one_open_per_item",
            )
        ]
        indexes = [
            models.Index(
                fields=["to_org", "sent_at"],
                condition=Q(received_at__isnull=True),
                name="transit_open_by_destination",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.from_org_id} → {self.to_org_id}"


class FloatingGroup(models.Model):
    """A group of units whose items float (浮动馆藏): an item returned at any member stays
    there instead of travelling home, when its owning unit is a member too."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    members = models.ManyToManyField("network.OrgUnit", related_name="floating_groups")
    material_type = models.CharField(
        _("only this material type"), max_length=16, choices=MaterialType.choices, blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("floating collection group")

    def __str__(self) -> str:
        return self.name


class LoanFact(models.Model):
    """What statistics keep of one finished loan, without the person (个人信息保护).

    ``reader_key`` is a keyed pseudonym of the reader (``wenjin.lib.crypto.pseudonym``):
    the same reader always gets the same key, so distinct readers can be counted for any
    period, but it cannot be turned back into a reader without the key, and it survives
    the deletion of the reader.
    """

    checkout_date = models.DateField(db_index=True)
    return_date = models.DateField(db_index=True)
    checkout_org = models.ForeignKey("network.OrgUnit", on_delete=models.PROTECT, related_name="+")
    checkin_org = models.ForeignKey("network.OrgUnit", on_delete=models.PROTECT, related_name="+")
    owning_org = models.ForeignKey("network.OrgUnit", on_delete=models.PROTECT, related_name="+")
    home_org = models.ForeignKey(
        "network.OrgUnit", null=True, on_delete=models.PROTECT, related_name="+"
    )
    material_type = models.CharField(max_length=16)
    clc_top = models.CharField(max_length=1, blank=True)
    language = models.CharField(max_length=3, blank=True)
    patron_category = models.CharField(max_length=32)
    age_band = models.CharField(max_length=8)
    reader_key = models.CharField(max_length=32, db_index=True)
    renewals = models.PositiveSmallIntegerField(default=0)
    overdue_days = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("anonymous loan fact")

    def __str__(self) -> str:
        return f"{self.checkout_date} {self.material_type} {self.patron_category}"


class LendingVisit(models.Model):
    """A reader borrowed at a unit on a day (书刊文献外借人次 counts these), recorded at
    checkout without the items: the statistics count lending visits and distinct active
    readers from it without keeping what anyone read.

    ``reader_key`` is the same keyed pseudonym as on ``LoanFact``; a second checkout by
    the same reader at the same unit on the same day adds nothing.
    """

    day = models.DateField()
    org_unit = models.ForeignKey("network.OrgUnit", on_delete=models.PROTECT, related_name="+")
    reader_key = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("lending visit")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "org_unit", "reader_key"], name="lending_visit_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.org_unit_id} {self.reader_key[:8]}"


class CirculationSettings(models.Model):
    """Network-wide circulation settings (a single row)."""

    class OutOfSchemeReturn(models.TextChoices):
        REFUSE = "refuse", _("Refuse: it must be returned to its owning library")
        TRANSIT = "transit", _("Accept and send it home in transit")

    out_of_scheme_return = models.CharField(
        _("items outside 通借通还 returned elsewhere"),
        max_length=8,
        choices=OutOfSchemeReturn.choices,
        default=OutOfSchemeReturn.TRANSIT,
    )
    debt_limit = models.DecimalField(
        _("debt that blocks borrowing (¥)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("10.00"),
    )
    overdue_blocks = models.BooleanField(_("an overdue item blocks borrowing"), default=True)
    stale_transit_days = models.PositiveSmallIntegerField(
        _("transits older than this are reported (days)"), default=7
    )
    lost_processing_fee = models.DecimalField(
        _("processing fee for a lost item (¥)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("5.00"),
    )
    default_replacement_price = models.DecimalField(
        _("replacement price when an item has none (¥)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("50.00"),
    )
    refund_when_found = models.BooleanField(
        _("a lost item found and returned: cancel or refund its replacement fee"), default=True
    )
    lost_after_days = models.PositiveSmallIntegerField(
        _("the daily job declares items lost this many days overdue (0: never)"), default=0
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("circulation settings")

    def __str__(self) -> str:
        return "circulation settings"
