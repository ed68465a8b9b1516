"""Desk pages for fees: a reader's fees with payment, waiver, refund and charge forms; lost,
claimed-returned and damaged items; the day's takings per desk and branch. The reader's
card number travels in the POST body and the session, never in the URL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.circulation import fee_selectors, selectors
from wenjin.circulation.models import FeeKind, PaymentMethod
from wenjin.circulation.services import fees, losses
from wenjin.circulation.views import desk
from wenjin.lib.errors import DomainError
from wenjin.network.models import OrgUnit
from wenjin.patrons import selectors as patron_selectors
from wenjin.patrons.services.common import card_by_barcode

SESSION_CARD = "fees_card"
ZERO = Decimal("0.00")


def _current_card(request: HttpRequest) -> str:
    """The reader at this desk: scanned here, or brought over from the checkout page."""
    return request.session.get(SESSION_CARD) or request.session.get("desk_card") or ""


def _reader(barcode: str, actor: Actor, unit: OrgUnit) -> dict[str, Any] | None:
    if not barcode:
        return None
    try:
        card = card_by_barcode(barcode)
    except DomainError:
        return None
    patron = card.patron
    fee_rows = list(fee_selectors.patron_fees(patron)[:100])
    return {
        "summary": patron_selectors.summary(patron),
        "patron_id": patron.pk,
        "fees": fee_rows,
        "owed": selectors.debt_of(patron),
        "accruing": fee_selectors.accruing(patron),
        "payments": fee_selectors.patron_payments(patron),
        "may_waive": {fee.pk for fee in fee_rows if actor.can(Perm.FEES_WAIVE, fee.owed_to)},
        "may_refund": actor.can(Perm.FEES_WAIVE, unit),
    }


def _act(request: HttpRequest, actor: Actor, unit: OrgUnit, action: str) -> None:
    """One form's action; a refusal becomes an error message, nothing is half-written."""
    post = request.POST
    card = _current_card(request)
    if action == "card":
        card_by_barcode(post.get("card", "").strip())
        request.session[SESSION_CARD] = post.get("card", "").strip()
        return
    if action == "done":
        request.session[SESSION_CARD] = None
        request.session["desk_card"] = None
        return
    if action in ("lost", "claim", "damaged"):
        _item_action(request, actor, unit, action)
        return
    patron = card_by_barcode(card).patron
    if action == "pay":
        result = fees.payment_take(
            actor=actor,
            patron=patron,
            amount=post.get("amount", ""),
            method=post.get("method", ""),
            reference=post.get("reference", ""),
            org_code=unit.code,
        )
        messages.success(
            request,
            _("¥%(amount)s received. Still owed: ¥%(owed)s.")
            % {"amount": result.payment.amount, "owed": result.still_owed},
        )
    elif action == "waive":
        fees.fee_waive(
            actor=actor,
            fee_id=int(post.get("fee_id") or 0),
            reason=post.get("reason", ""),
            amount=post.get("amount") or None,
        )
        messages.success(request, _("Fee waived."))
    elif action == "refund":
        refund = fees.payment_refund(
            actor=actor,
            payment_id=int(post.get("payment_id") or 0),
            org_code=unit.code,
            reason=post.get("reason", ""),
            amount=post.get("amount") or None,
        )
        messages.success(request, _("¥%(amount)s refunded.") % {"amount": -refund.amount})
    elif action == "charge":
        fees.fee_charge(
            actor=actor,
            patron=patron,
            kind=post.get("kind", ""),
            amount=post.get("amount", ""),
            org_code=unit.code,
            note=post.get("note", ""),
        )
        messages.success(request, _("Charge recorded."))


def _item_action(request: HttpRequest, actor: Actor, unit: OrgUnit, action: str) -> None:
    item = request.POST.get("item", "").strip()
    note = request.POST.get("note", "")
    if action == "lost":
        result = losses.item_declare_lost(
            actor=actor, item_barcode=item, org_code=unit.code, note=note
        )
        total = sum((fee.amount for fee in result.charged), result.overdue_fee)
        messages.success(
            request,
            _("%(item)s declared lost: ¥%(total)s charged.") % {"item": item, "total": total},
        )
    elif action == "claim":
        losses.loan_claim_returned(actor=actor, item_barcode=item, org_code=unit.code, note=note)
        messages.success(
            request,
            _("%(item)s: claim of return recorded; no more fees accrue. Search the shelves.")
            % {"item": item},
        )
    else:
        fee = losses.item_damage_charge(
            actor=actor,
            item_barcode=item,
            org_code=unit.code,
            amount=request.POST.get("amount", ""),
            note=note,
        )
        messages.success(
            request,
            _("%(item)s: ¥%(amount)s charged for damage.") % {"item": item, "amount": fee.amount},
        )


@login_required
@require_http_methods(["GET", "POST"])
def reader_fees(request: HttpRequest) -> HttpResponse:
    actor, units, unit = desk(request)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            _act(request, actor, unit, action)
        except DomainError as error:
            messages.error(request, f"{error.message} ({error.code})")
        except ValueError:
            messages.error(request, _("That request was not understood."))
        return redirect("circulation:fees")
    return render(
        request,
        "circulation/fees.html",
        {
            "units": units,
            "unit": unit,
            "reader": _reader(_current_card(request), actor, unit),
            "methods": PaymentMethod.choices,
            "charge_kinds": [
                (kind, label)
                for kind, label in FeeKind.choices
                if kind in (FeeKind.DAMAGED, FeeKind.PROCESSING, FeeKind.OTHER)
            ],
        },
    )


@login_required
@require_http_methods(["GET"])
def day_summary(request: HttpRequest) -> HttpResponse:
    actor, units, unit = desk(request)
    try:
        day = date.fromisoformat(request.GET.get("date", "")) if request.GET.get("date") else None
    except ValueError:
        day = None
        messages.error(request, _("Dates are written YYYY-MM-DD."))
    day = day or selectors.today()
    summary = fee_selectors.day_summary(day, fee_selectors.summary_scope(actor, None))
    return render(
        request,
        "circulation/fees_summary.html",
        {
            "units": units,
            "unit": unit,
            "day": day,
            "methods": PaymentMethod.choices,
            "desks": [_row(desk) for desk in summary.desks],
            "branches": [_row(desk) for desk in summary.branches],
            "total": _row(summary.total),
        },
    )


def _row(desk: fee_selectors.DeskDay) -> dict[str, Any]:
    """A table row: per method what came in and what went back out, then the net."""
    return {
        "unit": desk.unit,
        "count": desk.count,
        "cells": [
            (desk.taken.get(method, ZERO), desk.refunded.get(method, ZERO))
            for method in PaymentMethod.values
        ],
        "net": desk.net,
    }
