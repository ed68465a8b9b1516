"""The comparison chart (the dashboards' months against a year earlier): well-formed,
accessible, escaped, drawn to scale, and sane without data. The other charts are tested
with the reading report (wenjin/opac/tests/test_charts.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from wenjin.lib import charts

SVG = "{http://www.w3.org/2000/svg}"


def test_columns_for_the_period_and_a_dashed_line_for_a_year_earlier():
    markup = charts.compare_chart(
        [10, 0, 20],
        [5, 20, 0],
        ["1", "2", "3"],
        ident="loans",
        title="Loans <per> month",
        description="d & e",
        legend=("2025-01 – 2025-03", "a year earlier"),
    )
    root = ET.fromstring(markup)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "loans-title loans-desc"
    assert root.find(f"{SVG}title").text == "Loans <per> month"
    assert root.find(f"{SVG}desc").text == "d & e"
    assert root.get("width") is None and root.get("viewBox").startswith("0 0 360 ")
    bars = [r for r in root.iter(f"{SVG}rect") if "chart-key" not in r.get("class", "")]
    assert len(bars) == 2  # no column for 0
    heights = [float(r.get("height")) for r in bars]
    assert heights[1] == 2 * heights[0]  # 20 against 10, one scale for both series
    assert "chart-peak" in bars[1].get("class")
    assert [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-value"] == ["20"]
    [line] = list(root.iter(f"{SVG}polyline"))
    assert line.get("stroke-dasharray")
    points = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
    assert len(points) == 3
    # The earlier 20 reaches as high as the period's 20; the earlier 0 lies on the axis.
    assert points[1][1] == float(bars[1].get("y"))
    assert points[2][1] == 190
    legend = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-legend"]
    assert legend == ["2025-01 – 2025-03", "a year earlier"]


def test_labels_every_nth_and_nothing_drawn_without_data():
    root = ET.fromstring(
        charts.compare_chart(
            [0] * 24,
            [0] * 24,
            [str(n % 12 + 1) for n in range(24)],
            ident="x",
            title="t",
            label_every=2,
        )
    )
    assert [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-label"] == [
        str(n % 12 + 1) for n in range(0, 24, 2)
    ]
    assert not list(root.iter(f"{SVG}rect")) and not list(root.iter(f"{SVG}polyline"))


def test_the_peak_figure_stays_inside_the_drawing():
    root = ET.fromstring(
        charts.compare_chart(
            [1] * 11 + [1234567], [0] * 12, list("abcdefghijkl"), ident="p", title="t"
        )
    )
    [value] = [t for t in root.iter(f"{SVG}text") if t.get("class") == "chart-value"]
    assert value.text == "1,234,567"
    assert value.get("text-anchor") == "end" and float(value.get("x")) <= charts.WIDTH - charts.PAD
    first = ET.fromstring(
        charts.compare_chart(
            [1234567] + [1] * 11, [0] * 12, list("abcdefghijkl"), ident="q", title="t"
        )
    )
    [value] = [t for t in first.iter(f"{SVG}text") if t.get("class") == "chart-value"]
    assert value.get("text-anchor") == "start" and float(value.get("x")) >= charts.PAD


def test_bars_leave_room_for_a_long_figure_after_the_longest_bar():
    root = ET.fromstring(charts.bar_chart([("G", 1728000), ("K", 5)], ident="b", title="t"))
    longest = max(float(r.get("width")) for r in root.iter(f"{SVG}rect"))
    [value] = [t for t in root.iter(f"{SVG}text") if t.text == "1728000"]
    # The figure starts after the bar and its seven digits (about 9 units each) still fit.
    assert float(value.get("x")) == pytest.approx(charts.PAD + longest + 6)
    assert float(value.get("x")) + 7 * 9 <= charts.WIDTH
