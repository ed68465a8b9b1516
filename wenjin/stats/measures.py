"""The measures rollups keep: name, period and how a subtree's figure is formed (pure).

``additive`` measures are stored at the unit where they happened and a subtree's figure
is the sum over its units; the others (distinct readers) are stored for each unit as the
figure of its whole subtree, because distinct counts do not add up.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measure:
    name: str
    period: str  # a ``Period`` value: D, M, Y or S
    description: str
    additive: bool = True


MEASURES: tuple[Measure, ...] = (
    Measure("loans", "D", "Checkouts (a renewal is not a checkout)"),
    Measure("renewals", "D", "Renewals, at the unit that renewed"),
    Measure("returns", "D", "Checkins that closed a loan, at the unit of return"),
    Measure("lending_visits", "D", "Distinct (reader, day, unit) with at least one checkout"),
    Measure("visits", "D", "Entrance gate counts (daily counts, or the sum of hourly ones)"),
    Measure("cards_issued", "D", "Cards issued, at the issuing unit"),
    Measure("items_acquired", "D", "Items acquired (acquisition date, else date catalogued)"),
    Measure("items_withdrawn", "D", "Items withdrawn"),
    Measure("events", "D", "Event sessions held (published or finished), dim = kind"),
    Measure("event_attendance", "D", "Attendance of those sessions, dim = kind"),
    Measure("loans_by_clc", "M", "Checkouts by the CLC class of the title, dim = class"),
    Measure("loans_by_hour", "M", "Checkouts by hour of the day, dim = 00…23"),
    Measure("visits_by_hour", "M", "Hourly gate counts by hour of the day, dim = 00…23"),
    Measure("active_readers", "M", "Distinct readers who borrowed in the subtree", False),
    Measure("active_readers", "Y", "Distinct readers who borrowed in the subtree", False),
    Measure("holdings", "S", "Items held (not withdrawn) at the day's end, dim = material type"),
    Measure("holdings_braille_books", "S", "Braille books held"),
    Measure("holdings_rare", "S", "Rare ancient books (善本) held"),
    Measure("holdings_open_shelf", "S", "Items on open shelves held"),
    Measure("holdings_children", "S", "Children's items held"),
    Measure("valid_cards", "S", "Cards neither expired, cancelled nor lost at the day's end"),
)

NO_CLASS = "-"  # the dim of loans of unclassified titles


def hour_dim(hour: int) -> str:
    return f"{hour:02d}"
