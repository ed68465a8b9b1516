"""A schematic map of the libraries drawn from their coordinates (pure: no ORM, no tiles).

Libraries run intranets and we load nothing from outside, so instead of a web map the
branch list draws the units' positions to scale (equirectangular, corrected for latitude)
on a plain SVG, each point a link to the library's page.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

WIDTH = 1000
MAX_HEIGHT = 700
PADDING = 40


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    latitude: float
    longitude: float
    is_open: bool


@dataclass(frozen=True)
class Point:
    code: str
    name: str
    x: int
    y: int
    is_open: bool


@dataclass(frozen=True)
class BranchMap:
    width: int
    height: int
    points: tuple[Point, ...]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def branch_map(places: Iterable[Place]) -> BranchMap | None:
    """The places scaled into a ``WIDTH``-wide box (None when fewer than two have
    coordinates: one dot is not a map)."""
    places = list(places)
    if len(places) < 2:
        return None
    mid_latitude = sum(p.latitude for p in places) / len(places)
    stretch = math.cos(math.radians(mid_latitude))
    xs = [p.longitude * stretch for p in places]
    ys = [p.latitude for p in places]
    span_x = max(xs) - min(xs) or 1e-6
    span_y = max(ys) - min(ys) or 1e-6
    scale = min((WIDTH - 2 * PADDING) / span_x, (MAX_HEIGHT - 2 * PADDING) / span_y)
    height = int(span_y * scale) + 2 * PADDING
    points = tuple(
        Point(
            code=place.code,
            name=place.name,
            x=int(PADDING + (x - min(xs)) * scale),
            # North up: larger latitude, smaller y.
            y=int(PADDING + (max(ys) - y) * scale),
            is_open=place.is_open,
        )
        for place, x, y in zip(places, xs, ys, strict=True)
    )
    return BranchMap(WIDTH, max(height, 2 * PADDING), points)
