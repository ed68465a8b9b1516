"""The statistics dashboard as an xlsx workbook: one sheet per kind of table on the page.

Sheets: the year-over-year summary (with what the figures cover and how current the
rollups are), the monthly figures of every series next to the same month a year earlier,
busiest hours, CLC classes, top titles and the per-branch breakdown. Figures are numbers
(percentages as fractions with a percent format) so the file can be summed and charted;
a figure that does not exist (active readers over a range no rollup covers, a change from
0) is an empty cell, never 0.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from wenjin.lib.charts import display_width
from wenjin.lib.xlsx import no_formulas
from wenjin.stats.dashboard import Dashboard

PERCENT = "0.0%"
COUNT = "#,##0"
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEAD_FILL = PatternFill("solid", fgColor="DDE6F0")
# Characters a sheet name may not hold.
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def sheet_name(value: str) -> str:
    return _NOT_IN_SHEET_NAME.sub(" ", value)[:31]


def _fraction(percent: float | None) -> float | None:
    return None if percent is None else percent / 100


def _table(
    sheet: Worksheet,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    start: int = 1,
    percent_columns: Sequence[int] = (),
) -> None:
    """``header`` then ``rows`` from row ``start``; numbers get a thousands format and the
    (1-based) ``percent_columns`` a percent one."""
    for column, title in enumerate(header, start=1):
        cell = sheet.cell(row=start, column=column, value=title)
        cell.font, cell.fill = _BOLD, _HEAD_FILL
    for offset, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=start + offset, column=column, value=value)
            if column in percent_columns:
                cell.number_format = PERCENT
            elif isinstance(value, int):
                cell.number_format = COUNT
    for column in range(1, len(header) + 1):
        letter = sheet.cell(row=start, column=column).column_letter
        # A Chinese character takes about two columns.
        longest = max(
            [display_width(str(header[column - 1]))]
            + [display_width(str(row[column - 1])) for row in rows if row[column - 1] is not None]
        )
        sheet.column_dimensions[letter].width = min(max(longest * 1.1 + 2, 8), 60)
    sheet.freeze_panes = sheet.cell(row=start + 1, column=1)


def dashboard_workbook(board: Dashboard) -> bytes:
    """The workbook's bytes."""
    book = Workbook()
    summary = book.active
    summary.title = sheet_name(pgettext("statistics", "Summary"))
    range_text = f"{board.first:%Y-%m} – {board.last:%Y-%m}"
    summary.cell(row=1, column=1, value=f"{board.org.code} {board.org.name}").font = _TITLE
    summary.cell(row=2, column=1, value=_("Months"))
    summary.cell(row=2, column=2, value=range_text)
    summary.cell(row=3, column=1, value=_("Generated"))
    summary.cell(row=3, column=2, value=f"{timezone.localtime():%Y-%m-%d %H:%M}")
    summary.cell(row=4, column=1, value=_("Rollups last rebuilt"))
    if board.last_run is not None and board.last_run.finished_at is not None:
        summary.cell(
            row=4,
            column=2,
            value=f"{timezone.localtime(board.last_run.finished_at):%Y-%m-%d %H:%M}",
        )
    summary.cell(row=5, column=1, value=_("Rollups cover days up to"))
    if board.rollups_through is not None:
        summary.cell(row=5, column=2, value=board.rollups_through.isoformat())
    _table(
        summary,
        [_("Measure"), _("This period"), _("A year earlier"), pgettext("statistics", "Change")],
        [
            [series.label, series.total, series.earlier_total, _fraction(series.change)]
            for series in board.series
        ],
        start=7,
        percent_columns=(4,),
    )

    monthly = book.create_sheet(sheet_name(_("Monthly")))
    header = [_("Month")]
    for series in board.series:
        header += [series.label, _("%(measure)s, a year earlier") % {"measure": series.label}]
    rows = []
    for index, month in enumerate(board.months):
        row: list[object] = [f"{month:%Y-%m}"]
        for series in board.series:
            row += [series.months[index].value, series.months[index].earlier]
        rows.append(row)
    _table(monthly, header, rows)

    hours = book.create_sheet(sheet_name(pgettext("statistics", "Busiest hours")))
    _table(
        hours,
        [_("Hour"), _("Loans"), _("Visits")],
        [[f"{figure.hour:02d}:00", figure.loans, figure.visits] for figure in board.hours],
    )

    classes = book.create_sheet(sheet_name(_("CLC classes")))
    _table(
        classes,
        [_("Class"), _("Name"), _("Loans"), _("Share")],
        [
            [figure.code, figure.name, figure.loans, _fraction(figure.share)]
            for figure in board.classes
        ],
        percent_columns=(4,),
    )

    titles = book.create_sheet(sheet_name(_("Top titles")))
    _table(
        titles,
        [_("Rank"), _("Title"), _("Loans")],
        [[rank, figure.title, figure.loans] for rank, figure in enumerate(board.titles, start=1)],
    )

    branches = book.create_sheet(sheet_name(_("Branches")))
    _table(
        branches,
        [_("Code"), pgettext("statistics", "Library"), *(series.label for series in board.series)],
        [
            [
                branch.unit.code,
                _("%(name)s (itself, without its branches)") % {"name": branch.unit.name}
                if branch.own
                else branch.unit.name,
                *(branch.values[series.key] for series in board.series),
            ]
            for branch in board.branches
        ],
    )
    out = io.BytesIO()
    no_formulas(book).save(out)
    return out.getvalue()
