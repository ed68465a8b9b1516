"""A hand-built report dict of the engine's exact shape (see ``wenjin.stats.report``), so the
renderers are tested against known figures without a database."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from wenjin.stats import policies

# Figures chosen so every kind of cell shows: thousands separators, decimals, a missing
# input, an entered one with its author, an indented subset.
VALUES: dict[str, Any] = {
    "holdings_total": 1380000,
    "books": 1200000,
    "braille_books": 350,
    "ancient_books": 2000,
    "rare_books": 12,
    "shelf_length_m": Decimal("5230.5"),
    "av_resources_khours": Decimal("12.25"),
    "digital_text_tb": Decimal("3.125"),
    "valid_cards": 163918,
    "visits": 1800000,
    "lending_visits": 254000,
    "items_lent": 619626,
    "computers": 120,
    "reader_terminals": 80,
}
MISSING = {"website_visits", "online_service_visits"}
ACTIVITIES = [
    ("exhibition", "展览", 3, 120),
    ("lecture", "讲座", 20, 800),
    ("training", "培训", 10, 40),
    ("reading_promotion", "阅读推广", 0, 0),
]


def sample_report(year: int = 2025, month: int | None = None, **changes: Any) -> dict[str, Any]:
    """A report for 越秀区图书馆 (YX) with two branches; ``changes`` replace top-level keys."""
    rows = []
    for number, row in enumerate(policies.comprehensive_rows(year), start=1):
        value = None if row.key in MISSING else VALUES.get(row.key, 10 * number)
        source = row.source if value is not None else "missing"
        rows.append(
            {
                "no": number,
                "key": row.key,
                "label": row.label,
                "unit": row.unit,
                "value": value,
                "source": source,
                "indent": row.indent,
                "definition": row.definition,
                "entered": (
                    [{"org_code": "YX", "by": "stat_wang", "at": "2026-01-05T10:00:00+08:00"}]
                    if source == "entered"
                    else []
                ),
            }
        )
    sessions = policies.shares([a[2] for a in ACTIVITIES])
    attendance = policies.shares([a[3] for a in ACTIVITIES])
    activities = {
        "rows": [
            {
                "kind": kind,
                "label": label,
                "sessions": count,
                "sessions_share": float(sessions[i]),
                "attendance": people,
                "attendance_share": float(attendance[i]),
            }
            for i, (kind, label, count, people) in enumerate(ACTIVITIES)
        ],
        "total": {
            "kind": "total",
            "label": "合计",
            "sessions": sum(a[2] for a in ACTIVITIES),
            "sessions_share": 100.0,
            "attendance": sum(a[3] for a in ACTIVITIES),
            "attendance_share": 100.0,
        },
    }
    keys = [row["key"] for row in rows]
    report: dict[str, Any] = {
        "year": year,
        "month": month,
        "schema": policies.schema_for(year),
        "org": {"code": "YX", "name": "越秀区图书馆"},
        "period": {"from": f"{year}-01-01", "to": f"{year}-12-31"},
        "generated_at": "2026-01-10T09:30:00+08:00",
        "definitions": {"items_lent_includes_renewals": False, "valid_cards": "year_end"},
        "comprehensive": rows,
        "activities": activities,
        "branches": [
            {
                "org_code": "YX",
                "name": "越秀区图书馆",
                "own": True,
                "values": {key: 1000 for key in keys},
            },
            {
                "org_code": "YX-GT",
                "name": "共享书房分馆",
                "own": False,
                "values": {key: (7 if key == "items_lent" else None) for key in keys},
            },
        ],
        "checks": [
            {
                "code": "VISITS_DROPPED",
                "message": "共享书房分馆的总流通人次比上年下降了92%",
                "org_code": "YX-GT",
            }
        ],
        "notes": [{"key": "items_lent", "text": "Checkouts in the year, renewals excluded"}],
        "rollups_through": f"{year}-12-31",
    }
    report.update(changes)
    return report
