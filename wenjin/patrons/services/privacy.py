"""Personal data: audited reveals of full numbers, the reader's own copy, deletion."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import audit_record
from wenjin.lib import crypto
from wenjin.lib.errors import Conflict, ValidationFailed
from wenjin.network.selectors import get_unit
from wenjin.patrons.models import (
    LIVE_CARD_STATUSES,
    CardStatus,
    Patron,
)
from wenjin.patrons.services.common import (
    _event,
    card_by_barcode,
    forget_reading_history,
    guardian_barcode,
    refuse_while_borrowing,
)


def reveal(*, actor: Actor, barcode: str, field: str) -> str:
    """The full identity or phone number, for roles allowed to see it; every reveal is in
    the audit log."""
    if field not in ("identity", "phone"):
        raise ValidationFailed(
            _("Only identity and phone can be revealed."), fields={"field": field}
        )
    card = card_by_barcode(barcode)
    actor.require(Perm.PATRONS_REVEAL, card.patron.home_org)
    stored = card.patron.identity_encrypted if field == "identity" else card.patron.phone_encrypted
    with transaction.atomic():
        audit_record(
            actor,
            "patron.reveal",
            org_unit=card.patron.home_org,
            target=card.patron,
            changes={"field": field},
        )
    return crypto.decrypt(stored)


def export_data(patron: Patron) -> dict[str, Any]:
    """Everything held about a reader, decrypted, for the reader's own copy (PIPL)."""
    return {
        "name": patron.name,
        "category": patron.category.code,
        "home_library": patron.home_org.code,
        "identity_type": patron.identity_type,
        "identity_number": crypto.decrypt(patron.identity_encrypted),
        "birth_date": patron.birth_date.isoformat() if patron.birth_date else None,
        "phone": crypto.decrypt(patron.phone_encrypted),
        "address": patron.address,
        "local_residence": patron.local_residence,
        "keeps_history": patron.keeps_history,
        "registered_at": patron.registered_at.isoformat(),
        "guardian_card": guardian_barcode(patron),
        "cards": [
            {
                "barcode": card.barcode,
                "status": card.status,
                "issued_on": card.issued_on.isoformat(),
                "expires_on": card.expires_on.isoformat(),
                "events": [
                    {"action": e.action, "status": e.status, "at": e.at.isoformat()}
                    for e in card.events.all()
                ],
            }
            for card in patron.cards.order_by("issued_on", "pk")
        ],
        "loans": _loans_for_export(patron),
        "credit": {
            "score": patron.credit_score,
            "deposit_held": str(patron.deposit_held),
            "events": [
                {
                    "on": e.on.isoformat(),
                    "change": e.change,
                    "score_after": e.score_after,
                    "reason": e.reason,
                    "note": e.note,
                }
                for e in patron.credit_events.order_by("at", "pk")
            ],
        },
        "category_changes": [
            {"from": c.old.code, "to": c.new.code, "at": c.at.isoformat(), "reason": c.reason}
            for c in patron.category_changes.select_related("old", "new").order_by("at")
        ],
        **_fees_and_notices_for_export(patron),
        "event_registrations": _events_for_export(patron),
    }


def _events_for_export(patron: Patron) -> list[dict[str, Any]]:
    from wenjin.events.privacy import reader_events_export  # events build on readers

    return reader_events_export(patron.pk)


def _fees_and_notices_for_export(patron: Patron) -> dict[str, Any]:
    # Circulation and notices build on readers; asked here, late, to keep imports one-way.
    from wenjin.circulation.models import Fee, Payment
    from wenjin.notices.models import Notice, ReaderContact

    contact = ReaderContact.objects.filter(patron=patron).first()
    return {
        "fees": [
            {
                "kind": fee.kind,
                "amount": str(fee.amount),
                "balance": str(fee.balance),
                "status": fee.status,
                "charged_at": fee.charged_at.isoformat(),
            }
            for fee in Fee.objects.filter(patron=patron).order_by("charged_at", "pk")
        ],
        "payments": [
            {"amount": str(p.amount), "method": p.method, "at": p.at.isoformat()}
            for p in Payment.objects.filter(patron=patron).order_by("at", "pk")
        ],
        "notice_contact": {
            "email": crypto.decrypt(contact.email_encrypted) if contact else "",
            "language": contact.language if contact else "",
        },
        "notices": [
            {
                "kind": n.kind,
                "channel": n.channel,
                "at": n.created_at.isoformat(),
                "subject": n.subject,
            }
            for n in Notice.objects.filter(patron=patron).order_by("created_at", "pk")
        ],
    }


def patron_export(*, actor: Actor, barcode: str) -> dict[str, Any]:
    """The reader's own copy of their data, handed over by staff who may edit the reader;
    every export is in the audit log (it carries the full numbers)."""
    card = card_by_barcode(barcode)
    actor.require(Perm.PATRONS_EDIT, card.patron.home_org)
    with transaction.atomic():
        audit_record(actor, "patron.export", org_unit=card.patron.home_org, target=card.patron)
    return export_data(card.patron)


def _loans_for_export(patron: Patron) -> list[dict[str, Any]]:
    """Open loans, and returned ones when the reader keeps their history."""
    from wenjin.circulation.models import Loan  # circulation builds on readers

    loans = Loan.objects.filter(patron=patron).select_related("item", "item__record")
    return [
        {
            "title": loan.item.record.title,
            "item_barcode": loan.item.barcode,
            "checked_out_at": loan.checked_out_at.isoformat(),
            "due_date": loan.due_date.isoformat(),
            "returned_at": loan.returned_at.isoformat() if loan.returned_at else None,
            "renewals": loan.renewals,
        }
        for loan in loans.order_by("checked_out_at", "pk")
    ]


def patron_delete(*, actor: Actor, barcode: str, org_code: str) -> None:
    """Delete a reader at their home library: the personal data goes, the cards are
    cancelled, and the row stays without the person so anonymous statistics stay whole."""
    with transaction.atomic():
        card = card_by_barcode(barcode, lock=True)
        unit = get_unit(org_code)
        actor.require(Perm.PATRONS_EDIT, unit)
        patron = Patron.objects.select_for_update().get(pk=card.patron_id)
        if unit.pk != patron.home_org_id:
            raise Conflict(
                "NOT_HOME_LIBRARY",
                _("A reader is deleted at their home library, %(unit)s.")
                % {"unit": patron.home_org.name_zh},
            )
        if patron.wards.filter(deleted_at=None).exists():
            raise Conflict(
                "GUARDIAN_OF_READERS",
                _("This reader is the guardian of a child reader: change the guardian first."),
            )
        refuse_while_borrowing(patron)
        forget_reading_history(patron)
        from wenjin.notices.services import reader_notices_forget

        reader_notices_forget(patron)
        from wenjin.events.privacy import reader_events_forget

        reader_events_forget(patron.pk)
        # Staff notes on the credit ledger may describe the person; the changes stay.
        patron.credit_events.exclude(note="").update(note="")
        for live in patron.cards.filter(status__in=LIVE_CARD_STATUSES):
            live.status = CardStatus.CANCELLED
            live.save(update_fields=["status"])
            _event(live, "cancelled", actor, unit, "deleted")
        Patron.objects.filter(pk=patron.pk).update(
            name="",
            identity_encrypted="",
            identity_hash=None,
            identity_masked="",
            birth_date=None,
            phone_encrypted="",
            phone_hash="",
            phone_masked="",
            address="",
            guardian=None,
            family=None,
            keeps_history=False,
            pin_hash="",
            deleted_at=timezone.now(),
        )
        audit_record(actor, "patron.delete", org_unit=unit, changes={"patron_id": patron.pk})
