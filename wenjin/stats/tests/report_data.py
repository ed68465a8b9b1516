"""A tiny dataset for the report's outputs (command, API, staff pages): a few rollups and
one annual input in the shared test network, with figures known in advance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from wenjin.network.models import OrgUnit
from wenjin.stats.models import AnnualInput, Period, Rollup, RollupRun

YEAR = 2025
# loans in March by unit: YX's subtree lends 10 + 20 + 5 + 7 = 42; HZ-A is outside it.
LOANS = {"YX": 10, "YX-GT": 20, "YX-GT-SP": 5, "YX-DS": 7, "HZ-A": 100}
YX_ITEMS_LENT = 42
YX_GT_ITEMS_LENT = 25
COMPUTERS_AT_YX_GT = 12


def build(units: dict[str, OrgUnit]) -> None:
    """Rollups for YEAR (loans in March and June, lectures at YX-GT) and an entered input."""
    rows = []
    for code, loans in LOANS.items():
        rows.append(
            Rollup(
                org_unit=units[code],
                period=Period.DAY,
                day=date(YEAR, 3, 5),
                measure="loans",
                value=loans,
            )
        )
    rows.append(
        Rollup(
            org_unit=units["YX-GT"],
            period=Period.DAY,
            day=date(YEAR, 3, 6),
            measure="events",
            dim="lecture",
            value=3,
        )
    )
    rows.append(
        Rollup(
            org_unit=units["YX-GT"],
            period=Period.DAY,
            day=date(YEAR, 3, 6),
            measure="event_attendance",
            dim="lecture",
            value=90,
        )
    )
    Rollup.objects.bulk_create(rows)
    AnnualInput.objects.create(
        org_unit=units["YX-GT"],
        year=YEAR,
        key="computers",
        value=Decimal(COMPUTERS_AT_YX_GT),
        entered_at=timezone.now(),
        entered_by_label="stat_li",
    )
    RollupRun.objects.create(
        started_at=timezone.now(),
        finished_at=timezone.now(),
        first_day=date(YEAR, 1, 1),
        last_day=date(YEAR, 12, 31),
    )


def value(report: dict, key: str):
    """The 综合统计 value of ``key`` in a report (JSON or dict)."""
    return next(row["value"] for row in report["comprehensive"] if row["key"] == key)
