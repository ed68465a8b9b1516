"""Demo statistics: what the entrance counters recorded over the demo's year, the yearly
figures a statistician enters (annual inputs), and the rollups the dashboards and the
annual report read, so both show figures as soon as the demo starts.

Hourly counts are written with bulk inserts, as a counter's backlog import would leave
them (a year of hours through the one-day-at-a-time service would slow the demo build
for nothing it shows); the annual inputs go through the inputs service as the demo's
statistician, and the rollups are rebuilt by the same code as the daily job.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from wenjin.accounts.actor import Actor
from wenjin.accounts.models import StaffUser
from wenjin.catalog.models import Item
from wenjin.circulation.models import Loan
from wenjin.demo.circulation_builder import HISTORY_DAYS
from wenjin.demo.network_data import yuexiu_network
from wenjin.network import policies as hours_rules
from wenjin.network.models import OrgUnit
from wenjin.network.selectors import schedules_for
from wenjin.stats.models import GateCount
from wenjin.stats.policies import INPUT_KEYS
from wenjin.stats.services.inputs import annual_inputs_set
from wenjin.stats.services.rollups import rollup_rebuild

# Visitors on an ordinary weekday, by kind of unit (each unit varies around it).
DAILY_VISITORS = {
    "city_center": 16_000,
    "district_main": 1_600,
    "children_library": 650,
    "special_branch": 260,
    "branch": 220,
}
# Units reporting one hand-counted figure a day (no counter), with their daily visitors.
HAND_COUNTED = {"YX-BJ-DA": 45, "YX-DD-DHXC": 30}
# A branch whose counter is not installed: it sends nothing (the report shows no visits).
NO_COUNTER = {"YX-DF"}
WEEKEND = 1.5
# The share of a day's visitors by the hour that begins (before noon quiet, evenings busy).
HOUR_WEIGHT = {
    8: 3, 9: 6, 10: 9, 11: 9, 12: 6, 13: 6, 14: 9, 15: 11, 16: 11, 17: 9, 18: 8, 19: 9,
    20: 7, 21: 4,
}  # fmt: skip
MEAN_HOUR_WEIGHT = sum(HOUR_WEIGHT.values()) / len(HOUR_WEIGHT)
LABEL = "演示数据"
STATISTICIAN = "yx_stats"
# Units whose statistician enters the yearly figures, with their scale (district = 1).
INPUT_UNITS = {"YX": 1.0, "YX-SE": 0.35, "YX-GT": 0.12, "YX-DS": 0.1, "YX-BJ": 0.1}


def build_stats(rng: random.Random, today: date) -> dict[str, int]:
    """Gate counts from the start of the demo's circulation to yesterday, annual inputs
    for this year and last, and rollups from 1 January last year to yesterday."""
    first, last = today - timedelta(days=HISTORY_DAYS), today - timedelta(days=1)
    dated = _acquisition_dates(rng, today)
    counts = _gate_counts(rng, first, last)
    inputs = _annual_inputs(rng, today)
    rebuilt = rollup_rebuild(first=date(today.year - 1, 1, 1), last=last, by=LABEL)
    return {
        "items_dated": dated,
        "gate_counts": counts,
        "annual_inputs": inputs,
        "rollups": rebuilt.rows,
    }


def _acquisition_dates(rng: random.Random, today: date) -> int:
    """The demo's copies came in through the MARC importer today, without an acquisition
    date; holdings count a copy from its acquisition, so spread them over the past
    fifteen years (one in twelve within the last year), a month's copies per update."""
    ids = list(
        Item.objects.filter(acquired_on__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    lent = set(Loan.objects.values_list("item_id", flat=True))
    by_month: dict[int, list[int]] = {}
    for pk in ids:
        recent = rng.random() < 1 / 12 and pk not in lent  # lent before: older than that
        months_ago = rng.randrange(12) if recent else rng.randrange(12, 180)
        by_month.setdefault(months_ago, []).append(pk)
    for months_ago, pks in sorted(by_month.items()):
        # The 15th of the month, ``months_ago`` months back (a day in the past at 0).
        index = today.year * 12 + today.month - 1 - months_ago
        day = min(date(index // 12, index % 12 + 1, 15), today - timedelta(days=1))
        for start in range(0, len(pks), 500):  # stay within SQLite's variable limit
            Item.objects.filter(pk__in=pks[start : start + 500]).update(acquired_on=day)
    return len(ids)


def _gate_counts(rng: random.Random, first: date, last: date) -> int:
    """Hourly counts for the units with a counter (within their opening hours, so the
    renovation closures and the closed branch count nobody), daily ones for the
    hand-counted service points. The counted units are the Yuexiu and Haizhu network's,
    at every scale: the city scale's other districts report nothing."""
    codes = [spec.code for spec in yuexiu_network()]
    units = list(OrgUnit.objects.filter(code__in=codes).order_by("code"))
    schedules = schedules_for(units, first, last)
    rows: list[tuple] = []  # (unit id, day, hour, count, source)
    for unit in units:
        daily = HAND_COUNTED.get(unit.code)
        if daily is None and (unit.kind not in DAILY_VISITORS or unit.code in NO_COUNTER):
            continue
        size = rng.uniform(0.7, 1.3) * (daily or DAILY_VISITORS[unit.kind])
        day = first
        while day <= last:
            periods = hours_rules.periods_on(schedules[unit.pk], day)
            busy = size * (WEEKEND if day.weekday() >= 5 else 1.0)
            if periods and daily is not None:
                rows.append((unit.pk, day, None, round(busy * rng.uniform(0.7, 1.3)), "form"))
            elif periods:
                rows += _hours(unit.pk, day, periods, busy, rng)
            day += timedelta(days=1)
    _insert(rows)
    return len(rows)


def _hours(unit_id: int, day: date, periods: tuple, busy: float, rng: random.Random) -> list:
    """One row per hour the unit is open (part-open hours count their share)."""
    open_minutes: dict[int, int] = {}
    for period in periods:
        for minute in range(period.opens, period.closes, 15):
            open_minutes[minute // 60] = open_minutes.get(minute // 60, 0) + 15
    per_hour = busy / 10 / MEAN_HOUR_WEIGHT / 60  # an ordinary day: about ten open hours
    return [
        (
            unit_id,
            day,
            hour,
            round(per_hour * HOUR_WEIGHT.get(hour, 1) * minutes * rng.uniform(0.75, 1.25)),
            "api",
        )
        for hour, minutes in sorted(open_minutes.items())
    ]


def _insert(rows: list[tuple]) -> None:
    """A plain multi-row insert: some 80,000 model instances through ``bulk_create``
    would add a quarter of a minute to every demo build (and to the demo tests)."""
    meta = GateCount._meta
    names = ["org_unit_id", "day", "hour", "count", "source", "recorded_at", "recorded_by"]
    columns = ", ".join(connection.ops.quote_name(meta.get_field(n).column) for n in names)
    # The names come from the model's meta and the values go as parameters.
    table = connection.ops.quote_name(meta.db_table)
    marks = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(*row, now, LABEL) for row in rows])


def _decimal(value: float, places: int) -> Decimal:
    return Decimal(f"{value:.{places}f}")


def _input_values(rng: random.Random, year: int, scale: float) -> dict[str, Decimal]:
    """Plausible yearly figures for a unit of ``scale`` (the district library = 1)."""
    figures = {
        "shelf_length_m": _decimal(9_800 * scale * rng.uniform(0.9, 1.1), 1),
        "computers": 160 * scale,
        "reader_terminals": 96 * scale,
        "periodical_titles_purchased": 820 * scale,
        "website_visits": 1_250_000 * scale,
        "av_resources_khours": _decimal(3.6 * scale * rng.uniform(0.9, 1.1), 2),
        "digital_text_tb": _decimal(12.5 * scale * rng.uniform(0.9, 1.1), 3),
        "online_service_visits": 380_000 * scale,
        "ebooks_self_built": 12_000 * scale,
        "ebooks_purchased": 160_000 * scale,
        "ebooks_shared": 85_000 * scale,
        "ebooks_added": 21_000 * scale,
    }
    values = {}
    for key, value in figures.items():
        spec = INPUT_KEYS.get(key)
        if spec is None or not spec.since <= year <= spec.until:
            continue  # the year's form does not ask for it
        if not isinstance(value, Decimal):
            value = Decimal(max(1, round(value * rng.uniform(0.85, 1.15))))
        values[key] = value
    return values


def _annual_inputs(rng: random.Random, today: date) -> int:
    """Last year's figures and this year's so far, entered by the demo's statistician."""
    user = StaffUser.objects.filter(username=STATISTICIAN).first()
    actor = Actor(user=user, via="demo") if user else Actor.system("demo")
    stored = 0
    for year in (today.year - 1, today.year):
        for code, scale in INPUT_UNITS.items():
            values = _input_values(rng, year, scale)
            stored += len(annual_inputs_set(actor=actor, org_code=code, year=year, values=values))
    return stored
