"""Writes for the reading report: share a year's summary, stop sharing it, and forget
every share when the reader withdraws consent.

Only readers who keep their reading history have a report, so only they can share one.
Each change is audited under the reader (``reader:<pk>`` via ``opac``), without the
share's token: the token is the secret address.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.services import audit_record
from wenjin.lib.errors import Conflict, ValidationFailed
from wenjin.opac import reading
from wenjin.opac.models import ReadingReportShare, new_share_token
from wenjin.opac.report_selectors import reader_borrowings
from wenjin.patrons.models import Patron

# The years a report can be about: nothing was lent by this platform before 1900, and a
# year far ahead is a typing mistake, not a report.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def _reader_actor(patron: Patron) -> Actor:
    # The same label the other reader services use (wenjin.opac.services.reader_actor).
    return Actor.system(via="opac", agent=f"reader:{patron.pk}")


def _check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed(_("Choose a year with loans."), fields={"year": _("Not a year.")})
    return year


def report_share(patron: Patron, year: int) -> ReadingReportShare:
    """Share the reader's summary of ``year`` at a new unguessable address, or refresh the
    snapshot of the one already shared (its address stays the same).

    Refused (409 ``HISTORY_OFF``) when the reader does not keep a reading history, and
    (409 ``NO_LOANS``) when they borrowed nothing that year.
    """
    _check_year(year)
    if not patron.keeps_history or patron.deleted_at is not None:
        raise Conflict(
            "HISTORY_OFF",
            _("Your reading report needs your reading history: turn it on first."),
        )
    summary = reading.year_summary(reader_borrowings(patron), year)
    if summary.total == 0:
        raise Conflict(
            "NO_LOANS", _("You borrowed nothing that year, so there is nothing to share.")
        )
    snapshot = reading.share_snapshot(summary)
    with transaction.atomic():
        share, created = ReadingReportShare.objects.update_or_create(
            patron=patron,
            year=year,
            defaults={"snapshot": snapshot},
            create_defaults={"snapshot": snapshot, "token": new_share_token()},
        )
        audit_record(
            _reader_actor(patron),
            "opac.report_share",
            org_unit=patron.home_org,
            target=share,
            changes={"year": year, "refreshed": not created},
        )
    return share


def report_unshare(patron: Patron, year: int) -> bool:
    """Stop sharing the reader's summary of ``year``: its address answers 404 from now on.
    Returns whether anything was shared."""
    _check_year(year)
    with transaction.atomic():
        deleted, _rows = ReadingReportShare.objects.filter(patron=patron, year=year).delete()
        if deleted:
            audit_record(
                _reader_actor(patron),
                "opac.report_unshare",
                org_unit=patron.home_org,
                target=patron,
                changes={"year": year},
            )
    return bool(deleted)


def report_shares_forget(patron: Patron) -> int:
    """Withdraw every shared report of the reader (all their addresses answer 404).

    For the services that end the consent the reports rest on: turning the reading
    history off, deleting the history, deleting the account. Call it inside their
    transaction. Returns how many shares there were.
    """
    deleted, _rows = ReadingReportShare.objects.filter(patron=patron).delete()
    return deleted
