"""Statistics API: the annual and monthly reports of an org unit's subtree.

``GET /api/v1/reports/annual?year=Y&org=CODE`` answers the report JSON (the same document
``wenjin report annual`` prints); ``format=xlsx`` or ``format=html`` answers the workbook or
the printable document as a download instead. ``org`` defaults to the network's root. A
staff token with stats.view on the unit is needed (403 otherwise)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from wenjin.accounts.policies import Perm
from wenjin.api.core import ERROR_RESPONSES
from wenjin.lib.errors import ValidationFailed
from wenjin.network.models import OrgUnit
from wenjin.stats import policies, report_io
from wenjin.stats.render_html import report_document
from wenjin.stats.render_xlsx import report_xlsx_bytes
from wenjin.stats.report import annual_report, monthly_report

router = Router(tags=["statistics"])

Number = int | float | None


class OrgOut(Schema):
    code: str = Field(examples=["YX"])
    name: str = Field(examples=["越秀区图书馆"])


class PeriodOut(Schema):
    from_: str = Field(alias="from", examples=["2025-01-01"])
    to: str = Field(examples=["2025-12-31"])

    model_config = ConfigDict(populate_by_name=True)


class EnteredOut(Schema):
    org_code: str
    by: str
    at: str


class RowOut(Schema):
    """One row of 综合统计, in the national form's order and wording."""

    model_config = ConfigDict(extra="allow")

    no: int
    key: str = Field(examples=["holdings_total"])
    label: str = Field(examples=["总藏量"])
    unit: str = Field(examples=["册(件)"])
    value: Number = Field(description="null where the figure is not known (an input missing)")
    source: str = Field(description="computed, entered or missing")
    indent: int = Field(0, description="1 or 2 for the form's subset (其中) rows")
    definition: str = ""
    entered: list[EnteredOut] | None = Field(None, description="who entered an input, and when")


class ActivityOut(Schema):
    kind: str = Field(examples=["exhibition"])
    label: str = Field(examples=["展览"])
    sessions: int
    sessions_share: float = Field(description="per cent, 2 decimals; the rows sum to 100.00")
    attendance: int
    attendance_share: float


class ActivitiesOut(Schema):
    rows: list[ActivityOut]
    total: ActivityOut


class BranchOut(Schema):
    org_code: str
    name: str
    own: bool = Field(description="true: the unit itself, without its children")
    values: dict[str, Number]


class CheckOut(Schema):
    code: str = Field(examples=["SUBSET_EXCEEDS_TOTAL"])
    message: str
    org_code: str = ""


class NoteOut(Schema):
    key: str
    text: str


class ReportOut(Schema):
    """The report document (the command's JSON)."""

    model_config = ConfigDict(extra="allow")

    year: int
    month: int | None = None
    schema_: str = Field(alias="schema", description='"2020" or "2011": the form of the year')
    org: OrgOut
    period: PeriodOut
    generated_at: str
    definitions: dict[str, Any]
    comprehensive: list[RowOut]
    activities: ActivitiesOut
    branches: list[BranchOut]
    checks: list[CheckOut]
    notes: list[NoteOut]
    rollups_through: str | None = None


_FORMAT = Query(
    "json", pattern="^(json|xlsx|html)$", description="json (default), xlsx or html (a download)"
)
_ORG = Query(None, max_length=32, description="an org unit code; default the network's root")


def _unit(request: HttpRequest, org: str | None) -> OrgUnit:
    unit = report_io.report_unit(org)
    request.auth.require(Perm.STATS_VIEW, unit)
    return unit


def _answer(report: dict[str, Any], form: str) -> HttpResponse:
    """The report as an HttpResponse: the JSON goes out exactly as the engine made it (the
    command's document, any key the schema does not list included), not re-validated."""
    if form == "json":
        return HttpResponse(
            report_io.report_json_text(report), content_type=report_io.CONTENT_TYPES["json"]
        )
    content = report_xlsx_bytes(report) if form == "xlsx" else report_document(report)
    response = HttpResponse(content, content_type=report_io.CONTENT_TYPES[form])
    response["Content-Disposition"] = f'attachment; filename="{report_io.filename(report, form)}"'
    return response


def _build(unit: OrgUnit, year: int, month: int | None) -> dict[str, Any]:
    report_io.check_period(year, month)
    try:
        return annual_report(unit, year) if month is None else monthly_report(unit, year, month)
    except policies.InputError as error:
        raise ValidationFailed(error.message) from None


_DESCRIPTION = (
    "The report of the unit's whole subtree: `comprehensive` (综合统计, rows with no, key, "
    "label, unit, value, source), `activities` (活动统计, shares summing to 100.00), "
    "`branches` (the unit's own figures and one entry per child subtree), `checks` "
    "(consistency flags), `notes` (definitions). Needs stats.view on the unit."
)


@router.get(
    "/reports/annual",
    response={200: ReportOut, **ERROR_RESPONSES},
    summary="The annual statistics report (综合统计 and 活动统计) of an org unit",
    description=_DESCRIPTION,
)
def annual(
    request: HttpRequest,
    year: int = Query(..., description="the year, e.g. 2025"),
    org: str | None = _ORG,
    format: str = _FORMAT,  # the query parameter's public name
) -> Any:
    unit = _unit(request, org)
    return _answer(_build(unit, year, None), format)


@router.get(
    "/reports/monthly",
    response={200: ReportOut, **ERROR_RESPONSES},
    summary="The statistics of one month (the computed rows of the annual report)",
    description=_DESCRIPTION,
)
def monthly(
    request: HttpRequest,
    year: int = Query(..., description="the year, e.g. 2025"),
    month: int = Query(..., description="1-12"),
    org: str | None = _ORG,
    format: str = _FORMAT,
) -> Any:
    unit = _unit(request, org)
    return _answer(_build(unit, year, month), format)
