"""The annual (or monthly) report as an xlsx workbook laid out like the national form.

Sheets: 综合统计 (序号, 项目, 单位, 数量, 来源 — "其中" rows indented), 活动统计 (with the
total row, shares shown as ``9.05%``), 分馆 (one row per branch, one column per item) and
说明 (definitions, notes, consistency checks). Figures are numbers with a number format, so
the file can be summed and charted; an unknown figure is an empty cell, never 0.
"""

from __future__ import annotations

import io
import unicodedata
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from wenjin.lib.xlsx import no_formulas
from wenjin.stats import report_io

# The form's own wording (Chinese by definition, like the row labels).
SHEET_MAIN, SHEET_ACTIVITIES, SHEET_BRANCHES, SHEET_NOTES = "综合统计", "活动统计", "分馆", "说明"
MAIN_HEADER = ("序号", "项目", "单位", "数量", "来源")
ACTIVITY_HEADER = ("类别", "场次", "场次占比", "人次", "人次占比")
SHARE_FORMAT = "0.00%"
DOCUMENT_LANGUAGE = "zh-hans"

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEAD_FILL = PatternFill("solid", fgColor="DDE6F0")
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def number_format(decimals: int) -> str:
    """``#,##0`` for whole numbers, ``#,##0.0…`` for ``decimals`` places."""
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def text_width(text: Any) -> int:
    """Columns a text needs: a Chinese character is about two Latin ones wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text or ""))


def _cell_number(value: Any) -> int | float | None:
    return report_io.plain_number(value)


def _header(sheet: Worksheet, row: int, titles: tuple[str, ...] | list[str]) -> None:
    for column, title in enumerate(titles, start=1):
        cell = sheet.cell(row=row, column=column, value=title)
        cell.font, cell.fill, cell.border = _BOLD, _HEAD_FILL, _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _title(sheet: Worksheet, text: str, columns: int) -> None:
    sheet.cell(row=1, column=1, value=text).font = _TITLE
    if columns > 1:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    sheet.row_dimensions[1].height = 24


def _fit_columns(sheet: Worksheet, minimum: int = 6, maximum: int = 60, skip_rows: int = 1) -> None:
    """Widen each column to its longest text (the merged title row excluded)."""
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=skip_rows + 1):
        for cell in row:
            if cell.value is None:
                continue
            shown = cell.value
            if isinstance(shown, int | float) and not isinstance(shown, bool):
                shown = f"{shown:,.3f}" if isinstance(shown, float) else f"{shown:,}"
            extra = int(cell.alignment.indent or 0) * 2 if cell.alignment else 0
            widths[cell.column] = max(widths.get(cell.column, 0), text_width(shown) + extra)
    for column, width in widths.items():
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = max(minimum, min(maximum, width + 2))


def _main_sheet(sheet: Worksheet, report: dict[str, Any]) -> None:
    decimals = report_io.decimals_by_key(report["year"])
    _title(sheet, report_io.report_title(report), len(MAIN_HEADER))
    _header(sheet, 2, MAIN_HEADER)
    for offset, row in enumerate(report["comprehensive"]):
        line = 3 + offset
        sheet.cell(row=line, column=1, value=row.get("no", offset + 1))
        label = sheet.cell(row=line, column=2, value=row["label"])
        label.alignment = Alignment(indent=int(row.get("indent") or 0))
        sheet.cell(row=line, column=3, value=row.get("unit", ""))
        value = sheet.cell(row=line, column=4, value=_cell_number(row.get("value")))
        value.number_format = number_format(decimals.get(row["key"], _guess(row.get("value"))))
        sheet.cell(row=line, column=5, value=report_io.source_text(row))
        for column in range(1, 6):
            sheet.cell(row=line, column=column).border = _BOX
    sheet.freeze_panes = "A3"


def _guess(value: Any) -> int:
    """Decimals for a key the form does not list: as many as the value has (at most 3)."""
    if value is None or isinstance(value, int):
        return 0
    exponent = Decimal(str(value)).normalize().as_tuple().exponent
    return min(3, -exponent) if isinstance(exponent, int) and exponent < 0 else 0


def _activities_sheet(sheet: Worksheet, report: dict[str, Any]) -> None:
    activities = report.get("activities") or {"rows": [], "total": None}
    _title(sheet, f"{report_io.report_title(report)} · {SHEET_ACTIVITIES}", len(ACTIVITY_HEADER))
    _header(sheet, 2, ACTIVITY_HEADER)
    rows = list(activities.get("rows") or [])
    if activities.get("total"):
        rows.append(activities["total"])
    for offset, row in enumerate(rows):
        line = 3 + offset
        values = (
            row["label"],
            _cell_number(row.get("sessions")),
            _share(row.get("sessions_share")),
            _cell_number(row.get("attendance")),
            _share(row.get("attendance_share")),
        )
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=line, column=column, value=value)
            cell.border = _BOX
            if column in (2, 4):
                cell.number_format = number_format(0)
            elif column in (3, 5):
                cell.number_format = SHARE_FORMAT
            if row.get("kind") == "total":
                cell.font = _BOLD
    sheet.freeze_panes = "A3"


def _share(share: Any) -> float:
    """A share in per cent (9.05) as the fraction a percent format shows as ``9.05%``."""
    return float(Decimal(str(share or 0)) / 100)


def _branches_sheet(sheet: Worksheet, report: dict[str, Any]) -> None:
    rows = report["comprehensive"]
    decimals = report_io.decimals_by_key(report["year"])
    header = ["代码", "名称", *(row["label"] for row in rows)]
    _title(sheet, f"{report_io.report_title(report)} · {SHEET_BRANCHES}", len(header))
    _header(sheet, 2, header)
    for offset, branch in enumerate(report.get("branches") or []):
        line = 3 + offset
        sheet.cell(row=line, column=1, value=branch["org_code"])
        sheet.cell(row=line, column=2, value=report_io.branch_name(branch))
        values = branch.get("values") or {}
        for column, row in enumerate(rows, start=3):
            cell = sheet.cell(row=line, column=column, value=_cell_number(values.get(row["key"])))
            cell.number_format = number_format(decimals.get(row["key"], 0))
    sheet.freeze_panes = "C3"  # the code and name stay in view while scrolling across


def _notes_sheet(sheet: Worksheet, report: dict[str, Any]) -> None:
    labels = {row["key"]: row["label"] for row in report["comprehensive"]}
    sheet.cell(row=1, column=1, value=report_io.report_title(report)).font = _TITLE
    period = report.get("period") or {}
    lines: list[tuple[Any, ...]] = [
        (_("Period"), f"{period.get('from', '')} – {period.get('to', '')}"),
        (_("Form"), report.get("schema", "")),
        (_("Generated at"), report.get("generated_at", "")),
        (_("Rollups complete through"), report.get("rollups_through") or _("no rollups yet")),
        (),
        (_("Definitions"),),
        *report_io.definition_texts(report.get("definitions") or {}),
        (),
        (_("Notes"),),
        *((labels.get(note["key"], ""), note["text"]) for note in report.get("notes") or []),
        (),
        (_("Consistency checks"),),
    ]
    checks = report.get("checks") or []
    lines += [(check.get("org_code", ""), check["message"], check["code"]) for check in checks]
    if not checks:
        lines.append((_("No problems found."),))
    headings = {_("Definitions"), _("Notes"), _("Consistency checks")}
    for offset, values in enumerate(lines):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=3 + offset, column=column, value=value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if len(values) == 1 and value in headings:
                cell.font = _BOLD
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 80
    sheet.column_dimensions["C"].width = 24


def report_workbook(report: dict[str, Any]) -> Workbook:
    """The workbook of one report (the national form's sheets, in Chinese)."""
    with translation.override(DOCUMENT_LANGUAGE):
        book = Workbook()
        main = book.active
        main.title = SHEET_MAIN
        _main_sheet(main, report)
        _activities_sheet(book.create_sheet(SHEET_ACTIVITIES), report)
        _branches_sheet(book.create_sheet(SHEET_BRANCHES), report)
        _notes_sheet(book.create_sheet(SHEET_NOTES), report)
        for sheet in (main, book[SHEET_ACTIVITIES], book[SHEET_BRANCHES]):
            _fit_columns(sheet)
            # Printed on A4 with the header row repeated on each page, like the paper form.
            sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
            sheet.print_title_rows = "2:2"
        book[SHEET_BRANCHES].page_setup.orientation = "landscape"
        # Branch columns are headed by long labels: wrap them rather than widen the sheet.
        branches = book[SHEET_BRANCHES]
        for column in range(3, branches.max_column + 1):
            letter = get_column_letter(column)
            branches.column_dimensions[letter].width = min(
                branches.column_dimensions[letter].width, 14
            )
        branches.row_dimensions[2].height = 48
        book.properties.title = report_io.report_title(report)
        book.properties.creator = "Wenjin"
    return no_formulas(book)


def report_xlsx_bytes(report: dict[str, Any]) -> bytes:
    """The workbook as the bytes of an .xlsx file."""
    buffer = io.BytesIO()
    report_workbook(report).save(buffer)
    return buffer.getvalue()
