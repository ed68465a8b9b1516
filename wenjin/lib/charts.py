"""Server-side SVG charts (pure: markup strings, no ORM, no JS), for the reading report
and the statistics dashboards.

Every chart is one ``<svg role="img">`` named by its ``<title>`` and described by its
``<desc>`` (``aria-labelledby`` points at both), so a screen reader hears one sentence;
the numbers themselves are in a table next to it. A ``viewBox`` and no fixed size let it
scale to the width of a phone. Bars and lines are drawn in ``currentColor`` and text in
the default fill, so the page's colours (and its high-contrast mode) apply; without CSS
they are still black on white.

All text that goes into the markup passes through ``text``: escaped for XML and with
the characters XML 1.0 forbids removed (a catalogue title may carry a stray control
character from an old MARC record, and one would make the whole image unreadable).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence

# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NOT_ID = re.compile(r"[^A-Za-z0-9_-]")

# The drawing's width in viewBox units: about a phone's width in CSS pixels, so the
# 16-unit labels come out near 13px there (inside a card) and larger on wider screens.
WIDTH = 360
PAD = 8
FONT = "system-ui, 'PingFang SC', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"


def text(value: object) -> str:
    """``value`` as XML character data or attribute text: escaped, forbidden chars gone."""
    return html.escape(_NOT_XML.sub("", str(value)), quote=True)


def chart_id(value: str) -> str:
    """A safe id prefix for a chart's ``<title>`` and ``<desc>``."""
    return _NOT_ID.sub("", value) or "chart"


def display_width(value: str) -> int:
    """Width in half-width cells: CJK and other wide characters count as two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in value)


def shorten(value: str, cells: int) -> str:
    """``value`` cut to at most ``cells`` half-width cells, with "…" when cut."""
    if display_width(value) <= cells:
        return value
    kept, used = [], 0
    for ch in value:
        used += display_width(ch)
        if used > cells - 1:
            break
        kept.append(ch)
    return "".join(kept) + "…"


def _open(ident: str, title: str, description: str, height: int, css_class: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'class="chart {text(css_class)}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="{FONT}" font-size="16">'
        f'<title id="{ident}-title">{text(title)}</title>'
        f'<desc id="{ident}-desc">{text(description)}</desc>'
    )


def column_chart(
    values: Sequence[int],
    labels: Sequence[str],
    *,
    ident: str,
    title: str,
    description: str = "",
    peak: int | None = None,
    label_every: int = 1,
    values_shown: bool = True,
    css_class: str = "chart-columns",
) -> str:
    """Vertical bars, one per value, labelled underneath (every ``label_every``-th).

    ``peak`` (an index) is drawn with the class ``chart-peak`` and always has its value
    written above it, so it stands out without relying on colour; ``values_shown`` writes
    the value above every other non-empty bar too.
    """
    ident = chart_id(ident)
    height = 206
    top, bottom = 24, 172
    count = max(len(values), 1)
    slot = (WIDTH - 2 * PAD) / count
    bar = max(slot * 0.64, 2)
    highest = max((v for v in values if v > 0), default=0)
    parts = [_open(ident, title, description, height, css_class)]
    parts.append(
        f'<line x1="{PAD}" y1="{bottom}" x2="{WIDTH - PAD}" y2="{bottom}" '
        'stroke="currentColor" stroke-width="1" class="chart-axis"/>'
    )
    for index, value in enumerate(values):
        centre = PAD + slot * index + slot / 2
        if value > 0 and highest:
            length = max((bottom - top) * value / highest, 2)
            peak_class = " chart-peak" if index == peak else ""
            parts.append(
                f'<rect x="{centre - bar / 2:.1f}" y="{bottom - length:.1f}" width="{bar:.1f}" '
                f'height="{length:.1f}" fill="currentColor" class="chart-bar{peak_class}"/>'
            )
            if values_shown or index == peak:
                parts.append(
                    f'<text x="{centre:.1f}" y="{bottom - length - 4:.1f}" text-anchor="middle" '
                    f'class="chart-value">{text(value)}</text>'
                )
        if index % max(label_every, 1) == 0 and index < len(labels):
            parts.append(
                f'<text x="{centre:.1f}" y="{bottom + 22}" text-anchor="middle" '
                f'class="chart-label">{text(labels[index])}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def month_chart(months: Sequence[int], *, ident: str, title: str, description: str = "") -> str:
    """Loans per month, January to December, labelled 1–12; the busiest month marked."""
    values = list(months)[:12]
    best = max(values, default=0)
    peak = values.index(best) if best > 0 else None
    return column_chart(
        values,
        [str(n) for n in range(1, 13)],
        ident=ident,
        title=title,
        description=description,
        peak=peak,
        css_class="chart-columns chart-months",
    )


def hour_chart(hours: Sequence[int], *, ident: str, title: str, description: str = "") -> str:
    """Loans by hour of the day, 0–23, labelled every three hours; the busiest marked
    with its count (24 counts side by side would be too small to read on a phone)."""
    values = list(hours)[:24]
    best = max(values, default=0)
    peak = values.index(best) if best > 0 else None
    return column_chart(
        values,
        [f"{n}" for n in range(24)],
        ident=ident,
        title=title,
        description=description,
        peak=peak,
        label_every=3,
        values_shown=False,
        css_class="chart-columns chart-hours",
    )


def bar_chart(
    rows: Sequence[tuple[str, int]],
    *,
    ident: str,
    title: str,
    description: str = "",
    empty_text: str = "—",
) -> str:
    """Horizontal bars, one per (label, count) row, largest first as given: the label on
    its own line above the bar, so long names (CLC classes, libraries) fit on a phone;
    labels too long for the drawing are shortened (the table has them whole)."""
    ident = chart_id(ident)
    row_height = 48
    shown = [(label, count) for label, count in rows if count > 0]
    height = max(row_height * len(shown), row_height) + PAD
    highest = max((count for _label, count in shown), default=0)
    # Leave room for the value written after the longest bar (about 9 units a digit).
    room = WIDTH - 2 * PAD - max(40, len(str(highest)) * 9 + 10)
    parts = [_open(ident, title, description, height, "chart-bars")]
    if not shown:
        parts.append(
            f'<text x="{PAD}" y="{row_height // 2 + 4}" class="chart-label">{text(empty_text)}</text>'
        )
    for index, (label, count) in enumerate(shown):
        y = PAD + index * row_height
        length = max(room * count / highest, 2)
        parts.append(
            f'<text x="{PAD}" y="{y + 17}" class="chart-label">{text(shorten(label, 40))}</text>'
            f'<rect x="{PAD}" y="{y + 23}" width="{length:.1f}" height="16" '
            f'fill="currentColor" class="chart-bar{" chart-peak" if index == 0 else ""}"/>'
            f'<text x="{PAD + length + 6:.1f}" y="{y + 37}" class="chart-value">{text(count)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def compare_chart(
    values: Sequence[int],
    earlier: Sequence[int],
    labels: Sequence[str],
    *,
    ident: str,
    title: str,
    description: str = "",
    legend: tuple[str, str] = ("", ""),
    label_every: int = 1,
) -> str:
    """A period against the same period a year earlier: a column per value (the highest
    marked with ``chart-peak`` and its value) and a dashed line with round markers for the
    earlier figures, so the two differ by shape as well as by colour. ``legend`` names
    the columns and the line, above the drawing."""
    ident = chart_id(ident)
    height = 224
    top, bottom = 52, 190
    count = max(len(values), len(earlier), 1)
    slot = (WIDTH - 2 * PAD) / count
    bar = max(slot * 0.64, 2)
    highest = max([v for v in (*values, *earlier) if v > 0], default=0)
    peak_value = max(values, default=0)
    peak = list(values).index(peak_value) if peak_value > 0 else None
    parts = [_open(ident, title, description, height, "chart-columns chart-compare")]
    now_label, then_label = legend
    if now_label or then_label:
        then_x = WIDTH - PAD - display_width(then_label) * 8.5
        parts.append(
            f'<rect x="{PAD}" y="6" width="12" height="12" fill="currentColor" '
            'fill-opacity="0.4" class="chart-bar chart-key"/>'
            f'<text x="{PAD + 18}" y="17" class="chart-legend">{text(now_label)}</text>'
            f'<line x1="{then_x - 30:.1f}" y1="12" x2="{then_x - 6:.1f}" y2="12" '
            'stroke="currentColor" stroke-width="2.5" stroke-dasharray="6 4" class="chart-line"/>'
            f'<circle cx="{then_x - 18:.1f}" cy="12" r="3.5" fill="currentColor" '
            'class="chart-marker"/>'
            f'<text x="{WIDTH - PAD}" y="17" text-anchor="end" class="chart-legend">'
            f"{text(then_label)}</text>"
        )
    parts.append(
        f'<line x1="{PAD}" y1="{bottom}" x2="{WIDTH - PAD}" y2="{bottom}" '
        'stroke="currentColor" stroke-width="1" class="chart-axis"/>'
    )

    def height_of(value: int) -> float:
        return max((bottom - top) * value / highest, 2) if value > 0 and highest else 0

    for index, value in enumerate(values):
        centre = PAD + slot * index + slot / 2
        length = height_of(value)
        if length:
            peak_class = " chart-peak" if index == peak else ""
            # Columns are see-through so the earlier year's line shows across them even
            # without the page's CSS.
            parts.append(
                f'<rect x="{centre - bar / 2:.1f}" y="{bottom - length:.1f}" width="{bar:.1f}" '
                f'height="{length:.1f}" fill="currentColor" fill-opacity="0.4" '
                f'class="chart-bar{peak_class}"/>'
            )
        if index == peak:
            # Kept inside the drawing: a long figure over the first or last column would
            # otherwise be cut at the edge.
            shown = f"{value:,}"
            half = display_width(shown) * 4.5
            anchor, x = "middle", centre
            if centre + half > WIDTH - PAD:
                anchor, x = "end", centre + bar / 2
            elif centre - half < PAD:
                anchor, x = "start", centre - bar / 2
            parts.append(
                f'<text x="{x:.1f}" y="{bottom - length - 6:.1f}" text-anchor="{anchor}" '
                f'class="chart-value">{text(shown)}</text>'
            )
        if index % max(label_every, 1) == 0 and index < len(labels):
            parts.append(
                f'<text x="{centre:.1f}" y="{bottom + 22}" text-anchor="middle" '
                f'class="chart-label">{text(labels[index])}</text>'
            )
    if highest and earlier:
        points = [
            (PAD + slot * index + slot / 2, bottom - height_of(value))
            for index, value in enumerate(earlier)
        ]
        parts.append(
            '<polyline points="'
            + " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            + '" fill="none" stroke="currentColor" stroke-width="2.5" stroke-dasharray="6 4" '
            'class="chart-line"/>'
        )
        parts.extend(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="currentColor" class="chart-marker"/>'
            for x, y in points
        )
    parts.append("</svg>")
    return "".join(parts)
