"""Reader notices (通知): how each reader wants to be told things, and a record of every
notice sent or attempted.

The unique ``Notice.dedupe_key`` is what makes notices idempotent: a notice row is
inserted before anything is sent, so a daily job run twice, or two copies of it running
at once, can send a given notice only once.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NoticeKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE_1 = "overdue_1", _("Overdue (1 day)")
    OVERDUE_7 = "overdue_7", _("Overdue (7 days)")
    OVERDUE_30 = "overdue_30", _("Overdue (30 days)")
    HOLD_READY = "hold_ready", _("Hold ready for pickup")
    HOLD_EXPIRING = "hold_expiring", _("Hold's last day on the shelf")
    CARD_EXPIRING = "card_expiring", _("Card expiring")
    FEE_REMINDER = "fee_reminder", _("Fee reminder")
    EVENT_REMINDER = "event_reminder", _("Event tomorrow")
    EVENT_PROMOTED = "event_promoted", _("Event place freed up")
    EVENT_CANCELLED = "event_cancelled", _("Event cancelled")


class NoticeChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    NONE = "none", _("None")


class NoticeLanguage(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")


class NoticeOutcome(models.TextChoices):
    # Recorded before sending; a row left pending means the process stopped mid-send.
    # It is never retried, so a reader is not told twice.
    # The context keeps these apart from other "Sent"/"Failed" strings in the catalogue.
    PENDING = "pending", pgettext_lazy("notice outcome", "Sending")
    SENT = "sent", pgettext_lazy("notice outcome", "Sent")
    FAILED = "failed", pgettext_lazy("notice outcome", "Failed")
    NO_CONTACT = "no_contact", pgettext_lazy("notice outcome", "No contact details")
    OPTED_OUT = "opted_out", pgettext_lazy("notice outcome", "Reader opted out")


class ReaderContact(models.Model):
    """How a reader is told things: an email address (encrypted, with a keyed hash and a
    masked form, the way ``Patron`` keeps the phone number), the language of the texts,
    which channels are on and which kinds of notice the reader turned off. SMS goes to
    the phone number on the reader record. A reader without this row gets SMS in
    Chinese."""

    patron = models.OneToOneField(
        "patrons.Patron",
        on_delete=models.CASCADE,
        related_name="notice_contact",
        verbose_name=_("reader"),
    )
    email_encrypted = models.TextField(blank=True)
    email_hash = models.CharField(max_length=64, blank=True, db_index=True)
    email_masked = models.CharField(_("email"), max_length=100, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=NoticeLanguage.choices,
        default=NoticeLanguage.ZH_HANS,
    )
    email_on = models.BooleanField(_("notices by email"), default=True)
    sms_on = models.BooleanField(_("notices by SMS"), default=True)
    # Kinds (NoticeKind values) the reader does not want; checked by the service.
    opt_outs = models.JSONField(_("kinds turned off"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reader contact")
        verbose_name_plural = _("reader contacts")

    def __str__(self) -> str:
        return f"contact of reader {self.patron_id}"


class Notice(models.Model):
    """One notice sent or attempted, with its text, channel and outcome. ``dedupe_key``
    names the event the notice is about (``overdue_7:patron:12:2026-05-01``,
    ``hold_ready:hold:34``); its uniqueness keeps every event to one notice. ``loan_ids``
    records the loans a grouped loan notice lists."""

    patron = models.ForeignKey(
        "patrons.Patron",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notices",
        verbose_name=_("reader"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices)
    channel = models.CharField(
        _("channel"), max_length=8, choices=NoticeChannel.choices, default=NoticeChannel.NONE
    )
    language = models.CharField(_("language"), max_length=8, choices=NoticeLanguage.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=NoticeOutcome.choices, default=NoticeOutcome.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    dedupe_key = models.CharField(max_length=120, unique=True)
    loan_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [models.Index(fields=["patron", "-created_at"], name="notice_by_reader_date")]

    def __str__(self) -> str:
        return self.dedupe_key
