"""Reads for notices: a reader's notice history and contact settings."""

from __future__ import annotations

from wenjin.notices.models import Notice, ReaderContact
from wenjin.patrons.models import Patron


def notices_for(patron: Patron, limit: int = 100) -> list[Notice]:
    """The reader's latest notices, newest first."""
    return list(Notice.objects.filter(patron=patron).order_by("-created_at", "-pk")[:limit])


def contact_for(patron: Patron) -> ReaderContact | None:
    return ReaderContact.objects.filter(patron=patron).first()
