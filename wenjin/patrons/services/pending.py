"""The desk's side of remote self-registration: the registrations waiting for a desk to
see the document, confirmed (a card, texted to the reader) or rejected (with a reason),
and their personal data erased once decided."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import audit_record
from wenjin.lib import crypto
from wenjin.lib.errors import Conflict, NotFound, ValidationFailed
from wenjin.patrons.models import PendingRegistration, PendingStatus
from wenjin.patrons.services.phone_codes import text_quietly
from wenjin.patrons.services.registration import Registration, register
from wenjin.patrons.services.remote import card_message


def pending_list(actor: Actor) -> QuerySet[PendingRegistration]:
    """The registrations waiting at libraries where ``actor`` may register readers."""
    waiting = PendingRegistration.objects.filter(status=PendingStatus.PENDING).select_related(
        "home_org"
    )
    paths = actor.scope(Perm.PATRONS_EDIT)
    if paths is None:
        return waiting
    if not paths:
        return waiting.none()
    condition = Q()
    for path in paths:
        condition |= Q(home_org__path__startswith=path)
    return waiting.filter(condition)


def _pending_for_decision(actor: Actor, pending_id: int) -> PendingRegistration:
    pending = (
        PendingRegistration.objects.select_for_update()
        .select_related("home_org")
        .filter(pk=pending_id)
        .first()
    )
    if pending is None:
        raise NotFound("PENDING_NOT_FOUND", _("There is no such registration."))
    actor.require(Perm.PATRONS_EDIT, pending.home_org)
    if pending.status != PendingStatus.PENDING:
        raise Conflict(
            "PENDING_DECIDED", _("This registration has already been confirmed or rejected.")
        )
    return pending


def erase_pending_details(pending: PendingRegistration) -> None:
    """Decided: the personal data is not kept here any longer. The masked numbers stay,
    so the decision can still be told apart in the audit log; a confirmed one points at
    the reader."""
    pending.name = ""
    pending.identity_encrypted = ""
    pending.identity_hash = ""
    pending.phone_encrypted = ""
    pending.address = ""
    pending.birth_date = None
    pending.guardian_barcode = ""


def pending_confirm(*, actor: Actor, pending_id: int) -> Registration:
    """A desk has seen the document: register the reader (every check of ``register``
    runs again) and text them the card number and PIN."""
    with transaction.atomic():
        pending = _pending_for_decision(actor, pending_id)
        phone = crypto.decrypt(pending.phone_encrypted)
        registration = register(
            actor=actor,
            name=pending.name,
            identity_type=pending.identity_type,
            identity_number=crypto.decrypt(pending.identity_encrypted),
            phone=phone,
            home_org_code=pending.home_org.code,
            local_residence=pending.local_residence,
            guardian_barcode=pending.guardian_barcode or None,
            address=pending.address,
            birth_date=pending.birth_date,
        )
        pending.status = PendingStatus.CONFIRMED
        pending.decided_at = timezone.now()
        pending.decided_by = actor.user
        pending.patron = registration.patron
        erase_pending_details(pending)
        pending.save()
        audit_record(
            actor,
            "patron.pending_confirm",
            org_unit=pending.home_org,
            target=pending,
            changes={"card": registration.card.barcode},
        )
    text_quietly(phone, card_message(registration))
    return registration


def pending_reject(*, actor: Actor, pending_id: int, reason: str) -> PendingRegistration:
    """Refuse a pending registration, with the reason the reader is told by text."""
    reason = " ".join((reason or "").split())[:200]
    if not reason:
        raise ValidationFailed(_("Give a reason."), fields={"reason": ""})
    with transaction.atomic():
        pending = _pending_for_decision(actor, pending_id)
        phone = crypto.decrypt(pending.phone_encrypted)
        pending.status = PendingStatus.REJECTED
        pending.decided_at = timezone.now()
        pending.decided_by = actor.user
        pending.reason = reason
        erase_pending_details(pending)
        pending.save()
        audit_record(
            actor,
            "patron.pending_reject",
            org_unit=pending.home_org,
            target=pending,
            changes={"reason": reason},
        )
    text_quietly(
        phone,
        _(
            "Wenjin library: your registration %(reference)s was not accepted: %(reason)s. "
            "Please ask at a library desk."
        )
        % {"reference": pending.reference, "reason": reason},
    )
    return pending
