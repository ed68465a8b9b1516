"""Events at district and city scale: the network calendar for a month and the events
lists, through the whole HTTP stack and through the selectors.

Usage: ./run bench events [--repeat N] [--scale district|city|both] [--explain]

District: one district library with 18 branches and a year of 2,266 events (the model
district's count and mix: trainings, lectures, reading promotions, ~200 exhibitions)
with 500,000 attendances: registrations and check-ins for the registered events, the
rest as exhibitions' daily visitor counts. City: ten more districts of 20 libraries,
40,000 events in all; the other districts' events carry their counters (which is all the
calendar and lists read) but no registration rows. The data is built with bulk inserts
and reused on the same database (set WENJIN_DATA_DIR or WENJIN_DATABASE_URL).

Each page is requested ``--repeat`` times (cycling through the twelve months, or the
list's pages) with Django's test client, logged in as a network administrator for the
staff pages, through every middleware; the selectors are timed with the rows read into
Python. Targets: p95 ≤ 100 ms for the month calendar and the lists.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import metric, report, setup_django

DISTRICT_EVENTS = 2_266
DISTRICT_ATTENDANCE = 500_000
CITY_EVENTS = 40_000
BRANCHES = 18
CITY_DISTRICTS = 10
CITY_LIBRARIES = 20
READERS = 20_000
TARGET_MS = 100
# The district's year by kind (sessions), like the model district's statistics.
MIX = {"training": 1_100, "lecture": 380, "reading_promotion": 500, "exhibition": 200, "other": 86}
# (capacity, share of seats registered, share of registered who come), by kind.
SEATS = {
    "training": (25, 0.9, 0.85),
    "lecture": (150, 0.8, 0.8),
    "reading_promotion": (40, 0.75, 0.85),
    "other": (100, 0.7, 0.8),
}
AUDIENCES = [",adults,", ",children,families,", ",elderly,", ",teens,students,", ",adults,elderly,"]


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _month(index: int) -> date:
    """The first day of the month ``index`` months since year 0."""
    return date(index // 12, index % 12 + 1, 1)


def year_start() -> date:
    """The built year runs from ten months ago to two months ahead (past and coming)."""
    from django.utils import timezone

    today = timezone.localdate()
    return _month(today.year * 12 + today.month - 1 - 10)


def months() -> list[date]:
    first = year_start()
    return [_month(first.year * 12 + first.month - 1 + n) for n in range(12)]


def _units() -> None:
    from wenjin.accounts.actor import Actor
    from wenjin.accounts.services import role_grant, staff_create
    from wenjin.network import services as network

    actor = Actor.system("bench")
    network.org_unit_create(
        actor=actor, code="GZ", kind="city_center", name_zh="广州图书馆", parent_code=None
    )
    network.org_unit_create(
        actor=actor, code="YX", kind="district_main", name_zh="越秀区图书馆", parent_code="GZ"
    )
    for n in range(1, BRANCHES + 1):
        network.org_unit_create(
            actor=actor,
            code=f"YX-B{n:02d}",
            kind="branch",
            name_zh=f"越秀区第{n}分馆",
            parent_code="YX",
        )
    user = staff_create(
        actor=actor,
        username="bench_admin",
        password="bench-admin-password-1",
        home_org_code="GZ",
        display_name="bench",
        check_password=False,
    )
    role_grant(actor=actor, user=user, role="network_admin", org_code="GZ")


def _events(rng: random.Random, units: list, count: int, prefix: str) -> list:
    """``count`` events over the year for ``units`` (the first is the district library),
    in the district's mix; exhibitions run two to six weeks. Counters are filled later."""
    from django.utils import timezone

    from wenjin.events.models import Event, EventStatus, Venue

    zone = timezone.get_current_timezone()
    venues = {}
    for unit in units:
        venues[unit.pk] = Venue.objects.bulk_create(
            [Venue(name=name, org_unit=unit, seats=200) for name in ("报告厅", "多功能厅", "展厅")]
        )
    start, today = year_start(), timezone.localdate()
    kinds = [kind for kind, n in MIX.items() for _ in range(n)]
    events = []
    for index in range(count):
        kind = kinds[index % len(kinds)]
        unit = units[0] if rng.random() < 0.3 else rng.choice(units)
        day = start + timedelta(days=rng.randrange(365))
        if kind == "exhibition":
            begins = datetime.combine(day, clock(9), zone)
            ends = datetime.combine(day + timedelta(days=rng.randint(13, 41)), clock(20), zone)
        else:
            begins = datetime.combine(day, clock(rng.choice((9, 10, 14, 15, 19)), 30), zone)
            ends = begins + timedelta(minutes=rng.choice((60, 90, 120)))
        capacity = None if kind == "exhibition" else SEATS[kind][0]
        status = EventStatus.FINISHED if ends.date() < today else EventStatus.PUBLISHED
        if rng.random() < 0.01:
            status = EventStatus.DRAFT if ends.date() >= today else EventStatus.CANCELLED
        events.append(
            Event(
                kind=kind,
                title=f"{prefix}{kind}活动{index}",
                org_unit=unit,
                venue=venues[unit.pk][2 if kind == "exhibition" else rng.randrange(2)],
                audiences=rng.choice(AUDIENCES),
                starts_at=begins,
                ends_at=ends,
                capacity=capacity,
                registration_required=capacity is not None,
                status=status,
            )
        )
    return events


def build_district() -> None:
    """2,266 events with 500,000 attendances, by bulk inserts."""
    from django.db import transaction
    from django.utils import timezone

    from wenjin.events.models import AttendanceCount, Event, EventStatus, Registration
    from wenjin.network.models import OrgUnit
    from wenjin.patrons.models import Card, Patron, PatronCategory

    started = time.perf_counter()
    rng = random.Random(12)
    _units()
    units = list(OrgUnit.objects.filter(code__startswith="YX").order_by("code"))
    adult = PatronCategory.objects.get(code="adult")
    today = timezone.localdate()
    with transaction.atomic():
        patrons = Patron.objects.bulk_create(
            (
                Patron(
                    name=f"读者{n}",
                    category=adult,
                    home_org=units[n % len(units)],
                    identity_type="resident_id",
                )
                for n in range(READERS)
            ),
            batch_size=5_000,
        )
        Card.objects.bulk_create(
            (
                Card(
                    patron=patron,
                    barcode=f"E{n:08d}",
                    issued_on=today - timedelta(days=400),
                    expires_on=today + timedelta(days=1500),
                    issued_at=units[n % len(units)],
                )
                for n, patron in enumerate(patrons)
            ),
            batch_size=5_000,
        )
        events = _events(rng, units, DISTRICT_EVENTS, "")
        Event.objects.bulk_create(events, batch_size=1_000)
        ids = [patron.pk for patron in patrons]
        registrations, checked_in = [], 0
        for event in events:
            if event.capacity is None or event.status == EventStatus.DRAFT:
                continue
            _capacity, registered, came = SEATS[event.kind]
            chosen = rng.sample(ids, int(event.capacity * registered * rng.uniform(0.7, 1.1)))
            over = event.status == EventStatus.FINISHED
            for n, patron_id in enumerate(chosen):
                here = over and rng.random() < came
                registrations.append(
                    Registration(
                        event=event,
                        patron_id=patron_id,
                        status="confirmed",
                        registered_at=event.starts_at - timedelta(days=3, minutes=n),
                        checked_in_at=event.starts_at if here else None,
                        no_show=over and not here,
                        via="opac",
                        ticket=f"T{event.pk:07d}{n:05d}",
                    )
                )
                event.seats_taken += 1
                event.checked_in += here
                checked_in += here
        Registration.objects.bulk_create(registrations, batch_size=5_000)
        # The rest of the 500,000 as exhibitions' daily visitors (days up to yesterday).
        days = [
            (event, event.starts_at.date() + timedelta(days=n))
            for event in events
            if event.kind == "exhibition" and event.status != EventStatus.DRAFT
            for n in range(
                (min(event.ends_at.date(), today - timedelta(days=1)) - event.starts_at.date()).days
                + 1
            )
        ]
        remaining = DISTRICT_ATTENDANCE - checked_in
        weights = [rng.uniform(0.3, 1.7) for _ in days]
        scale = remaining / sum(weights)
        counts = [max(1, int(w * scale)) for w in weights]
        counts[-1] += remaining - sum(counts)
        AttendanceCount.objects.bulk_create(
            (
                AttendanceCount(event=event, day=day, count=n)
                for (event, day), n in zip(days, counts, strict=True)
            ),
            batch_size=5_000,
        )
        for (event, _day), n in zip(days, counts, strict=True):
            event.counted += n
        for event in events:
            event.attendance = event.checked_in + event.counted
        Event.objects.bulk_update(
            events, ["seats_taken", "checked_in", "counted", "attendance"], batch_size=1_000
        )
    print(
        f"district: {len(events):,} events, {len(registrations):,} registrations, "
        f"{len(days):,} day counts, {checked_in + remaining:,} attendances "
        f"({time.perf_counter() - started:.0f} s)",
        flush=True,
    )


def build_city() -> None:
    """Ten more districts of 20 libraries and their events, up to 40,000 in all."""
    from django.db import transaction

    from wenjin.accounts.actor import Actor
    from wenjin.events.models import Event
    from wenjin.network import services as network
    from wenjin.network.models import OrgUnit

    started = time.perf_counter()
    rng = random.Random(13)
    actor = Actor.system("bench")
    for d in range(1, CITY_DISTRICTS + 1):
        code = f"D{d:02d}"
        network.org_unit_create(
            actor=actor, code=code, kind="district_main", name_zh=f"第{d}区图书馆", parent_code="GZ"
        )
        for n in range(1, CITY_LIBRARIES):
            network.org_unit_create(
                actor=actor,
                code=f"{code}-B{n:02d}",
                kind="branch",
                name_zh=f"第{d}区第{n}分馆",
                parent_code=code,
            )
    per_district = (CITY_EVENTS - Event.objects.count()) // CITY_DISTRICTS
    with transaction.atomic():
        for d in range(1, CITY_DISTRICTS + 1):
            units = list(OrgUnit.objects.filter(code__startswith=f"D{d:02d}").order_by("code"))
            count = per_district if d < CITY_DISTRICTS else CITY_EVENTS - Event.objects.count()
            events = _events(rng, units, count, f"D{d:02d}")
            for event in events:  # counters as a district's year would leave them
                if event.capacity:
                    event.seats_taken = int(event.capacity * SEATS[event.kind][1])
                    if event.status == "finished":
                        event.checked_in = int(event.seats_taken * SEATS[event.kind][2])
                elif event.status in ("finished", "published"):
                    event.counted = rng.randint(500, 4_000)
                event.attendance = event.checked_in + event.counted
            Event.objects.bulk_create(events, batch_size=2_000)
    print(
        f"city: {Event.objects.count():,} events ({time.perf_counter() - started:.0f} s)",
        flush=True,
    )


def analyse() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what the nightly maintenance job does
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


class Timer:
    """Times calls and pages; a page that answers anything but 200 is a failure."""

    def __init__(self) -> None:
        from django.test import Client

        from wenjin.accounts.models import StaffUser

        self.staff = Client()
        self.staff.force_login(StaffUser.objects.get(username="bench_admin"))
        self.public = Client()
        self.failures: list[str] = []

    def page(self, client, urls: list[str], repeat: int) -> list[float]:
        samples = []
        for n in range(repeat + 5):
            url = urls[n % len(urls)]
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                self.failures.append(f"{url}: {response.status_code}")
                return []
            if n >= 5:  # warm-up: templates, URL resolver, translations
                samples.append(elapsed)
        return samples

    @staticmethod
    def calls(functions: list, repeat: int) -> list[float]:
        samples = []
        for n in range(repeat + 5):
            started = time.perf_counter()
            functions[n % len(functions)]()
            if n >= 5:
                samples.append(time.perf_counter() - started)
        return samples


def queries_for(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def measure(scale: str, repeat: int) -> list[dict]:
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from wenjin.events import selectors
    from wenjin.events.models import EventStatus
    from wenjin.events.selectors import EventFilter
    from wenjin.network.models import OrgUnit

    timer = Timer()
    firsts = months()
    yx = OrgUnit.objects.get(code="YX")
    results: dict[str, list[float]] = {}
    queries: dict[str, int] = {}
    try:
        calendar, staff_list = reverse("events:calendar"), reverse("events:list")
        public_list = reverse("events_public:list")
    except NoReverseMatch:
        calendar = staff_list = public_list = ""
    if calendar:
        pages = {
            "calendar_network_month": (
                timer.staff,
                [f"{calendar}?view=month&date={m}" for m in firsts],
            ),
            "calendar_district_month": (
                timer.staff,
                [f"{calendar}?view=month&date={m}&org=YX" for m in firsts],
            ),
            "calendar_network_week": (
                timer.staff,
                [f"{calendar}?view=week&date={m + timedelta(days=9)}" for m in firsts],
            ),
            "staff_list": (
                timer.staff,
                [staff_list] + [f"{staff_list}?page={p}" for p in range(2, 6)],
            ),
            "staff_list_month": (
                timer.staff,
                [
                    f"{staff_list}?since={m}&until={selectors.month_days(m.year, m.month)[1]}"
                    for m in firsts
                ],
            ),
            "public_list": (
                timer.public,
                [public_list] + [f"{public_list}?page={p}" for p in range(2, 6)],
            ),
            "public_list_filtered": (
                timer.public,
                [
                    f"{public_list}?kind=lecture&org=YX",
                    f"{public_list}?audience=children",
                    f"{public_list}?kind=exhibition",
                ],
            ),
        }
        for key, (client, urls) in pages.items():
            results[key] = timer.page(client, urls, repeat)
            queries[key] = queries_for(client, urls[0])

    def month_of_network(first: date, path: str = "") -> None:
        # What the calendar page reads, without the request and the template.
        from wenjin.events.views_calendar import MONTH_CELL_LIMIT, calendar_days

        last = selectors.month_days(first.year, first.month)[1]
        criteria = EventFilter(
            org_path=path, since=first, until=last, statuses=tuple(EventStatus.values)
        )
        calendar_days(first, last, criteria, MONTH_CELL_LIMIT, pad=True)

    today = timezone.localdate()

    def list_page(page: int) -> None:  # the lists' default: from today on
        list(selectors.events(EventFilter(since=today))[page * 50 : page * 50 + 50])

    results["selector_month_network"] = timer.calls(
        [lambda m=m: month_of_network(m) for m in firsts], repeat
    )
    results["selector_month_district"] = timer.calls(
        [lambda m=m: month_of_network(m, yx.path) for m in firsts], repeat
    )
    results["selector_list_page"] = timer.calls(
        [lambda p=p: list_page(p) for p in range(12)], repeat
    )
    metrics = []
    for key, samples in results.items():
        if not samples:
            continue
        target = TARGET_MS
        metrics.append(
            metric(f"{scale}_{key}_p50_ms", 1000 * statistics.median(samples), "ms", None, "lower")
        )
        metrics.append(
            metric(f"{scale}_{key}_p95_ms", 1000 * percentile(samples, 0.95), "ms", target, "lower")
        )
        if key in queries:
            metrics.append(
                metric(f"{scale}_{key}_sql_queries", queries[key], "count", None, "lower")
            )
    if timer.failures:
        print(f"\n{len(timer.failures)} page(s) failed:", file=sys.stderr)
        for failure in timer.failures[:10]:
            print(f"  {failure}", file=sys.stderr)
    return metrics


def explain() -> None:
    """The query plan of a month of the network calendar."""
    from django.db import connection
    from django.utils import timezone

    from wenjin.events import selectors
    from wenjin.events.models import EventStatus
    from wenjin.events.selectors import EventFilter

    first = months()[6]
    last = selectors.month_days(first.year, first.month)[1]
    month = selectors.events(
        EventFilter(since=first, until=last, statuses=tuple(EventStatus.values))
    )
    listing = selectors.events(EventFilter(since=timezone.localdate()))[:50]  # the default
    for name, query in (("month", month), ("list page", listing)):
        sql, params = query.query.sql_with_params()
        prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql, params)
            print(f"\n-- {name}:")
            for row in cursor.fetchall():
                print("  ", " ".join(str(c) for c in row))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--scale", choices=("district", "city", "both"), default="both")
    parser.add_argument("--explain", action="store_true", help="print the month's query plans")
    args = parser.parse_args()
    setup_django()
    from django.conf import settings

    from wenjin.events.models import Event
    from wenjin.network.models import OrgUnit

    if settings.DEBUG:
        raise SystemExit("DEBUG is on: unset WENJIN_DEBUG to measure")
    from django.core.management import call_command

    # The pages link their CSS and JS through the manifest of the collected static files.
    call_command("collectstatic", interactive=False, verbosity=0)
    metrics: list[dict] = []
    built = Event.objects.count()
    if built and not OrgUnit.objects.filter(code="YX-B01").exists():
        raise SystemExit("this database holds other events: use a scratch database")
    if args.scale in ("district", "both"):
        if built > DISTRICT_EVENTS:
            raise SystemExit("the database holds the city: use a fresh one for the district")
        if not built:
            build_district()
            analyse()
        metrics += measure("district", args.repeat)
        if args.explain:
            explain()
    if args.scale in ("city", "both"):
        if Event.objects.count() < DISTRICT_EVENTS:
            build_district()
        if Event.objects.count() < CITY_EVENTS:
            build_city()
            analyse()
        metrics += measure("city", args.repeat)
        if args.explain:
            explain()
    scale = {
        "district_events": DISTRICT_EVENTS,
        "district_attendance": DISTRICT_ATTENDANCE,
        "city_events": CITY_EVENTS if args.scale != "district" else None,
        "repeat": args.repeat,
    }
    report("events", scale, metrics)


if __name__ == "__main__":
    main()
