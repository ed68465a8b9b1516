"""Request and response shapes of the statistics data-entry API (gate counts and annual
inputs), and the functions that turn stored rows into them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, create_model

from wenjin.network.models import OrgUnit
from wenjin.stats.models import GateCount
from wenjin.stats.policies import INPUTS, YEAR_MAX, YEAR_MIN, InputKey, schema_for
from wenjin.stats.selectors_inputs import InputValue
from wenjin.stats.services.gate_counts import GateOutcome


class GateCountIn(Schema):
    """One slot: leave out ``hour`` (or send null) for a whole day's count."""

    org_code: str = Field(max_length=32, description="the unit whose entrance counted")
    date: dt.date = Field(description="the day counted (YYYY-MM-DD), not in the future")
    hour: int | None = Field(
        None, description="0–23 for the hour starting then; empty for the whole day"
    )
    count: int = Field(description="visitors, 0 to 1,000,000")


class GateCountOut(Schema):
    org_code: str
    date: dt.date
    hour: int | None = Field(description="empty: the whole day")
    count: int
    source: str = Field(description="api, import or form")
    recorded_at: dt.datetime
    recorded_by: str


class GateCountStoredOut(GateCountOut):
    status: str = Field(description="created, updated or unchanged")
    previous: int | None = Field(description="the count replaced, if any")


class BatchErrorOut(Schema):
    code: str
    message: str


class BatchItemOut(Schema):
    index: int = Field(description="the item's position in the list sent, from 0")
    status: str = Field(description="created, updated, unchanged or error")
    slot: GateCountOut | None = None
    error: BatchErrorOut | None = None


class GateBatchOut(Schema):
    created: int
    updated: int
    unchanged: int
    refused: int
    results: list[BatchItemOut]


def gate_count_out(row: GateCount) -> dict[str, Any]:
    return {
        "org_code": row.org_unit.code,
        "date": row.day,
        "hour": row.hour,
        "count": row.count,
        "source": row.source,
        "recorded_at": timezone.localtime(row.recorded_at),
        "recorded_by": row.recorded_by,
    }


def gate_stored_out(outcome: GateOutcome) -> dict[str, Any]:
    previous = outcome.previous if outcome.status != "created" else None
    return gate_count_out(outcome.row) | {"status": outcome.status, "previous": previous}


# ---- annual inputs ---------------------------------------------------------------------


class _InputsBase(BaseModel):  # not ninja's Schema, which drops unknown keys
    """Any of the keys, each a number (or a numeric string); the keys sent replace the
    stored values, the others are kept; null clears a key. A key not listed is refused
    by name (UNKNOWN_KEY), as is one the year's form does not ask for."""

    model_config = ConfigDict(extra="allow")

    def sent(self) -> dict[str, object]:
        """The keys the caller sent (unknown ones too, for the service to refuse)."""
        return self.model_dump(exclude_unset=True)


def _input_description(spec: InputKey) -> str:
    years = ""
    if spec.since > YEAR_MIN:
        years = f"; asked from {spec.since}"
    elif spec.until < YEAR_MAX:
        years = f"; asked up to {spec.until}"
    return f"{spec.label} ({spec.unit}), up to {spec.decimals} decimals{years}; null clears it"


# One optional field per input key, so the OpenAPI document lists them all.
AnnualInputsIn = create_model(
    "AnnualInputsIn",
    __base__=_InputsBase,
    **{
        spec.key: (Decimal | None, Field(None, description=_input_description(spec)))
        for spec in INPUTS
    },
)


class InputOut(Schema):
    key: str
    label: str = Field(description="the national form's wording")
    unit: str
    decimals: int
    value: int | float | None = Field(description="empty: not entered")
    entered_by: str | None
    entered_at: dt.datetime | None


class AnnualInputsOut(Schema):
    org_code: str
    org_name: str
    year: int
    schema_: str = Field(alias="schema", description="the national form: 2020 or 2011")
    inputs: list[InputOut]


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def annual_inputs_out(unit: OrgUnit, year: int, values: list[InputValue]) -> dict[str, Any]:
    return {
        "org_code": unit.code,
        "org_name": unit.name_zh,
        "year": year,
        "schema": schema_for(year),
        "inputs": [
            {
                "key": item.key,
                "label": item.spec.label,
                "unit": item.spec.unit,
                "decimals": item.spec.decimals,
                "value": _number(item.value),
                "entered_by": item.entered_by or None,
                "entered_at": timezone.localtime(item.entered_at) if item.entered_at else None,
            }
            for item in values
        ],
    }
