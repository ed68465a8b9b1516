"""Events API (a contract): list, create and read events; register, cancel and check in
readers; record attendance.

Reads need no token. Anonymous callers see published, finished and cancelled events and
never drafts; a caller who sends a valid staff token sees drafts as well. Writes need a
staff token and the events permissions where the event is organised (the services
check them)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.api.core import ERROR_RESPONSES, Page, StaffBearer, paginate
from wenjin.events import policies, selectors
from wenjin.events.api_schemas import (
    KIND_HELP,
    AttendanceIn,
    AttendanceOut,
    CancelIn,
    CheckinIn,
    CheckinOut,
    EventDetailOut,
    EventIn,
    EventOut,
    RegistrationIn,
    RegistrationOut,
    RegistrationPlacedOut,
    event_detail_out,
    event_out,
    registration_out,
    with_live_cards,
)
from wenjin.events.models import Event, EventStatus, RegistrationStatus
from wenjin.events.services import attendance, registrations
from wenjin.events.services import events as event_services
from wenjin.events.services.common import waiting_list
from wenjin.lib.errors import NotFound, ValidationFailed
from wenjin.network.selectors import get_unit
from wenjin.patrons.selectors import patron_by_barcode

router = Router(tags=["events"])

# "?from=2026-03-01&to=2026-03-31" (module-level: "from" is not a Python name).
_FROM_QUERY = Query(None, alias="from", description="first day (YYYY-MM-DD) an event must touch")
_TO_QUERY = Query(None, alias="to", description="last day (YYYY-MM-DD) an event must touch")
_STAFF_STATUSES = (EventStatus.DRAFT, *selectors.PUBLIC_STATUSES)


def _optional_staff(request: HttpRequest) -> Actor | None:
    """The staff actor when the request carries a bearer token, None without one; a token
    that is not valid is refused (401) rather than quietly ignored."""
    return StaffBearer()(request)


def _event(event_id: int, *, public: bool) -> Event:
    event = selectors.event_by_id(event_id, public=public)
    if event is None:
        raise NotFound("EVENT_NOT_FOUND", _("There is no such event."))
    return event


def _desk_event(request: HttpRequest, event_id: int) -> Event:
    """The event, refused (403) unless the caller works its desk: checked before a card
    number is looked up, so the answer tells nothing about readers elsewhere."""
    event = _event(event_id, public=False)
    request.auth.require(Perm.EVENTS_DESK, event.org_unit)
    return event


def _detail(event_id: int) -> dict[str, Any]:
    return event_detail_out(_event(event_id, public=False))


@router.get(
    "/events",
    auth=None,
    response={200: Page[EventOut], **ERROR_RESPONSES},
    summary="Events, by start time, with filters (drafts only with a staff token)",
    description=(
        "No token needed: anonymous callers see published, finished and cancelled events. "
        "A caller sending a valid staff token also sees drafts (ask for them alone with "
        "`status=draft`). `org` includes the unit's whole subtree; `from`/`to` keep the "
        "events running on any day of the range (a six-week exhibition shows in each week)."
    ),
)
def list_events(
    request: HttpRequest,
    org: str | None = Query(None, max_length=32, description="an org unit code"),
    kind: str | None = Query(None, max_length=40, description=KIND_HELP),
    audience: str | None = Query(None, max_length=32, description="an audience code"),
    since: date | None = _FROM_QUERY,
    until: date | None = _TO_QUERY,
    status: str | None = Query(
        None, pattern="^(draft|published|cancelled|finished)$", description="only this status"
    ),
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    visible = _STAFF_STATUSES if _optional_staff(request) else selectors.PUBLIC_STATUSES
    statuses = tuple(code for code in visible if not status or code == status)
    if since and until and until < since:
        raise ValidationFailed(
            _("The range ends before it starts."), fields={"to": _("before “from”")}
        )
    if audience:
        policies.join_audiences([audience])  # refuses an unknown code (400)
    criteria = selectors.EventFilter(
        org_path=get_unit(org.strip()).path if org else "",
        kind=policies.parse_kind(kind) if kind else "",
        audience=audience or "",
        since=since,
        until=until,
        statuses=statuses,
    )
    return paginate(selectors.events(criteria), page, page_size, event_out)


@router.post(
    "/events",
    response={201: EventDetailOut, **ERROR_RESPONSES},
    summary="Create an event (events.edit on the organiser)",
)
def create_event(request: HttpRequest, payload: EventIn) -> Status:
    event = event_services.event_create(
        actor=request.auth, org_code=payload.org_code.strip(), details=payload.details()
    )
    return Status(201, _detail(event.pk))


@router.get(
    "/events/{event_id}",
    auth=None,
    response={200: EventDetailOut, **ERROR_RESPONSES},
    summary="One event (a draft only with a staff token)",
)
def get_event(request: HttpRequest, event_id: int) -> dict[str, Any]:
    public = _optional_staff(request) is None
    return event_detail_out(_event(event_id, public=public))


@router.post(
    "/events/{event_id}/cancel",
    response={200: EventDetailOut, **ERROR_RESPONSES},
    summary="Cancel an event: its registrations are cancelled and the readers told",
)
def cancel_event(request: HttpRequest, event_id: int, payload: CancelIn) -> dict[str, Any]:
    event_services.event_cancel(actor=request.auth, event_id=event_id, reason=payload.reason)
    return _detail(event_id)


@router.post(
    "/events/{event_id}/registrations",
    response={201: RegistrationPlacedOut, **ERROR_RESPONSES},
    summary="Register a reader: a seat while there is one, the waiting list after that",
)
def register(request: HttpRequest, event_id: int, payload: RegistrationIn) -> Status:
    _desk_event(request, event_id)
    patron = patron_by_barcode(payload.patron_barcode)
    registration = registrations.registration_create(
        actor=request.auth, event_id=event_id, patron=patron, via="api"
    )
    return Status(
        201,
        {
            "registration_id": registration.pk,
            "status": registration.status,
            "position": registrations.queue_position(registration),
        },
    )


@router.delete(
    "/events/{event_id}/registrations/{patron_barcode}",
    response={204: None, **ERROR_RESPONSES},
    summary="Cancel a reader's registration (the first waiting reader moves up)",
)
def unregister(request: HttpRequest, event_id: int, patron_barcode: str) -> Status:
    _desk_event(request, event_id)
    patron = patron_by_barcode(patron_barcode)
    registrations.registration_cancel(
        actor=request.auth, event_id=event_id, patron=patron, via="api"
    )
    return Status(204, None)


@router.get(
    "/events/{event_id}/registrations",
    response={200: Page[RegistrationOut], **ERROR_RESPONSES},
    summary="An event's registrations: seats first, then the waiting list in order",
)
def list_registrations(
    request: HttpRequest,
    event_id: int,
    page: int = Query(1, ge=1),
    page_size: int = Query(100, ge=1, le=500),
) -> dict[str, Any]:
    event = _desk_event(request, event_id)
    positions = {row.pk: place for place, row in enumerate(waiting_list(event), start=1)}
    found = with_live_cards(selectors.registrations(event)).order_by(
        Case(
            When(status=RegistrationStatus.CONFIRMED, then=Value(0)),
            When(status=RegistrationStatus.WAITLISTED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
        "registered_at",
        "pk",
    )
    return paginate(found, page, page_size, lambda row: registration_out(row, positions))


@router.post(
    "/events/{event_id}/checkins",
    response={201: CheckinOut, **ERROR_RESPONSES},
    summary="Check a reader in by card number or QR ticket (one of the two)",
    description=(
        "Check-in runs from two hours before the start until the end. A reader without a "
        "registration comes in as a walk-in while seats remain; checking in twice is "
        "refused (409 EVENT_ALREADY_CHECKED_IN)."
    ),
)
def check_in(request: HttpRequest, event_id: int, payload: CheckinIn) -> Status:
    barcode = (payload.patron_barcode or "").strip()
    ticket = (payload.ticket or "").strip()
    if bool(barcode) == bool(ticket):
        message = _("Send either the reader's card number or the ticket, not both.")
        raise ValidationFailed(message, fields={"patron_barcode": message, "ticket": message})
    if ticket and not ticket.upper().startswith(registrations.TICKET_PREFIX):
        ticket = registrations.TICKET_PREFIX + ticket  # the bare code printed under the QR
    registration = registrations.checkin(
        actor=request.auth, event_id=event_id, code=barcode or ticket
    )
    event = registration.event
    return Status(
        201,
        {
            "registration_id": registration.pk,
            "walk_in": registration.walk_in,
            "checked_in_at": timezone.localtime(registration.checked_in_at),
            "checked_in": event.checked_in,
            "attendance": event.attendance,
        },
    )


@router.post(
    "/events/{event_id}/attendance",
    response={200: AttendanceOut, **ERROR_RESPONSES},
    summary="Set the visitors counted on one day of the event (replaces that day's figure)",
)
def count_attendance(request: HttpRequest, event_id: int, payload: AttendanceIn) -> dict[str, Any]:
    event = attendance.attendance_count_set(
        actor=request.auth,
        event_id=event_id,
        day=payload.date,
        count=payload.count,
        source=payload.source,
    )
    return {"date": payload.date, "count": payload.count, "attendance": event.attendance}
