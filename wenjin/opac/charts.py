"""Server-side SVG charts for the reading report (pure: markup strings, no ORM, no JS).

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
    room = WIDTH - 2 * PAD - 40  # leave room for the value after the longest bar
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


# --- The share image ----------------------------------------------------------------------

POSTER_WIDTH, POSTER_HEIGHT = 600, 900
INK, PAPER, ACCENT, SOFT = "#1b1f23", "#ffffff", "#0b5394", "#cfe0f1"


def share_poster(
    *,
    headline: str,
    site_name: str,
    site_title: str,
    total: int,
    total_label: str,
    facts: Sequence[tuple[str, str]],
    months: Sequence[int],
    months_label: str,
    footer: str,
) -> str:
    """A standalone SVG poster of a shared year (a file of its own, so fixed colours and
    a fixed size): the library's name, the headline, the number of books, up to four
    (label, value) facts, and a small month-by-month strip. It holds only what it is
    given, so the caller decides that no personal identifier goes in."""
    title = f"{headline} · {site_name}"
    # The name's box fits the name: two characters (文津) or a few letters (Wenjin).
    mark = shorten(site_name, 10)
    mark_width = 16 * display_width(mark) + 28
    description = f"{total} {total_label}; " + "; ".join(
        f"{label}: {value}" for label, value in facts
    )
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {POSTER_WIDTH} {POSTER_HEIGHT}" '
        f'width="{POSTER_WIDTH}" height="{POSTER_HEIGHT}" role="img" '
        f'aria-labelledby="poster-title poster-desc" font-family="{FONT}">'
        f'<title id="poster-title">{text(title)}</title>'
        f'<desc id="poster-desc">{text(description)}</desc>'
        f'<rect width="{POSTER_WIDTH}" height="{POSTER_HEIGHT}" fill="{ACCENT}"/>'
        f'<rect x="40" y="40" width="{mark_width}" height="50" rx="8" fill="none" '
        f'stroke="{PAPER}" stroke-width="3"/>'
        f'<text x="{40 + mark_width // 2}" y="76" text-anchor="middle" font-size="28" '
        f'font-weight="700" fill="{PAPER}">{text(mark)}</text>'
        f'<text x="{60 + mark_width}" y="74" font-size="20" fill="{PAPER}">'
        f"{text(shorten(site_title, 34 - display_width(mark)))}</text>"
        f'<text x="40" y="170" font-size="36" font-weight="700" fill="{PAPER}">'
        f"{text(shorten(headline, 26))}</text>"
        f'<text x="40" y="320" font-size="140" font-weight="700" fill="{PAPER}">{text(total)}</text>'
        f'<text x="40" y="370" font-size="28" fill="{PAPER}">{text(shorten(total_label, 36))}</text>'
    ]
    if facts:
        parts.append(
            f'<rect x="40" y="410" width="520" height="{60 + 70 * len(facts[:4])}" rx="12" '
            f'fill="{PAPER}"/>'
        )
    for index, (label, value) in enumerate(facts[:4]):
        y = 460 + index * 70
        parts.append(
            f'<text x="64" y="{y}" font-size="20" fill="{ACCENT}">{text(shorten(label, 40))}</text>'
            f'<text x="64" y="{y + 32}" font-size="28" font-weight="700" fill="{INK}">'
            f"{text(shorten(value, 34))}</text>"
        )
    values = list(months)[:12]
    highest = max(values, default=0)
    if highest:
        parts.append(
            f'<text x="40" y="{POSTER_HEIGHT - 120}" font-size="18" fill="{PAPER}">'
            f"{text(shorten(months_label, 40))}</text>"
        )
        for index, value in enumerate(values):
            length = 60 * value / highest if value else 0
            x = 40 + index * (520 / 12)
            parts.append(
                f'<rect x="{x + 6:.1f}" y="{POSTER_HEIGHT - 50 - length:.1f}" width="30" '
                f'height="{max(length, 2):.1f}" fill="{SOFT}"/>'
            )
    parts.append(
        f'<text x="{POSTER_WIDTH - 40}" y="{POSTER_HEIGHT - 20}" text-anchor="end" '
        f'font-size="16" fill="{PAPER}">{text(shorten(footer, 60))}</text></svg>'
    )
    return "".join(parts)
