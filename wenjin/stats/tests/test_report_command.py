"""``wenjin report annual|monthly``: each format to standard output or a file, the default
org (the root), and the errors for bad options."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from wenjin.network import services as network
from wenjin.stats.tests import report_data
from wenjin.stats.tests.report_data import YEAR, value

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(tree, system):
    report_data.build(tree)
    return tree


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_json_to_stdout_is_utf8_indented_with_the_figures(data) -> None:
    text = run("annual", "--year", str(YEAR), "--org", "YX")
    report = json.loads(text)
    assert report["org"]["code"] == "YX" and report["year"] == YEAR and report["month"] is None
    assert value(report, "items_lent") == report_data.YX_ITEMS_LENT
    assert value(report, "computers") == report_data.COMPUTERS_AT_YX_GT
    assert "总藏量" in text and "\\u" not in text  # Chinese unescaped
    assert text.startswith('{\n  "year": ')  # indented by 2
    lectures = report["activities"]["rows"][1]
    assert (lectures["kind"], lectures["sessions"], lectures["attendance"]) == ("lecture", 3, 90)


def test_org_defaults_to_the_root(data) -> None:
    report = json.loads(run("annual", "--year", str(YEAR)))
    assert report["org"]["code"] == "GZ"
    assert value(report, "items_lent") == report_data.YX_ITEMS_LENT + 100


def test_html_to_stdout_is_a_standalone_document(data) -> None:
    text = run("annual", "--year", str(YEAR), "--org", "YX", "--format", "html")
    assert text.startswith("<!DOCTYPE html>") and 'lang="zh-Hans"' in text
    assert "<style>" in text and "<link" not in text
    assert '<td class="num">42</td>' in text  # items lent of YX's subtree


def test_files_written_with_out(data, tmp_path) -> None:
    target = tmp_path / "yx.xlsx"
    message = run("annual", "--year", str(YEAR), "--org", "YX", "--out", str(target))
    assert str(target) in message  # the format follows the extension
    sheet = load_workbook(target)["综合统计"]
    rows = {sheet.cell(row=r, column=2).value: r for r in range(3, sheet.max_row + 1)}
    assert sheet.cell(row=rows["书刊文献外借册次"], column=4).value == report_data.YX_ITEMS_LENT

    json_file = tmp_path / "yx.json"
    run(
        "annual", "--year", str(YEAR), "--org", "YX-GT", "--format", "json", "--out", str(json_file)
    )
    report = json.loads(json_file.read_text(encoding="utf-8"))
    assert value(report, "items_lent") == report_data.YX_GT_ITEMS_LENT

    html_file = tmp_path / "yx.html"
    run("annual", "--year", str(YEAR), "--org", "YX", "--out", str(html_file))
    assert html_file.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_monthly_report(data) -> None:
    march = json.loads(run("monthly", "--year", str(YEAR), "--month", "3", "--org", "YX"))
    april = json.loads(run("monthly", "--year", str(YEAR), "--month", "4", "--org", "YX"))
    assert march["month"] == 3 and march["period"]["from"] == f"{YEAR}-03-01"
    assert value(march, "items_lent") == report_data.YX_ITEMS_LENT
    assert value(april, "items_lent") == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("annual", "--year", str(YEAR), "--format", "xlsx"), "--out"),
        (("annual", "--year", "20x5"), "--year"),
        (("annual", "--year", "1800"), "1950"),
        (("annual", "--year", str(YEAR), "--org", "NOPE"), "NOPE"),
        (("monthly", "--year", str(YEAR), "--month", "13"), "12"),
        (("monthly", "--year", str(YEAR), "--month", "May"), "--month"),
        (("annual", "--year", str(YEAR), "--out", "/no/such/dir/r.json"), "/no/such/dir"),
    ],
)
def test_errors_are_clear(data, args, words) -> None:
    with pytest.raises(CommandError) as error:
        run(*args)
    assert words in str(error.value)


def test_several_roots_require_org(data, system) -> None:
    network.org_unit_create(
        actor=system, code="SZ", kind="city_center", name_zh="深圳图书馆", parent_code=None
    )
    with pytest.raises(CommandError) as error:
        run("annual", "--year", str(YEAR))
    assert "--org" in str(error.value)
    assert json.loads(run("annual", "--year", str(YEAR), "--org", "SZ"))["org"]["code"] == "SZ"


def test_year_is_required() -> None:
    with pytest.raises(CommandError):
        run("annual")
