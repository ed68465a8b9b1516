"""Reads for the reading report: a reader's kept loans as ``Borrowing`` facts, and a
shared report found by its token."""

from __future__ import annotations

from django.utils import timezone

from wenjin.circulation.models import Loan
from wenjin.opac.models import ReadingReportShare
from wenjin.opac.reading import Borrowing
from wenjin.patrons.models import Patron


def reader_borrowings(patron: Patron) -> list[Borrowing]:
    """Every loan still linked to the reader, returned or not, oldest first, with the
    checkout time in local time. Returned loans stay linked only while the reader keeps
    their reading history, so for a reader without it this is their open loans at most
    (the report page does not show those; see ``report_views``)."""
    loans = (
        Loan.objects.filter(patron=patron)
        .select_related("item__record", "checkout_org")
        .only(
            "checked_out_at",
            "item__record__title",
            "item__record__authors",
            "item__record__clc_top",
            "checkout_org__name_zh",
            "checkout_org__name_en",
        )
        .order_by("checked_out_at", "pk")
    )
    borrowings = []
    for loan in loans:
        record = loan.item.record
        authors = record.authors if isinstance(record.authors, list) else []
        borrowings.append(
            Borrowing(
                when=timezone.localtime(loan.checked_out_at),
                title=record.title,
                authors=tuple(str(author) for author in authors if author),
                clc_top=record.clc_top,
                branch=loan.checkout_org.name,
                record_id=record.pk,
            )
        )
    return borrowings


def reader_shares(patron: Patron) -> dict[int, ReadingReportShare]:
    """The reader's shared reports by year."""
    return {share.year: share for share in ReadingReportShare.objects.filter(patron=patron)}


def shared_report(token: str) -> ReadingReportShare | None:
    """The shared report at this address, if it is still shared.

    Also None once the reader no longer keeps a reading history or has deleted their
    account: the public page must not outlive the consent, even if a share row was left
    behind by a path that did not remove it.
    """
    if not token:
        return None
    return (
        ReadingReportShare.objects.filter(
            token=token, patron__keeps_history=True, patron__deleted_at__isnull=True
        )
        .only("token", "year", "snapshot", "updated_at")
        .first()
    )
