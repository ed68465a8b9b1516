"""Desk pages: checkout (scan a card, then items one after another), checkin with a
routing slip per item, transits in and out. Keyboard only: every page puts the cursor in
its scan box, and every scan is a plain form post (htmx not needed). Card and item
numbers travel in POST bodies and the session, never in URLs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.circulation import selectors, services
from wenjin.lib.errors import DomainError
from wenjin.network.models import OrgUnit
from wenjin.patrons import selectors as patron_selectors
from wenjin.patrons.services.common import card_by_barcode

LOG_LENGTH = 20


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, request.user)


def _desk_units(actor: Actor) -> list[OrgUnit]:
    paths = actor.scope(Perm.CIRCULATE)
    units = OrgUnit.objects.all()
    if paths is not None:
        if not paths:
            raise Http404(_("Your roles do not include the circulation desk."))
        condition = Q()
        for path in paths:
            condition |= Q(path__startswith=path)
        units = units.filter(condition)
    return list(units.order_by("path"))


def _desk_unit(request: HttpRequest, units: list[OrgUnit]) -> OrgUnit:
    """The unit this desk works at: chosen on the page and kept in the session, by
    default the staff member's home unit when they may circulate there."""
    wanted = request.POST.get("org_code") or request.session.get("desk_org")
    if not wanted and request.user.home_org_id:
        wanted = next((u.code for u in units if u.pk == request.user.home_org_id), None)
    unit = next((u for u in units if u.code == wanted), units[0])
    request.session["desk_org"] = unit.code
    return unit


def desk(request: HttpRequest) -> tuple[Actor, list[OrgUnit], OrgUnit]:
    """Who is at the desk, the units they may work at, and the one they work at now."""
    actor = _actor(request)
    units = _desk_units(actor)
    return actor, units, _desk_unit(request, units)


def _error_out(error: DomainError) -> dict[str, Any]:
    return {
        "ok": False,
        "code": error.code,
        "message": error.message,
        "rule": error.details.get("rule"),
        "overridable": bool(error.details.get("overridable")),
    }


def _reader(barcode: str) -> dict[str, Any] | None:
    if not barcode:
        return None
    try:
        card = card_by_barcode(barcode)
    except DomainError:
        return None
    on = selectors.today()
    loans = [selectors.loan_out(loan, on) for loan in selectors.open_loans(card.patron)]
    summary = patron_selectors.summary(card.patron)
    return {
        "summary": summary,
        "patron_id": card.patron_id,
        "card_status": card.status,
        "expires_on": card.expires_on,
        "expired": card.expires_on < on,
        "loans": loans,
        "overdue": sum(1 for loan in loans if loan["overdue_days"]),
        "owed": selectors.debt_of(card.patron),
    }


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    actor, units, unit = desk(request)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "card":
            barcode = request.POST.get("card", "").strip()
            try:
                card_by_barcode(barcode)
                request.session["desk_card"] = barcode
                request.session["desk_last"] = None
            except DomainError as error:
                request.session["desk_last"] = _error_out(error)
        elif action == "done":
            request.session["desk_card"] = None
            request.session["desk_last"] = None
        elif action in ("item", "renew", "override"):
            request.session["desk_last"] = _lend(request, actor, unit, action)
        return redirect("circulation:checkout")
    return render(
        request,
        "circulation/checkout.html",
        {
            "units": units,
            "unit": unit,
            "reader": _reader(request.session.get("desk_card") or ""),
            "last": request.session.get("desk_last"),
            "may_override": actor.can(Perm.CIRC_OVERRIDE, unit),
        },
    )


def _lend(request: HttpRequest, actor: Actor, unit: OrgUnit, action: str) -> dict[str, Any]:
    card = request.session.get("desk_card") or ""
    item = request.POST.get("item", "").strip()
    try:
        if action == "renew":
            result = services.renew(
                actor=actor, item_barcode=item, patron_barcode=card, org_code=unit.code
            )
        else:
            overrides = request.POST.getlist("overrides") if action == "override" else []
            result = services.checkout(
                actor=actor,
                item_barcode=item,
                patron_barcode=card,
                org_code=unit.code,
                overrides=overrides,
                override_reason=request.POST.get("reason", ""),
            )
    except DomainError as error:
        return _error_out(error) | {"item": item}
    return {
        "ok": True,
        "item": item,
        "title": result.loan.item.record.title,
        "due_date": result.loan.due_date.isoformat(),
        "renewed": result.renewed,
        "rule": result.rule.name,
        "loan_days": result.rule.loan_days,
        "overridden": result.overridden,
    }


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest) -> HttpResponse:
    actor, units, unit = desk(request)
    if request.method == "POST" and request.POST.get("item"):
        item = request.POST["item"].strip()
        log = request.session.get("checkin_log") or []
        try:
            result = services.checkin(actor=actor, item_barcode=item, org_code=unit.code)
            slip = {
                "ok": True,
                "item": item,
                "title": result.item.record.title,
                "call_number": result.item.call_number,
                "action": result.action,
                "destination": result.destination.name_zh,
                "destination_code": result.destination.code,
                "fee": f"{result.fee_charged:.2f}",
                "had_loan": result.loan is not None,
                "found": result.was_found,
            }
        except DomainError as error:
            slip = _error_out(error) | {"item": item}
        request.session["checkin_log"] = [slip, *log][:LOG_LENGTH]
        return redirect("circulation:checkin")
    log = request.session.get("checkin_log") or []
    return render(
        request,
        "circulation/checkin.html",
        {"units": units, "unit": unit, "log": log, "last": log[0] if log else None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def transits(request: HttpRequest) -> HttpResponse:
    actor, units, unit = desk(request)
    if request.method == "POST" and request.POST.get("item"):
        item = request.POST["item"].strip()
        try:
            result = services.transit_receive(actor=actor, item_barcode=item, org_code=unit.code)
            if result.rerouted:
                messages.warning(
                    request,
                    _("%(item)s is not for this library: send it on to %(unit)s.")
                    % {"item": item, "unit": result.destination.name_zh},
                )
            else:
                messages.success(request, _("%(item)s received: shelve it here.") % {"item": item})
        except DomainError as error:
            messages.error(request, f"{error.message} ({error.code})")
        return redirect("circulation:transits")
    return render(
        request,
        "circulation/transits.html",
        {
            "units": units,
            "unit": unit,
            "incoming": selectors.transits(unit, "incoming")[:200],
            "outgoing": selectors.transits(unit, "outgoing")[:200],
            "stale_days": selectors.circulation_settings().stale_transit_days,
        },
    )


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    """The rules matrix, most specific first: what the desk's explanations refer to."""
    _, units, unit = desk(request)
    return render(
        request,
        "circulation/rules.html",
        {
            "units": units,
            "unit": unit,
            "rules": [selectors.rule_out(r) for r in selectors.rule_rows()],
        },
    )
