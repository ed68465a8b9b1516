"""What the public site itself stores: a reader's shared reading-report summaries."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

# 24 random bytes: 32 URL-safe characters, far beyond guessing.
TOKEN_BYTES = 24


def new_share_token() -> str:
    """A random, unguessable token for a shared report's public address."""
    return secrets.token_urlsafe(TOKEN_BYTES)


class ReadingReportShare(models.Model):
    """A reader's year of reading, shared on purpose at ``/shared/reading/<token>/``.

    The ``snapshot`` is the summary as it was when the reader shared it
    (``wenjin.opac.reading.share_snapshot``): numbers, classes, authors and titles, and
    never a personal identifier (no name, card, ID number, phone or library used). The
    public page shows only the snapshot, so what is shared does not change behind the
    reader's back; sharing the same year again refreshes it and keeps the address. One
    share per reader and year. Stopping sharing deletes the row (the address then
    answers 404), and so does withdrawing consent to the reading history
    (``wenjin.opac.report_services.report_shares_forget``).
    """

    token = models.CharField(max_length=64, unique=True, default=new_share_token)
    patron = models.ForeignKey(
        "patrons.Patron", on_delete=models.CASCADE, related_name="reading_report_shares"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    snapshot = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("shared reading report")
        verbose_name_plural = _("shared reading reports")
        constraints = [
            models.UniqueConstraint(fields=["patron", "year"], name="reportshare_one_per_year"),
        ]

    def __str__(self) -> str:
        # Neither the token (it is the secret address) nor the reader's name: this text
        # ends up in the audit log.
        return f"{self.year} #{self.pk}"
