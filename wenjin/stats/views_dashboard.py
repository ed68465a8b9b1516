"""The statistics dashboard under /staff/stats/: one org unit's subtree over a range of
months, with charts (server-side SVG, each with its table), year over year, busiest
hours, CLC classes, top titles and the per-branch drill-down, and the same as xlsx.

``?org=CODE&from=YYYY-MM&to=YYYY-MM``; without them, the top of the user's statistics
scope and the last twelve complete months. A unit outside the scope is refused (403);
months that cannot be read, in the wrong order or too many are a 400 page with the form
and the reason, never a 500.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from wenjin.lib import charts
from wenjin.lib.errors import ValidationFailed
from wenjin.network.models import OrgUnit
from wenjin.stats import dashboard as selectors
from wenjin.stats.dashboard import Dashboard, Series
from wenjin.stats.dashboard_xlsx import dashboard_workbook
from wenjin.stats.views_common import Refused, chosen_unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Choice:
    """What the request asks for, once read: the unit, the months, the units to offer,
    and the reason when the months could not be read (the unit is then still chosen)."""

    org: OrgUnit
    first: date
    last: date
    units: list[OrgUnit]
    from_text: str
    to_text: str
    error: str = ""


def _choose(request: HttpRequest) -> Choice:
    org, units = chosen_unit(request)
    first, last = selectors.default_range(timezone.localdate())
    from_text = request.GET.get("from", "").strip()
    to_text = request.GET.get("to", "").strip()
    error = ""
    try:
        if from_text:
            first = selectors.parse_month(from_text)
        if to_text:
            last = selectors.parse_month(to_text)
    except ValueError:
        error = _("Give months as year and month, like 2025-03.")
    if not error:
        try:
            selectors.check_range(first, last)
        except ValidationFailed as failed:
            error = failed.message
    return Choice(
        org=org,
        first=first,
        last=last,
        units=units,
        from_text=from_text or f"{first:%Y-%m}",
        to_text=to_text or f"{last:%Y-%m}",
        error=error,
    )


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "stats/forbidden.html", {"message": message}, status=403)


def _query(org: OrgUnit, first: date, last: date) -> str:
    params = QueryDict(mutable=True)
    params["org"], params["from"], params["to"] = org.code, f"{first:%Y-%m}", f"{last:%Y-%m}"
    return params.urlencode()


def change_text(percent: float | None) -> str:
    """ "+12.5%", "−3.0%" (a real minus sign), "0.0%", or "—" when there is nothing to
    compare with."""
    if percent is None:
        return "—"
    if percent > 0:
        return f"+{percent:.1f}%"
    if percent < 0:
        return f"−{-percent:.1f}%"
    return "0.0%"


def figure_text(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _series_chart(board: Dashboard, series: Series) -> dict[str, Any]:
    months = board.months
    label_every = max(1, math.ceil(len(months) / 12))
    range_text = f"{board.first:%Y-%m} – {board.last:%Y-%m}"
    peak = max(series.months, key=lambda figure: figure.value, default=None)
    description = _("%(measure)s per month, %(range)s, against the same months a year earlier.") % {
        "measure": series.label,
        "range": range_text,
    }
    if peak is not None and peak.value:
        description += " " + _("Highest: %(month)s with %(value)s.") % {
            "month": f"{peak.month:%Y-%m}",
            "value": f"{peak.value:,}",
        }
    if series.total is not None:
        description += " " + _("Total: %(total)s (a year earlier %(earlier)s).") % {
            "total": figure_text(series.total),
            "earlier": figure_text(series.earlier_total),
        }
    svg = charts.compare_chart(
        series.values,
        series.earlier_values,
        [str(month.month) for month in months],
        ident=f"chart-{series.key}",
        title=_("%(measure)s per month") % {"measure": series.label},
        description=description,
        legend=(range_text, _("a year earlier")),
        label_every=label_every,
    )
    return {
        "key": series.key,
        "label": series.label,
        "svg": svg,
        "rows": [
            {
                "month": f"{figure.month:%Y-%m}",
                "value": figure_text(figure.value),
                "earlier": figure_text(figure.earlier),
                "change": change_text(figure.change),
            }
            for figure in series.months
        ],
        "total": figure_text(series.total),
        "earlier_total": figure_text(series.earlier_total),
        "change": change_text(series.change),
        "additive": series.additive,
    }


def _context(choice: Choice, board: Dashboard) -> dict[str, Any]:
    first, last = board.first, board.last
    page = reverse("stats:dashboard")
    loans_by_hour = [figure.loans for figure in board.hours]
    visits_by_hour = [figure.visits for figure in board.hours]
    range_text = _("%(range)s, all days together.") % {"range": f"{first:%Y-%m} – {last:%Y-%m}"}
    return {
        "board": board,
        "series_charts": [_series_chart(board, series) for series in board.series],
        "summary": [
            {
                "label": series.label,
                "total": figure_text(series.total),
                "earlier_total": figure_text(series.earlier_total),
                "change": change_text(series.change),
                "additive": series.additive,
            }
            for series in board.series
        ],
        "loans_hours_svg": charts.hour_chart(
            loans_by_hour,
            ident="chart-loan-hours",
            title=_("Loans by hour of the day"),
            description=range_text,
        ),
        "visits_hours_svg": charts.hour_chart(
            visits_by_hour,
            ident="chart-visit-hours",
            title=_("Visits by hour of the day"),
            description=range_text,
        ),
        "busiest_loans": board.busiest_hour("loans"),
        "busiest_visits": board.busiest_hour("visits"),
        "hour_rows": [
            (f"{figure.hour:02d}:00", figure_text(figure.loans), figure_text(figure.visits))
            for figure in board.hours
        ],
        "class_rows": [
            (f"{figure.code} {figure.name}", figure_text(figure.loans), f"{figure.share:.1f}%")
            for figure in board.classes
        ],
        "title_rows": [
            (figure.record_id, figure.title, figure_text(figure.loans)) for figure in board.titles
        ],
        "classes_svg": charts.bar_chart(
            [(f"{figure.code} {figure.name}", figure.loans) for figure in board.classes[:10]],
            ident="chart-classes",
            title=_("Loans by CLC class"),
            description=range_text,
            empty_text=_("No loans"),
        ),
        "titles_svg": charts.bar_chart(
            [(figure.title, figure.loans) for figure in board.titles],
            ident="chart-titles",
            title=_("Titles lent most"),
            description=range_text,
            empty_text=_("No loans"),
        ),
        "branches": [
            {
                "unit": branch.unit,
                "own": branch.own,
                "url": None if branch.own else f"{page}?{_query(branch.unit, first, last)}",
                "values": [figure_text(branch.values[key]) for key, _label in selectors.SERIES],
            }
            for branch in board.branches
        ],
        "series_labels": [series.label for series in board.series],
        "xlsx_url": f"{reverse('stats:dashboard-xlsx')}?{_query(board.org, first, last)}",
        "parent_url": (
            f"{page}?{_query(board.org.parent, first, last)}"
            if board.org.parent is not None
            and any(unit.pk == board.org.parent_id for unit in choice.units)
            else None
        ),
    }


@login_required
@require_GET
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """The dashboard page (400 with the form and the reason when the months are wrong)."""
    try:
        choice = _choose(request)
    except Refused as refused:
        return _forbidden(request, str(refused))
    context: dict[str, Any] = {"choice": choice}
    if choice.error:
        return render(request, "stats/dashboard.html", context, status=400)
    board = selectors.dashboard(choice.org, choice.first, choice.last)
    context.update(_context(choice, board))
    return render(request, "stats/dashboard.html", context)


@login_required
@require_GET
def dashboard_xlsx(request: HttpRequest) -> HttpResponse:
    """The same dashboard as an xlsx workbook (400 as text when the months are wrong)."""
    try:
        choice = _choose(request)
    except Refused as refused:
        return _forbidden(request, str(refused))
    if choice.error:
        return HttpResponse(choice.error, status=400, content_type="text/plain; charset=utf-8")
    board = selectors.dashboard(choice.org, choice.first, choice.last)
    response = HttpResponse(dashboard_workbook(board), content_type=XLSX)
    name = f"stats-{board.org.code}-{board.first:%Y%m}-{board.last:%Y%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
