"""Attendance: visitors counted per day (entered by staff, imported, or from a gate
counter) and a total set by hand or by an import. Every change is audited with the
figure it replaced, so a corrected number can always be traced."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import audit_record
from wenjin.events.models import AttendanceCount, AttendanceSource, Event, EventStatus
from wenjin.events.services.common import event_by_id, recount
from wenjin.lib.errors import Conflict, ValidationFailed

# A day count above this is surely a typing slip (the biggest exhibitions see thousands).
MAX_DAY_COUNT = 100_000


def _check_day(event: Event, day: date) -> None:
    first = timezone.localtime(event.starts_at).date()
    last = timezone.localtime(event.ends_at).date()
    if not first <= day <= last:
        raise ValidationFailed(
            _("%(day)s is not a day of this event (%(first)s to %(last)s).")
            % {"day": day, "first": first, "last": last},
            fields={"date": _("outside the event")},
            code="EVENT_DAY_OUTSIDE",
        )
    if day > timezone.localdate():
        raise ValidationFailed(
            _("Visitors cannot be counted for a day still to come."),
            fields={"date": _("in the future")},
            code="EVENT_DAY_FUTURE",
        )


def _check_count(count: int, name: str = "count") -> None:
    if count < 0 or count > MAX_DAY_COUNT:
        raise ValidationFailed(
            _("A count is between 0 and %(max)d.") % {"max": MAX_DAY_COUNT},
            fields={name: _("out of range")},
            code="EVENT_COUNT_RANGE",
        )


def _editable(actor: Actor, event: Event) -> None:
    actor.require(Perm.EVENTS_DESK, event.org_unit)
    if event.status in (EventStatus.DRAFT, EventStatus.CANCELLED):
        raise Conflict(
            "EVENT_NOT_HELD", _("A draft or cancelled event has no attendance to count.")
        )


@transaction.atomic
def attendance_count_set(
    *,
    actor: Actor,
    event_id: int,
    day: date,
    count: int,
    source: str = AttendanceSource.MANUAL,
) -> Event:
    """Set the visitors counted on one day of an event (replacing that day's figure)."""
    event = event_by_id(event_id, lock=True)
    _editable(actor, event)
    _check_day(event, day)
    _check_count(count)
    row = AttendanceCount.objects.filter(event=event, day=day).first()
    before = row.count if row else None
    if row is None:
        row = AttendanceCount(event=event, day=day)
    row.count, row.source, row.updated_by = count, source, actor.label
    row.save()
    recount(event)
    audit_record(
        actor,
        "event.attendance.day",
        org_unit=event.org_unit,
        target=event,
        changes={"date": day.isoformat(), "count": [before, count], "source": source},
    )
    return event


@transaction.atomic
def attendance_total_set(*, actor: Actor, event_id: int, total: int | None, reason: str) -> Event:
    """Set (or with None, clear) the event's attendance total, which replaces the
    check-ins and day counts in the statistics; a reason is required and audited."""
    reason = " ".join((reason or "").split())[:200]
    if not reason:
        raise ValidationFailed(
            _("Say why the attendance is corrected."),
            fields={"reason": _("A reason is needed.")},
        )
    event = event_by_id(event_id, lock=True)
    _editable(actor, event)
    if total is not None:
        _check_count(total, "total")
    before = event.attendance
    event.attendance_total = total
    event.save(update_fields=["attendance_total", "updated_at"])
    recount(event)
    audit_record(
        actor,
        "event.attendance.total",
        org_unit=event.org_unit,
        target=event,
        changes={"attendance": [before, event.attendance], "total": total, "reason": reason},
    )
    return event
