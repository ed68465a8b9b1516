"""Reads about events: filtered lists (public and staff), a month or week of the
calendar, one event with what a reader or the desk needs, and a reader's
registrations. Lists read the counters kept on ``Event``; they never count
registrations row by row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from wenjin.events import policies
from wenjin.events.models import (
    ACTIVE_REGISTRATION_STATUSES,
    Event,
    EventStatus,
    Registration,
)

# What readers see: published events, and cancelled ones so a registered reader learns of
# it (drafts stay in the staff pages).
PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.FINISHED, EventStatus.CANCELLED)


@dataclass(frozen=True)
class EventFilter:
    """A list's filters: the organiser's subtree (a unit's path), kind, audience, and the
    days an event must touch (``since``/``until`` inclusive, local dates)."""

    org_path: str = ""
    kind: str = ""
    audience: str = ""
    since: date | None = None
    until: date | None = None
    statuses: tuple[str, ...] = PUBLIC_STATUSES
    text: str = ""
    series_id: int | None = None


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(policies.clamp_day(day), time.min))


def _base() -> QuerySet[Event]:
    return Event.objects.select_related("org_unit", "venue", "series")


def events(criteria: EventFilter) -> QuerySet[Event]:
    """Events matching the filter, by start time. An event counts for a day range when it
    runs on any day of it (a six-week exhibition shows in each of its weeks)."""
    found = _base().filter(status__in=criteria.statuses)
    if criteria.org_path:
        found = found.filter(org_unit__path__startswith=criteria.org_path)
    if criteria.kind:
        found = found.filter(kind=criteria.kind)
    if criteria.audience:
        found = found.filter(audiences__contains=f",{criteria.audience},")
    if criteria.since:
        found = found.filter(ends_at__gte=day_start(criteria.since))
    if criteria.until:
        following = policies.clamp_day(criteria.until) + timedelta(days=1)
        found = found.filter(starts_at__lt=day_start(following))
    if criteria.series_id:
        found = found.filter(series_id=criteria.series_id)
    if criteria.text:
        found = found.filter(
            Q(title__icontains=criteria.text) | Q(series__name__icontains=criteria.text)
        )
    return found.order_by("starts_at", "pk")


def upcoming(org_path: str = "", limit: int = 6, now: datetime | None = None) -> list[Event]:
    """Published events still to come, soonest first (the home page). Exhibitions that
    opened weeks ago would otherwise fill every place; they are on the events page."""
    now = now or timezone.now()
    found = _base().filter(status=EventStatus.PUBLISHED, starts_at__gte=now)
    if org_path:
        found = found.filter(org_unit__path__startswith=org_path)
    return list(found.order_by("starts_at", "pk")[:limit])


def month_days(year: int, month: int) -> tuple[date, date]:
    """The first and last day of a month."""
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def event_by_id(event_id: int, *, public: bool = False) -> Event | None:
    found = _base().filter(pk=event_id)
    if public:
        found = found.filter(status__in=PUBLIC_STATUSES)
    return found.prefetch_related("partners").first()


def registrations(event: Event) -> QuerySet[Registration]:
    """Everyone registered or waiting (and who cancelled), in queue order."""
    return (
        Registration.objects.filter(event=event)
        .select_related("patron")
        .order_by("status", "registered_at", "pk")
    )


def reader_registrations(patron_id: int, *, past: bool = False) -> QuerySet[Registration]:
    """A reader's registrations: coming (and running) ones, or past ones, newest first."""
    now = timezone.now()
    found = Registration.objects.filter(patron_id=patron_id).select_related(
        "event", "event__venue", "event__org_unit"
    )
    if past:
        return found.filter(event__ends_at__lt=now).order_by("-event__starts_at")
    return found.filter(event__ends_at__gte=now, status__in=ACTIVE_REGISTRATION_STATUSES).order_by(
        "event__starts_at"
    )
