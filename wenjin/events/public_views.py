"""The readers' side of events: the events list with filters, an event's page with
register and cancel buttons, the reader's own events and tickets, posters, and the
iCalendar feeds.

Lists read the counters kept on ``Event`` (seats taken, waiting) and never count
registrations. A reader acts through the portal session (``opac.account_views``); every
change is a POST with a CSRF token and goes through the registration services as the
system actor on the reader's behalf.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import (
    get_language,
    gettext_lazy,
    ngettext,
    pgettext,
    pgettext_lazy,
)
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wenjin.events import ical, policies, selectors
from wenjin.events.models import (
    ACTIVE_REGISTRATION_STATUSES,
    Audience,
    Event,
    EventImage,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from wenjin.events.qr import ticket_svg, ticket_text
from wenjin.events.services.registrations import (
    queue_position,
    registration_cancel,
    registration_create,
    registration_for_reader,
    registration_state,
)
from wenjin.lib.errors import DomainError
from wenjin.network.models import OrgUnit
from wenjin.opac.account_views import current_reader, login_first, render_account, safe_next
from wenjin.opac.selectors import public_units
from wenjin.opac.services import reader_actor

PAGE_SIZE = 20
SERIES_SESSIONS = 12
PAST_REGISTRATIONS = 50
# Posters never change under their id (a new upload is a new image): cache them a year.
IMAGE_CACHE_SECONDS = 365 * 24 * 3600
FEED_CACHE_SECONDS = 15 * 60
AUDIENCE_LABELS = dict(Audience.choices)


# --- What a reader sees about an event --------------------------------------------------


@dataclass(frozen=True)
class Availability:
    """An event's places as a reader sees them: a code for the style and a text that
    says it (never the colour alone)."""

    code: str
    label: str


def availability(event: Event, now: datetime) -> Availability:
    """Places left, waiting list, full, no registration needed, or cancelled, from the
    counters on the event."""
    if event.status == EventStatus.CANCELLED:
        return Availability("cancelled", pgettext("event", "Cancelled"))
    if event.status == EventStatus.FINISHED or event.ends_at < now:
        return Availability("over", _("Over"))
    if not event.registration_required:
        return Availability("free", _("No registration needed"))
    state = registration_state(event, now)
    left = None if event.capacity is None else max(0, event.capacity - event.seats_taken)
    if state == policies.RegistrationState.NOT_YET:
        opens = timezone.localtime(event.registration_opens_at)
        return Availability(
            "not-yet",
            _("Registration opens %(when)s") % {"when": f"{opens:%Y-%m-%d %H:%M}"},
        )
    if state == policies.RegistrationState.CLOSED:
        return Availability("full" if left == 0 else "closed", _("Registration closed"))
    if left is None:
        return Availability("open", _("Registration open"))
    if left > 0:
        return Availability(
            "places",
            ngettext("%(n)d place left", "%(n)d places left", left) % {"n": left},
        )
    # Full while registration is open: newcomers join the waiting list.
    return Availability("waiting", _("Full: waiting list"))


def _decorate(events: list[Event], now: datetime) -> list[Event]:
    """Attach what the cards show: availability, audience names, one day or several."""
    for event in events:
        event.availability = availability(event, now)
        event.audience_labels = [AUDIENCE_LABELS.get(code, code) for code in event.audience_codes]
        event.one_day = (
            timezone.localtime(event.starts_at).date() == timezone.localtime(event.ends_at).date()
        )
    return events


# --- The events list --------------------------------------------------------------------


def _unit_choices() -> list[tuple[str, str]]:
    units = public_units()
    top = min((unit.depth for unit in units), default=0)
    # Indented by depth, so choosing a district plainly includes the branches below it.
    return [("", _("All libraries"))] + [
        (unit.code, "\u3000" * (unit.depth - top) + unit.name) for unit in units
    ]


class EventFilterForm(forms.Form):
    """The list's filters, all optional; dates are local days."""

    org = forms.ChoiceField(label=pgettext_lazy("event", "Library"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    audience = forms.ChoiceField(label=pgettext_lazy("event", "For"), required=False)
    since = forms.DateField(
        label=pgettext_lazy("event", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=pgettext_lazy("event", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    series = forms.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = _unit_choices()
        self.fields["kind"].choices = [("", _("All kinds")), *EventKind.choices]
        self.fields["audience"].choices = [("", _("Everyone")), *Audience.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The last day is before the first."))
        return data


def _criteria(data: dict[str, Any], today: Any) -> selectors.EventFilter:
    org_path = ""
    if data.get("org"):
        unit = OrgUnit.objects.filter(code=data["org"]).only("path").first()
        org_path = unit.path if unit else ""
    return selectors.EventFilter(
        org_path=org_path,
        kind=data.get("kind") or "",
        audience=data.get("audience") or "",
        since=data.get("since") or today,
        until=data.get("until"),
        series_id=data.get("series"),
    )


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    """Coming and running events (from today unless asked otherwise), filtered, paged."""
    today = timezone.localdate()
    form = EventFilterForm(request.GET or None)
    status = 200
    page = None
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        found = selectors.events(_criteria(data, today))
        page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = _decorate(list(page.object_list), timezone.now())
    query = request.GET.copy()
    query.pop("page", None)
    org = form.cleaned_data.get("org") if page is not None and form.is_bound else ""
    feed_url = reverse("events_public:feed") + (f"?{urlencode({'org': org})}" if org else "")
    return render(
        request,
        "events/public_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "today": today,
            "feed_url": feed_url,
        },
        status=status,
    )


# --- One event --------------------------------------------------------------------------


def _public_event(pk: int) -> Event:
    event = selectors.event_by_id(pk, public=True)
    if event is None:
        raise Http404(_("There is no such event."))
    return event


def _series_sessions(event: Event) -> list[Event]:
    if not event.series_id:
        return []
    others = (
        Event.objects.filter(series_id=event.series_id, status__in=selectors.PUBLIC_STATUSES)
        .exclude(pk=event.pk)
        .filter(ends_at__gte=timezone.now())
        .order_by("starts_at", "pk")
    )
    return list(others[:SERIES_SESSIONS])


@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything about one event, and the reader's register or cancel button."""
    event = _public_event(pk)
    now = timezone.now()
    _decorate([event], now)
    card = current_reader(request)
    registration = position = None
    if card is not None:
        registration = registration_for_reader(event, card.patron)
        if registration is not None:
            position = queue_position(registration)
    here = reverse("events_public:detail", args=[event.pk])
    return render(
        request,
        "events/public_detail.html",
        {
            "event": event,
            "partners": list(event.partners.all()),
            "sessions": _series_sessions(event),
            "card": card,
            "registration": registration,
            "position": position,
            "can_register": registration_state(event, now) == policies.RegistrationState.OPEN,
            "can_cancel": registration is not None
            and registration.checked_in_at is None
            and now < event.starts_at,
            "login_url": reverse("opac:login") + "?next=" + here,
            "audience_labels": event.audience_labels,
        },
    )


@require_POST
def event_register(request: HttpRequest, pk: int) -> HttpResponse:
    """Register the logged-in reader: a seat, or a place on the waiting list."""
    event = _public_event(pk)
    here = reverse("events_public:detail", args=[event.pk])
    card = current_reader(request)
    if card is None:
        return redirect(reverse("opac:login") + "?next=" + here)
    try:
        registration = registration_create(
            actor=reader_actor(card), event_id=event.pk, patron=card.patron, via="opac"
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if registration.status == RegistrationStatus.CONFIRMED:
            messages.success(
                request,
                _("You are registered for “%(title)s”. Your ticket is under My events.")
                % {"title": event.title},
            )
        else:
            messages.success(
                request,
                _(
                    "The event is full: you are number %(position)d on the waiting list. "
                    "We will tell you when a place comes free."
                )
                % {"position": queue_position(registration)},
            )
    return redirect(here)


@require_POST
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel the logged-in reader's registration (the next waiting reader moves up)."""
    event = _public_event(pk)
    here = reverse("events_public:detail", args=[event.pk])
    card = current_reader(request)
    if card is None:
        return redirect(reverse("opac:login") + "?next=" + here)
    try:
        registration_cancel(
            actor=reader_actor(card), event_id=event.pk, patron=card.patron, via="opac"
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Your registration for “%(title)s” is cancelled.") % {"title": event.title}
        )
    return redirect(safe_next(request, here))


# --- The reader's events ----------------------------------------------------------------


def _past_state(registration: Registration) -> str:
    if registration.checked_in_at is not None:
        return _("Attended")
    if registration.event.status == EventStatus.CANCELLED:
        return _("Event cancelled")
    if registration.status == RegistrationStatus.CANCELLED:
        return _("Registration cancelled")
    if registration.no_show:
        return _("Did not come")
    if registration.status == RegistrationStatus.WAITLISTED:
        return _("Stayed on the waiting list")
    return _("Registered")


@require_GET
def my_events(request: HttpRequest) -> HttpResponse:
    """The reader's coming registrations (with waiting position, ticket and cancel) and
    past ones (attended or not)."""
    card = current_reader(request)
    if card is None:
        return login_first(request.path)
    now = timezone.now()
    coming = list(selectors.reader_registrations(card.patron_id))
    for registration in coming:
        registration.position = queue_position(registration)
        registration.can_cancel = (
            registration.checked_in_at is None and now < registration.event.starts_at
        )
    # Coming events the library called off: the reader should see that here too.
    called_off = list(
        Registration.objects.filter(
            patron_id=card.patron_id,
            status=RegistrationStatus.CANCELLED,
            event__status=EventStatus.CANCELLED,
            event__ends_at__gte=now,
        ).select_related("event", "event__venue", "event__org_unit")
    )
    _decorate([registration.event for registration in coming + called_off], now)
    past = list(selectors.reader_registrations(card.patron_id, past=True)[:PAST_REGISTRATIONS])
    for registration in past:
        registration.outcome = _past_state(registration)
    return render_account(
        request,
        "events/public_mine.html",
        {"card": card, "coming": coming, "called_off": called_off, "past": past},
    )


@require_GET
def ticket(request: HttpRequest, reg_pk: int) -> HttpResponse:
    """The reader's ticket: a QR code to show at the door. Only its owner sees it."""
    card = current_reader(request)
    if card is None:
        return login_first(request.path)
    registration = (
        Registration.objects.filter(
            pk=reg_pk, patron_id=card.patron_id, status__in=ACTIVE_REGISTRATION_STATUSES
        )
        .select_related("event", "event__venue", "event__org_unit")
        .first()
    )
    if registration is None:
        raise Http404(_("There is no such ticket."))
    event = registration.event
    _decorate([event], timezone.now())
    tail = card.barcode[-4:]
    title = _("Ticket for %(title)s, card ending %(tail)s") % {"title": event.title, "tail": tail}
    return render_account(
        request,
        "events/public_ticket.html",
        {
            "card": card,
            "registration": registration,
            "event": event,
            "position": queue_position(registration),
            "qr": ticket_svg(registration.ticket, title=title),
            "scan_text": ticket_text(registration.ticket),
            "card_tail": tail,
            "location": ical.location_text(event),
        },
    )


# --- Posters and feeds ------------------------------------------------------------------


@require_GET
def event_image(request: HttpRequest, pk: int) -> HttpResponse:
    image = get_object_or_404(EventImage, pk=pk)
    # Only a poster readers can see (a draft's, or one since replaced, stays unseen).
    if not Event.objects.filter(image=image, status__in=selectors.PUBLIC_STATUSES).exists():
        raise Http404
    response = HttpResponse(bytes(image.data), content_type=image.content_type)
    response["Cache-Control"] = f"public, max-age={IMAGE_CACHE_SECONDS}, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _calendar_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=ical.CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = f"public, max-age={FEED_CACHE_SECONDS}"
    return response


def _page_url(request: HttpRequest) -> Any:
    return lambda event: request.build_absolute_uri(
        reverse("events_public:detail", args=[event.pk])
    )


@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    """The network's events, or a library's and its subtree's (``?org=CODE``), as
    iCalendar."""
    code = (request.GET.get("org") or "").strip()
    name = _("Library events")
    org_path = ""
    filename = "events.ics"
    if code:
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise Http404(_("There is no such library."))
        org_path = unit.path
        name = _("Events at %(library)s") % {"library": unit.name}
        filename = f"events-{unit.code}.ics"
    found = ical.feed_events(org_path)
    # Building thousands of entries takes a second or two: a built feed is kept until an
    # event in it changes (or the window moves past one), per address and language.
    key = (
        "events-feed:"
        + hashlib.sha256(
            "|".join(
                [
                    org_path,
                    ical.feed_version(found),
                    get_language(),
                    request.build_absolute_uri("/"),
                ]
            ).encode()
        ).hexdigest()
    )
    body = cache.get(key)
    if body is None:
        body = ical.calendar_bytes(found, name=name, url_for=_page_url(request))
        cache.set(key, body, FEED_CACHE_SECONDS)
    return _calendar_response(body, filename)


@require_GET
def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One event as iCalendar, to add to a phone's calendar."""
    event = _public_event(pk)
    body = ical.calendar_bytes([event], name=event.title, url_for=_page_url(request))
    return _calendar_response(body, f"event-{event.pk}.ics")
