"""A reader's events in their own data copy, and what deleting a reader does to their
registrations (called by the readers' privacy services)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from wenjin.events import notify
from wenjin.events.models import ACTIVE_REGISTRATION_STATUSES, Registration
from wenjin.events.services.common import event_by_id, recount
from wenjin.events.services.registrations import promote_waiting


def reader_events_export(patron_id: int) -> list[dict[str, Any]]:
    """Every registration of the reader: the event, its time and what happened."""
    found = Registration.objects.filter(patron_id=patron_id).select_related("event")
    return [
        {
            "event": registration.event.title,
            "starts_at": registration.event.starts_at.isoformat(),
            "status": registration.status,
            "registered_at": registration.registered_at.isoformat(),
            "checked_in_at": (
                registration.checked_in_at.isoformat() if registration.checked_in_at else None
            ),
            "no_show": registration.no_show,
        }
        for registration in found.order_by("registered_at", "pk")
    ]


def reader_events_forget(patron_id: int) -> int:
    """A deleted reader's places at coming events are given up (waiting readers move up);
    past registrations stay with the anonymous reader row, so attendance figures stand.
    Call inside the deletion's transaction; returns how many were cancelled."""
    now = timezone.now()
    coming = Registration.objects.filter(
        patron_id=patron_id, status__in=ACTIVE_REGISTRATION_STATUSES, event__starts_at__gt=now
    ).values_list("event_id", flat=True)
    cancelled = 0
    for event_id in sorted(set(coming)):
        event = event_by_id(event_id, lock=True)
        cancelled += Registration.objects.filter(
            event=event, patron_id=patron_id, status__in=ACTIVE_REGISTRATION_STATUSES
        ).update(status="cancelled", cancelled_at=now)
        recount(event)
        notify.after_commit(notify.EVENT_PROMOTED, promote_waiting(event, now))
    return cancelled
