"""Staff pages for readers: find a reader, register one, and the reader page with the
card actions and the reader's credit. Readers are addressed by record number in URLs,
never by card, identity or phone number."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.lib.errors import DomainError
from wenjin.network.models import OrgUnit
from wenjin.patrons import selectors, services
from wenjin.patrons.credit import deposit_needed
from wenjin.patrons.forms import CreditAdjustForm, EditForm, FindForm, ReasonForm, RegisterForm
from wenjin.patrons.models import CardEvent, Patron
from wenjin.web.formtools import add_domain_error


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, request.user)


def _may_serve(actor: Actor) -> None:
    try:
        selectors.require_lookup(actor)
    except DomainError as error:
        raise Http404(error.message) from None


@login_required
@require_http_methods(["GET", "POST"])
def find(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _may_serve(actor)
    form = FindForm(request.POST or None)
    found: list[Patron] | None = None
    if request.method == "POST" and form.is_valid():
        found = selectors.find(form.cleaned_data["q"])
        if len(found) == 1:
            return redirect("patrons:detail", patron_id=found[0].pk)
    return render(
        request,
        "patrons/find.html",
        {
            "form": form,
            "found": [selectors.summary(p) | {"pk": p.pk} for p in found or []],
            "searched": found is not None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    paths = actor.scope(Perm.PATRONS_EDIT)
    units = OrgUnit.objects.exclude(kind__in=("lending_atm",)).order_by("path")
    if paths is not None:
        if not paths:
            raise Http404(_("Your roles do not allow registering readers."))
        units = [u for u in units if any(u.path.startswith(p) for p in paths)]
    form = RegisterForm(
        request.POST or None, units=[(u.code, f"{u.name_zh} ({u.code})") for u in units]
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = services.register(
                actor=actor,
                name=data["name"],
                identity_type=data["identity_type"],
                identity_number=data["identity_number"],
                phone=data["phone"],
                home_org_code=data["home_org_code"],
                local_residence=data["local_residence"],
                category=data["category"] or None,
                guardian_barcode=data["guardian_barcode"] or None,
                address=data["address"],
                birth_date=data["birth_date"],
            )
        except DomainError as error:
            add_domain_error(form, error)
            if error.code == "IDENTITY_HAS_CARD":
                existing = selectors.by_identity(data["identity_number"])
                if existing is not None:
                    messages.warning(request, error.message)
                    return redirect("patrons:detail", patron_id=existing.pk)
        else:
            return render(
                request,
                "patrons/registered.html",
                {"registration": registration, "patron": selectors.summary(registration.patron)},
            )
    return render(
        request, "patrons/register.html", {"form": form}, status=400 if form.errors else 200
    )


def _patron_or_404(patron_id: int) -> Patron:
    patron = (
        Patron.objects.select_related("category", "home_org", "guardian", "family")
        .filter(pk=patron_id, deleted_at=None)
        .first()
    )
    if patron is None:
        raise Http404(_("There is no such reader."))
    return patron


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, patron_id: int) -> HttpResponse:
    actor = _actor(request)
    _may_serve(actor)
    patron = _patron_or_404(patron_id)
    initial = {
        "name": patron.name,
        "address": patron.address,
        "local_residence": patron.local_residence,
        "keeps_history": patron.keeps_history,
        "category": patron.category.code,
    }
    edit = EditForm(request.POST or None, initial=initial)
    card = services.live_card(patron)
    if request.method == "POST" and card is not None and edit.is_valid():
        changes = {k: v for k, v in edit.cleaned_data.items() if k != "phone" and v != initial[k]}
        if edit.cleaned_data["phone"]:
            changes["phone"] = edit.cleaned_data["phone"]
        try:
            services.patron_update(actor=actor, barcode=card.barcode, changes=changes)
        except DomainError as error:
            add_domain_error(edit, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("patrons:detail", patron_id=patron.pk)
    standing = selectors.credit_standing(patron)
    return render(
        request,
        "patrons/detail.html",
        {
            "patron": patron,
            "summary": selectors.summary(patron),
            "cards": patron.cards.order_by("-issued_on", "-pk"),
            "events": CardEvent.objects.filter(card__patron=patron)
            .select_related("card", "org_unit")
            .order_by("-at", "-pk")[:50],
            "family": patron.family.members.filter(deleted_at=None) if patron.family else [],
            "may_edit": actor.can(Perm.PATRONS_EDIT, patron.home_org),
            "may_circulate": bool(
                actor.scope(Perm.CIRCULATE) is None or actor.scope(Perm.CIRCULATE)
            ),
            **_fees(patron),
            "may_reveal": actor.can(Perm.PATRONS_REVEAL, patron.home_org),
            "reason_form": ReasonForm(),
            "edit": edit,
            "credit": standing,
            "deposit_needed": deposit_needed(
                patron.category.deposit_amount, patron.deposit_held, standing
            ),
            "credit_history": selectors.credit_history(patron),
            "may_adjust_credit": actor.can(Perm.CREDIT_ADJUST, patron.home_org),
            "credit_form": CreditAdjustForm(),
        },
        status=400 if edit.errors else 200,
    )


ACTIONS = (
    "renew",
    "extend",
    "lost",
    "block",
    "unblock",
    "pin",
    "reveal_identity",
    "reveal_phone",
    "cancel",
    "delete",
    "export",
    "family_create",
    "family_leave",
)


@login_required
@require_POST
def act(request: HttpRequest, patron_id: int) -> HttpResponse:
    """One card action from the reader page (POST): the result or error is shown there."""
    actor = _actor(request)
    patron = _patron_or_404(patron_id)
    card = services.live_card(patron)
    action = request.POST.get("action", "")
    if card is None or action not in ACTIONS:
        raise Http404(_("There is no such action."))
    barcode = card.barcode
    reason = request.POST.get("reason", "").strip()
    try:
        if action == "renew":
            done = services.card_renew(actor=actor, barcode=barcode)
            messages.success(request, _("Card renewed until %(date)s.") % {"date": done.expires_on})
        elif action == "extend":
            done = services.card_extend(actor=actor, barcode=barcode)
            messages.success(
                request, _("Card extended until %(date)s.") % {"date": done.expires_on}
            )
        elif action == "lost":
            new = services.card_report_lost(actor=actor, barcode=barcode)
            messages.success(
                request,
                _("Card %(old)s is blocked; the new card number is %(new)s.")
                % {"old": barcode, "new": new.barcode},
            )
        elif action in ("block", "unblock"):
            services.card_set_blocked(
                actor=actor, barcode=barcode, blocked=action == "block", reason=reason
            )
            messages.success(
                request, _("Card blocked.") if action == "block" else _("Card unblocked.")
            )
        elif action == "cancel":
            services.card_cancel(
                actor=actor, barcode=barcode, org_code=patron.home_org.code, reason=reason
            )
            messages.success(request, _("Card %(card)s cancelled.") % {"card": barcode})
        elif action == "delete":
            if request.POST.get("confirm") != "yes":
                messages.error(request, _("Tick the box to confirm the deletion."))
            else:
                services.patron_delete(actor=actor, barcode=barcode, org_code=patron.home_org.code)
                messages.success(
                    request,
                    _(
                        "The reader's personal data was deleted; statistics keep only anonymous facts."
                    ),
                )
                return redirect("patrons:find")
        elif action == "export":
            data = services.patron_export(actor=actor, barcode=barcode)
            response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
            response["Content-Disposition"] = f'attachment; filename="reader-{patron.pk}.json"'
            return response
        elif action == "family_create":
            others = [b for b in request.POST.get("members", "").replace("，", ",").split(",")]
            services.family_create(
                actor=actor,
                name=request.POST.get("family_name", ""),
                barcodes=[barcode, *(b.strip() for b in others if b.strip())],
            )
            messages.success(request, _("The family card is set up."))
        elif action == "family_leave":
            left = services.family_leave(actor=actor, barcode=barcode)
            messages.success(
                request,
                _("The reader left the family.")
                if left == 1
                else _("The family had too few members left and was dissolved."),
            )
        elif action == "pin":
            pin = services.pin_set(actor=actor, barcode=barcode)
            messages.success(
                request,
                _("New PIN: %(pin)s — give it to the reader; it is not shown again.")
                % {"pin": pin},
            )
        else:
            field = "identity" if action == "reveal_identity" else "phone"
            value = services.reveal(actor=actor, barcode=barcode, field=field)
            messages.info(
                request, _("Full number (this view is logged): %(value)s") % {"value": value}
            )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("patrons:detail", patron_id=patron.pk)


@login_required
@require_POST
def credit_adjust(request: HttpRequest, patron_id: int) -> HttpResponse:
    """Staff adjust a reader's credit score from the reader page (POST); the result or the
    error is shown there."""
    actor = _actor(request)
    _may_serve(actor)
    patron = _patron_or_404(patron_id)
    form = CreditAdjustForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form[name].label}: {error}")
        return redirect("patrons:detail", patron_id=patron.pk)
    try:
        event = services.credit_adjust(
            actor=actor,
            patron=patron,
            change=form.cleaned_data["change"],
            note=form.cleaned_data["note"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Credit score changed by %(change)+d to %(score)d.")
            % {"change": event.change, "score": event.score_after},
        )
    return redirect("patrons:detail", patron_id=patron.pk)


def _fees(patron: Patron) -> dict[str, object]:
    """What the reader owes and has on hold, for their page."""
    # Circulation builds on readers: asked here, late, to keep the imports one-way.
    from wenjin.circulation.fee_selectors import accruing
    from wenjin.circulation.selectors import debt_of, hold_out, patron_holds

    return {
        "owed": debt_of(patron),
        "accruing": accruing(patron),
        "holds": [hold_out(hold) for hold in patron_holds(patron)],
    }
