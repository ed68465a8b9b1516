"""The report's staff pages under /staff/stats/reports/: the annual report (``?org=CODE&
year=Y``) and the monthly report (``?org=CODE&year=Y&month=M``) of a unit's subtree, with
the per-branch drill-down and downloads (``&format=xlsx|html|json``).

Without parameters: the top of the user's statistics scope, last year (annual) or the last
complete month (monthly). A unit outside the scope is refused (403); a year or month that
cannot be read is a 400 page with the form and the reason, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from wenjin.lib.errors import DomainError
from wenjin.network.models import OrgUnit
from wenjin.stats import policies, report_io
from wenjin.stats.render_html import report_context, report_document
from wenjin.stats.render_xlsx import report_xlsx_bytes
from wenjin.stats.report import annual_report, monthly_report
from wenjin.stats.views_common import Refused, chosen_unit

MONTHS = tuple(range(1, 13))


@dataclass
class Chosen:
    """What the page was asked for, once read (the reason when the period was not)."""

    org: OrgUnit
    units: list[OrgUnit]
    monthly: bool
    year_text: str
    month_text: str
    year: int | None = None
    month: int | None = None
    error: str = ""
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def view_name(self) -> str:
        return "stats:monthly" if self.monthly else "stats:annual"

    def query(self, **changes: Any) -> str:
        params: dict[str, Any] = {"org": self.org.code, "year": self.year}
        if self.monthly:
            params["month"] = self.month
        params.update(changes)
        return urlencode({name: value for name, value in params.items() if value is not None})

    def url(self, **changes: Any) -> str:
        return f"{reverse(self.view_name)}?{self.query(**changes)}"


def _defaults(monthly: bool) -> tuple[int, int | None]:
    """Last year for the annual report; the last complete month for the monthly one."""
    today = timezone.localdate()
    if not monthly:
        return today.year - 1, None
    last = date(today.year, today.month, 1).toordinal() - 1
    previous = date.fromordinal(last)
    return previous.year, previous.month


def _read(request: HttpRequest, monthly: bool) -> Chosen:
    org, units = chosen_unit(request)
    default_year, default_month = _defaults(monthly)
    year_text = request.GET.get("year", "").strip() or str(default_year)
    month_text = request.GET.get("month", "").strip() or str(default_month or "")
    chosen = Chosen(org, units, monthly, year_text, month_text)
    try:
        chosen.year = report_io.parse_int(year_text, "year")
        if monthly:
            chosen.month = report_io.parse_int(month_text, "month")
        report_io.check_period(chosen.year, chosen.month)
    except DomainError as error:
        chosen.error = error.message
        chosen.fields = error.details.get("fields") or {}
    return chosen


def _download(report: dict[str, Any], form: str) -> HttpResponse:
    if form == "xlsx":
        content: bytes | str = report_xlsx_bytes(report)
    elif form == "html":
        content = report_document(report)
    else:
        content = report_io.report_json_text(report)
    response = HttpResponse(content, content_type=report_io.CONTENT_TYPES[form])
    response["Content-Disposition"] = f'attachment; filename="{report_io.filename(report, form)}"'
    return response


def _page(request: HttpRequest, monthly: bool) -> HttpResponse:
    try:
        chosen = _read(request, monthly)
    except Refused as refusal:
        return render(request, "stats/forbidden.html", {"message": str(refusal)}, status=403)
    form = request.GET.get("format", "").strip()
    context: dict[str, Any] = {"chosen": chosen, "months": MONTHS, "rpt": None}
    if form and form not in report_io.FORMATS:
        chosen.error = _("Unknown format: %s (json, xlsx or html).") % form
    if chosen.error:
        return render(request, "stats/report_page.html", context, status=400)
    try:
        if monthly:
            report = monthly_report(chosen.org, chosen.year, chosen.month)
        else:
            report = annual_report(chosen.org, chosen.year)
    except policies.InputError as error:
        chosen.error = error.message
        return render(request, "stats/report_page.html", context, status=400)
    if form:
        return _download(report, form)
    # Drill-down: each child subtree's own report, same period.
    links = {
        branch["org_code"]: chosen.url(org=branch["org_code"])
        for branch in report.get("branches") or []
        if not branch.get("own")
    }
    parent = chosen.org.parent
    can_see_parent = parent is not None and any(unit.pk == parent.pk for unit in chosen.units)
    context.update(
        {
            "rpt": report_context(report, links=links),
            "downloads": [(name, chosen.url(format=name)) for name in ("xlsx", "html", "json")],
            "parent_url": chosen.url(org=parent.code) if can_see_parent else "",
            "parent": parent,
            "other_url": _other_url(chosen),
        }
    )
    return render(request, "stats/report_page.html", context)


def _other_url(chosen: Chosen) -> str:
    """From the annual report to a month of the same year (December, or the last complete
    month of the current year), and from a monthly report to its year's annual report."""
    if chosen.monthly:
        return (
            f"{reverse('stats:annual')}?{urlencode({'org': chosen.org.code, 'year': chosen.year})}"
        )
    year, month = _defaults(monthly=True)
    params = {
        "org": chosen.org.code,
        "year": chosen.year,
        "month": month if year == chosen.year else 12,
    }
    return f"{reverse('stats:monthly')}?{urlencode(params)}"


@login_required
@require_GET
def annual_page(request: HttpRequest) -> HttpResponse:
    """The annual report of a unit's subtree (综合统计, 活动统计, checks, branches)."""
    return _page(request, monthly=False)


@login_required
@require_GET
def monthly_page(request: HttpRequest) -> HttpResponse:
    """The report of one month (the computed rows), same engine and layout."""
    return _page(request, monthly=True)
