"""Pure rules of holds (预约): which copy to target, queue order, hold-shelf expiry.

Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from wenjin.network.models import OrgUnitKind
from wenjin.network.policies import tree_distance

# Units where nobody can hand a held book over.
NO_PICKUP_KINDS = frozenset({OrgUnitKind.LENDING_ATM})


@dataclass(frozen=True)
class Copy:
    """A copy that might fill a hold: where it stands and whether it may."""

    item_id: int
    unit_path: str
    unit_in_service: bool = True
    holdable: bool = True


def nearest_copy(copies: Sequence[Copy], pickup_path: str) -> Copy | None:
    """The copy to fetch for a hold: the nearest to the pickup unit in the tree (same
    branch, then same district, then the city), among copies that may be held and stand
    in a unit in service; ties go to the lower item id, so the choice is stable."""
    usable = [copy for copy in copies if copy.holdable and copy.unit_in_service]
    if not usable:
        return None
    return min(usable, key=lambda copy: (tree_distance(copy.unit_path, pickup_path), copy.item_id))


def shelf_expiry(ready: date, open_days: int, is_open: Callable[[date], bool]) -> date:
    """The last day a held item waits on the shelf: ``open_days`` days on which the pickup
    unit is open, counted from the day after it was put there (closed days do not count).
    Gives up counting after a year of closure and keeps the plain day count."""
    counted, day = 0, ready
    for _ in range(366):
        day += timedelta(days=1)
        if is_open(day):
            counted += 1
            if counted == open_days:
                return day
    return ready + timedelta(days=open_days)
