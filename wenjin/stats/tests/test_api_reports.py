"""``GET /api/v1/reports/annual`` and ``/monthly``: the report JSON (the same document as the
command's), downloads, the default org, scoped permission and the error shape."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from wenjin.stats import report_io
from wenjin.stats.report import annual_report
from wenjin.stats.tests import report_data
from wenjin.stats.tests.report_data import YEAR, value

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(tree):
    report_data.build(tree)
    return tree


@pytest.fixture
def statistician(make_staff, api_client):
    return api_client(make_staff("yx_stat", "statistician", "YX"))


@pytest.fixture
def admin(make_staff, api_client):
    return api_client(make_staff("gz_admin", "network_admin", "GZ"))


def error(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def without_time(report: dict) -> dict:
    return {key: item for key, item in report.items() if key != "generated_at"}


def test_annual_report_json_is_the_engines_document(data, statistician) -> None:
    response = statistician.get(f"/api/v1/reports/annual?year={YEAR}&org=YX")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert value(body, "items_lent") == report_data.YX_ITEMS_LENT
    assert value(body, "computers") == report_data.COMPUTERS_AT_YX_GT
    assert "总藏量" in response.content.decode("utf-8")  # unescaped
    expected = report_io.jsonable(annual_report(data["YX"], YEAR))
    assert without_time(body) == without_time(expected)


def test_org_defaults_to_the_root(data, admin) -> None:
    body = admin.get(f"/api/v1/reports/annual?year={YEAR}").json()
    assert body["org"]["code"] == "GZ"
    assert sorted(b["org_code"] for b in body["branches"]) == ["GZ", "HZ", "YX"]


def test_scope_is_checked(data, statistician) -> None:
    assert error(statistician.get(f"/api/v1/reports/annual?year={YEAR}&org=HZ")) == (
        403,
        "FORBIDDEN",
    )
    assert error(statistician.get(f"/api/v1/reports/annual?year={YEAR}")) == (403, "FORBIDDEN")
    # below its unit the statistician may look
    assert statistician.get(f"/api/v1/reports/annual?year={YEAR}&org=YX-GT").status_code == 200


def test_permission_needed(data, make_staff, api_client) -> None:
    cataloguer = api_client(make_staff("cat", "cataloguer", "GZ"))
    assert error(cataloguer.get(f"/api/v1/reports/annual?year={YEAR}&org=YX")) == (
        403,
        "FORBIDDEN",
    )
    assert error(api_client().get(f"/api/v1/reports/annual?year={YEAR}&org=YX")) == (
        401,
        "UNAUTHENTICATED",
    )


@pytest.mark.parametrize("query", ["year=1800", "year=abc", "", "year=2025&format=pdf"])
def test_bad_year_or_format_is_a_validation_error(data, admin, query) -> None:
    assert error(admin.get(f"/api/v1/reports/annual?{query}&org=YX")) == (
        400,
        "VALIDATION_ERROR",
    )


def test_unknown_org_is_404(data, admin) -> None:
    assert error(admin.get(f"/api/v1/reports/annual?year={YEAR}&org=NOPE")) == (
        404,
        "ORG_UNIT_NOT_FOUND",
    )


def test_xlsx_and_html_downloads(data, statistician) -> None:
    response = statistician.get(f"/api/v1/reports/annual?year={YEAR}&org=YX&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (f'attachment; filename="report-YX-{YEAR}.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content))["综合统计"]
    assert sheet["A2"].value == "序号"
    page = statistician.get(f"/api/v1/reports/annual?year={YEAR}&org=YX&format=html")
    assert page["Content-Type"].startswith("text/html")
    assert f"report-YX-{YEAR}.html" in page["Content-Disposition"]


def test_monthly(data, statistician) -> None:
    body = statistician.get(f"/api/v1/reports/monthly?year={YEAR}&month=3&org=YX").json()
    assert body["month"] == 3 and value(body, "items_lent") == report_data.YX_ITEMS_LENT
    assert error(statistician.get(f"/api/v1/reports/monthly?year={YEAR}&month=13&org=YX")) == (
        400,
        "VALIDATION_ERROR",
    )
    response = statistician.get(f"/api/v1/reports/monthly?year={YEAR}&month=3&org=YX&format=xlsx")
    assert f"report-YX-{YEAR}-03.xlsx" in response["Content-Disposition"]


def test_documented_in_openapi(admin) -> None:
    spec = json.loads(admin.get("/api/v1/openapi.json").content)
    assert "/api/v1/reports/annual" in spec["paths"]
