"""Staff pages for statistics data entry, under /staff/stats/entry/: gate counts for
units without a counter (one day at a time, daily or hourly, plus a CSV upload) and a
unit's annual inputs for a year. Reads use the selectors; writes go through the
services, which check the actor's scope."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.selectors import units_in_scope
from wenjin.lib.errors import DomainError, Forbidden
from wenjin.network.models import OrgUnit
from wenjin.stats.forms_entry import (
    AnnualInputsForm,
    GateCountForm,
    GateImportForm,
    InputsPickForm,
    hour_field,
    yesterday,
)
from wenjin.stats.import_gate_counts import GateFileError, import_gate_counts
from wenjin.stats.policies import schema_for
from wenjin.stats.selectors_gate import gate_counts, gate_days
from wenjin.stats.selectors_inputs import annual_inputs
from wenjin.stats.services.gate_counts import GateSlot, gate_count_set, gate_counts_set
from wenjin.stats.services.inputs import annual_inputs_set

RECENT_DAYS = 14
# Skipped rows listed on the upload's result page (the command line lists them all).
ERRORS_SHOWN = 200


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, request.user)


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "stats/forbidden.html", {"message": message}, status=403)


def _outside(units: list[OrgUnit], code: str | None) -> bool:
    """Whether a posted unit is one the user may not enter figures for."""
    return bool(code) and all(unit.code != code for unit in units)


def _pick(units: list[OrgUnit], code: str | None) -> OrgUnit:
    """The unit asked for when it is one of ``units``, else the first."""
    return next((unit for unit in units if unit.code == code), units[0])


def _day(text: str | None) -> date:
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        return yesterday()
    return min(day, timezone.localdate())


def _gate_url(unit: OrgUnit, day: date) -> str:
    query = urlencode({"org": unit.code, "day": day.isoformat()})
    return f"{reverse('stats:entry-gate')}?{query}"


def _gate_initial(unit: OrgUnit, day: date) -> dict[str, Any]:
    """The form's values from what is stored for the unit and day."""
    initial: dict[str, Any] = {"org": unit.code, "day": day}
    for row in gate_counts(unit, day, day):
        initial["count" if row.hour is None else hour_field(row.hour)] = row.count
    return initial


def _gate_page(
    request: HttpRequest, unit: OrgUnit, day: date, form: GateCountForm, status: int
) -> HttpResponse:
    today = timezone.localdate()
    hourly_open = form.hours_have_errors() or any(
        form[hour_field(hour)].value() not in (None, "") for hour in range(24)
    )
    return render(
        request,
        "stats/entry_gate.html",
        {
            "form": form,
            "unit": unit,
            "day": day,
            "recent": gate_days(unit, today - timedelta(days=RECENT_DAYS - 1), today),
            "recent_days": RECENT_DAYS,
            "hourly_open": hourly_open,
            "import_form": GateImportForm(),
        },
        status=status,
    )


def _save_gate(request: HttpRequest, form: GateCountForm) -> None:
    """Store the form's counts; each refused hour becomes a message on the page."""
    actor = _actor(request)
    code, day = form.cleaned_data["org"], form.cleaned_data["day"]
    hourly = form.hourly()
    if not hourly:
        outcome = gate_count_set(
            actor=actor, org_code=code, day=day, count=form.cleaned_data["count"], source="form"
        )
        messages.success(
            request,
            _("%(count)d visitors saved for %(day)s.")
            % {"count": outcome.row.count, "day": day.isoformat()},
        )
        return
    slots = [GateSlot(code, day, count, hour) for hour, count in hourly.items()]
    result = gate_counts_set(actor=actor, slots=slots, source="form")
    if result.errors:
        refused = {error.message for _index, error in result.errors}
        for message in sorted(refused):
            messages.error(request, message)
    if result.stored:
        messages.success(
            request,
            ngettext(
                "%(n)d hourly count saved for %(day)s.",
                "%(n)d hourly counts saved for %(day)s.",
                len(result.stored),
            )
            % {"n": len(result.stored), "day": day.isoformat()},
        )


@login_required
@require_http_methods(["GET", "POST"])
def gate_entry(request: HttpRequest) -> HttpResponse:
    """A day's visitors at a unit (daily or hourly) and the unit's last two weeks."""
    units = units_in_scope(_actor(request), Perm.STATS_GATE)
    if not units:
        return _forbidden(request, _("Your roles do not allow entering gate counts."))
    if request.method == "POST":
        if _outside(units, request.POST.get("org")):
            return _forbidden(request, _("You may not enter gate counts for that library."))
        form = GateCountForm(request.POST, units=units)
        unit = _pick(units, request.POST.get("org"))
        if form.is_valid():
            try:
                _save_gate(request, form)
            except Forbidden as error:
                return _forbidden(request, error.message)
            except DomainError as error:
                messages.error(request, error.message)
            return redirect(_gate_url(unit, form.cleaned_data["day"]))
        day = form.cleaned_data.get("day") or _day(request.POST.get("day"))
        return _gate_page(request, unit, day, form, status=400)
    unit = _pick(units, request.GET.get("org"))
    day = _day(request.GET.get("day"))
    form = GateCountForm(initial=_gate_initial(unit, day), units=units)
    return _gate_page(request, unit, day, form, status=200)


@login_required
@require_POST
def gate_import(request: HttpRequest) -> HttpResponse:
    """Store the counts of an uploaded CSV file and show what happened to each row."""
    actor = _actor(request)
    if not units_in_scope(actor, Perm.STATS_GATE):
        return _forbidden(request, _("Your roles do not allow entering gate counts."))
    form = GateImportForm(request.POST, request.FILES)
    context: dict[str, Any] = {"form": form, "result": None, "error": ""}
    if not form.is_valid():
        return render(request, "stats/entry_gate_import.html", context, status=400)
    try:
        result = import_gate_counts(
            form.cleaned_data["file"].read(),
            actor=actor,
            dry_run=form.cleaned_data["dry_run"],
            source="import",
        )
    except GateFileError as error:
        context["error"] = (
            _("line %(line)d: %(reason)s") % {"line": error.line, "reason": error.message}
            if error.line
            else error.message
        )
        return render(request, "stats/entry_gate_import.html", context, status=400)
    context.update(
        result=result,
        errors_shown=result.errors[:ERRORS_SHOWN],
        errors_hidden=max(0, len(result.errors) - ERRORS_SHOWN),
    )
    return render(request, "stats/entry_gate_import.html", context)


def _inputs_url(unit: OrgUnit, year: int) -> str:
    return f"{reverse('stats:entry-inputs')}?{urlencode({'org': unit.code, 'year': year})}"


@login_required
@require_http_methods(["GET", "POST"])
def inputs_entry(request: HttpRequest) -> HttpResponse:
    """Every annual input of the year's form for one unit, with who entered it when;
    saving stores only the fields that changed."""
    actor = _actor(request)
    units = units_in_scope(actor, Perm.STATS_INPUTS)
    if not units:
        return _forbidden(request, _("Your roles do not allow entering annual statistics."))
    params = request.POST if request.method == "POST" else request.GET
    if request.method == "POST" and _outside(units, params.get("org")):
        return _forbidden(request, _("You may not enter annual statistics for that library."))
    pick = InputsPickForm(
        params if "year" in params else None,
        units=units,
        initial={"org": units[0].code, "year": timezone.localdate().year - 1},
    )
    if pick.is_bound and not pick.is_valid():
        unit, year = _pick(units, params.get("org")), timezone.localdate().year - 1
        return redirect(_inputs_url(unit, year))
    data = pick.cleaned_data if pick.is_bound else pick.initial
    unit, year = _pick(units, data["org"]), data["year"]
    values = annual_inputs(unit, year)
    status = 200
    if request.method == "POST":
        form = AnnualInputsForm(request.POST, values=values)
        if form.is_valid():
            changed = form.changed_values()
            try:
                if changed:
                    annual_inputs_set(actor=actor, org_code=unit.code, year=year, values=changed)
            except Forbidden as error:
                return _forbidden(request, error.message)
            except DomainError as error:
                for key, message in error.details.get("fields", {}).items():
                    form.add_error(key if key in form.fields else None, message)
                if not form.errors:
                    form.add_error(None, error.message)
            else:
                if changed:
                    messages.success(
                        request,
                        ngettext("%(n)d figure saved.", "%(n)d figures saved.", len(changed))
                        % {"n": len(changed)},
                    )
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect(_inputs_url(unit, year))
        status = 400
    else:
        form = AnnualInputsForm(values=values)
    return render(
        request,
        "stats/entry_inputs.html",
        {
            "pick": pick,
            "form": form,
            "unit": unit,
            "year": year,
            "schema": schema_for(year),
        },
        status=status,
    )
