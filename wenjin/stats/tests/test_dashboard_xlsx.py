"""The dashboard's xlsx: one sheet per kind of table, numbers as numbers, a figure that
does not exist as an empty cell (never 0), served with the page's parameters."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.utils import timezone, translation
from openpyxl import load_workbook

from wenjin.stats import dashboard as dash
from wenjin.stats.dashboard_xlsx import dashboard_workbook, sheet_name
from wenjin.stats.models import RollupRun
from wenjin.stats.tests.test_dashboard import APRIL, MARCH, add_loans, put_rollups

SHEETS = ["Summary", "Monthly", "Busiest hours", "CLC classes", "Top titles", "Branches"]


def rows_of(sheet, first_row: int = 1) -> list[list[object]]:
    return [list(row) for row in sheet.iter_rows(min_row=first_row, values_only=True)]


@pytest.fixture
def workbook(tree):
    put_rollups()
    add_loans()
    RollupRun.objects.create(
        started_at=timezone.now() - timedelta(minutes=5),
        finished_at=timezone.now(),
        first_day=date(2025, 1, 1),
        last_day=date(2025, 4, 30),
    )
    with translation.override("en"):
        board = dash.dashboard(tree["YX"], MARCH, APRIL)
        return load_workbook(io.BytesIO(dashboard_workbook(board)))


def test_the_sheets_and_the_summary(workbook):
    assert workbook.sheetnames == SHEETS
    summary = workbook["Summary"]
    assert summary["A1"].value == "YX YX馆"
    assert summary["B2"].value == "2025-03 – 2025-04"
    assert summary["B5"].value == "2025-04-30"
    assert summary["B4"].value  # when the rollups were last rebuilt
    table = rows_of(summary, 7)
    assert table[0] == ["Measure", "This period", "A year earlier", "Change"]
    by_label = {row[0]: row[1:] for row in table[1:]}
    assert by_label["Loans"] == [26, 8, 2.25]
    assert summary.cell(row=8, column=4).number_format == "0.0%"
    # No total of distinct readers over two months, and no change from nothing: empty.
    assert by_label["Active readers"] == [None, None, None]
    assert by_label["Events"] == [3, 0, None]


def test_the_monthly_sheet_sets_each_month_beside_a_year_earlier(workbook):
    rows = rows_of(workbook["Monthly"])
    assert rows[0][:5] == [
        "Month",
        "Loans",
        "Loans, a year earlier",
        "Returns",
        "Returns, a year earlier",
    ]
    assert len(rows[0]) == 1 + 2 * 7
    loans_column = rows[0].index("Loans")
    active_column = rows[0].index("Active readers")
    assert [row[0] for row in rows[1:]] == ["2025-03", "2025-04"]
    assert [row[loans_column : loans_column + 2] for row in rows[1:]] == [[15, 8], [11, 0]]
    assert [row[active_column] for row in rows[1:]] == [40, 35]


def test_hours_classes_titles_and_branches(workbook):
    hours = rows_of(workbook["Busiest hours"])
    assert hours[0] == ["Hour", "Loans", "Visits"]
    assert len(hours) == 25
    assert hours[11] == ["10:00", 10, 0] and hours[16] == ["15:00", 3, 20]
    classes = rows_of(workbook["CLC classes"])
    assert classes[1] == ["I", "Literature", 10, pytest.approx(0.667)]
    assert workbook["CLC classes"]["D2"].number_format == "0.0%"
    assert rows_of(workbook["Top titles"])[1:] == [[1, "红楼梦", 3], [2, "水浒传", 2]]
    branches = rows_of(workbook["Branches"])
    assert branches[0][:4] == ["Code", "Library", "Loans", "Returns"]
    assert [row[:3] for row in branches[1:]] == [
        ["YX", "YX馆 (itself, without its branches)", 5],
        ["YX-GT", "YX-GT馆", 10],
        ["YX-DS", "YX-DS馆", 11],
    ]
    active = branches[0].index("Active readers")
    assert [row[active] for row in branches[1:]] == [None, None, None]


def test_sheet_names_are_cut_and_cleaned():
    assert sheet_name("a/b:c?d*e[f]g\\h") == "a b c d e f g h"
    assert len(sheet_name("x" * 40)) == 31


def test_the_download_has_the_pages_parameters(staff_client, tree):
    put_rollups()
    client = staff_client("stat_xlsx", "statistician", "YX")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(
        "/staff/stats/dashboard.xlsx", {"org": "YX-GT", "from": "2025-03", "to": "2025-04"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert 'filename="stats-YX-GT-202503-202504.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book["Summary"]["A1"].value == "YX-GT YX-GT馆"
    monthly = rows_of(book["Monthly"])
    assert monthly[1][:3] == ["2025-03", 10, 8]
