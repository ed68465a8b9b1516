"""Staff pages for events: the list with filters, the month and week calendar, the event
form (create and edit), an event's page with its registrations, and the actions on it
(duplicate, repeat weekly, cancel, publish). Reads use the selectors; every write goes
through the services, which check the actor's events scope."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.selectors import units_in_scope
from wenjin.events import selectors
from wenjin.events.forms import (
    CancelForm,
    CardForm,
    DuplicateForm,
    EventFilterForm,
    EventForm,
    RepeatForm,
)
from wenjin.events.models import (
    Audience,
    Event,
    EventSeries,
    EventStatus,
    RegistrationStatus,
    Venue,
)
from wenjin.events.selectors import EventFilter
from wenjin.events.services import events as event_services
from wenjin.events.views_calendar import is_multi_day
from wenjin.lib.errors import DomainError, Forbidden
from wenjin.network.models import OrgUnit

PAGE_SIZE = 50
ALL_STATUSES = tuple(EventStatus.values)
# A form's choices list at most this many series and venues.
CHOICES_LIMIT = 500


# --- Shared by the staff and desk pages ---------------------------------------------------


def actor_of(request: HttpRequest) -> Actor:
    """The logged-in staff member acting through the web pages."""
    return Actor.from_request(request, request.user)


def event_or_404(pk: int) -> Event:
    event = selectors.event_by_id(pk)
    if event is None:
        raise Http404(_("There is no such event."))
    return event


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    """The 403 page saying what the user's roles do not allow."""
    return render(request, "events/staff_forbidden.html", {"message": message}, status=403)


def refused(request: HttpRequest, error: DomainError, pk: int) -> HttpResponse:
    """After a refused action: a 403 page for a permission, otherwise the message on the
    event's page."""
    if isinstance(error, Forbidden):
        return forbidden(request, error.message)
    messages.error(request, error.message)
    return redirect("events:detail", pk=pk)


def with_params(query: QueryDict, **changes: Any) -> str:
    """The query string with some parameters replaced (None removes one)."""
    params = query.copy()
    for name, value in changes.items():
        params.pop(name, None)
        if value is not None:
            params[name] = str(value)
    return params.urlencode()


# --- The list -----------------------------------------------------------------------------


def _criteria(data: dict[str, Any], units: dict[str, OrgUnit]) -> EventFilter:
    unit = units.get(data.get("org") or "")
    status = data.get("status") or ""
    return EventFilter(
        org_path=unit.path if unit else "",
        kind=data.get("kind") or "",
        audience=data.get("audience") or "",
        since=data.get("since"),
        until=data.get("until"),
        statuses=(status,) if status else ALL_STATUSES,
        text=(data.get("q") or "").strip(),
    )


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    """Events with filters, 50 a page; without a "from" date, the events from today on."""
    units = list(OrgUnit.objects.order_by("path"))
    by_code = {unit.code: unit for unit in units}
    params = request.GET.copy()
    if "since" not in params:
        # Without a "from" date the list starts today; an empty one lists all events.
        params["since"] = timezone.localdate().isoformat()
    form = EventFilterForm(params, units=units)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    found = selectors.events(_criteria(data, by_code))
    page = Paginator(found, PAGE_SIZE).get_page(data.get("page") or 1)
    return render(
        request,
        "events/staff_list.html",
        {
            "form": form,
            "page": page,
            "previous_query": with_params(request.GET, page=page.number - 1),
            "next_query": with_params(request.GET, page=page.number + 1),
            "may_create": bool(units_in_scope(actor_of(request), Perm.EVENTS_EDIT)),
            "org_choices": form.fields["org"].choices[1:],
            "org_selected": form.data.get("org", ""),
        },
        status=200 if valid else 400,
    )


# --- Creating and editing -----------------------------------------------------------------


def _venues(units: list[OrgUnit]) -> list[Venue]:
    return list(
        Venue.objects.filter(Q(org_unit__in=units) | Q(org_unit__isnull=True))
        .select_related("org_unit")
        .order_by("org_unit__path", "name")[:CHOICES_LIMIT]
    )


def _series_names(units: list[OrgUnit]) -> list[str]:
    return list(
        EventSeries.objects.filter(org_unit__in=units)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()[:CHOICES_LIMIT]
    )


def _form_page(request: HttpRequest, form: EventForm, event: Event | None = None) -> HttpResponse:
    return render(
        request,
        "events/staff_form.html",
        {"form": form, "event": event},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    units = units_in_scope(actor, Perm.EVENTS_EDIT)
    if not units:
        return forbidden(request, _("Your roles do not include organising events."))
    home = next((u.code for u in units if u.pk == request.user.home_org_id), units[0].code)
    form = EventForm(
        request.POST or None,
        request.FILES or None,
        units=units,
        venues=_venues(units),
        series_names=_series_names(units),
        initial={"org_unit": home, "status": EventStatus.PUBLISHED},
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = event_services.event_create(
                actor=actor,
                org_code=form.cleaned_data["org_unit"],
                details=form.details(),
                image=form.cleaned_data.get("image"),
            )
        except Forbidden as error:
            return forbidden(request, error.message)
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Event created."))
            return redirect("events:detail", pk=event.pk)
    return _form_page(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(pk)
    actor = actor_of(request)
    if not actor.can(Perm.EVENTS_EDIT, event.org_unit):
        return forbidden(
            request,
            _("You may not edit events organised by %(unit)s.")
            % {"unit": f"{event.org_unit.code} {event.org_unit.name}"},
        )
    if event.status in (EventStatus.CANCELLED, EventStatus.FINISHED):
        messages.error(request, _("A cancelled or finished event cannot be edited."))
        return redirect("events:detail", pk=event.pk)
    units = [event.org_unit]
    form = EventForm(
        request.POST or None,
        request.FILES or None,
        event=event,
        venues=_venues(units_in_scope(actor, Perm.EVENTS_EDIT)),
        series_names=_series_names(units),
        initial=EventForm.initial_for(event),
    )
    if request.method == "POST" and form.is_valid():
        try:
            event_services.event_update(
                actor=actor,
                event_id=event.pk,
                details=form.details(),
                image=form.cleaned_data.get("image"),
                remove_image=bool(form.cleaned_data.get("remove_image")),
            )
        except Forbidden as error:
            return forbidden(request, error.message)
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Saved."))
            return redirect("events:detail", pk=event.pk)
    return _form_page(request, form, event)


@login_required
@require_GET
def event_image(request: HttpRequest, pk: int) -> HttpResponse:
    """The event's poster as stored (drafts included, for the staff pages)."""
    event = Event.objects.select_related("image").filter(pk=pk).first()
    if event is None or event.image is None:
        raise Http404(_("This event has no image."))
    response = HttpResponse(bytes(event.image.data), content_type=event.image.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- One event ----------------------------------------------------------------------------


@login_required
@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything about an event: its facts, counts, registrations and the actions the
    user's roles allow."""
    event = event_or_404(pk)
    actor = actor_of(request)
    may_edit = actor.can(Perm.EVENTS_EDIT, event.org_unit)
    may_desk = actor.can(Perm.EVENTS_DESK, event.org_unit)
    # Who registered is personal data: only staff running events there see the names.
    rows = list(selectors.registrations(event)) if may_edit or may_desk else []
    confirmed = [r for r in rows if r.status == RegistrationStatus.CONFIRMED]
    waiting = [r for r in rows if r.status == RegistrationStatus.WAITLISTED]
    cancelled = [r for r in rows if r.status == RegistrationStatus.CANCELLED]
    open_event = event.status in (EventStatus.DRAFT, EventStatus.PUBLISHED)
    return render(
        request,
        "events/staff_detail.html",
        {
            "event": event,
            "multi_day": is_multi_day(event),
            "audiences": [Audience(code).label for code in event.audience_codes],
            "confirmed": confirmed,
            "waiting": list(enumerate(waiting, start=1)),
            "cancelled": cancelled,
            "may_edit": may_edit,
            "may_desk": may_desk,
            "may_see_readers": may_edit or may_desk,
            "open_event": open_event,
            "duplicate_form": DuplicateForm(),
            "repeat_form": RepeatForm(),
            "cancel_form": CancelForm(),
            "card_form": CardForm(),
        },
    )


@login_required
@require_POST
def event_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft copy, at a new start if one is given; the copy opens in the form."""
    event = event_or_404(pk)
    form = DuplicateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the new start as a date and time."))
        return redirect("events:detail", pk=event.pk)
    try:
        copy = event_services.event_duplicate(
            actor=actor_of(request), event_id=event.pk, starts_at=form.cleaned_data["starts_at"]
        )
    except DomainError as error:
        return refused(request, error, event.pk)
    messages.success(request, _("A draft copy was made: check it and publish it."))
    return redirect("events:edit", pk=copy.pk)


@login_required
@require_POST
def event_repeat(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(pk)
    form = RepeatForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the number of weekly sessions (1 to 52)."))
        return redirect("events:detail", pk=event.pk)
    try:
        copies = event_services.event_repeat(
            actor=actor_of(request), event_id=event.pk, sessions=form.cleaned_data["sessions"]
        )
    except DomainError as error:
        return refused(request, error, event.pk)
    messages.success(
        request,
        ngettext("%(n)d weekly session added.", "%(n)d weekly sessions added.", len(copies))
        % {"n": len(copies)},
    )
    return redirect("events:detail", pk=event.pk)


@login_required
@require_POST
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the event is cancelled: readers are told."))
        return redirect("events:detail", pk=event.pk)
    try:
        event_services.event_cancel(
            actor=actor_of(request), event_id=event.pk, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        return refused(request, error, event.pk)
    messages.success(request, _("Event cancelled; registered readers are told."))
    return redirect("events:detail", pk=event.pk)


@login_required
@require_POST
def event_publish(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(pk)
    try:
        event_services.event_publish(actor=actor_of(request), event_id=event.pk)
    except DomainError as error:
        return refused(request, error, event.pk)
    messages.success(request, _("Published: readers can see the event."))
    return redirect("events:detail", pk=event.pk)
