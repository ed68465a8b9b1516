"""Desk pages for events: registering a walk-in reader, cancelling a registration,
the door's check-in page (card or QR ticket) and the attendance page (visitors per day,
a corrected total, and the trail of corrections). Card numbers travel in POST bodies,
never in URLs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wenjin.accounts.models import AuditEntry
from wenjin.accounts.policies import Perm
from wenjin.events import policies
from wenjin.events.forms import CardForm, DayCountForm, TotalForm
from wenjin.events.models import Event, Registration, RegistrationStatus
from wenjin.events.services import attendance
from wenjin.events.services import registrations as registration_services
from wenjin.events.views_staff import actor_of, event_or_404, forbidden, refused
from wenjin.lib.errors import DomainError, Forbidden
from wenjin.patrons.services.common import card_by_barcode

RECENT_CHECKINS = 20
TRAIL_LENGTH = 200


@login_required
@require_POST
def register(request: HttpRequest, pk: int) -> HttpResponse:
    """Register a reader at the desk by card number: a seat, or the waiting list."""
    event = event_or_404(pk)
    form = CardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Scan or type the reader's card number."))
        return redirect("events:detail", pk=event.pk)
    try:
        actor_of(request).require(Perm.EVENTS_DESK, event.org_unit)  # before saying who exists
        card = card_by_barcode(form.cleaned_data["card"])
        registration = registration_services.registration_create(
            actor=actor_of(request), event_id=event.pk, patron=card.patron, via="desk"
        )
    except DomainError as error:
        return refused(request, error, event.pk)
    if registration.status == RegistrationStatus.CONFIRMED:
        messages.success(request, _("%(name)s has a seat.") % {"name": card.patron.name})
    else:
        messages.warning(
            request,
            _("%(name)s is on the waiting list, number %(n)d.")
            % {"name": card.patron.name, "n": registration_services.queue_position(registration)},
        )
    return redirect("events:detail", pk=event.pk)


@login_required
@require_POST
def unregister(request: HttpRequest, pk: int, reg_pk: int) -> HttpResponse:
    """Cancel one registration (the reader asked at the desk or phoned); the first
    waiting reader moves up."""
    event = event_or_404(pk)
    registration = (
        Registration.objects.filter(pk=reg_pk, event=event).select_related("patron").first()
    )
    if registration is None:
        raise Http404(_("There is no such registration."))
    try:
        registration_services.registration_cancel(
            actor=actor_of(request),
            event_id=event.pk,
            patron=registration.patron,
            via="desk",
            registration_id=registration.pk,
        )
    except DomainError as error:
        return refused(request, error, event.pk)
    messages.success(
        request, _("Registration of %(name)s cancelled.") % {"name": registration.patron.name}
    )
    return redirect("events:detail", pk=event.pk)


# --- The door -----------------------------------------------------------------------------


def _scan(request: HttpRequest, event: Event) -> dict[str, Any]:
    """Check in whoever the scanned code names; the outcome as the page shows it."""
    code = request.POST.get("code", "").strip()
    if not code:
        return {"ok": False, "message": _("Scan a reader's card or ticket.")}
    registration = registration_services.checkin(
        actor=actor_of(request), event_id=event.pk, code=code
    )
    patron = registration.patron
    return {
        "ok": True,
        "name": patron.name,
        "walk_in": registration.walk_in,
        "time": timezone.localtime(registration.checked_in_at).strftime("%H:%M"),
    }


def _door(event: Event, result: dict[str, Any] | None) -> dict[str, Any]:
    now = timezone.now()
    recent = (
        Registration.objects.filter(event=event, checked_in_at__isnull=False)
        .select_related("patron")
        .order_by("-checked_in_at", "-pk")[:RECENT_CHECKINS]
    )
    return {
        "event": event,
        "result": result,
        "recent": recent,
        "checkin_open": policies.checkin_open(event.starts_at, event.ends_at, now),
        "opens_at": event.starts_at - policies.CHECKIN_OPENS_BEFORE,
    }


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """The door: scan a card or a QR ticket; the outcome is announced, the totals and the
    last check-ins follow. A plain form post (redirected), or with htmx only the parts
    that change."""
    event = event_or_404(pk)
    if not actor_of(request).can(Perm.EVENTS_DESK, event.org_unit):
        return forbidden(request, _("Your roles do not include the events desk here."))
    key = f"event_checkin_{event.pk}"
    if request.method == "POST":
        try:
            result = _scan(request, event)
        except Forbidden as error:
            return forbidden(request, error.message)
        except DomainError as error:
            result = {"ok": False, "message": error.message, "code": error.code}
        if getattr(request, "htmx", False):
            fresh = event_or_404(event.pk)
            return render(request, "events/staff_checkin_door.html", _door(fresh, result))
        request.session[key] = result
        return redirect("events:checkin", pk=event.pk)
    return render(
        request, "events/staff_checkin.html", _door(event, request.session.pop(key, None))
    )


# --- Attendance ---------------------------------------------------------------------------


def _event_days(event: Event) -> list[date]:
    first = timezone.localtime(event.starts_at).date()
    last = timezone.localtime(event.ends_at).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _trail(event: Event) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            object_type="events.event",
            object_id=str(event.pk),
            action__startswith="event.attendance",
        ).order_by("-at", "-pk")[:TRAIL_LENGTH]
    )


def _attendance_post(request: HttpRequest, event: Event) -> None:
    """Save a day's count or the total; a refusal becomes the page's message."""
    actor = actor_of(request)
    if request.POST.get("action") == "total":
        form = TotalForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the total (or leave it empty) and a reason."))
            return
        attendance.attendance_total_set(
            actor=actor,
            event_id=event.pk,
            total=form.cleaned_data["total"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("Attendance total saved."))
        return
    form = DayCountForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A day's count is a whole number, 0 or more."))
        return
    attendance.attendance_count_set(
        actor=actor,
        event_id=event.pk,
        day=form.cleaned_data["day"],
        count=form.cleaned_data["count"],
    )
    messages.success(
        request,
        _("%(count)d visitors saved for %(day)s.")
        % {"count": form.cleaned_data["count"], "day": form.cleaned_data["day"].isoformat()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendance_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Visitors per day of the event (editable), the total with its correction, and the
    trail of every change from the audit log."""
    event = event_or_404(pk)
    if not actor_of(request).can(Perm.EVENTS_DESK, event.org_unit):
        return forbidden(
            request,
            _("Only staff running events at %(unit)s see its attendance.")
            % {"unit": event.org_unit.name_zh},
        )
    if request.method == "POST":
        try:
            _attendance_post(request, event)
        except Forbidden as error:
            return forbidden(request, error.message)
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("events:attendance", pk=event.pk)
    counts = {row.day: row for row in event.counts.all()}
    today = timezone.localdate()
    days = [
        {"day": day, "row": counts.get(day), "future": day > today} for day in _event_days(event)
    ]
    return render(
        request,
        "events/staff_attendance.html",
        {
            "event": event,
            "days": days,
            "trail": _trail(event),
            "may_count": actor_of(request).can(Perm.EVENTS_DESK, event.org_unit),
            "total_form": TotalForm(initial={"total": event.attendance_total}),
        },
    )
