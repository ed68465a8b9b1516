"""The daily job's share of remote self-registration: spent codes are deleted, online
registrations no desk confirmed in time lapse (their personal data erased), and decided
ones go after a while."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.services import audit_record
from wenjin.lib import crypto
from wenjin.patrons.models import PendingRegistration, PendingStatus, PhoneVerification
from wenjin.patrons.services.pending import erase_pending_details
from wenjin.patrons.services.phone_codes import text_quietly

# A code is kept a day past its expiry (for looking into complaints), then deleted.
CODES_KEPT_FOR = timedelta(days=1)
# An online registration waits this long for the reader to show their document at a desk.
PENDING_DAYS = 30
# A decided registration (its details already erased) stays this long for questions at
# the desk, then goes; the audit log keeps the decision.
DECIDED_KEPT_DAYS = 90


def remote_housekeeping(on: date) -> dict[str, int]:
    """Delete codes that expired over a day before ``on``; lapse registrations waiting
    more than ``PENDING_DAYS`` (the reader is told by text, the data erased)."""
    start_of_day = timezone.make_aware(datetime.combine(on, time()))
    _total, by_model = PhoneVerification.objects.filter(
        expires_at__lt=start_of_day - CODES_KEPT_FOR
    ).delete()
    codes = by_model.get(PhoneVerification._meta.label, 0)
    lapsed = 0
    cutoff = start_of_day - timedelta(days=PENDING_DAYS)
    system = Actor.system("daily")
    waiting = PendingRegistration.objects.filter(
        status=PendingStatus.PENDING, created_at__lt=cutoff
    ).values_list("pk", flat=True)
    for pending_id in list(waiting):
        with transaction.atomic():
            pending = (
                PendingRegistration.objects.select_for_update()
                .filter(pk=pending_id, status=PendingStatus.PENDING)
                .select_related("home_org")
                .first()
            )
            if pending is None:  # a desk decided it meanwhile
                continue
            phone = crypto.decrypt(pending.phone_encrypted)
            pending.status = PendingStatus.REJECTED
            pending.decided_at = timezone.now()
            pending.reason = "lapsed"
            erase_pending_details(pending)
            pending.save()
            audit_record(system, "patron.pending_lapse", org_unit=pending.home_org, target=pending)
        lapsed += 1
        text_quietly(
            phone,
            _(
                "Wenjin library: your registration %(reference)s was not confirmed at a desk "
                "within %(days)d days and has lapsed. You are welcome to register again."
            )
            % {"reference": pending.reference, "days": PENDING_DAYS},
        )
    _total, by_model = (
        PendingRegistration.objects.exclude(status=PendingStatus.PENDING)
        .filter(decided_at__lt=start_of_day - timedelta(days=DECIDED_KEPT_DAYS))
        .delete()
    )
    decided = by_model.get(PendingRegistration._meta.label, 0)
    return {
        "codes_deleted": codes,
        "registrations_lapsed": lapsed,
        "registrations_deleted": decided,
    }
