"""QR codes for event tickets, drawn as inline SVG with ``segno``.

The SVG has no size of its own (only a viewBox), so the page's CSS sets how large it
shows; it draws with presentation attributes only (no inline style), which the site's
Content-Security-Policy allows, and has a white quiet zone so a phone reads it on a
dark or high-contrast page too.
"""

from __future__ import annotations

import io

import segno

from wenjin.events.services.registrations import TICKET_PREFIX


def ticket_text(ticket: str) -> str:
    """What the QR code says: the prefix the door scanner recognises, then the ticket."""
    return f"{TICKET_PREFIX}{ticket}"


def qr_svg(text: str, *, title: str = "") -> str:
    """An SVG drawing of a QR code for ``text`` (medium error correction: a scratched
    phone screen or a crumpled print still scans), with ``title`` as its accessible
    name."""
    code = segno.make(text, error="m", micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        omitsize=True,
        border=4,
        dark="#000",
        light="#fff",
        title=title or None,
        svgclass="qr",
        lineclass="qr-modules",
        unit="",
    )
    svg = out.getvalue().decode("utf-8")
    # role="img" so screen readers announce the title rather than the drawing's paths;
    # crisp edges so a scaled-up code has no blurred module borders.
    return svg.replace("<svg ", '<svg role="img" shape-rendering="crispEdges" ', 1)


def ticket_svg(ticket: str, *, title: str = "") -> str:
    """The QR code of a registration's ticket."""
    return qr_svg(ticket_text(ticket), title=title)
