"""What the event services share: finding and locking an event, the unit by code, and
keeping an event's counters true."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from wenjin.events import policies
from wenjin.events.models import AttendanceCount, Event, Registration, RegistrationStatus
from wenjin.lib.errors import NotFound
from wenjin.network.models import OrgUnit
from wenjin.network.selectors import get_unit


def event_by_id(event_id: int, *, lock: bool = False) -> Event:
    events = Event.objects.select_related("org_unit", "venue", "series")
    if lock:
        events = events.select_for_update(of=("self",))
    event = events.filter(pk=event_id).first()
    if event is None:
        raise NotFound("EVENT_NOT_FOUND", _("There is no such event."))
    return event


def unit_by_code(code: str) -> OrgUnit:
    return get_unit((code or "").strip())


def recount(event: Event) -> None:
    """Set the event's counters from its rows (call with the event locked) and save them."""
    by_status = event.registrations.aggregate(
        seats=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
        waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
        came=Count("pk", filter=Q(checked_in_at__isnull=False)),
    )
    counted = AttendanceCount.objects.filter(event=event).aggregate(total=Sum("count"))["total"]
    event.seats_taken = by_status["seats"]
    event.waitlisted = by_status["waiting"]
    event.checked_in = by_status["came"]
    event.counted = counted or 0
    event.attendance = policies.attendance_figure(
        event.attendance_total, event.checked_in, event.counted
    )
    event.save(
        update_fields=[
            "seats_taken",
            "waitlisted",
            "checked_in",
            "counted",
            "attendance",
            "updated_at",
        ]
    )


def waiting_list(event: Event) -> list[Registration]:
    return list(
        Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED).order_by(
            "registered_at", "pk"
        )
    )
