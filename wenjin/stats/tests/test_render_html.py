"""The printable html report: a self-contained Chinese document with the two tables in
the form's order, the checks, the notes and the per-branch tables; A4 print CSS."""

from __future__ import annotations

from html.parser import HTMLParser

from wenjin.stats import policies
from wenjin.stats.render_html import print_css, report_context, report_document
from wenjin.stats.tests.sample_report import sample_report


class Tables(HTMLParser):
    """Every table of a page as a list of rows of (tag, attrs, text) cells, its caption,
    plus the <html> attributes and whether any external resource is referenced."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.html_attrs: dict = {}
        self.external: list[str] = []
        self.styles = 0
        self._cell: list | None = None
        self._caption: list | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        if tag == "html":
            self.html_attrs = values
        elif tag == "style":
            self.styles += 1
        elif tag in ("link", "script", "img") and (values.get("href") or values.get("src")):
            self.external.append(values.get("href") or values.get("src"))
        elif tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell = [tag, values, ""]
        elif tag == "a" and self._cell is not None:
            self._cell[1] = {**self._cell[1], "href": values.get("href")}

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self._cell[2] = " ".join(self._cell[2].split())
            self.tables[-1]["rows"][-1].append(tuple(self._cell))
            self._cell = None
        elif tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = " ".join("".join(self._caption).split())
            self._caption = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[2] += data
        if self._caption is not None:
            self._caption.append(data)


def parse(html: str) -> Tables:
    parser = Tables()
    parser.feed(html)
    return parser


def texts(row: list) -> list[str]:
    return [cell[2] for cell in row]


def test_standalone_document_is_chinese_self_contained_and_printable() -> None:
    html = report_document(sample_report(2025))
    page = parse(html)
    assert page.html_attrs.get("lang") == "zh-Hans"
    assert page.styles == 1 and page.external == []  # CSS inline, nothing fetched
    assert "@page" in html and "size: A4" in html and "table-header-group" in html
    assert "越秀区图书馆" in html.split("</title>")[0]
    assert "<h1>" in html


def test_comprehensive_table_rows_in_order_with_headers_and_scopes() -> None:
    page = parse(report_document(sample_report(2025)))
    main = page.tables[0]
    assert "综合统计" in main["caption"]
    header = main["rows"][0]
    assert texts(header) == ["序号", "项目", "单位", "数量", "来源"]
    assert all(cell[0] == "th" and cell[1]["scope"] == "col" for cell in header)
    body = main["rows"][1:]
    assert [row[1][2] for row in body] == [r.label for r in policies.comprehensive_rows(2025)]
    assert texts(body[0])[:4] == ["1", "总藏量", "册(件)", "1,380,000"]
    assert body[0][1][0] == "th" and body[0][1][1]["scope"] == "row"
    by_label = {row[1][2]: row for row in body}
    assert by_label["其中：盲文图书"][1][1]["class"] == "rpt-indent-2"
    assert by_label["书架单层总长度"][3][2] == "5,230.5"
    assert by_label["电子文本、图片文献资源年总量"][3][2] == "3.125"
    website = by_label["图书馆网站访问量"]
    assert website[3][2].startswith("—")  # no figure: a dash, never 0
    assert "stat_wang" in by_label["计算机台数"][4][2]


def test_activity_table_shows_shares_as_percent_with_total() -> None:
    page = parse(report_document(sample_report(2025)))
    activities = page.tables[1]
    assert texts(activities["rows"][0]) == ["类别", "场次", "场次占比", "人次", "人次占比"]
    assert [texts(row) for row in activities["rows"][1:]] == [
        ["展览", "3", "9.09%", "120", "12.50%"],
        ["讲座", "20", "60.61%", "800", "83.33%"],
        ["培训", "10", "30.30%", "40", "4.17%"],
        ["阅读推广", "0", "0.00%", "0", "0.00%"],
        ["合计", "33", "100.00%", "960", "100.00%"],
    ]


def test_checks_and_notes_are_shown() -> None:
    html = report_document(sample_report(2025)).partition("<body")[2]  # past the inline CSS
    checks = html.index("rpt-checks-found")
    assert checks < html.index("综合统计")  # before the tables: they must be seen
    assert "共享书房分馆的总流通人次比上年下降了92%" in html
    assert "Checkouts in the year, renewals excluded" in html
    clean = report_document(sample_report(2025, checks=[])).partition("<body")[2]
    assert "rpt-checks-found" not in clean and "rpt-checks" in clean


def test_branch_tables_turned_round_and_split_for_the_page() -> None:
    report = sample_report(2025)
    extra = [
        {"org_code": f"YX-B{i}", "name": f"第{i}分馆", "own": False, "values": {"visits": i}}
        for i in range(1, 9)
    ]
    report["branches"] = report["branches"] + extra  # 10 entries → tables of 6 and 4
    page = parse(report_document(report))
    branch_tables = page.tables[2:]
    assert len(branch_tables) == 2
    first, second = (table["rows"] for table in branch_tables)
    assert len(first[0]) == 1 + 6 and len(second[0]) == 1 + 4
    assert first[0][2][2].startswith("共享书房分馆")
    assert [row[0][2] for row in first[1:]] == [r["label"] for r in report["comprehensive"]]
    visits = next(row for row in second if row[0][2] == "总流通人次")
    assert texts(visits)[1:] == ["5", "6", "7", "8"]
    captions = [table["caption"] for table in branch_tables]
    assert captions[0] != captions[1] and "1" in captions[0] and "2" in captions[1]


def test_drill_down_links_only_for_branches_given() -> None:
    context = report_context(sample_report(2025), links={"YX-GT": "/x?org=YX-GT", "YX": "/x"})
    heads = context["branch_tables"][0]["branches"]
    assert [(h["code"], h["url"]) for h in heads] == [("YX", ""), ("YX-GT", "/x?org=YX-GT")]
    assert report_context(sample_report(2025))["branch_tables"][0]["branches"][1]["url"] == ""


def test_monthly_title_and_unfinished_rollups_are_flagged() -> None:
    report = sample_report(2025, month=3, rollups_through="2025-03-20")
    report["period"] = {"from": "2025-03-01", "to": "2025-03-31"}
    context = report_context(report)
    assert "2025-03" in context["title"] and context["incomplete"] is True
    assert report_context(sample_report(2025))["incomplete"] is False
    assert report_context(sample_report(2025, rollups_through=None))["incomplete"] is True


def test_print_css_hides_controls_and_keeps_rows_whole() -> None:
    css = print_css()
    print_part = css[css.index("@media print") :]
    assert ".rpt-no-print" in print_part and "display: none" in print_part
    assert "break-inside: avoid" in print_part
    assert "</" not in css
