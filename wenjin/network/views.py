"""Staff pages for the network: the tree, a unit's page, and the edit forms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.lib.errors import DomainError, NotFound
from wenjin.network import selectors, services
from wenjin.network.forms import (
    WEEKDAY_LABELS,
    PartnershipForm,
    ScheduleExceptionForm,
    UnitDetailsForm,
    WeeklyHoursForm,
)
from wenjin.network.models import OrgUnit
from wenjin.network.policies import parse_periods
from wenjin.web.formtools import add_domain_error


def _unit_or_404(code: str) -> OrgUnit:
    try:
        return selectors.get_unit(code)
    except NotFound as error:
        raise Http404(error.message) from None


def _form_status(form: object) -> int:
    return 400 if getattr(form, "errors", None) else 200


@login_required
def tree_view(request: HttpRequest) -> HttpResponse:
    units = list(OrgUnit.objects.order_by("path"))
    states = selectors.open_states(units)
    return render(
        request,
        "network/tree.html",
        {"roots": selectors.unit_tree(units), "states": states, "count": len(units)},
    )


@login_required
def unit_view(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit_or_404(code)
    actor = Actor.from_request(request, request.user)
    detail = selectors.unit_detail(unit)
    weekly = {entry["weekday"]: entry["periods"] for entry in detail["opening_hours"]}
    context = {
        "unit": unit,
        "detail": detail,
        "weekly": [(label, weekly.get(day, [])) for day, label in enumerate(WEEKDAY_LABELS)],
        "ancestors": selectors.ancestors(unit),
        "children": unit.children.order_by("sort_order", "code"),
        "next_open_day": selectors.next_open_day(unit, selectors.local_now().date()),
        "may_edit": actor.can(Perm.NETWORK_EDIT, unit),
        "may_manage": actor.can(Perm.NETWORK_MANAGE, unit),
        "exception_form": ScheduleExceptionForm(),
        "partner_form": PartnershipForm(),
    }
    return render(request, "network/unit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit_view(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit_or_404(code)
    actor = Actor.from_request(request, request.user)
    if not actor.can(Perm.NETWORK_EDIT, unit):
        messages.error(request, _("You may not edit %(code)s.") % {"code": unit.code})
        return redirect("network:unit", code=unit.code)
    may_restructure = actor.can(Perm.NETWORK_MANAGE, unit)
    form = UnitDetailsForm(
        request.POST or None,
        initial=UnitDetailsForm.initial_for(unit),
        may_restructure=may_restructure,
    )
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.org_unit_update(actor=actor, code=unit.code, changes=changes)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("network:unit", code=unit.code)
    return render(
        request, "network/unit_form.html", {"form": form, "unit": unit}, status=_form_status(form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_create_view(request: HttpRequest, code: str) -> HttpResponse:
    parent = _unit_or_404(code)
    actor = Actor.from_request(request, request.user)
    if not actor.can(Perm.NETWORK_MANAGE, parent):
        messages.error(request, _("You may not add units under %(code)s.") % {"code": parent.code})
        return redirect("network:unit", code=parent.code)
    form = UnitDetailsForm(
        request.POST or None,
        initial={"parent_code": parent.code, "status": "open", "kind": "branch"},
        creating=True,
        may_restructure=True,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            unit = services.org_unit_create(
                actor=actor,
                code=data.pop("code"),
                kind=data.pop("kind"),
                name_zh=data.pop("name_zh"),
                parent_code=data.pop("parent_code"),
                director_username=data.pop("director_username") or None,
                **data,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Unit %(code)s added.") % {"code": unit.code})
            return redirect("network:unit", code=unit.code)
    return render(
        request,
        "network/unit_form.html",
        {"form": form, "parent": parent, "creating": True},
        status=_form_status(form),
    )


@login_required
@require_POST
def unit_delete_view(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit_or_404(code)
    parent_code = unit.parent.code if unit.parent else None
    try:
        services.org_unit_delete(actor=Actor.from_request(request, request.user), code=unit.code)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("network:unit", code=unit.code)
    messages.success(request, _("Unit %(code)s deleted.") % {"code": code})
    return redirect("network:unit", code=parent_code) if parent_code else redirect("network:tree")


@login_required
@require_http_methods(["GET", "POST"])
def hours_view(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit_or_404(code)
    actor = Actor.from_request(request, request.user)
    form = WeeklyHoursForm(
        request.POST or None, initial=WeeklyHoursForm.initial_for(selectors.weekly_hours_of(unit))
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.weekly_hours_set(actor=actor, code=unit.code, hours=form.hours)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Opening hours saved."))
            return redirect("network:unit", code=unit.code)
    return render(
        request, "network/hours_form.html", {"form": form, "unit": unit}, status=_form_status(form)
    )


@login_required
@require_POST
def exception_add_view(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit_or_404(code)
    form = ScheduleExceptionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            periods = parse_periods(data["hours"], field_name="hours")
            services.schedule_exception_add(
                actor=Actor.from_request(request, request.user),
                code=unit.code,
                kind=data["kind"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                reason=data["reason"],
                period=periods[0] if periods else None,
                applies_to_subtree=data["applies_to_subtree"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Closure or special hours added."))
    else:
        messages.error(
            request,
            _("Check the dates and the reason: %(errors)s")
            % {
                "errors": "; ".join(
                    str(message) for errors in form.errors.values() for message in errors
                )
            },
        )
    return redirect("network:unit", code=unit.code)


@login_required
@require_POST
def exception_delete_view(request: HttpRequest, code: str, exception_id: int) -> HttpResponse:
    try:
        services.schedule_exception_delete(
            actor=Actor.from_request(request, request.user), exception_id=exception_id
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Removed."))
    return redirect("network:unit", code=code)


@login_required
@require_POST
def partnership_add_view(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit_or_404(code)
    form = PartnershipForm(request.POST)
    if form.is_valid():
        try:
            services.partnership_add(
                actor=Actor.from_request(request, request.user), code=unit.code, **form.cleaned_data
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Partner added."))
    else:
        messages.error(request, _("Name and kind of the partner are required."))
    return redirect("network:unit", code=unit.code)


@login_required
@require_POST
def partnership_remove_view(request: HttpRequest, code: str, partnership_id: int) -> HttpResponse:
    try:
        services.partnership_remove(
            actor=Actor.from_request(request, request.user), partnership_id=partnership_id
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Removed."))
    return redirect("network:unit", code=code)
