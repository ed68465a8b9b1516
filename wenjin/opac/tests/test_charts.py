"""The report's SVG charts: well-formed, accessible, escaped, and sane without data."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from wenjin.opac import charts

SVG = "{http://www.w3.org/2000/svg}"
NASTY = '<script>alert("x")</script> & \x07'


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def bars(root: ET.Element) -> list[ET.Element]:
    return [rect for rect in root.iter(f"{SVG}rect") if "chart-bar" in rect.get("class", "")]


def texts(root: ET.Element, css_class: str = "") -> list[str]:
    return [
        node.text or ""
        for node in root.iter(f"{SVG}text")
        if css_class in node.get("class", "").split() or not css_class
    ]


def assert_accessible(root: ET.Element, ident: str, title: str) -> None:
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{ident}-title {ident}-desc"
    title_node = root.find(f"{SVG}title")
    assert title_node is not None and title_node.get("id") == f"{ident}-title"
    assert title_node.text == title
    assert root.find(f"{SVG}desc") is not None
    assert root.get("viewBox", "").startswith("0 0 ")
    # No fixed size: the page's CSS scales it to the screen.
    assert root.get("width") is None and root.get("height") is None


def test_the_month_chart_has_twelve_labels_and_marks_the_busiest_month():
    months = [1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 2, 0]
    root = parse(charts.month_chart(months, ident="m", title="Per month", description="d"))
    assert_accessible(root, "m", "Per month")
    drawn = bars(root)
    assert len(drawn) == 3
    peaks = [rect for rect in drawn if "chart-peak" in rect.get("class", "")]
    assert len(peaks) == 1 and float(peaks[0].get("height")) == max(
        float(rect.get("height")) for rect in drawn
    )
    assert texts(root, "chart-label") == [str(n) for n in range(1, 13)]
    assert texts(root, "chart-value") == ["1", "5", "2"]
    # Every drawn bar is in currentColor, so the page's colours (and high contrast) apply.
    assert all(rect.get("fill") == "currentColor" for rect in drawn)


def test_the_hour_chart_labels_every_third_hour_and_writes_only_the_peak_value():
    hours = [0] * 24
    hours[9], hours[20] = 2, 7
    root = parse(charts.hour_chart(hours, ident="h", title="By hour"))
    assert_accessible(root, "h", "By hour")
    assert texts(root, "chart-label") == ["0", "3", "6", "9", "12", "15", "18", "21"]
    assert texts(root, "chart-value") == ["7"]  # the peak's count only
    assert len(bars(root)) == 2


def test_the_bar_chart_keeps_the_order_given_and_shortens_long_labels():
    rows = [("I 文学", 9), ("K 历史、地理", 3), ("X" * 200, 1), ("nothing", 0)]
    root = parse(charts.bar_chart(rows, ident="c", title="Classes"))
    assert_accessible(root, "c", "Classes")
    widths = [float(rect.get("width")) for rect in bars(root)]
    assert len(widths) == 3 and widths == sorted(widths, reverse=True)
    labels = texts(root)
    assert "I 文学" in labels and any(label.endswith("…") and len(label) < 60 for label in labels)
    assert "nothing" not in labels  # a zero row draws nothing


@pytest.mark.parametrize(
    "build",
    [
        lambda: charts.month_chart([0] * 12, ident="e", title="Empty"),
        lambda: charts.month_chart([], ident="e", title="Empty"),
        lambda: charts.hour_chart([0] * 24, ident="e", title="Empty"),
        lambda: charts.bar_chart([], ident="e", title="Empty", empty_text="None yet"),
    ],
)
def test_a_chart_without_data_is_still_a_valid_accessible_image(build):
    root = parse(build())
    assert_accessible(root, "e", "Empty")
    assert bars(root) == []


def test_every_text_is_escaped_and_xml_safe():
    markup = charts.bar_chart(
        [(NASTY, 2)], ident='x" onload="alert(1)', title=NASTY, description=NASTY
    )
    assert "<script" not in markup and "onload=" not in markup and "\x07" not in markup
    root = parse(markup)  # well-formed although the label held markup and a control char
    assert root.find(f"{SVG}title").text == '<script>alert("x")</script> & '
    assert root.get("aria-labelledby") == "xonloadalert1-title xonloadalert1-desc"
    month = charts.month_chart([1] * 12, ident="m", title=NASTY)
    assert "<script" not in month
    parse(month)


def test_the_share_poster_is_a_standalone_svg_with_what_it_was_given():
    poster = charts.share_poster(
        headline="我的2025阅读报告",
        site_name="文津",
        site_title="文津图书馆服务",
        total=42,
        total_label="本书",
        facts=[("最爱的类别", "文学"), ("借书最多的时段", "20:00–21:00"), ("标题", NASTY)],
        months=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
        months_label="每月借阅",
        footer="文津",
    )
    assert poster.startswith("<?xml")
    root = parse(poster)
    assert root.get("role") == "img" and root.get("width") == "600"
    assert root.find(f"{SVG}title").text.startswith("我的2025阅读报告")
    words = texts(root)
    assert "42" in words and "文学" in words and "20:00–21:00" in words
    assert "<script" not in poster


def test_shorten_counts_wide_characters_double():
    assert charts.shorten("文学", 4) == "文学"
    assert charts.shorten("文学文学", 5) == "文学…"
    assert charts.shorten("abcdef", 4) == "abc…"
    assert charts.display_width("a文") == 3
