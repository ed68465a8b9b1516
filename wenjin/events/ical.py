"""iCalendar (RFC 5545) feeds of the public events: the network's, a library's (with the
libraries below it) and one event's, built with the ``icalendar`` package.

A feed holds the events from a month ago to a year ahead, so a calendar app subscribed
to it shows recent and coming events without the whole archive. Cancelled events stay in
it with ``STATUS:CANCELLED``: a subscriber's calendar then strikes them out instead of
silently keeping a session that will not happen. Each event's UID is made from its
primary key and the site's configured host (``WENJIN_BASE_URL``), so it stays the same
whichever address the feed was fetched from and a calendar app updates rather than
duplicates it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from wenjin.events.models import Event, EventKind, EventStatus

# The feed's window around now.
FEED_PAST = timedelta(days=30)
FEED_AHEAD = timedelta(days=365)
# Events readers may see in a feed (drafts never).
FEED_STATUSES = (EventStatus.PUBLISHED, EventStatus.FINISHED, EventStatus.CANCELLED)
PRODID = "-//Wenjin//Wenjin library services events//ZH"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def feed_events(org_path: str = "", now: datetime | None = None) -> QuerySet[Event]:
    """The events a feed lists: not drafts, running at some time from ``FEED_PAST`` ago to
    ``FEED_AHEAD`` from now, organised in the subtree at ``org_path`` (all when empty)."""
    now = now or timezone.now()
    found = Event.objects.select_related("org_unit", "venue", "venue__org_unit", "series").filter(
        status__in=FEED_STATUSES,
        ends_at__gte=now - FEED_PAST,
        starts_at__lte=now + FEED_AHEAD,
    )
    if org_path:
        found = found.filter(org_unit__path__startswith=org_path)
    return found.order_by("starts_at", "pk")


def feed_version(found: QuerySet[Event]) -> str:
    """A short text that changes whenever the feed's content does: how many events it
    holds and the latest change among them (each save of an event stamps it). A feed
    built for one version can be served again until the version moves on."""
    summary = found.aggregate(count=Count("pk"), last=Max("updated_at"))
    last = summary["last"]
    return f"{summary['count']}-{last.timestamp() if last else 0}"


def uid_host() -> str:
    """The host in every UID: the site's configured address, not the request's."""
    return urlsplit(settings.WENJIN_BASE_URL).hostname or "wenjin.invalid"


def event_uid(event: Event, host: str | None = None) -> str:
    return f"event-{event.pk}@{host or uid_host()}"


def location_text(event: Event) -> str:
    """Where the event is, as one line: the venue, its library or its address."""
    venue = event.venue
    if venue is None:
        if event.online:
            return _("Online")
        parts = [event.org_unit.name, event.org_unit.address]
    elif venue.org_unit_id:
        unit = venue.org_unit
        parts = [f"{unit.name} {venue.name}", venue.address or unit.address]
    else:
        parts = [venue.name, venue.address]
    return ", ".join(part for part in parts if part)


def description_text(event: Event) -> str:
    """The event's description with what a calendar entry should also say: that it is
    cancelled and why, its series, the organiser, and the live-stream link."""
    lines: list[str] = []
    if event.status == EventStatus.CANCELLED:
        lines.append(
            _("Cancelled: %(reason)s") % {"reason": event.cancel_reason}
            if event.cancel_reason
            else pgettext("event", "Cancelled")
        )
    if event.description:
        lines.append(event.description)
    if event.series_id:
        lines.append(_("Series: %(name)s") % {"name": event.series.name})
    lines.append(_("Organised by %(library)s") % {"library": event.org_unit.name})
    if event.registration_required and event.status != EventStatus.CANCELLED:
        lines.append(_("Registration is required."))
    if event.online and event.stream_url:
        lines.append(_("Live stream: %(url)s") % {"url": event.stream_url})
    return "\n\n".join(lines)


def event_component(
    event: Event,
    *,
    url: str,
    stamp: datetime,
    host: str | None = None,
    category: str | None = None,
) -> icalendar.Event:
    """One VEVENT for ``event``, whose page is at ``url`` (``category``: the kind's
    name, when the caller has it at hand)."""
    zone = timezone.get_default_timezone()
    entry = icalendar.Event()
    entry.add("uid", event_uid(event, host))
    entry.add("dtstamp", stamp.astimezone(UTC))
    entry.add("dtstart", event.starts_at.astimezone(zone))
    entry.add("dtend", event.ends_at.astimezone(zone))
    entry.add("summary", event.title)
    entry.add("description", description_text(event))
    location = location_text(event)
    if location:
        entry.add("location", location)
    entry.add("url", url)
    entry.add("categories", [category or str(event.get_kind_display())])
    entry.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    entry.add("created", event.created_at.astimezone(UTC))
    entry.add("last-modified", event.updated_at.astimezone(UTC))
    entry.add("transp", "OPAQUE")
    return entry


def calendar_bytes(
    events: Iterable[Event],
    *,
    name: str,
    url_for: Callable[[Event], str],
    now: datetime | None = None,
) -> bytes:
    """A whole VCALENDAR named ``name`` holding ``events`` (``url_for`` gives each event's
    page address), with the time zones its times use, as RFC 5545 bytes: UTF-8, CRLF
    line ends, lines folded at 75 octets."""
    stamp = now or timezone.now()
    host = uid_host()
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    # Subscribed calendar apps refresh a feed about this often (RFC 7986 and Apple's).
    calendar.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT6H")
    # The kinds' names once, not a translation lookup per event (a feed has thousands).
    kinds = {code: str(label) for code, label in EventKind.choices}
    for event in events:
        calendar.add_component(
            event_component(
                event, url=url_for(event), stamp=stamp, host=host, category=kinds.get(event.kind)
            )
        )
    calendar.add_missing_timezones()
    return calendar.to_ical()
