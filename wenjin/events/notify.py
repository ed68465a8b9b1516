"""Telling readers about their events through the notice channels: a cancelled event,
a seat that came free for a waiting reader, and the day-before reminder.

Changes announce themselves only after they commit (``after_commit``), through the task
queue, so a rolled-back change is never announced and a slow SMS gateway never holds a
desk up. Each notice is keyed by kind and registration: it goes out once."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from wenjin.events.models import EventStatus, Registration, RegistrationStatus
from wenjin.notices.models import Notice, NoticeKind

logger = logging.getLogger("wenjin.events")

EVENT_CANCELLED = NoticeKind.EVENT_CANCELLED
EVENT_PROMOTED = NoticeKind.EVENT_PROMOTED
EVENT_REMINDER = NoticeKind.EVENT_REMINDER


def after_commit(kind: str, registration_ids: Iterable[int]) -> None:
    """Queue one notice per registration once the current transaction commits."""
    ids = list(registration_ids)
    if not ids:
        return

    def queue() -> None:
        from wenjin.events.tasks import send_event_notice

        for registration_id in ids:
            try:
                send_event_notice.enqueue(str(kind), registration_id)
            except Exception:  # a queue problem must not fail the change that committed
                logger.exception("%s notice for registration %s failed", kind, registration_id)

    transaction.on_commit(queue)


def _context(registration: Registration) -> dict[str, Any]:
    event = registration.event
    return {
        "title": event.title,
        "starts_at": timezone.localtime(event.starts_at),
        "place": event.venue.name if event.venue_id else "",
        "organiser": event.org_unit,
        "reason": event.cancel_reason,
    }


def event_notice(kind: str, registration_id: int) -> Notice | None:
    """Send one event notice (nothing when it was sent before or the reader is gone)."""
    from wenjin.notices.services import notice_send

    registration = (
        Registration.objects.filter(pk=registration_id, patron__deleted_at=None)
        .select_related("event", "event__venue", "event__org_unit", "patron", "patron__home_org")
        .first()
    )
    if registration is None:
        return None
    return notice_send(
        patron=registration.patron,
        kind=kind,
        dedupe_key=f"{kind}:registration:{registration.pk}",
        context=_context(registration),
    )


def event_reminders(on: date | None = None) -> int:
    """The daily job: remind readers holding a seat at an event that starts tomorrow."""
    on = on or timezone.localdate()
    tomorrow = on + timedelta(days=1)
    registrations = Registration.objects.filter(
        status=RegistrationStatus.CONFIRMED,
        event__status=EventStatus.PUBLISHED,
        event__starts_at__date=tomorrow,
    ).values_list("pk", flat=True)
    sent = 0
    for registration_id in registrations.iterator():
        try:
            sent += event_notice(EVENT_REMINDER, registration_id) is not None
        except Exception:
            logger.exception("event reminder for registration %s failed", registration_id)
    return sent
