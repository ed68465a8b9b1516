"""The dashboard page and its xlsx: what a statistician sees, the scope (403 outside it),
and bad parameters (a 400 with the reason, never a 500)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from wenjin.stats import dashboard as dash
from wenjin.stats.models import RollupRun
from wenjin.stats.tests.test_dashboard import add_loans, put_rollups

PAGE = "/staff/stats/"
XLSX = "/staff/stats/dashboard.xlsx"
RANGE = {"org": "YX", "from": "2025-03", "to": "2025-04"}


class Tables(HTMLParser):
    """Every table of a page: its caption and its rows as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._in_caption = False
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._rows, self._caption = [], ""
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []
        elif tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._rows is not None:
            self.tables[(self._caption or "").strip()] = self._rows
            self._rows = None
        elif tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None and self._rows:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self._caption = (self._caption or "") + data
        elif self._cell is not None:
            self._cell.append(data)


def tables_of(response) -> Tables:
    parser = Tables()
    parser.feed(response.content.decode())
    return parser


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def statistician(staff_client, tree) -> Client:
    put_rollups()
    return english(staff_client("stat_yx", "statistician", "YX"))


@pytest.fixture
def gt_director(staff_client, tree) -> Client:
    return english(staff_client("gt_director", "branch_director", "YX-GT"))


def test_the_dashboard_shows_each_chart_with_its_table(statistician):
    response = statistician.get(PAGE, RANGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('role="img"') == 7 + 2 + 2  # the monthly series, hours, classes, titles
    for ident in ("chart-loans", "chart-active_readers", "chart-loan-hours", "chart-classes"):
        assert f'aria-labelledby="{ident}-title {ident}-desc"' in html
    tables = tables_of(response).tables
    loans = tables["Loans per month"]
    assert loans[0] == ["Month", "Loans", "A year earlier", "Change"]
    assert loans[1:] == [
        ["2025-03", "15", "8", "+87.5%"],
        ["2025-04", "11", "0", "—"],
        ["Total", "26", "8", "+225.0%"],
    ]
    assert tables["Active readers per month"][1:] == [
        ["2025-03", "40", "20", "+100.0%"],
        ["2025-04", "35", "0", "—"],
        ["Total", "—", "—", "—"],  # distinct readers of two months are not kept
    ]
    summary = tables["2025-03 – 2025-04 against the same months a year earlier"]
    assert ["Visits", "300", "200", "+50.0%"] in summary
    assert ["Events", "3", "0", "—"] in summary
    hours = tables["Loans and visits by hour of the day"]
    assert hours[11] == ["10:00", "10", "0"] and hours[16] == ["15:00", "3", "20"]
    assert tables["Loans by CLC class"][1] == ["I Literature", "10", "66.7%"]
    assert "Most loans: 10:00–10:59." in html and "Most visits: 15:00–15:59." in html


def test_the_branch_table_drills_down_with_the_same_months(statistician):
    response = statistician.get(PAGE, RANGE)
    parsed = tables_of(response)
    branches = parsed.tables["Branches, 2025-03 – 2025-04"]
    assert branches[0][:3] == ["Library", "Loans", "Returns"]
    assert [row[:2] for row in branches[1:]] == [
        ["YX YX馆 (itself, without its branches)", "5"],
        ["YX-GT YX-GT馆", "10"],
        ["YX-DS YX-DS馆", "11"],
    ]
    link = f"{PAGE}?org=YX-GT&amp;from=2025-03&amp;to=2025-04"
    assert link in response.content.decode()
    drilled = statistician.get(PAGE, {"org": "YX-GT", "from": "2025-03", "to": "2025-04"})
    assert drilled.status_code == 200
    assert tables_of(drilled).tables["Loans per month"][1] == ["2025-03", "10", "8", "+25.0%"]
    # From a branch, a link back up to its parent (in scope).
    assert f"{PAGE}?org=YX&amp;from=2025-03&amp;to=2025-04" in drilled.content.decode()
    assert XLSX + "?org=YX-GT&amp;from=2025-03&amp;to=2025-04" in drilled.content.decode()


def test_top_titles_link_to_their_records(statistician):
    ids = add_loans()
    response = statistician.get(PAGE, RANGE)
    parsed = tables_of(response)
    assert parsed.tables["Titles lent most"][1:] == [["1", "红楼梦", "3"], ["2", "水浒传", "2"]]
    assert f"/staff/catalog/records/{ids['红楼梦']}/" in parsed.links


def test_defaults_are_the_top_of_the_scope_and_the_last_twelve_months(gt_director):
    response = gt_director.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    first, last = dash.default_range(timezone.localdate())
    assert f'name="from" value="{first:%Y-%m}"' in html
    assert f'name="to" value="{last:%Y-%m}"' in html
    options = re.findall(r'<option value="([^"]+)"( selected)?>', html)
    # Only the units in the director's scope are offered; the top one is chosen.
    assert options == [("YX-GT", " selected"), ("YX-GT-SP", "")]
    assert len(tables_of(response).tables["Loans per month"]) == 12 + 2


def test_how_current_the_figures_are_is_shown(statistician):
    html = statistician.get(PAGE, RANGE).content.decode()
    assert "never been rebuilt" in html
    finished = timezone.now() - timedelta(hours=3)
    RollupRun.objects.create(
        started_at=finished - timedelta(minutes=1),
        finished_at=finished,
        first_day=date(2025, 1, 1),
        last_day=date(2025, 3, 31),
    )
    html = statistician.get(PAGE, RANGE).content.decode()
    assert f"last rebuilt {timezone.localtime(finished):%Y-%m-%d %H:%M}" in html
    assert "(days 2025-01-01 – 2025-03-31)" in html
    assert "Days after 2025-03-31 are not rolled up yet." in html
    html = statistician.get(PAGE, {**RANGE, "to": "2025-03"}).content.decode()
    assert "not rolled up yet" not in html


@pytest.mark.parametrize("org", ["YX", "HZ", "GZ"])
def test_a_unit_outside_the_scope_is_refused(gt_director, org):
    for url in (PAGE, XLSX):
        response = gt_director.get(url, {"org": org})
        assert response.status_code == 403
        assert "outside the part of the network" in response.content.decode()


def test_staff_without_statistics_are_refused_and_strangers_sent_to_log_in(staff_client, tree):
    cataloguer = english(staff_client("cat", "cataloguer", "YX"))
    for url in (PAGE, XLSX):
        response = cataloguer.get(url)
        assert response.status_code == 403
        assert "do not include seeing statistics" in response.content.decode()
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_unknown_unit_is_not_found(statistician):
    assert statistician.get(PAGE, {"org": "NOPE"}).status_code == 404
    assert statistician.get(XLSX, {"org": "NOPE"}).status_code == 404


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2025-04", "to": "2025-03"}, "The first month comes after the last one."),
        ({"from": "garbage"}, "Give months as year and month, like 2025-03."),
        ({"to": "2025-13"}, "Give months as year and month, like 2025-03."),
        ({"from": "\x00'; drop table"}, "Give months as year and month, like 2025-03."),
        ({"from": "2020-01", "to": "2025-01"}, "Choose at most 36 months."),
    ],
)
def test_bad_months_get_the_form_and_the_reason(statistician, params, message):
    response = statistician.get(PAGE, {"org": "YX", **params})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and message in html
    assert 'name="from"' in html and 'role="img"' not in html  # the form, no figures
    response = statistician.get(XLSX, {"org": "YX", **params})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_one_month_given_the_other_is_the_default(statistician):
    response = statistician.get(PAGE, {"org": "YX", "from": "2025-03-17", "to": "2025-03"})
    assert response.status_code == 200
    assert tables_of(response).tables["Loans per month"][1] == ["2025-03", "15", "8", "+87.5%"]


def test_the_page_only_answers_get(statistician):
    assert statistician.post(PAGE, RANGE).status_code == 405


def test_the_staff_pages_link_to_the_statistics(statistician):
    html = statistician.get("/staff/").content.decode()
    assert html.count(f'href="{PAGE}"') == 2  # the menu and the staff desk's tiles
