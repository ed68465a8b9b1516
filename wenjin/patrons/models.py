"""Readers (读者), their cards (读者证) and the categories that set their rules.

A ``Patron`` is one person; a ``Card`` is one library-issued barcode. A person has one
patron record whatever happens to their cards (a lost card is replaced by a new card on
the same patron), so "one person, one active card" is a unique keyed hash of the
identity document on ``Patron``, enforced by the database.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wenjin.patrons import credit


class PatronCategory(models.Model):
    """A reader category (读者类型): who it is for and what follows from it. Categories
    that follow age are chosen (and changed by the daily job) from the reader's age."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=50)
    follows_age = models.BooleanField(
        _("chosen by age"), default=False, help_text=_("Readers move in and out by age.")
    )
    min_age = models.PositiveSmallIntegerField(_("from age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(
        _("below age"), null=True, blank=True, help_text=_("Readers of this age move on.")
    )
    requires_guardian = models.BooleanField(_("guardian required"), default=False)
    validity_days = models.PositiveIntegerField(_("card valid for (days)"), default=1826)
    extensions_allowed = models.PositiveSmallIntegerField(_("extensions allowed"), default=0)
    fee_waiver = models.BooleanField(_("fees waived"), default=False)
    free_delivery_quota = models.PositiveSmallIntegerField(_("free deliveries a year"), default=0)
    is_family = models.BooleanField(_("family card"), default=False)
    deposit_amount = models.DecimalField(
        _("deposit (¥)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("Asked before borrowing, unless the reader's credit makes them deposit-free."),
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("reader category")
        verbose_name_plural = _("reader categories")

    def __str__(self) -> str:
        return self.name_zh

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class IdentityType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card")
    SOCIAL_SECURITY = "social_security", _("Social security card")
    PASSPORT = "passport", _("Passport")
    HK_MACAU_PERMIT = "hk_macau_permit", _("Mainland travel permit for Hong Kong and Macau")
    TAIWAN_PERMIT = "taiwan_permit", _("Mainland travel permit for Taiwan residents")


class Family(models.Model):
    """Readers linked as a family (three or more, at least one a minor); they share one
    borrowing quota."""

    name = models.CharField(_("name"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("family")
        verbose_name_plural = _("families")

    def __str__(self) -> str:
        return self.name


class Patron(models.Model):
    """One reader (one person). Identity and phone numbers are stored encrypted, with a
    keyed hash to find them and a masked form to show; the card barcodes live on
    ``Card``. A deleted reader keeps this row with the personal data removed, so anonymous
    statistics that point at it stay whole."""

    name = models.CharField(_("name"), max_length=100)
    category = models.ForeignKey(PatronCategory, on_delete=models.PROTECT, related_name="+")
    home_org = models.ForeignKey(
        "network.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("home library"),
    )
    identity_type = models.CharField(max_length=20, choices=IdentityType.choices)
    identity_encrypted = models.TextField(blank=True)
    identity_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    identity_masked = models.CharField(max_length=24, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone_encrypted = models.TextField(blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField(max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    local_residence = models.BooleanField(_("local residence"), default=True)
    guardian = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="wards"
    )
    family = models.ForeignKey(
        Family, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    keeps_history = models.BooleanField(_("keep my reading history"), default=False)
    pin_hash = models.CharField(max_length=200, blank=True)
    # The local credit ledger's running total; only the credit services change it, with
    # the row locked, in the same transaction as the ``CreditEvent`` that explains it.
    credit_score = models.IntegerField(
        _("credit score"), default=credit.DEFAULT_POLICY.starting_score
    )
    deposit_held = models.DecimalField(
        _("deposit held (¥)"), max_digits=8, decimal_places=2, default=Decimal("0.00")
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reader")
        verbose_name_plural = _("readers")

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"


class CardStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    BLOCKED = "blocked", _("Blocked")
    LOST = "lost", _("Reported lost")
    CANCELLED = "cancelled", _("Cancelled")


# A reader has at most one card in these states; lost and cancelled cards are history.
LIVE_CARD_STATUSES = (CardStatus.ACTIVE, CardStatus.EXPIRED, CardStatus.BLOCKED)


class Card(models.Model):
    """A library card: a library-issued barcode (never an ID number), its validity and
    its status. Its history is in ``CardEvent``."""

    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="cards")
    barcode = models.CharField(_("card number"), max_length=20, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CardStatus.choices, default=CardStatus.ACTIVE
    )
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    issued_at = models.ForeignKey("network.OrgUnit", on_delete=models.PROTECT, related_name="+")
    extensions = models.PositiveSmallIntegerField(default=0)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_by"
    )

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        constraints = [
            models.UniqueConstraint(
                fields=["patron"],
                condition=Q(status__in=["active", "expired", "blocked"]),
                name="card_one_live_card_per_patron",
            )
        ]

    def __str__(self) -> str:
        return self.barcode


class CardEvent(models.Model):
    """One change in a card's life (issued, renewed, extended, blocked, reported lost,
    replaced, cancelled, expired), with when, where and by whom: statistics count valid
    cards on any past date from these rows."""

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16)
    status = models.CharField(max_length=12, choices=CardStatus.choices)
    expires_on = models.DateField()
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    org_unit = models.ForeignKey(
        "network.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.card_id} {self.action} {self.status}"


class CategoryChange(models.Model):
    """A reader's move from one category to another (by staff or by age), kept for the
    reader's history and for statistics by category."""

    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="category_changes")
    old = models.ForeignKey(PatronCategory, on_delete=models.PROTECT, related_name="+")
    new = models.ForeignKey(PatronCategory, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=100)

    def __str__(self) -> str:
        return f"{self.patron_id}: {self.old_id} → {self.new_id}"


class CardNumberCounter(models.Model):
    """The next card serial number; locked while a number is taken, so concurrent
    registrations never get the same barcode."""

    name = models.CharField(max_length=20, unique=True)
    next_value = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.name}: {self.next_value}"


class CreditReason(models.TextChoices):
    ON_TIME_RETURN = credit.Reason.ON_TIME_RETURN, _("Returned on time")
    OVERDUE_RETURN = credit.Reason.OVERDUE_RETURN, _("Returned late")
    LOST = credit.Reason.LOST, _("Item lost")
    FOUND_AFTER_LOST = credit.Reason.FOUND_AFTER_LOST, _("Lost item found")
    STAFF_ADJUSTMENT = credit.Reason.STAFF_ADJUSTMENT, _("Staff adjustment")
    EXTERNAL = credit.Reason.EXTERNAL, _("External credit platform")


class CreditEvent(models.Model):
    """One move of a reader's local credit score and why (the credit ledger).

    ``source_key`` names the fact that caused it ("loan:123:return",
    "item:5:lost:2026-03-01", …) and is unique, so recording the same fact twice, even
    from two desks at once, leaves one row: the database decides. ``change`` is what was
    actually applied (the score limits may have cut it), ``score_after`` the score it left.
    """

    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="credit_events")
    at = models.DateTimeField(_("recorded at"), default=timezone.now)
    on = models.DateField(_("date"), help_text=_("The day the event happened."))
    change = models.IntegerField(_("change"))
    score_after = models.IntegerField(_("score after"))
    reason = models.CharField(_("reason"), max_length=20, choices=CreditReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_key = models.CharField(max_length=100, unique=True)
    # A found item's event points at the loss it reverses; one-to-one, so a loss is
    # reversed at most once.
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reversed_by"
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["patron", "-at"], name="credit_event_patron_at")]
        verbose_name = _("credit event")
        verbose_name_plural = _("credit events")

    def __str__(self) -> str:
        return f"{self.patron_id} {self.reason} {self.change:+d} → {self.score_after}"


class CreditSettings(models.Model):
    """The network's credit borrowing rules (a single row): where scores come from and
    the numbers of ``credit.CreditPolicy``."""

    class Provider(models.TextChoices):
        LOCAL = "local", _("Local ledger")
        EXTERNAL = "external", _("External credit platform")

    SINGLETON_PK = 1

    provider = models.CharField(
        _("score provider"), max_length=16, choices=Provider.choices, default=Provider.LOCAL
    )
    starting_score = models.IntegerField(default=credit.DEFAULT_POLICY.starting_score)
    min_score = models.IntegerField(default=credit.DEFAULT_POLICY.min_score)
    max_score = models.IntegerField(default=credit.DEFAULT_POLICY.max_score)
    on_time_points = models.PositiveSmallIntegerField(default=credit.DEFAULT_POLICY.on_time_points)
    overdue_short_days = models.PositiveSmallIntegerField(
        default=credit.DEFAULT_POLICY.overdue_short_days
    )
    overdue_short_penalty = models.PositiveSmallIntegerField(
        default=credit.DEFAULT_POLICY.overdue_short_penalty
    )
    overdue_medium_days = models.PositiveSmallIntegerField(
        default=credit.DEFAULT_POLICY.overdue_medium_days
    )
    overdue_medium_penalty = models.PositiveSmallIntegerField(
        default=credit.DEFAULT_POLICY.overdue_medium_penalty
    )
    overdue_long_penalty = models.PositiveSmallIntegerField(
        default=credit.DEFAULT_POLICY.overdue_long_penalty
    )
    lost_penalty = models.PositiveSmallIntegerField(default=credit.DEFAULT_POLICY.lost_penalty)
    deposit_free_at = models.IntegerField(default=credit.DEFAULT_POLICY.deposit_free_at)
    extra_quota_at = models.IntegerField(default=credit.DEFAULT_POLICY.extra_quota_at)
    extra_quota = models.PositiveSmallIntegerField(default=credit.DEFAULT_POLICY.extra_quota)
    floor = models.IntegerField(default=credit.DEFAULT_POLICY.floor)
    max_adjustment = models.PositiveIntegerField(default=credit.DEFAULT_POLICY.max_adjustment)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("credit settings")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="credit_settings_single_row")]

    def __str__(self) -> str:
        return "credit settings"

    @classmethod
    def load(cls) -> CreditSettings:
        """The row, or the defaults when none was saved yet."""
        return cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls(pk=cls.SINGLETON_PK)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        problems = credit.policy_problems(self.policy())
        if problems:
            raise ValidationError(problems)

    def policy(self) -> credit.CreditPolicy:
        return credit.CreditPolicy(
            **{name: getattr(self, name) for name in credit.CreditPolicy.__dataclass_fields__}
        )


# --- Remote self-registration (远程自助办证) and card recovery ------------------------------


class VerificationPurpose(models.TextChoices):
    REGISTER = "register", _("Registration")
    RECOVER = "recover", _("Card recovery")


class PhoneVerification(models.Model):
    """A one-time code sent by text message, proving that the person on the public site
    holds a phone: the phone they register with, or (card recovery) the phone on file.

    Only a keyed hash of the code is kept (``salt$hmac``), never the code. A code is good
    for ten minutes, ``attempts`` counts every try (five at most, counted before the
    comparison so simultaneous guesses cannot get more), and ``used_at`` is set by one
    conditional UPDATE, so a code works once even when sent twice at the same moment.
    ``subject_hash`` ties a recovery code to the identity it was asked for."""

    phone_hash = models.CharField(max_length=64)
    purpose = models.CharField(max_length=16, choices=VerificationPurpose.choices)
    subject_hash = models.CharField(max_length=64, blank=True)
    code_hash = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["phone_hash", "-created_at"], name="phone_verification_recent")
        ]
        verbose_name = _("phone verification")
        verbose_name_plural = _("phone verifications")

    def __str__(self) -> str:
        return f"{self.purpose} #{self.pk}"


class PendingStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a desk")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class PendingRegistration(models.Model):
    """A registration made on the public site that a desk must confirm (the document
    cannot be checked online, or the network confirms every one): everything ``register``
    needs, the numbers encrypted, hashed and masked as on ``Patron``. The reader quotes
    ``reference`` at the desk. Once decided the personal data here is erased: a confirmed
    reader's data lives on the reader, a rejected one's is no longer needed. At most one
    registration per identity waits at a time (a database constraint)."""

    reference = models.CharField(_("reference"), max_length=12, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=PendingStatus.choices, default=PendingStatus.PENDING
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    identity_type = models.CharField(max_length=20, choices=IdentityType.choices)
    identity_encrypted = models.TextField(blank=True)
    identity_hash = models.CharField(max_length=64, blank=True)
    identity_masked = models.CharField(max_length=24, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone_encrypted = models.TextField(blank=True)
    phone_masked = models.CharField(max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    local_residence = models.BooleanField(_("local residence"), default=True)
    guardian_barcode = models.CharField(_("guardian's card number"), max_length=20, blank=True)
    home_org = models.ForeignKey(
        "network.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("home library"),
    )
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    patron = models.ForeignKey(
        Patron, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("pending registration")
        verbose_name_plural = _("pending registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["identity_hash"],
                condition=Q(status="pending"),
                name="pending_registration_one_per_identity",
            )
        ]

    def __str__(self) -> str:
        return self.reference
