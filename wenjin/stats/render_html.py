"""The report as html: the display context the templates share (the staff pages and the
printable document) and the standalone document ``wenjin report … --format html`` writes.

The standalone file carries its print CSS inline (it is opened from disk or mailed, not
served by us, so the site's CSP does not apply to it); the staff pages link the same CSS
as a static file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from wenjin.stats import report_io

PRINT_CSS = Path(__file__).resolve().parent / "static" / "stats" / "report-print.css"
DOCUMENT_LANGUAGE = "zh-hans"
# Branches per table in the per-branch section: with the label column, 6 figures fit the
# width of a portrait A4 page at a readable size, and a phone scrolls a short way.
BRANCHES_PER_TABLE = 6
MISSING = "—"


def _rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    decimals = report_io.decimals_by_key(report["year"])
    return [
        {
            "no": row.get("no", number),
            "key": row["key"],
            "label": row["label"],
            "unit": row.get("unit", ""),
            "indent": min(int(row.get("indent") or 0), 2),
            "value": report_io.number_text(row.get("value"), decimals.get(row["key"], 0))
            or MISSING,
            "missing": row.get("value") is None,
            "source": row.get("source", ""),
            "source_text": report_io.source_text(row),
        }
        for number, row in enumerate(report["comprehensive"], start=1)
    ]


def _activities(report: dict[str, Any]) -> list[dict[str, Any]]:
    activities = report.get("activities") or {}
    rows = list(activities.get("rows") or [])
    if activities.get("total"):
        rows.append(activities["total"])
    return [
        {
            "label": row["label"],
            "total": row.get("kind") == "total",
            "sessions": report_io.number_text(row.get("sessions") or 0),
            "sessions_share": report_io.share_text(row.get("sessions_share")),
            "attendance": report_io.number_text(row.get("attendance") or 0),
            "attendance_share": report_io.share_text(row.get("attendance_share")),
        }
        for row in rows
    ]


def _branch_tables(
    report: dict[str, Any], links: Mapping[str, str], per_table: int
) -> list[dict[str, Any]]:
    """The per-branch figures turned round (items down, branches across) in tables of
    ``per_table`` branches: 30-odd items across would not fit a page or a phone."""
    branches = report.get("branches") or []
    decimals = report_io.decimals_by_key(report["year"])
    chunks = [branches[i : i + per_table] for i in range(0, len(branches), per_table)]
    tables = []
    for index, chunk in enumerate(chunks, start=1):
        tables.append(
            {
                "number": index,
                "of": len(chunks),
                "branches": [
                    {
                        "code": branch["org_code"],
                        "name": report_io.branch_name(branch),
                        "url": "" if branch.get("own") else links.get(branch["org_code"], ""),
                    }
                    for branch in chunk
                ],
                "rows": [
                    {
                        "label": row["label"],
                        "indent": min(int(row.get("indent") or 0), 2),
                        "values": [
                            report_io.number_text(
                                (branch.get("values") or {}).get(row["key"]),
                                decimals.get(row["key"], 0),
                            )
                            or MISSING
                            for branch in chunk
                        ],
                    }
                    for row in report["comprehensive"]
                ],
            }
        )
    return tables


def report_context(
    report: dict[str, Any],
    *,
    links: Mapping[str, str] | None = None,
    per_table: int = BRANCHES_PER_TABLE,
) -> dict[str, Any]:
    """What the report templates show, every figure already formatted. ``links`` maps a
    branch code to its own report's url (the staff page's drill-down)."""
    labels = {row["key"]: row["label"] for row in report["comprehensive"]}
    period = report.get("period") or {}
    return {
        "title": report_io.report_title(report),
        "org": report["org"],
        "year": report["year"],
        "month": report.get("month"),
        "schema": report.get("schema", ""),
        "period_from": period.get("from", ""),
        "period_to": period.get("to", ""),
        "generated_at": str(report.get("generated_at") or "")[:16].replace("T", " "),
        "rollups_through": str(report.get("rollups_through") or ""),
        # Rollups that stop before the period's end: the figures are not final yet.
        "incomplete": bool(
            period.get("to") and str(report.get("rollups_through") or "") < str(period["to"])
        ),
        "rows": _rows(report),
        "activities": _activities(report),
        "checks": list(report.get("checks") or []),
        "definitions": report_io.definition_texts(report.get("definitions") or {}),
        # A note's text names what it defines ("藏量：…"); the row label is added only
        # where the note belongs to one row of the form.
        "notes": [
            {"label": labels.get(note["key"], ""), "text": note["text"]}
            for note in report.get("notes") or []
        ],
        "branch_tables": _branch_tables(report, links or {}, per_table),
    }


def print_css() -> str:
    """The print stylesheet's text, to inline into the standalone document."""
    # A stylesheet cannot legitimately contain "</style"; cutting it keeps the element closed.
    return PRINT_CSS.read_text(encoding="utf-8").replace("</", "<\\/")


def report_document(report: dict[str, Any]) -> str:
    """The report as one self-contained, printable html document in Chinese.

    It is a file to keep and print, opened from the disk rather than served by the
    platform, so its styles travel inside it; the element is built here because no
    served template may carry inline styles (the content security policy forbids them).
    """
    style = mark_safe(f"<style>\n{print_css()}\n</style>")  # noqa: S308 (our own stylesheet)
    with translation.override(DOCUMENT_LANGUAGE):
        return render_to_string(
            "stats/report_document.html", {"rpt": report_context(report), "style_element": style}
        )
