"""The shelf finder's floor plan, worked out from a unit's shelving locations (pure: no ORM).

Locations carry their position and size on the unit's plan in decimetres from the plan's
top-left corner (areas and shelves usually do; floors and layers usually do not). The
plan shown for a copy is the floor its shelf is on: every drawn area and shelf of that
floor, the copy's shelf marked, and the path in words ("3楼 B区 第12排 第4层") for
readers who cannot see the drawing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Room around the drawn shapes, in decimetres, so strokes and labels are not clipped.
MARGIN = 10
# Height of an area's label on the plan, in the plan's units (decimetres).
LABEL_SIZE = 14


@dataclass(frozen=True)
class Spot:
    """One shelving location as the finder needs it."""

    pk: int
    parent_id: int | None
    kind: str
    name: str
    x: int | None = None
    y: int | None = None
    width: int | None = None
    height: int | None = None

    @property
    def drawn(self) -> bool:
        return None not in (self.x, self.y, self.width, self.height) and bool(
            self.width and self.height
        )


@dataclass(frozen=True)
class Shape:
    """A rectangle on the plan: an area (labelled) or a shelf; ``marked`` is the copy's."""

    kind: str
    name: str
    x: int
    y: int
    width: int
    height: int
    marked: bool = False
    contains_mark: bool = False

    @property
    def label_x(self) -> int:
        return self.x + self.width // 2

    @property
    def label_y(self) -> int:
        # The text's baseline just above the area's top edge, clear of its shelves (the
        # plan's top margin leaves room for it).
        return max(LABEL_SIZE, self.y - 5)


@dataclass(frozen=True)
class FloorPlan:
    """What the template draws: the floor's name, the plan's size and its shapes."""

    floor_name: str
    width: int
    height: int
    shapes: tuple[Shape, ...]
    marked: Shape | None
    path_names: tuple[str, ...]

    @property
    def path_text(self) -> str:
        return " ".join(self.path_names)

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def chain_of(spots: dict[int, Spot], pk: int) -> list[Spot]:
    """The location and its ancestors, outermost first (a broken parent link ends it)."""
    chain: list[Spot] = []
    seen: set[int] = set()
    current = spots.get(pk)
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        chain.append(current)
        current = spots.get(current.parent_id) if current.parent_id else None
    return list(reversed(chain))


def _under(spots: dict[int, Spot], spot: Spot, root_pk: int) -> bool:
    return any(link.pk == root_pk for link in chain_of(spots, spot.pk))


def floor_plan(locations: Iterable[Spot], location_id: int) -> FloorPlan | None:
    """The plan for a copy on ``location_id``; None when the location is unknown.

    A plan without any drawn shape still answers with the path in words (``shapes`` is
    empty): a small service point's single shelf needs no drawing.
    """
    spots = {spot.pk: spot for spot in locations}
    chain = chain_of(spots, location_id)
    if not chain:
        return None
    floor = next((spot for spot in chain if spot.kind == "floor"), None)
    drawn_in_chain = [spot for spot in chain if spot.drawn]
    target = drawn_in_chain[-1] if drawn_in_chain else None
    on_floor = [
        spot
        for spot in spots.values()
        if spot.drawn and (floor is None or _under(spots, spot, floor.pk))
    ]
    if floor is None:
        # Units without floors: draw only what shares the copy's top-level location.
        top = chain[0]
        on_floor = [spot for spot in on_floor if _under(spots, spot, top.pk)] or on_floor
    chain_pks = {spot.pk for spot in chain}
    shapes = tuple(
        Shape(
            kind=spot.kind,
            name=spot.name,
            x=spot.x or 0,
            y=spot.y or 0,
            width=spot.width or 0,
            height=spot.height or 0,
            marked=target is not None and spot.pk == target.pk,
            contains_mark=spot.pk in chain_pks and (target is None or spot.pk != target.pk),
        )
        # Areas first so shelves are drawn over them.
        for spot in sorted(on_floor, key=lambda s: (s.kind != "area", s.y or 0, s.x or 0))
    )
    width = max((shape.x + shape.width for shape in shapes), default=0) + MARGIN
    height = max((shape.y + shape.height for shape in shapes), default=0) + MARGIN
    marked = next((shape for shape in shapes if shape.marked), None)
    return FloorPlan(
        floor_name=floor.name if floor else "",
        width=width,
        height=height,
        shapes=shapes,
        marked=marked,
        path_names=tuple(spot.name for spot in chain if spot.name),
    )
