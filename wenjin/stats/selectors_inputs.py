"""Reads of the annual inputs: one unit's figures for a year with who entered each, and a
subtree's figures summed per key with the list of units that contributed (what a
report for the subtree prints)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from wenjin.network.models import OrgUnit
from wenjin.stats.models import AnnualInput
from wenjin.stats.policies import INPUTS, InputKey


def keys_for_year(year: int) -> list[InputKey]:
    """The inputs the year's national form asks for, in the form's order."""
    return [spec for spec in INPUTS if spec.since <= year <= spec.until]


@dataclass(frozen=True)
class InputValue:
    """One input of a unit for a year: ``value`` None when nobody entered it."""

    spec: InputKey
    value: Decimal | None
    entered_by: str
    entered_at: datetime | None

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def display(self) -> str:
        """The value with the decimals its unit allows (empty when missing)."""
        if self.value is None:
            return ""
        return f"{self.value:.{self.spec.decimals}f}"


def annual_inputs(org: OrgUnit, year: int) -> list[InputValue]:
    """Every input the year's form asks for, with the unit's own value (not its
    subtree's) and who entered it when, in the form's order."""
    rows = {row.key: row for row in AnnualInput.objects.filter(org_unit=org, year=year)}
    values = []
    for spec in keys_for_year(year):
        row = rows.get(spec.key)
        values.append(
            InputValue(
                spec=spec,
                value=row.value if row else None,
                entered_by=row.entered_by_label if row else "",
                entered_at=row.entered_at if row else None,
            )
        )
    return values


def annual_inputs_subtree(org: OrgUnit, year: int) -> dict[str, dict[str, Any]]:
    """The inputs of ``org``'s whole subtree for ``year``, summed per key:
    ``{key: {"value": Decimal | None, "entered": [{"org_code", "by", "at"}]}}`` for
    every key the year's form asks for, ``value`` None when no unit entered it.
    Contributors come in tree order; ``at`` is ISO 8601 local time with its offset,
    ready for the report's JSON."""
    totals: dict[str, dict[str, Any]] = {
        spec.key: {"value": None, "entered": []} for spec in keys_for_year(year)
    }
    rows = (
        AnnualInput.objects.filter(
            year=year, org_unit__path__startswith=org.path, key__in=list(totals)
        )
        .select_related("org_unit")
        .order_by("org_unit__path", "key")
    )
    for row in rows:
        total = totals[row.key]
        total["value"] = (total["value"] or Decimal(0)) + row.value
        total["entered"].append(
            {
                "org_code": row.org_unit.code,
                "by": row.entered_by_label,
                "at": timezone.localtime(row.entered_at).isoformat(timespec="seconds"),
            }
        )
    for spec in keys_for_year(year):
        total = totals[spec.key]
        if total["value"] is not None:  # stored with 3 places: show the unit's own
            total["value"] = total["value"].quantize(Decimal(1).scaleb(-spec.decimals))
    return totals
