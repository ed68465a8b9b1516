"""Readers' places at events: registering (a seat or the waiting list), cancelling (the
first waiting reader moves up), and checking in at the door by card or QR ticket.

Every change locks the event's row first, so two readers taking the last seat at once
are served one after the other: one gets the seat, the other the waiting list."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import audit_record
from wenjin.events import notify, policies
from wenjin.events.models import (
    ACTIVE_REGISTRATION_STATUSES,
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from wenjin.events.services.common import event_by_id, recount, waiting_list
from wenjin.lib.errors import Conflict, NotFound
from wenjin.patrons.models import CardStatus, Patron
from wenjin.patrons.services.common import card_by_barcode

# What a QR ticket says: a prefix, so a scanner's text is told apart from a card number.
TICKET_PREFIX = "WJEV:"

_STATE_MESSAGES = {
    policies.RegistrationState.NOT_REQUIRED: (
        "EVENT_NO_REGISTRATION",
        gettext_lazy("This event needs no registration: just come."),
    ),
    policies.RegistrationState.NOT_YET: (
        "EVENT_REGISTRATION_NOT_OPEN",
        gettext_lazy("Registration has not opened yet."),
    ),
    policies.RegistrationState.CLOSED: (
        "EVENT_REGISTRATION_CLOSED",
        gettext_lazy("Registration has closed."),
    ),
    policies.RegistrationState.UNAVAILABLE: (
        "EVENT_NOT_OPEN",
        gettext_lazy("This event is not open for registration (it is a draft, cancelled or over)."),
    ),
}


def registration_state(event: Event, now: datetime) -> str:
    """Whether a reader can register for the event now (a ``RegistrationState``): the one
    answer the services act on and the pages show."""
    window = policies.Window(
        status=event.status,
        takes_registrations=event.registration_required,
        starts_at=event.starts_at,
        opens_at=event.registration_opens_at,
        closes_at=event.registration_closes_at,
    )
    return policies.registration_state(window, now)


def _require_open(event: Event, now: datetime) -> None:
    state = registration_state(event, now)
    if state != policies.RegistrationState.OPEN:
        code, text = _STATE_MESSAGES[state]
        raise Conflict(code, str(text))


def _require_card_in_good_standing(patron: Patron) -> None:
    if not patron.cards.filter(status=CardStatus.ACTIVE).exists():
        raise Conflict(
            "PATRON_CARD_NOT_ACTIVE",
            _("The reader's card is not active (expired, blocked or lost)."),
        )


def _require_under_limit(patron: Patron, now: datetime) -> None:
    limit = settings.WENJIN_EVENT_REGISTRATIONS_PER_READER
    upcoming = Registration.objects.filter(
        patron=patron, status__in=ACTIVE_REGISTRATION_STATUSES, event__ends_at__gte=now
    ).count()
    if upcoming >= limit:
        raise Conflict(
            "EVENT_REGISTRATION_LIMIT",
            _("A reader may hold at most %(limit)d registrations for coming events.")
            % {"limit": limit},
            details={"limit": limit},
        )


def queue_position(registration: Registration) -> int:
    """1 = next to move up; 0 for a confirmed (or cancelled) registration."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return 0
    ahead = Registration.objects.filter(
        event_id=registration.event_id,
        status=RegistrationStatus.WAITLISTED,
        registered_at__lte=registration.registered_at,
    ).exclude(registered_at=registration.registered_at, pk__gt=registration.pk)
    return ahead.count()


def promote_waiting(event: Event, now: datetime | None = None) -> list[int]:
    """Move waiting readers up into free seats (the event locked); until the event
    starts only. Returns the registrations that moved up."""
    now = now or timezone.now()
    if event.status != EventStatus.PUBLISHED or now >= event.starts_at:
        return []
    waiting = waiting_list(event)
    count = policies.seats_to_fill(event.capacity, event.seats_taken, len(waiting))
    promoted = [registration.pk for registration in waiting[:count]]
    if promoted:
        Registration.objects.filter(pk__in=promoted).update(
            status=RegistrationStatus.CONFIRMED, promoted_at=now
        )
        recount(event)
    return promoted


def _audit(actor: Actor, action: str, registration: Registration, **changes: object) -> None:
    audit_record(
        actor,
        action,
        org_unit=registration.event.org_unit,
        target=registration,
        changes={"event": registration.event_id, "patron": registration.patron_id, **changes},
    )


def _desk(actor: Actor, event: Event, via: str) -> None:
    # Readers act for themselves through the portal (the system actor); staff need the
    # events desk permission where the event is organised.
    if via != "opac":
        actor.require(Perm.EVENTS_DESK, event.org_unit)


def registration_create(
    *, actor: Actor, event_id: int, patron: Patron, via: str, now: datetime | None = None
) -> Registration:
    """Register a reader: a seat while there is one, the waiting list after that."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            event = event_by_id(event_id, lock=True)
            _desk(actor, event, via)
            _require_open(event, now)
            _require_card_in_good_standing(patron)
            already = Registration.objects.filter(
                event=event, patron=patron, status__in=ACTIVE_REGISTRATION_STATUSES
            ).first()
            if already is not None:
                raise Conflict(
                    "EVENT_ALREADY_REGISTERED",
                    _("The reader is already registered for this event."),
                    details={"status": already.status},
                )
            _require_under_limit(patron, now)
            seat = policies.takes_seat(event.capacity, event.seats_taken)
            registration = Registration.objects.create(
                event=event,
                patron=patron,
                status=RegistrationStatus.CONFIRMED if seat else RegistrationStatus.WAITLISTED,
                registered_at=now,
                via=via,
            )
            recount(event)
            registration.event = event
            _audit(actor, "event.register", registration, status=registration.status)
            return registration
    except IntegrityError as error:
        # Only the one-active-registration constraint can clash here.
        raise Conflict(
            "EVENT_ALREADY_REGISTERED", _("The reader is already registered for this event.")
        ) from error


def active_registration(event_id: int, patron: Patron) -> Registration:
    registration = (
        Registration.objects.filter(
            event_id=event_id, patron=patron, status__in=ACTIVE_REGISTRATION_STATUSES
        )
        .select_related("event", "event__org_unit")
        .first()
    )
    if registration is None:
        raise NotFound(
            "EVENT_REGISTRATION_NOT_FOUND", _("The reader is not registered for this event.")
        )
    return registration


@transaction.atomic
def registration_cancel(
    *,
    actor: Actor,
    event_id: int,
    patron: Patron,
    via: str,
    now: datetime | None = None,
    registration_id: int | None = None,
) -> Registration:
    """Cancel a reader's registration; a seat it frees goes to the first waiting reader,
    who is told. With ``registration_id`` (a page listing registrations), only that one:
    a stale page never cancels the reader's newer registration."""
    now = now or timezone.now()
    event = event_by_id(event_id, lock=True)
    _desk(actor, event, via)
    registration = active_registration(event_id, patron)
    if registration_id is not None and registration.pk != registration_id:
        raise NotFound(
            "EVENT_REGISTRATION_NOT_FOUND", _("This registration has already been cancelled.")
        )
    if registration.checked_in_at is not None:
        raise Conflict("EVENT_ALREADY_CHECKED_IN", _("The reader has already been checked in."))
    if now >= event.starts_at and via == "opac":
        raise Conflict(
            "EVENT_STARTED", _("The event has started: registrations can no longer be cancelled.")
        )
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    recount(event)
    promoted = promote_waiting(event, now)
    registration.event = event
    _audit(actor, "event.unregister", registration, promoted=promoted)
    notify.after_commit(notify.EVENT_PROMOTED, promoted)
    return registration


def _patron_for_code(event: Event, code: str) -> tuple[Patron, Registration | None]:
    """The reader behind a scanned card number or QR ticket, and their registration."""
    code = (code or "").strip()
    if code.upper().startswith(TICKET_PREFIX):
        ticket = code[len(TICKET_PREFIX) :]
        registration = Registration.objects.filter(ticket=ticket).select_related("patron").first()
        if registration is None:
            raise NotFound("EVENT_TICKET_NOT_FOUND", _("This ticket is not valid."))
        if registration.event_id != event.pk:
            raise Conflict("EVENT_TICKET_OTHER_EVENT", _("This ticket is for another event."))
        if registration.status not in ACTIVE_REGISTRATION_STATUSES:
            raise Conflict("EVENT_REGISTRATION_CANCELLED", _("This registration was cancelled."))
        return registration.patron, registration
    card = card_by_barcode(code)
    registration = Registration.objects.filter(
        event=event, patron=card.patron, status__in=ACTIVE_REGISTRATION_STATUSES
    ).first()
    return card.patron, registration


@transaction.atomic
def checkin(*, actor: Actor, event_id: int, code: str, now: datetime | None = None) -> Registration:
    """Check a reader in at the door by card number or QR ticket. A reader without a
    registration comes in as a walk-in while seats remain; a waiting reader takes a seat
    that is free; checking in twice is refused, saying when the first was."""
    now = now or timezone.now()
    event = event_by_id(event_id, lock=True)
    actor.require(Perm.EVENTS_DESK, event.org_unit)
    if event.status not in (EventStatus.PUBLISHED, EventStatus.FINISHED):
        raise Conflict("EVENT_NOT_OPEN", _("This event is not taking place (draft or cancelled)."))
    if not policies.checkin_open(event.starts_at, event.ends_at, now):
        raise Conflict(
            "EVENT_CHECKIN_CLOSED",
            _("Check-in runs from two hours before the start until the end of the event."),
        )
    patron, registration = _patron_for_code(event, code)
    if registration is not None and registration.checked_in_at is not None:
        raise Conflict(
            "EVENT_ALREADY_CHECKED_IN",
            _("Already checked in at %(time)s.")
            % {"time": timezone.localtime(registration.checked_in_at).strftime("%H:%M")},
            details={"checked_in_at": registration.checked_in_at.isoformat()},
        )
    needs_seat = registration is None or registration.status == RegistrationStatus.WAITLISTED
    if needs_seat and not policies.takes_seat(event.capacity, event.seats_taken):
        if registration is not None:
            raise Conflict(
                "EVENT_WAITLISTED", _("The reader is on the waiting list and no seat is free.")
            )
        raise Conflict("EVENT_FULL", _("The event is full."))
    if registration is None:
        registration = Registration.objects.create(
            event=event,
            patron=patron,
            status=RegistrationStatus.CONFIRMED,
            registered_at=now,
            walk_in=True,
            via="desk",
        )
    registration.status = RegistrationStatus.CONFIRMED
    registration.checked_in_at = now
    registration.no_show = False
    registration.save(update_fields=["status", "checked_in_at", "no_show"])
    recount(event)
    registration.event = event
    _audit(actor, "event.checkin", registration, walk_in=registration.walk_in)
    return registration


def registration_for_reader(event: Event, patron: Patron) -> Registration | None:
    """The reader's active registration for an event, if any."""
    return Registration.objects.filter(
        event=event, patron=patron, status__in=ACTIVE_REGISTRATION_STATUSES
    ).first()
