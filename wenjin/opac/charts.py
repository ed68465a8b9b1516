"""The reading report's share image; the charts themselves live in ``wenjin.lib.charts``
(shared with the statistics dashboards) and are re-exported here for the report's pages."""

from __future__ import annotations

from collections.abc import Sequence

from wenjin.lib.charts import (  # noqa: F401  (re-exported for the reading report)
    FONT,
    PAD,
    WIDTH,
    bar_chart,
    chart_id,
    column_chart,
    display_width,
    hour_chart,
    month_chart,
    shorten,
    text,
)

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
