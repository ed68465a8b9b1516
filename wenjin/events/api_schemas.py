"""Request and response shapes of the events API, and the functions that turn events and
registrations into them. Times go out in local time with their offset (``+08:00``)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db.models import Prefetch
from django.utils import timezone
from ninja import Field, Schema

from wenjin.events.models import Event, Registration
from wenjin.events.services.events import EventDetails
from wenjin.patrons.models import LIVE_CARD_STATUSES, Card

KIND_HELP = "lecture, exhibition, training, reading_promotion or other (Chinese names accepted)"


class VenueOut(Schema):
    name: str
    address: str = Field(description="empty for a room in a library")


class EventOut(Schema):
    id: int
    kind: str
    title: str
    series: str | None = Field(description="the series or brand name")
    org_code: str = Field(description="the organising unit")
    org_name: str
    venue: VenueOut | None
    audiences: list[str] = Field(description="audience codes, e.g. children, elderly")
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int | None = Field(description="empty: no limit")
    registration_required: bool
    seats_taken: int
    waitlisted: int
    attendance: int
    status: str = Field(description="draft, published, cancelled or finished")
    online: bool
    stream_url: str


class EventDetailOut(EventOut):
    description: str
    registration_opens_at: dt.datetime | None = Field(description="empty: at once")
    registration_closes_at: dt.datetime | None = Field(description="empty: at the start")
    checked_in: int
    cancel_reason: str
    partners: list[str] = Field(description="co-organisers' names")


class EventIn(Schema):
    org_code: str = Field(max_length=32, description="the organising unit")
    kind: str = Field(max_length=40, description=KIND_HELP)
    title: str = Field(max_length=400)
    description: str = Field("", max_length=20000)
    series: str = Field("", max_length=300, description="a series name; a new one is created")
    venue: str = Field("", max_length=300, description="a venue name; a new one is created")
    venue_address: str = Field(
        "", max_length=200, description="set for a venue outside the libraries"
    )
    audiences: list[str] = Field(default_factory=list, max_length=20)
    starts_at: dt.datetime = Field(description="without an offset: local time")
    ends_at: dt.datetime
    capacity: int | None = Field(None, ge=1, le=100_000, description="empty: no limit")
    registration_required: bool | None = Field(
        None, description="default: required when there is a capacity"
    )
    registration_opens_at: dt.datetime | None = None
    registration_closes_at: dt.datetime | None = None
    online: bool = False
    stream_url: str = Field("", max_length=200)
    status: str = Field("published", max_length=12, description="draft or published")
    partner_ids: list[int] = Field(default_factory=list, max_length=50)

    def details(self) -> EventDetails:
        return EventDetails(
            kind=self.kind,
            title=self.title,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            description=self.description,
            series=self.series,
            venue=self.venue,
            venue_address=self.venue_address,
            audiences=tuple(self.audiences),
            capacity=self.capacity,
            registration_required=self.registration_required,
            registration_opens_at=self.registration_opens_at,
            registration_closes_at=self.registration_closes_at,
            online=self.online,
            stream_url=self.stream_url,
            status=self.status,
            partner_ids=tuple(self.partner_ids),
        )


class CancelIn(Schema):
    reason: str = Field(max_length=400, description="readers are told")


class RegistrationIn(Schema):
    patron_barcode: str = Field(max_length=20)


class RegistrationPlacedOut(Schema):
    registration_id: int
    status: str = Field(description="confirmed or waitlisted")
    position: int = Field(description="0 when confirmed; 1 = next to move up")


class CheckinIn(Schema):
    patron_barcode: str | None = Field(None, max_length=20, description="the reader's card")
    ticket: str | None = Field(
        None, max_length=64, description="the QR code's text (WJEV:…) or the bare ticket code"
    )


class CheckinOut(Schema):
    registration_id: int
    walk_in: bool = Field(description="checked in without registering")
    checked_in_at: dt.datetime
    checked_in: int = Field(description="readers checked in so far")
    attendance: int


class AttendanceIn(Schema):
    date: dt.date = Field(description="a day of the event, not in the future")
    count: int = Field(description="visitors that day; replaces the day's earlier figure")
    source: Literal["manual", "gate"] = Field(
        "manual", description="counted by staff, or sent by a gate counter"
    )


class AttendanceOut(Schema):
    date: dt.date
    count: int
    attendance: int = Field(description="the event's attendance after the change")


class RegistrationOut(Schema):
    id: int
    patron_barcode: str | None = Field(description="the reader's card in use")
    name: str
    status: str = Field(description="confirmed, waitlisted or cancelled")
    position: int = Field(description="place on the waiting list; 0 otherwise")
    registered_at: dt.datetime
    checked_in_at: dt.datetime | None
    walk_in: bool
    no_show: bool


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value) if value else None


def event_out(event: Event) -> dict[str, Any]:
    """A list row (the event with its organiser, venue and series loaded)."""
    venue = event.venue
    return {
        "id": event.pk,
        "kind": event.kind,
        "title": event.title,
        "series": event.series.name if event.series_id else None,
        "org_code": event.org_unit.code,
        "org_name": event.org_unit.name_zh,
        "venue": {"name": venue.name, "address": venue.address} if venue else None,
        "audiences": event.audience_codes,
        "starts_at": _local(event.starts_at),
        "ends_at": _local(event.ends_at),
        "capacity": event.capacity,
        "registration_required": event.registration_required,
        "seats_taken": event.seats_taken,
        "waitlisted": event.waitlisted,
        "attendance": event.attendance,
        "status": event.status,
        "online": event.online,
        "stream_url": event.stream_url,
    }


def event_detail_out(event: Event) -> dict[str, Any]:
    """One event with its description, registration window and co-organisers."""
    return {
        **event_out(event),
        "description": event.description,
        "registration_opens_at": _local(event.registration_opens_at),
        "registration_closes_at": _local(event.registration_closes_at),
        "checked_in": event.checked_in,
        "cancel_reason": event.cancel_reason,
        "partners": [partner.name_zh for partner in event.partners.all()],
    }


def with_live_cards(registrations: Any) -> Any:
    """Registrations with each reader's card in use loaded in one query (``live_cards``)."""
    return registrations.prefetch_related(
        Prefetch(
            "patron__cards",
            queryset=Card.objects.filter(status__in=LIVE_CARD_STATUSES),
            to_attr="live_cards",
        )
    )


def registration_out(registration: Registration, positions: dict[int, int]) -> dict[str, Any]:
    """A row of an event's registrations; ``positions`` maps waiting registrations to
    their place in the queue. Only the card and name: no identity or phone numbers."""
    cards = getattr(registration.patron, "live_cards", [])
    return {
        "id": registration.pk,
        "patron_barcode": cards[0].barcode if cards else None,
        "name": registration.patron.name,
        "status": registration.status,
        "position": positions.get(registration.pk, 0),
        "registered_at": _local(registration.registered_at),
        "checked_in_at": _local(registration.checked_in_at),
        "walk_in": registration.walk_in,
        "no_show": registration.no_show,
    }
