"""The report workbook: sheet names, headers, rows in the form's order, indented "其中"
rows, number formats, shares shown as ``9.09%``, the per-branch sheet and the notes."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from wenjin.stats import policies
from wenjin.stats.render_xlsx import number_format, report_xlsx_bytes, text_width
from wenjin.stats.tests.sample_report import sample_report


def open_book(report):
    return load_workbook(io.BytesIO(report_xlsx_bytes(report)))


def shown(cell) -> str:
    """The text a spreadsheet shows for a cell with one of the formats the renderer uses."""
    if cell.value is None:
        return ""
    if cell.number_format == "0.00%":
        return f"{cell.value:.2%}"
    if cell.number_format.startswith("#,##0"):
        places = len(cell.number_format.partition(".")[2])
        return f"{Decimal(str(cell.value)):,.{places}f}"
    return str(cell.value)


def test_sheets_title_header_and_rows_in_the_forms_order() -> None:
    book = open_book(sample_report(2025))
    assert book.sheetnames == ["综合统计", "活动统计", "分馆", "说明"]
    sheet = book["综合统计"]
    assert "越秀区图书馆" in sheet["A1"].value and "2025" in sheet["A1"].value
    assert [c.value for c in sheet[2]] == ["序号", "项目", "单位", "数量", "来源"]
    rows = policies.comprehensive_rows(2025)
    assert sheet.max_row == 2 + len(rows)
    assert [sheet.cell(row=3 + i, column=2).value for i in range(len(rows))] == [
        r.label for r in rows
    ]
    assert [c.value for c in sheet[3]][:4] == [1, "总藏量", "册(件)", 1380000]
    assert sheet.freeze_panes == "A3"


def test_subset_rows_are_indented_and_numbers_formatted() -> None:
    sheet = open_book(sample_report(2025))["综合统计"]
    by_label = {sheet.cell(row=r, column=2).value: r for r in range(3, sheet.max_row + 1)}
    braille = by_label["其中：盲文图书"]
    assert sheet.cell(row=braille, column=2).alignment.indent == 2
    assert sheet.cell(row=by_label["图书"], column=2).alignment.indent == 1
    assert sheet.cell(row=by_label["总藏量"], column=2).alignment.indent == 0

    holdings = sheet.cell(row=by_label["总藏量"], column=4)
    assert holdings.number_format == "#,##0" and shown(holdings) == "1,380,000"
    shelf = sheet.cell(row=by_label["书架单层总长度"], column=4)
    assert isinstance(shelf.value, float) and shown(shelf) == "5,230.5"
    tb = sheet.cell(row=by_label["电子文本、图片文献资源年总量"], column=4)
    assert tb.number_format == "#,##0.000" and shown(tb) == "3.125"


def test_missing_figure_is_an_empty_cell_and_sources_say_who_entered() -> None:
    sheet = open_book(sample_report(2025))["综合统计"]
    by_key = {sheet.cell(row=r, column=2).value: r for r in range(3, sheet.max_row + 1)}
    website = by_key["图书馆网站访问量"]
    assert sheet.cell(row=website, column=4).value is None
    computers = by_key["计算机台数"]
    assert "stat_wang" in sheet.cell(row=computers, column=5).value
    assert "2026-01-05" in sheet.cell(row=computers, column=5).value
    assert sheet.cell(row=website, column=5).value != sheet.cell(row=computers, column=5).value


def test_the_2011_form_has_the_ebook_rows() -> None:
    sheet = open_book(sample_report(2019))["综合统计"]
    labels = [sheet.cell(row=r, column=2).value for r in range(3, sheet.max_row + 1)]
    assert "电子图书" in labels and "本年新增电子图书" in labels
    assert "音视频资源总量" not in labels


def test_activity_sheet_with_total_and_shares_shown_as_percent() -> None:
    sheet = open_book(sample_report(2025))["活动统计"]
    assert [c.value for c in sheet[2]] == ["类别", "场次", "场次占比", "人次", "人次占比"]
    rows = [[shown(c) for c in sheet[r]] for r in range(3, sheet.max_row + 1)]
    assert rows == [
        ["展览", "3", "9.09%", "120", "12.50%"],
        ["讲座", "20", "60.61%", "800", "83.33%"],
        ["培训", "10", "30.30%", "40", "4.17%"],
        ["阅读推广", "0", "0.00%", "0", "0.00%"],
        ["合计", "33", "100.00%", "960", "100.00%"],
    ]
    assert sheet.cell(row=sheet.max_row, column=1).font.bold


def test_branch_sheet_one_row_per_entry_one_column_per_item() -> None:
    report = sample_report(2025)
    sheet = open_book(report)["分馆"]
    header = [c.value for c in sheet[2]]
    assert header[:2] == ["代码", "名称"]
    assert header[2:] == [row["label"] for row in report["comprehensive"]]
    assert [sheet.cell(row=r, column=1).value for r in (3, 4)] == ["YX", "YX-GT"]
    assert sheet.cell(row=3, column=2).value != "越秀区图书馆"  # "own" figures say so
    lent = header.index("书刊文献外借册次") + 1
    assert sheet.cell(row=4, column=lent).value == 7
    assert sheet.cell(row=4, column=3).value is None
    assert sheet.freeze_panes == "C3"


def test_notes_sheet_lists_definitions_notes_and_checks() -> None:
    sheet = open_book(sample_report(2025))["说明"]
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "共享书房分馆的总流通人次比上年下降了92%" in texts
    assert "VISITS_DROPPED" in texts
    assert "书刊文献外借册次" in texts  # the note's row label
    assert "Checkouts in the year, renewals excluded" in texts


def test_no_checks_is_said_and_empty_activities_do_not_break() -> None:
    report = sample_report(2025, checks=[], activities={"rows": [], "total": None})
    book = open_book(report)
    assert book["活动统计"].max_row == 2
    assert book["说明"].max_row > 5


def test_column_widths_fit_chinese_labels() -> None:
    sheet = open_book(sample_report(2025))["综合统计"]
    longest = max(text_width(sheet.cell(row=r, column=2).value) for r in range(3, sheet.max_row))
    assert sheet.column_dimensions["B"].width >= longest


@pytest.mark.parametrize(("places", "expected"), [(0, "#,##0"), (1, "#,##0.0"), (3, "#,##0.000")])
def test_number_format(places: int, expected: str) -> None:
    assert number_format(places) == expected


def test_text_width_counts_chinese_double() -> None:
    assert text_width("总藏量") == 6 and text_width("TB") == 2 and text_width(None) == 0
