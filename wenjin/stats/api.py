"""Statistics API: entrance gate counts and annual inputs (reports are in ``api_reports``).

Every call needs a staff token. Gate counts are written with stats.gate on the unit and
annual inputs with stats.inputs; reading either needs that permission or stats.view
(the services and ``_require_any`` check them where the unit is)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Body, Query, Router, Status

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.api.core import ERROR_RESPONSES, Page, paginate
from wenjin.lib.errors import DomainError, ValidationFailed
from wenjin.network.models import OrgUnit
from wenjin.network.selectors import get_unit
from wenjin.stats.api_schemas import (
    AnnualInputsIn,
    AnnualInputsOut,
    GateBatchOut,
    GateCountIn,
    GateCountOut,
    GateCountStoredOut,
    annual_inputs_out,
    gate_count_out,
    gate_stored_out,
)
from wenjin.stats.selectors_gate import gate_counts
from wenjin.stats.selectors_inputs import annual_inputs
from wenjin.stats.services.gate_counts import (
    BATCH_MAX,
    GateSlot,
    gate_count_set,
    gate_counts_set,
)
from wenjin.stats.services.inputs import annual_inputs_set, check_input_year

router = Router(tags=["statistics"])

_FROM_QUERY = Query(None, alias="from", description="first day (YYYY-MM-DD); default 30 days ago")
_TO_QUERY = Query(None, alias="to", description="last day (YYYY-MM-DD); default today")
# One slot or a list of them, as the JSON body.
_GATE_BODY = Body(..., description="one gate count, or a list of them")
# The longest range one list request may ask for (ten years of days).
RANGE_MAX_DAYS = 3700


def _require_any(actor: Actor, unit: OrgUnit, *perms: str) -> None:
    """Refuse (403) unless the actor holds one of ``perms`` on the unit."""
    if not any(actor.can(perm, unit) for perm in perms):
        actor.require(perms[0], unit)


def _slot(item: GateCountIn) -> GateSlot:
    return GateSlot(org_code=item.org_code, day=item.date, count=item.count, hour=item.hour)


@router.post(
    "/stats/gate-counts",
    response={200: GateCountStoredOut | GateBatchOut, 201: GateCountStoredOut, **ERROR_RESPONSES},
    summary="Store entrance gate counts: one slot, or a list of slots",
    description=(
        "One object stores one slot: a whole day (`hour` left out) or one hour 0–23 "
        "(201 when new, 200 when it replaced or repeated the stored count). A unit reports "
        "a day either as one daily count or hour by hour: mixing them is refused (409 "
        "GATE_COUNT_MIXED). A JSON list stores each good item and reports each refused one "
        f"by its index (at most {BATCH_MAX} items; 400 GATE_COUNT_BATCH_REFUSED when none "
        "could be stored). Needs stats.gate on each unit."
    ),
)
def post_gate_counts(
    request: HttpRequest, payload: GateCountIn | list[GateCountIn] = _GATE_BODY
) -> Any:
    if not isinstance(payload, list):
        outcome = gate_count_set(
            actor=request.auth,
            org_code=payload.org_code,
            day=payload.date,
            count=payload.count,
            hour=payload.hour,
            source="api",
        )
        return Status(201 if outcome.status == "created" else 200, gate_stored_out(outcome))
    if not payload or len(payload) > BATCH_MAX:
        message = _("Send from 1 to %(max)d gate counts in one list.") % {"max": BATCH_MAX}
        raise ValidationFailed(message, fields={"body": message})
    result = gate_counts_set(actor=request.auth, slots=[_slot(item) for item in payload])
    if result.errors and not result.stored:
        raise DomainError(
            "GATE_COUNT_BATCH_REFUSED",
            _("None of the gate counts could be stored."),
            details={
                "errors": [
                    {"index": index, "code": error.code, "message": error.message}
                    for index, error in result.errors
                ]
            },
        )
    items: list[dict[str, Any]] = [
        {"index": index, "status": outcome.status, "slot": gate_count_out(outcome.row)}
        for index, outcome in result.stored
    ] + [
        {
            "index": index,
            "status": "error",
            "error": {"code": error.code, "message": error.message},
        }
        for index, error in result.errors
    ]
    return {
        "created": result.count("created"),
        "updated": result.count("updated"),
        "unchanged": result.count("unchanged"),
        "refused": len(result.errors),
        "results": sorted(items, key=lambda item: item["index"]),
    }


@router.get(
    "/stats/gate-counts",
    response={200: Page[GateCountOut], **ERROR_RESPONSES},
    summary="A unit's gate counts over a date range, by day (the daily count before hours)",
    description="Needs stats.view or stats.gate on the unit.",
)
def list_gate_counts(
    request: HttpRequest,
    org: str = Query(..., max_length=32, description="an org unit code"),
    since: date | None = _FROM_QUERY,
    until: date | None = _TO_QUERY,
    page: int = Query(1, ge=1),
    page_size: int = Query(100, ge=1, le=1000),
) -> dict[str, Any]:
    unit = get_unit(org.strip())
    _require_any(request.auth, unit, Perm.STATS_GATE, Perm.STATS_VIEW)
    until = until or timezone.localdate()
    since = since or until - timedelta(days=30)
    if until < since:
        raise ValidationFailed(
            _("The range ends before it starts."), fields={"to": _("before “from”")}
        )
    if (until - since).days > RANGE_MAX_DAYS:
        raise ValidationFailed(
            _("Ask for at most %(days)d days at once.") % {"days": RANGE_MAX_DAYS},
            fields={"from": _("range too long")},
        )
    return paginate(gate_counts(unit, since, until), page, page_size, gate_count_out)


@router.get(
    "/stats/inputs/{year}/{org_code}",
    response={200: AnnualInputsOut, **ERROR_RESPONSES},
    by_alias=True,
    summary="A unit's annual inputs for a year, each with who entered it and when",
    description=(
        "Every input the year's national form asks for, with the unit's own value (null "
        "when not entered). Needs stats.view or stats.inputs on the unit."
    ),
)
def get_inputs(request: HttpRequest, year: int, org_code: str) -> dict[str, Any]:
    unit = get_unit(org_code.strip())
    _require_any(request.auth, unit, Perm.STATS_INPUTS, Perm.STATS_VIEW)
    check_input_year(year)
    return annual_inputs_out(unit, year, annual_inputs(unit, year))


@router.put(
    "/stats/inputs/{year}/{org_code}",
    response={200: AnnualInputsOut, **ERROR_RESPONSES},
    by_alias=True,
    summary="Set some of a unit's annual inputs (the keys sent are replaced, others kept)",
    description=(
        "All or nothing: one bad key (unknown, not asked for by the year's form, negative, "
        "too many decimals …) refuses the request with the key named in "
        "`error.details.fields`. Needs stats.inputs on the unit."
    ),
)
def put_inputs(
    request: HttpRequest, year: int, org_code: str, payload: AnnualInputsIn
) -> dict[str, Any]:
    annual_inputs_set(actor=request.auth, org_code=org_code, year=year, values=payload.sent())
    unit = get_unit(org_code.strip())
    return annual_inputs_out(unit, year, annual_inputs(unit, year))
