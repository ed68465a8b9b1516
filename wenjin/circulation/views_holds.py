"""Desk pages for holds: the pull list (printable, with "not on the shelf"), the hold
shelf, and a title's hold queue with a form to place a hold for a reader. Card numbers
travel in POST bodies, never in URLs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from wenjin.catalog.models import Record
from wenjin.circulation import selectors
from wenjin.circulation.models import ACTIVE_HOLD_STATUSES, Hold
from wenjin.circulation.services import holds
from wenjin.circulation.views import desk
from wenjin.lib.errors import DomainError


@login_required
@require_http_methods(["GET", "POST"])
def pull_list(request: HttpRequest) -> HttpResponse:
    actor, units, unit = desk(request)
    if request.method == "POST" and request.POST.get("item"):
        item = request.POST["item"].strip()
        try:
            affected = holds.pull_not_found(actor=actor, item_barcode=item, org_code=unit.code)
            messages.warning(
                request,
                _("%(item)s is marked missing; %(n)d hold(s) look for another copy.")
                % {"item": item, "n": len(affected)},
            )
        except DomainError as error:
            messages.error(request, f"{error.message} ({error.code})")
        return redirect("circulation:pull-list")
    rows = [selectors.hold_out(hold) for hold in selectors.pull_list(unit)[:500]]
    return render(
        request, "circulation/pull_list.html", {"units": units, "unit": unit, "rows": rows}
    )


@login_required
@require_http_methods(["GET", "POST"])
def hold_shelf(request: HttpRequest) -> HttpResponse:
    actor, units, unit = desk(request)
    if request.method == "POST" and request.POST.get("hold"):
        try:
            holds.hold_cancel(
                actor=actor, hold_id=int(request.POST["hold"]), reason=_("cancelled at the desk")
            )
            messages.success(request, _("Hold cancelled; the copy goes on."))
        except (DomainError, ValueError) as error:
            messages.error(request, getattr(error, "message", str(error)))
        return redirect("circulation:hold-shelf")
    shelf = list(selectors.hold_shelf(unit)[:500])
    return render(
        request,
        "circulation/hold_shelf.html",
        {
            "units": units,
            "unit": unit,
            "rows": [selectors.hold_out(h) | {"reader": h.patron.name} for h in shelf],
            "today": selectors.today(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_holds(request: HttpRequest, record_id: int) -> HttpResponse:
    actor, units, unit = desk(request)
    record = Record.objects.filter(pk=record_id).first()
    if record is None:
        raise Http404(_("No such record."))
    if request.method == "POST":
        try:
            hold = holds.hold_place(
                actor=actor,
                patron_barcode=request.POST.get("card", "").strip(),
                pickup_org_code=request.POST.get("pickup", unit.code),
                record_id=record.pk,
            )
            messages.success(
                request,
                _("Hold placed: number %(n)d in the queue.") % {"n": holds.queue_position(hold)},
            )
        except DomainError as error:
            messages.error(request, f"{error.message} ({error.code})")
        return redirect("circulation:record-holds", record_id=record.pk)
    queue = Hold.objects.filter(record=record, status__in=ACTIVE_HOLD_STATUSES).select_related(
        "pickup_org", "captured_item", "target_item", "target_item__location", "record", "item"
    )
    return render(
        request,
        "circulation/record_holds.html",
        {
            "units": units,
            "unit": unit,
            "record": record,
            "rows": [selectors.hold_out(hold) for hold in queue],
            "pickups": units,
        },
    )


@login_required
@require_http_methods(["POST"])
def hold_cancel(request: HttpRequest, hold_id: int) -> HttpResponse:
    """Cancel one hold from the reader's page (the reader asked at the desk or phoned)."""
    actor, _units, _unit = desk(request)
    hold = Hold.objects.filter(pk=hold_id).only("patron_id").first()
    if hold is None:
        raise Http404
    try:
        holds.hold_cancel(
            actor=actor,
            hold_id=hold_id,
            reason=request.POST.get("reason", "") or _("cancelled at the desk"),
        )
        messages.success(request, _("Hold cancelled; the copy goes on."))
    except DomainError as error:
        messages.error(request, f"{error.message} ({error.code})")
    return redirect("patrons:detail", patron_id=hold.patron_id)
