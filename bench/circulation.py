"""Circulation speed at district scale: checkout through the service layer with every rule
checked, a reader with 500 open loans, 16 desks in a closed loop, and the same SQL replayed
bare.

Usage: ./run bench circulation [--items N] [--readers N] [--samples N] [--seconds S]
Defaults: 1,400,000 items, 160,000 readers (Yuexiu District Library's 2019 size). Set
WENJIN_DATABASE_URL to a scratch PostgreSQL database (the target machine); the data is
built once with bulk inserts and reused by later runs on the same database.

Ratio: each sampled checkout's SQL statements are recorded; after the item is checked back
in, the same statements run bare through the database cursor in one transaction (row
locks, reads, inserts, commit included). The ratio of the medians is Wenjin's overhead.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import metric, report, setup_django

BRANCHES = 18
INSTITUTION_LOANS = 500


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def build(items: int, readers: int) -> None:
    """Units, records, items, readers and one institutional reader with 500 open loans,
    by bulk inserts (the services are what is measured, not how the data got there)."""
    from datetime import date, timedelta
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from wenjin.accounts.actor import Actor
    from wenjin.accounts.services import role_grant, staff_create
    from wenjin.catalog.models import Item, Record
    from wenjin.circulation.models import Loan, LoanRule
    from wenjin.network import services as network
    from wenjin.network.models import OrgUnit
    from wenjin.network.policies import parse_periods
    from wenjin.patrons.models import Card, Patron, PatronCategory

    if Item.objects.count() >= items:
        return
    actor = Actor.system("bench")
    started = time.perf_counter()
    network.org_unit_create(
        actor=actor, code="GZ", kind="city_center", name_zh="广州图书馆", parent_code=None
    )
    network.org_unit_create(
        actor=actor, code="YX", kind="district_main", name_zh="越秀区图书馆", parent_code="GZ"
    )
    codes = ["YX"] + [f"YX-B{n:02d}" for n in range(1, BRANCHES + 1)]
    for code in codes[1:]:
        network.org_unit_create(
            actor=actor, code=code, kind="branch", name_zh=f"{code}分馆", parent_code="YX"
        )
    for code in codes:
        hours = {d: parse_periods("09:00-21:00") for d in range(7) if d != 0}
        network.weekly_hours_set(actor=actor, code=code, hours=hours)
    user = staff_create(
        actor=actor,
        username="desk",
        password="bench-desk-password-1",
        home_org_code="YX",
        display_name="desk",
        check_password=False,
    )
    role_grant(actor=actor, user=user, role="desk_staff", org_code="YX")
    units = list(OrgUnit.objects.filter(code__in=codes).order_by("code"))
    record_count = max(1, items // 5)
    for start in range(0, record_count, 20_000):
        Record.objects.bulk_create(
            Record(
                marc_format="cnmarc",
                marc=b"",
                marc_digest=f"{n:040d}",
                title=f"基准书目 {n}",
                year=2000 + n % 25,
                language="chi",
                clc=f"I2{n % 10}",
                clc_top="I",
            )
            for n in range(start, min(record_count, start + 20_000))
        )
        print(f"records {min(record_count, start + 20_000):,}", flush=True)
    first_record = Record.objects.order_by("pk").values_list("pk", flat=True).first()
    for start in range(0, items, 20_000):
        batch = []
        for n in range(start, min(items, start + 20_000)):
            unit = units[n % len(units)]
            batch.append(
                Item(
                    barcode=f"I{n:08d}",
                    record_id=first_record + n % record_count,
                    owning_org=unit,
                    current_org=unit,
                    call_number=f"I2{n % 10}/{n}",
                    price=Decimal("39.00"),
                    language="chi",
                )
            )
        Item.objects.bulk_create(batch)
        print(f"items {min(items, start + 20_000):,}", flush=True)
    adult = PatronCategory.objects.get(code="adult")
    institution, _created = PatronCategory.objects.get_or_create(
        code="institution",
        defaults={"name_zh": "集体读者", "name_en": "Institution", "follows_age": False},
    )
    LoanRule.objects.create(name="集体证", patron_category=institution, max_items=1000)
    today = timezone.localdate()
    for start in range(0, readers, 20_000):
        end = min(readers, start + 20_000)
        patrons = Patron.objects.bulk_create(
            Patron(
                name=f"读者{n}",
                category=institution if n == 0 else adult,
                home_org=units[n % len(units)],
                identity_type="resident_id",
                birth_date=date(1960 + n % 50, 1 + n % 12, 1 + n % 28),
            )
            for n in range(start, end)
        )
        Card.objects.bulk_create(
            Card(
                patron=patron,
                barcode=f"R{n:08d}",
                issued_on=today - timedelta(days=100),
                expires_on=today + timedelta(days=1500),
                issued_at=units[n % len(units)],
            )
            for n, patron in zip(range(start, end), patrons, strict=True)
        )
        print(f"readers {end:,}", flush=True)
    # The institutional reader (a school's class collection) holds 500 items.
    holder = Patron.objects.get(category=institution)
    card = Card.objects.get(patron=holder)
    held = list(Item.objects.order_by("-pk")[:INSTITUTION_LOANS])
    with transaction.atomic():
        Loan.objects.bulk_create(
            Loan(
                item=item,
                patron=holder,
                card=card,
                checkout_org=item.owning_org,
                checked_out_at=timezone.now(),
                due_date=today + timedelta(days=20),
                rule_name="集体证",
                renewals_allowed=1,
                renewal_days=31,
                fee_per_day=Decimal("0.10"),
                fee_cap=Decimal("10.00"),
            )
            for item in held
        )
        Item.objects.filter(pk__in=[i.pk for i in held]).update(status="checked_out")
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)


class Recorder:
    def __init__(self) -> None:
        self.statements: list[tuple[str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params))
        return execute(sql, params, many, context)


def replay(statements: list[tuple[str, object]]) -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            if cursor.description:
                cursor.fetchall()
    return time.perf_counter() - started


def desk_actor():
    from wenjin.accounts.actor import Actor
    from wenjin.accounts.models import StaffUser

    return Actor(user=StaffUser.objects.get(username="desk"), via="bench")


def one_desk(samples: int) -> dict[str, float]:
    """Checkouts by one desk: our time, and the same SQL replayed bare."""
    from django.db import connection

    from wenjin.catalog.models import Item
    from wenjin.circulation import services
    from wenjin.patrons.models import Card

    actor = desk_actor()
    rng = random.Random(2)
    total_items = Item.objects.count() - INSTITUTION_LOANS
    readers = Card.objects.count()
    ours, bare = [], []
    for index in range(samples + 20):
        item = f"I{rng.randrange(total_items):08d}"
        reader = f"R{rng.randrange(1, readers):08d}"
        unit = Item.objects.filter(barcode=item).values_list("current_org__code", flat=True)[0]
        recorder = Recorder()
        started = time.perf_counter()
        with connection.execute_wrapper(recorder):
            try:
                services.checkout(
                    actor=actor, item_barcode=item, patron_barcode=reader, org_code=unit
                )
            except services.Refused:
                continue
        took = time.perf_counter() - started
        services.checkin(actor=actor, item_barcode=item, org_code=unit)
        bare_took = replay(recorder.statements)
        services.checkin(actor=actor, item_barcode=item, org_code=unit)
        if index >= 20:  # warm-up
            ours.append(took)
            bare.append(bare_took)
    return {
        "p50": statistics.median(ours) * 1000,
        "p99": percentile(ours, 0.99) * 1000,
        "bare_p50": statistics.median(bare) * 1000,
        "ratio": statistics.median(ours) / statistics.median(bare),
    }


def big_reader(samples: int) -> float:
    """Checkout p95 for the reader with 500 open loans."""
    from wenjin.catalog.models import Item
    from wenjin.circulation import services
    from wenjin.patrons.models import Card

    actor = desk_actor()
    barcode = Card.objects.get(patron__category__code="institution").barcode
    times = []
    for n in range(samples):
        item = f"I{1_000 + n:08d}"
        unit = Item.objects.filter(barcode=item).values_list("current_org__code", flat=True)[0]
        started = time.perf_counter()
        services.checkout(actor=actor, item_barcode=item, patron_barcode=barcode, org_code=unit)
        times.append(time.perf_counter() - started)
        services.checkin(actor=actor, item_barcode=item, org_code=unit)
    return percentile(times, 0.95) * 1000


def _desk_loop(desk: int, seconds: float, results: multiprocessing.Queue) -> None:
    """One desk process: checkouts and checkins of its own share of the items."""
    import django
    from django.db import connections

    django.setup()
    from wenjin.catalog.models import Item
    from wenjin.circulation import services
    from wenjin.lib.errors import DomainError
    from wenjin.patrons.models import Card

    actor = desk_actor()
    rng = random.Random(100 + desk)
    readers = Card.objects.count()
    # Each desk lends from its own slice of the second half of the collection.
    half = Item.objects.count() // 2
    first = half + desk * (half // 40)
    pool = [f"I{n:08d}" for n in range(first, first + min(500, half // 40))]
    units = dict(Item.objects.filter(barcode__in=pool).values_list("barcode", "current_org__code"))
    lent: list[str] = []
    ops = errors = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        try:
            if lent and (len(lent) > 20 or rng.random() < 0.5):
                item = lent.pop(rng.randrange(len(lent)))
                services.checkin(actor=actor, item_barcode=item, org_code=units[item])
            else:
                item = rng.choice(pool)
                if item in lent:
                    continue
                reader = f"R{rng.randrange(1, readers):08d}"
                services.checkout(
                    actor=actor, item_barcode=item, patron_barcode=reader, org_code=units[item]
                )
                lent.append(item)
            ops += 1
        except DomainError:
            errors += 1
    for item in lent:
        services.checkin(actor=actor, item_barcode=item, org_code=units[item])
    connections.close_all()
    results.put((ops, errors))


def closed_loop(desks: int, seconds: float) -> tuple[float, int]:
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [
        context.Process(target=_desk_loop, args=(desk, seconds, results)) for desk in range(desks)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=seconds + 300) for _ in processes]
    for process in processes:
        process.join()
    return sum(ops for ops, _ in outcomes) / seconds, sum(errors for _, errors in outcomes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1_400_000)
    parser.add_argument("--readers", type=int, default=160_000)
    parser.add_argument("--samples", type=int, default=1_000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--desks", type=int, default=16)
    parser.add_argument("--only-loop", action="store_true", help="skip the single-desk part")
    args = parser.parse_args()
    setup_django()
    build(args.items, args.readers)
    if args.only_loop:
        throughput, errors = closed_loop(args.desks, args.seconds)
        print(f"{args.desks} desks: {throughput:.1f} op/s, {errors} refusals")
        return
    desk = one_desk(args.samples)
    big = big_reader(min(args.samples, 200))
    throughput, errors = closed_loop(args.desks, args.seconds)
    report(
        "circulation",
        {"items": args.items, "readers": args.readers, "samples": args.samples},
        [
            metric("checkout_p50_ms", desk["p50"], "ms", 5, "lower"),
            metric("checkout_p99_ms", desk["p99"], "ms", 25, "lower"),
            metric("checkout_500_loans_p95_ms", big, "ms", 50, "lower"),
            metric("closed_loop_16_desks_ops_per_s", throughput, "op/s", 250, "higher"),
            metric("closed_loop_refusals", errors, "count", None, "lower"),
            metric("bare_sql_p50_ms", desk["bare_p50"], "ms", None, "lower"),
            metric("ratio_to_bare_sql", desk["ratio"], "x", None, "lower"),
        ],
    )


if __name__ == "__main__":
    main()
