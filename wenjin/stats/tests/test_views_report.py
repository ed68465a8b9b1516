"""The report's staff pages: the annual and monthly report of a unit in the user's scope,
the drill-down links, the downloads, the pickers, and refusals."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from wenjin.stats.tests import report_data
from wenjin.stats.tests.report_data import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(tree):
    report_data.build(tree)
    return tree


@pytest.fixture
def director(data, staff_client):
    """YX's branch director: stats.view on YX and below."""
    return staff_client("yx_dir", "branch_director", "YX")


def annual(client, **params):
    return client.get(reverse("stats:annual"), params)


def test_annual_page_shows_the_tables_checks_branches_and_downloads(director) -> None:
    response = annual(director, org="YX", year=YEAR)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/static/stats/report-print.css"' in html and "<style" not in html
    assert "综合统计" in html and "活动统计" in html
    assert re.search(r'<th scope="row" class="rpt-indent-0">书刊文献外借册次</th>', html)
    assert '<td class="num">42</td>' in html  # items lent over YX's subtree
    assert "rpt-checks" in html
    # drill-down: each child subtree links to its own report, the unit's own column does not
    assert f'href="/staff/stats/reports/annual/?org=YX-GT&amp;year={YEAR}"' in html
    assert (
        f'href="/staff/stats/reports/annual/?org=YX&amp;year={YEAR}"'
        not in html.split("rpt-branches")[1]
    )
    for name in ("xlsx", "html", "json"):
        assert f"format={name}" in html
    assert f"/staff/stats/reports/monthly/?org=YX&amp;year={YEAR}&amp;month=12" in html
    # the picker offers only the units in scope
    options = re.findall(r'<option value="([A-Z-]+)"', html)
    assert options == ["YX", "YX-GT", "YX-GT-SP", "YX-DS"]  # tree order


def test_drill_down_page_of_a_branch(director) -> None:
    response = annual(director, org="YX-GT", year=YEAR)
    assert response.status_code == 200
    assert f'<td class="num">{report_data.YX_GT_ITEMS_LENT}</td>' in response.content.decode()
    # its parent is in the director's scope: a link up
    assert f"?org=YX&amp;year={YEAR}" in response.content.decode()


def test_defaults_to_the_top_of_the_scope(director) -> None:
    response = annual(director)
    assert response.status_code == 200
    assert response.context["chosen"].org.code == "YX"


def test_downloads(director) -> None:
    xlsx = annual(director, org="YX", year=YEAR, format="xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"] == f'attachment; filename="report-YX-{YEAR}.xlsx"'
    sheet = load_workbook(io.BytesIO(xlsx.content))["综合统计"]
    assert sheet["B2"].value == "项目"
    page = annual(director, org="YX", year=YEAR, format="html")
    assert page.content.decode().startswith("<!DOCTYPE html>")
    assert "<style>" in page.content.decode()
    body = json.loads(annual(director, org="YX", year=YEAR, format="json").content)
    assert report_data.value(body, "items_lent") == report_data.YX_ITEMS_LENT


def test_monthly_page(director) -> None:
    response = director.get(reverse("stats:monthly"), {"org": "YX", "year": YEAR, "month": 3})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<td class="num">42</td>' in html
    assert f"?org=YX-GT&amp;year={YEAR}&amp;month=3" in html
    april = director.get(reverse("stats:monthly"), {"org": "YX", "year": YEAR, "month": 4})
    assert '<td class="num">42</td>' not in april.content.decode()
    default = director.get(reverse("stats:monthly"))
    assert default.status_code == 200 and default.context["chosen"].month in range(1, 13)


@pytest.mark.parametrize(
    ("params", "url"),
    [
        ({"org": "YX", "year": "20x5"}, "stats:annual"),
        ({"org": "YX", "year": "1800"}, "stats:annual"),
        ({"org": "YX", "year": YEAR, "format": "pdf"}, "stats:annual"),
        ({"org": "YX", "year": YEAR, "month": "13"}, "stats:monthly"),
    ],
)
def test_bad_period_or_format_is_a_400_page_with_the_form(director, params, url) -> None:
    response = director.get(reverse(url), params)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and '<form method="get"' in html
    assert "综合统计" not in html


def test_outside_the_scope_is_refused(director) -> None:
    assert annual(director, org="HZ", year=YEAR).status_code == 403
    assert annual(director, org="GZ", year=YEAR, format="xlsx").status_code == 403


def test_unknown_org_is_404(director) -> None:
    assert annual(director, org="NOPE", year=YEAR).status_code == 404


def test_without_stats_view_refused_and_anonymous_sent_to_login(data, staff_client, client) -> None:
    cataloguer = staff_client("cat", "cataloguer", "YX")
    assert annual(cataloguer, year=YEAR).status_code == 403
    response = annual(client, year=YEAR)
    assert response.status_code == 302 and "login" in response["Location"]
