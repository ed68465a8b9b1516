"""The public pages about the libraries: the list with its map, and one library's page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wenjin.network.models import OrgUnit
from wenjin.network.policies import Period
from wenjin.network.selectors import local_now, open_states, upcoming_exceptions, weekly_hours_of
from wenjin.opac import selectors
from wenjin.opac.branchmap import Place, branch_map
from wenjin.opac.selectors import PUBLIC_STATUSES

WEEKDAYS = range(7)


@require_GET
def branch_list(request: HttpRequest) -> HttpResponse:
    """Every library a reader can use, open now or when it opens, and the map."""
    units = selectors.public_units()
    now = local_now()
    states = open_states(units, now)
    places = [
        Place(
            unit.code,
            unit.name,
            float(unit.latitude),
            float(unit.longitude),
            states[unit.pk].is_open,
        )
        for unit in units
        if unit.latitude is not None and unit.longitude is not None and unit.pk in states
    ]
    return render(
        request,
        "opac/branches.html",
        {
            "rows": [(unit, states.get(unit.pk)) for unit in units],
            "map": branch_map(places),
            "now": now,
        },
    )


@require_GET
def branch_page(request: HttpRequest, code: str) -> HttpResponse:
    """One library: open now, weekly hours, closures, address, services, theme."""
    unit = (
        OrgUnit.objects.filter(code=code, status__in=PUBLIC_STATUSES)
        .prefetch_related("weekly_hours")
        .first()
    )
    if unit is None:
        raise Http404
    now = local_now()
    weekly: dict[int, list[Period]] = weekly_hours_of(unit)
    return render(
        request,
        "opac/branch.html",
        {
            "unit": unit,
            "state": open_states([unit], now).get(unit.pk),
            "weekly": [(day, weekly[day]) for day in WEEKDAYS],
            "today": now.weekday(),
            "closures": list(upcoming_exceptions(unit, now.date())[:10]),
            "services": selectors.unit_services(unit),
            "parent": unit.parent,
        },
    )
