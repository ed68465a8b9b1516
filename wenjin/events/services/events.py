"""Creating, editing, publishing, duplicating, repeating, cancelling and finishing
events. Every change is checked against the actor's events scope (the organiser's
subtree) and audited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import audit_record
from wenjin.events import notify, policies
from wenjin.events.models import (
    Event,
    EventImage,
    EventSeries,
    EventStatus,
    Registration,
    RegistrationStatus,
    Venue,
)
from wenjin.events.services.common import event_by_id, recount, unit_by_code
from wenjin.lib.errors import Conflict, ValidationFailed
from wenjin.network.models import OrgUnit, Partner

IMAGE_MAX_BYTES = 2 * 1024 * 1024
# Links readers are sent to: web addresses only (never javascript: and the like).
_WEB_ADDRESS = URLValidator(schemes=["http", "https"])
_IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
# Fields copied when an event is duplicated or repeated.
_COPIED = (
    "kind",
    "title",
    "description",
    "series_id",
    "org_unit_id",
    "venue_id",
    "image_id",
    "image_alt",
    "audiences",
    "capacity",
    "registration_required",
    "online",
    "stream_url",
)


@dataclass
class EventDetails:
    """What staff, the API and imports say about an event. ``series`` and ``venue`` are
    names: an unknown one is created under the organiser (a venue as one of its rooms)
    unless ``venue_id`` picks an existing venue. ``registration_required`` None means
    the default: registration when there is a capacity."""

    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    series: str = ""
    venue: str = ""
    venue_id: int | None = None
    venue_address: str = ""
    audiences: Iterable[str] = ()
    capacity: int | None = None
    registration_required: bool | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    online: bool = False
    stream_url: str = ""
    status: str = EventStatus.PUBLISHED
    image_alt: str = ""
    partner_ids: Iterable[int] = field(default_factory=tuple)


def _clean(details: EventDetails) -> dict[str, Any]:
    """Checked field values for an ``Event`` (without organiser, series and venue)."""
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        value = getattr(details, name)
        if value is not None and timezone.is_naive(value):
            setattr(details, name, timezone.make_aware(value))
    fields: dict[str, str] = {}
    title = " ".join((details.title or "").split())
    if not title:
        fields["title"] = _("A title is needed.")
    elif len(title) > policies.TITLE_MAX:
        fields["title"] = _("The title is longer than %(max)d characters.") % {
            "max": policies.TITLE_MAX
        }
    if details.capacity is not None and not 1 <= details.capacity <= policies.CAPACITY_MAX:
        fields["capacity"] = _(
            "Capacity is between 1 and %(max)d (leave it empty for no limit)."
        ) % {"max": policies.CAPACITY_MAX}
    stream_url = (details.stream_url or "").strip()
    if stream_url:
        try:
            _WEB_ADDRESS(stream_url)
        except DjangoValidationError:
            fields["stream_url"] = _("Give a web address starting with http:// or https://.")
    allowed = [EventStatus.DRAFT, EventStatus.PUBLISHED]
    if details.ends_at and details.ends_at < timezone.now():
        allowed.append(EventStatus.FINISHED)  # recording an event already held
    if details.status not in allowed:
        fields["status"] = _(
            "A new or edited event is a draft or published (or finished, once over)."
        )
    if details.online and not details.stream_url and not details.venue and not details.venue_id:
        fields["stream_url"] = _("An online event needs its live-stream link.")
    if fields:
        raise ValidationFailed(_("Check the event's details."), fields=fields, code="EVENT_INVALID")
    kind = policies.parse_kind(details.kind)
    audiences = policies.join_audiences(tuple(details.audiences))
    policies.check_times(
        details.starts_at,
        details.ends_at,
        details.registration_opens_at,
        details.registration_closes_at,
    )
    required = details.registration_required
    return {
        "kind": kind,
        "title": title,
        "description": details.description.strip(),
        "audiences": audiences,
        "starts_at": details.starts_at,
        "ends_at": details.ends_at,
        "capacity": details.capacity,
        "registration_required": details.capacity is not None if required is None else required,
        "registration_opens_at": details.registration_opens_at,
        "registration_closes_at": details.registration_closes_at,
        "online": details.online,
        "stream_url": details.stream_url.strip(),
        "status": details.status,
        "image_alt": details.image_alt.strip(),
    }


def series_for(unit: OrgUnit, name: str) -> EventSeries | None:
    """The organiser's series with this name, created when new; None for no name."""
    name = " ".join((name or "").split())[:150]
    if not name:
        return None
    series, _created = EventSeries.objects.get_or_create(org_unit=unit, name=name)
    return series


def venue_for(
    unit: OrgUnit, name: str, venue_id: int | None = None, address: str = ""
) -> Venue | None:
    """A venue by id, or the organiser's venue with this name (created when new, as one
    of its rooms, or as an outside venue when an address is given)."""
    if venue_id:
        venue = Venue.objects.filter(pk=venue_id).first()
        if venue is None:
            raise ValidationFailed(
                _("There is no such venue."), fields={"venue": _("unknown venue")}
            )
        return venue
    name = " ".join((name or "").split())[:150]
    if not name:
        return None
    outside = bool(address.strip())
    venue, _created = Venue.objects.get_or_create(
        org_unit=None if outside else unit,
        name=name,
        defaults={"address": address.strip()[:200]},
    )
    return venue


def image_store(data: bytes) -> EventImage:
    """Keep an uploaded poster after checking it is a JPEG, PNG or WebP of at most 2 MB."""
    if len(data) > IMAGE_MAX_BYTES:
        raise ValidationFailed(
            _("The image is larger than 2 MB."), fields={"image": _("too large")}
        )
    content_type = next((kind for magic, kind in _IMAGE_SIGNATURES if data.startswith(magic)), "")
    if not content_type and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        content_type = "image/webp"
    if not content_type:
        raise ValidationFailed(
            _("The image must be a JPEG, PNG or WebP file."), fields={"image": _("not an image")}
        )
    return EventImage.objects.create(content_type=content_type, data=data)


def _require_edit(actor: Actor, unit: OrgUnit) -> None:
    actor.require(Perm.EVENTS_EDIT, unit)


def _audit(actor: Actor, action: str, event: Event, changes: dict[str, Any] | None = None) -> None:
    audit_record(actor, action, org_unit=event.org_unit, target=event, changes=changes)


def _partners(ids: Iterable[int]) -> list[Partner]:
    wanted = set(ids)
    partners = list(Partner.objects.filter(pk__in=wanted))
    if len(partners) != len(wanted):
        raise ValidationFailed(
            _("Some co-organisers do not exist."), fields={"partners": _("unknown partner")}
        )
    return partners


@transaction.atomic
def event_create(
    *, actor: Actor, org_code: str, details: EventDetails, image: bytes | None = None
) -> Event:
    """A new event organised by the unit ``org_code``."""
    unit = unit_by_code(org_code)
    _require_edit(actor, unit)
    values = _clean(details)
    event = Event.objects.create(
        org_unit=unit,
        series=series_for(unit, details.series),
        venue=venue_for(unit, details.venue, details.venue_id, details.venue_address),
        image=image_store(image) if image else None,
        created_by=actor.label,
        **values,
    )
    if details.partner_ids:
        event.partners.set(_partners(details.partner_ids))
    _audit(actor, "event.create", event, {"title": event.title, "starts_at": event.starts_at})
    return event


def _changed(event: Event, values: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [getattr(event, name), value]
        for name, value in values.items()
        if getattr(event, name) != value
    }


@transaction.atomic
def event_update(
    *,
    actor: Actor,
    event_id: int,
    details: EventDetails,
    image: bytes | None = None,
    remove_image: bool = False,
) -> Event:
    """Change an event's details. A capacity is never cut below the seats already given;
    a larger one moves waiting readers up at once."""
    from wenjin.events.services.registrations import promote_waiting

    event = event_by_id(event_id, lock=True)
    _require_edit(actor, event.org_unit)
    if event.status in (EventStatus.CANCELLED, EventStatus.FINISHED):
        raise Conflict("EVENT_CLOSED", _("A cancelled or finished event cannot be edited."))
    values = _clean(details)
    if (
        event.status == EventStatus.PUBLISHED
        and values["status"] == EventStatus.DRAFT
        and event.seats_taken + event.waitlisted
    ):
        raise Conflict(
            "EVENT_HAS_REGISTRATIONS",
            _("Readers have registered: cancel the event (they are told) rather than hide it."),
        )
    if values["capacity"] is not None and values["capacity"] < event.seats_taken:
        raise ValidationFailed(
            _("%(count)d readers already hold seats: the capacity cannot be lower.")
            % {"count": event.seats_taken},
            fields={"capacity": _("below the seats taken")},
            code="EVENT_CAPACITY_BELOW_SEATS",
        )
    values["series"] = series_for(event.org_unit, details.series)
    values["venue"] = venue_for(
        event.org_unit, details.venue, details.venue_id, details.venue_address
    )
    if image:
        values["image"] = image_store(image)
    elif remove_image:
        values["image"] = None
    changes = _changed(event, values)
    for name, value in values.items():
        setattr(event, name, value)
    event.save()
    event.partners.set(_partners(details.partner_ids))
    promoted = promote_waiting(event)
    _audit(
        actor, "event.update", event, {name: [str(a), str(b)] for name, (a, b) in changes.items()}
    )
    notify.after_commit(notify.EVENT_PROMOTED, promoted)
    return event


@transaction.atomic
def event_publish(*, actor: Actor, event_id: int) -> Event:
    event = event_by_id(event_id, lock=True)
    _require_edit(actor, event.org_unit)
    if event.status != EventStatus.DRAFT:
        raise Conflict("EVENT_NOT_DRAFT", _("Only a draft can be published."))
    event.status = EventStatus.PUBLISHED
    event.save(update_fields=["status", "updated_at"])
    _audit(actor, "event.publish", event)
    return event


def _copy(event: Event, starts_at: datetime, status: str, actor: Actor) -> Event:
    copy = Event(
        starts_at=starts_at,
        ends_at=starts_at + (event.ends_at - event.starts_at),
        status=status,
        created_by=actor.label,
        **{name: getattr(event, name) for name in _COPIED},
    )
    if event.registration_opens_at:
        copy.registration_opens_at = starts_at - (event.starts_at - event.registration_opens_at)
    if event.registration_closes_at:
        copy.registration_closes_at = starts_at - (event.starts_at - event.registration_closes_at)
    copy.save()
    copy.partners.set(event.partners.all())
    return copy


@transaction.atomic
def event_duplicate(*, actor: Actor, event_id: int, starts_at: datetime | None = None) -> Event:
    """A draft copy of an event (at the same time unless ``starts_at`` is given), to edit
    and publish."""
    event = event_by_id(event_id)
    _require_edit(actor, event.org_unit)
    copy = _copy(event, starts_at or event.starts_at, EventStatus.DRAFT, actor)
    _audit(actor, "event.duplicate", copy, {"from": event.pk})
    return copy


@transaction.atomic
def event_repeat(*, actor: Actor, event_id: int, sessions: int) -> list[Event]:
    """Repeat an event weekly: ``sessions`` more sessions, one a week, in the event's
    series (a series named after the event is made when it has none). A week that
    already has this session is skipped, so repeating twice does not double it."""
    event = event_by_id(event_id, lock=True)
    _require_edit(actor, event.org_unit)
    if event.status == EventStatus.CANCELLED:
        raise Conflict("EVENT_CLOSED", _("A cancelled event cannot be repeated."))
    if event.series_id is None:
        event.series = series_for(event.org_unit, event.title)
        event.save(update_fields=["series", "updated_at"])
    status = EventStatus.DRAFT if event.status == EventStatus.DRAFT else EventStatus.PUBLISHED
    now = timezone.now()
    # A series repeated from an old session gets coming sessions only, never past ones.
    starts = [start for start in policies.weekly_starts(event.starts_at, sessions) if start > now]
    existing = set(
        Event.objects.filter(
            org_unit=event.org_unit, title=event.title, starts_at__in=starts
        ).values_list("starts_at", flat=True)
    )
    copies = [_copy(event, start, status, actor) for start in starts if start not in existing]
    _audit(actor, "event.repeat", event, {"sessions": sessions, "created": [c.pk for c in copies]})
    return copies


@transaction.atomic
def event_cancel(*, actor: Actor, event_id: int, reason: str) -> Event:
    """Cancel an event: every registration is cancelled and every registered or waiting
    reader is told (after the change commits)."""
    reason = " ".join((reason or "").split())[:200]
    if not reason:
        raise ValidationFailed(
            _("Say why the event is cancelled: readers are told."),
            fields={"reason": _("A reason is needed.")},
        )
    event = event_by_id(event_id, lock=True)
    _require_edit(actor, event.org_unit)
    if event.status in (EventStatus.CANCELLED, EventStatus.FINISHED):
        raise Conflict("EVENT_CLOSED", _("This event is already cancelled or finished."))
    now = timezone.now()
    affected = list(
        Registration.objects.filter(
            event=event, status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
        ).values_list("pk", flat=True)
    )
    Registration.objects.filter(pk__in=affected).update(
        status=RegistrationStatus.CANCELLED, cancelled_at=now
    )
    event.status = EventStatus.CANCELLED
    event.cancel_reason = reason
    event.save(update_fields=["status", "cancel_reason", "updated_at"])
    recount(event)
    _audit(actor, "event.cancel", event, {"reason": reason, "registrations": len(affected)})
    notify.after_commit(notify.EVENT_CANCELLED, affected)
    return event


def events_finish(now: datetime | None = None) -> dict[str, int]:
    """The daily job: published events that have ended become finished, and confirmed
    readers who never checked in are recorded as no-shows."""
    now = now or timezone.now()
    with transaction.atomic():
        ended = Event.objects.filter(status=EventStatus.PUBLISHED, ends_at__lt=now)
        no_shows = Registration.objects.filter(
            event__status=EventStatus.PUBLISHED,
            event__ends_at__lt=now,
            status=RegistrationStatus.CONFIRMED,
            checked_in_at__isnull=True,
            no_show=False,
        ).update(no_show=True)
        finished = ended.update(status=EventStatus.FINISHED, updated_at=now)
    return {"finished": finished, "no_shows": no_shows}


def events_daily(on: date) -> dict[str, int]:
    """The daily job's events step: events that ended before the day are finished (with
    their no-shows), and readers of tomorrow's events are reminded."""
    from wenjin.events.notify import event_reminders

    midnight = timezone.make_aware(datetime.combine(on, time.min))
    outcome = events_finish(min(midnight, timezone.now()))
    outcome["reminders"] = event_reminders(on)
    return outcome
