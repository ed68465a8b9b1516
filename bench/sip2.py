"""SIP2 server speed at district scale, the load generator on the same machine.

Usage: ./run bench sip2 [--items N] [--readers N] [--connections 400] [--rate 300]
                        [--seconds 60] [--closed-seconds 20] [--threads 16] [--workers 2]

Data: the circulation benchmark's district-scale database (1.4 M items, 160 k readers,
built once with bulk inserts and reused; set WENJIN_DATABASE_URL to a scratch PostgreSQL
database), plus a kiosk device at each of the 19 units and PINs for the readers used.

The server is the real ``wenjin sip2`` in its own process, full rules and transaction
log. Each kiosk connection repeats a reader's visit: patron information (63, with PIN),
checkout (11, with PIN), then a sorter's item information (17) and checkin (09) sent
back to back, each frame with a sequence number and checksum.

* Open load, as kiosks behave: ``--connections`` connections together send ``--rate``
  messages/s, each message's send time drawn from a Poisson process (the 17→09 pair
  goes as one); per-message p95/p99, errors, and the sorter pair's p99.
* Closed loop (no think time) at 1, 20 and 100 connections: messages/s and latency;
  then the same against a bare asyncio server (``bench/_sip2_echo.py``: the same framing,
  one SQL round trip, a fixed reply) in the same run; the ratio is throughput bare ÷ ours.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import metric, report, setup_django

HERE = Path(__file__).resolve().parent
PIN = "246810"
DEVICE_PASSWORD = "bench-kiosk-password-1"
ITEMS_PER_CONNECTION = 6
READERS_PER_CONNECTION = 4
CLOSED_LEVELS = (1, 20, 100)


def percentile(samples: list[float], share: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def checksum(data: bytes) -> str:
    return f"{(-sum(data)) & 0xFFFF:04X}"


def frame(body: str, sequence: int) -> bytes:
    raw = f"{body}AY{sequence % 10}AZ".encode()
    return raw + checksum(raw).encode() + b"\r"


def sip_now() -> str:
    return datetime.now().strftime("%Y%m%d    %H%M%S")


@dataclass
class Kiosk:
    """One connection's share of the network: its unit, its readers and its items."""

    unit: str
    device: str
    readers: list[str]
    items: list[str]
    cursor: int = 0

    def visit(self) -> tuple[str, str]:
        self.cursor += 1
        return (
            self.readers[self.cursor % len(self.readers)],
            self.items[self.cursor % len(self.items)],
        )


def prepare(connections: int, item_count: int) -> list[Kiosk]:
    """Kiosk devices, reader PINs and an item pool per connection, all available now."""
    from wenjin.accounts.actor import Actor
    from wenjin.catalog.models import Item
    from wenjin.circulation import services
    from wenjin.network.devices import device_create
    from wenjin.network.models import DEVICE_OPERATIONS, Device, OrgUnit
    from wenjin.patrons.models import Patron
    from wenjin.patrons.pins import hash_pin

    actor = Actor.system("bench")
    units = list(
        OrgUnit.objects.filter(code__startswith="YX")
        .order_by("code")
        .values_list("code", flat=True)
    )
    for code in units:
        if not Device.objects.filter(code=f"BENCH-{code}").exists():
            device_create(
                actor=actor,
                code=f"BENCH-{code}",
                name=f"{code} 自助借还机",
                kind="self_check",
                org_code=code,
                password=DEVICE_PASSWORD,
                operations=list(DEVICE_OPERATIONS),
            )
    readers = [f"R{n:08d}" for n in range(1, 1 + connections * READERS_PER_CONNECTION)]
    Patron.objects.filter(cards__barcode__in=readers).update(pin_hash=hash_pin(PIN))
    kiosks = []
    per_unit: dict[int, int] = {}
    for index in range(connections):
        slot = index % len(units)
        taken = per_unit.get(slot, 0)
        per_unit[slot] = taken + 1
        # Items are spread over the units by number (n % units): these stand at this
        # kiosk's unit, so a checkin there sends nothing in transit.
        # A quarter in: clear of the circulation benchmark's pools (the second half, and
        # the institutional reader's loans at the very end).
        base = item_count // 4 - (item_count // 4) % len(units)
        first = base + taken * ITEMS_PER_CONNECTION * len(units) + slot
        items = [f"I{first + k * len(units):08d}" for k in range(ITEMS_PER_CONNECTION)]
        kiosks.append(
            Kiosk(
                unit=units[slot],
                device=f"BENCH-{units[slot]}",
                readers=readers[
                    index * READERS_PER_CONNECTION : (index + 1) * READERS_PER_CONNECTION
                ],
                items=items,
            )
        )
    every_item = [barcode for kiosk in kiosks for barcode in kiosk.items]
    # A run cut short leaves loans: return them first.
    for barcode, unit in Item.objects.filter(
        barcode__in=every_item, status="checked_out"
    ).values_list("barcode", "current_org__code"):
        services.checkin(actor=actor, item_barcode=barcode, org_code=unit)
    ready = Item.objects.filter(barcode__in=every_item, status="available").count()
    if ready != len(every_item):
        raise SystemExit(f"only {ready} of the {len(every_item)} pool items are available")
    return kiosks


def start_process(args: list[str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(args, env=os.environ.copy(), start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"server exited with {process.returncode}") from None
            time.sleep(0.2)
    process.kill()
    raise SystemExit("server did not start")


def stop_process(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Tally:
    """Latencies (seconds) and failures of one phase."""

    latencies: list[float] = field(default_factory=list)
    pairs: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    messages: int = 0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


class Client:
    """One kiosk connection."""

    def __init__(self, kiosk: Kiosk, port: int) -> None:
        self.kiosk = kiosk
        self.port = port
        self.sequence = 0
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self, login: bool) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        if login:
            reply, _took = await self.send(
                f"9300CN{self.kiosk.device}|CO{DEVICE_PASSWORD}|CP{self.kiosk.unit}|"
            )
            if not reply.startswith(b"941"):
                raise SystemExit(f"login refused: {reply!r}")

    async def send(self, body: str) -> tuple[bytes, float]:
        assert self.reader is not None and self.writer is not None
        self.sequence += 1
        started = time.perf_counter()
        self.writer.write(frame(body, self.sequence))
        reply = await asyncio.wait_for(self.reader.readuntil(b"\r"), 30)
        return reply, time.perf_counter() - started

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()

    def messages(self) -> list[tuple[str, str]]:
        """The visit's messages: (expected reply code, request body)."""
        reader, item = self.kiosk.visit()
        now = sip_now()
        blank = " " * 18
        return [
            ("64", f"63019{now}          AO|AA{reader}|AD{PIN}|"),
            ("12", f"11YN{now}{blank}AO|AA{reader}|AB{item}|AC|AD{PIN}|"),
            ("18", f"17{now}AO|AB{item}|AC|"),
            ("10", f"09N{now}{now}AP{self.kiosk.unit}|AO|AB{item}|AC|"),
        ]

    async def one(self, expected: str, body: str, tally: Tally, strict: bool) -> float:
        try:
            reply, took = await self.send(body)
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError) as error:
            tally.error(type(error).__name__)
            return 0.0
        tally.messages += 1
        tally.latencies.append(took)
        if strict and not reply.startswith(expected.encode()):
            tally.error(f"reply {reply[:2].decode(errors='replace')} to {body[:2]}")
        elif strict and not _succeeded(expected, reply):
            # Barcodes out, so that one cause counts as one kind.
            tally.error(f"refused {body[:2]}: {re.sub(r'[A-Z]?[0-9]{5,}', '…', _screen(reply))}")
        return took


def _succeeded(code: str, reply: bytes) -> bool:
    if code in ("12", "10"):
        return reply[2:3] == b"1"
    if code == "64":
        return b"|BLY|" in reply and b"|CQY|" in reply
    return True


def _screen(reply: bytes) -> str:
    text = reply.decode("utf-8", "replace")
    for part in text.split("|"):
        if part.startswith("AF"):
            return part[2:]
    return text[:40]


async def open_load(clients: list[Client], rate: float, seconds: float) -> tuple[Tally, float]:
    """Poisson arrivals at ``rate`` messages/s in all, spread over the connections."""
    tally, spill = Tally(), Tally()
    per_connection = rate / len(clients)
    # Three arrivals per visit (63, 11 and the 17+09 pair) carry four messages.
    mean_gap = 4 / 3 / per_connection
    started = time.perf_counter()
    deadline = started + seconds

    async def kiosk_loop(client: Client, seed: int) -> None:
        rng = random.Random(seed)
        due = time.perf_counter() + rng.expovariate(1 / mean_gap)
        pair = 0.0
        while True:
            messages = client.messages()
            for step, (expected, body) in enumerate(messages):
                # The checkin goes straight after the item information (a sorter).
                if step != 3:
                    await asyncio.sleep(max(0.0, due - time.perf_counter()))
                    due += rng.expovariate(1 / mean_gap)
                # A visit under way is finished (its copy returned) even past the end,
                # uncounted: the rate is what was sent within the measured time.
                late = time.perf_counter() >= deadline
                if late and step == 0:
                    return
                took = await client.one(expected, body, spill if late else tally, strict=True)
                if step == 2:
                    pair = took
                elif step == 3 and not late:
                    tally.pairs.append(pair + took)

    await asyncio.gather(*(kiosk_loop(c, n) for n, c in enumerate(clients)))
    return tally, seconds


async def closed_loop(clients: list[Client], seconds: float, strict: bool) -> tuple[Tally, float]:
    tally = Tally()
    started = time.perf_counter()
    deadline = started + seconds

    async def run(client: Client) -> None:
        while time.perf_counter() < deadline:
            for expected, body in client.messages():
                await client.one(expected, body, tally, strict)

    await asyncio.gather(*(run(c) for c in clients))
    return tally, time.perf_counter() - started


async def connect_all(clients: list[Client], login: bool) -> None:
    gate = asyncio.Semaphore(32)

    async def one(client: Client) -> None:
        async with gate:
            await client.connect(login)

    await asyncio.gather(*(one(c) for c in clients))


def summary(tally: Tally, elapsed: float) -> dict[str, float]:
    return {
        "rate": tally.messages / elapsed,
        "p50": percentile(tally.latencies, 0.50) * 1000,
        "p95": percentile(tally.latencies, 0.95) * 1000,
        "p99": percentile(tally.latencies, 0.99) * 1000,
        "errors": sum(tally.errors.values()),
    }


async def measure_wenjin(kiosks: list[Kiosk], port: int, args: argparse.Namespace) -> dict:
    clients = [Client(kiosk, port) for kiosk in kiosks]
    started = time.perf_counter()
    await connect_all(clients, login=True)
    print(f"{len(clients)} kiosks logged in ({time.perf_counter() - started:.1f} s)", flush=True)
    await open_load(clients, args.rate, 5)  # warm-up
    tally, elapsed = await open_load(clients, args.rate, args.seconds)
    results = {"open": summary(tally, elapsed)}
    results["open"]["pair_p99"] = percentile(tally.pairs, 0.99) * 1000
    print(f"open load: {results['open']}  errors: {tally.errors}", flush=True)
    for level in CLOSED_LEVELS:
        tally, elapsed = await closed_loop(clients[:level], args.closed_seconds, strict=True)
        results[level] = summary(tally, elapsed)
        print(f"closed {level}: {results[level]}  errors: {tally.errors}", flush=True)
    await asyncio.gather(*(c.close() for c in clients))
    return results


async def measure_bare(kiosks: list[Kiosk], port: int, args: argparse.Namespace) -> dict:
    results = {}
    for level in CLOSED_LEVELS:
        clients = [Client(kiosk, port) for kiosk in kiosks[:level]]
        await connect_all(clients, login=False)
        tally, elapsed = await closed_loop(clients, args.closed_seconds, strict=False)
        results[level] = summary(tally, elapsed)
        print(f"bare closed {level}: {results[level]}", flush=True)
        await asyncio.gather(*(c.close() for c in clients))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1_400_000)
    parser.add_argument("--readers", type=int, default=160_000)
    parser.add_argument("--connections", type=int, default=400)
    parser.add_argument("--rate", type=float, default=300.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--closed-seconds", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=16, help="handler threads per process")
    parser.add_argument("--workers", type=int, default=2, help="SIP2 server processes")
    parser.add_argument(
        "--name", default="sip2", help="results file name (bench/results/NAME.json)"
    )
    args = parser.parse_args()
    if args.connections < max(CLOSED_LEVELS):
        parser.error(f"--connections must be at least {max(CLOSED_LEVELS)}")

    setup_django()
    from circulation import build

    build(args.items, args.readers)
    kiosks = prepare(args.connections, args.items)
    os.environ["WENJIN_SIP2_THREADS"] = str(args.threads)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenjin.bench_settings")

    port = free_port()
    server = start_process(
        [
            sys.executable,
            "-m",
            "wenjin.cli",
            "sip2",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        port,
    )
    try:
        ours = asyncio.run(measure_wenjin(kiosks, port, args))
    finally:
        stop_process(server)
    port = free_port()
    echo = start_process(
        [sys.executable, str(HERE / "_sip2_echo.py"), str(port), str(args.threads)], port
    )
    try:
        bare = asyncio.run(measure_bare(kiosks, port, args))
    finally:
        stop_process(echo)

    opened = ours["open"]
    metrics = [
        metric("open_rate_msgs_per_s", opened["rate"], "msg/s", args.rate * 0.95, "higher"),
        metric("open_p95_ms", opened["p95"], "ms", 50, "lower"),
        metric("open_p99_ms", opened["p99"], "ms", 150, "lower"),
        metric("open_errors", opened["errors"], "count", 0, "lower"),
        metric("sorter_pair_p99_ms", opened["pair_p99"], "ms", 300, "lower"),
    ]
    for level in CLOSED_LEVELS:
        metrics += [
            metric(f"closed_{level}_msgs_per_s", ours[level]["rate"], "msg/s", None, "higher"),
            metric(f"closed_{level}_p50_ms", ours[level]["p50"], "ms", None, "lower"),
            metric(f"closed_{level}_p95_ms", ours[level]["p95"], "ms", None, "lower"),
            metric(f"closed_{level}_errors", ours[level]["errors"], "count", 0, "lower"),
            metric(f"bare_{level}_msgs_per_s", bare[level]["rate"], "msg/s", None, "higher"),
            metric(
                f"ratio_{level}_bare_over_ours",
                bare[level]["rate"] / ours[level]["rate"],
                "x",
                None,
                "lower",
            ),
        ]
    report(
        args.name,
        {
            "items": args.items,
            "readers": args.readers,
            "connections": args.connections,
            "rate": args.rate,
            "seconds": args.seconds,
            "threads": args.threads,
            "workers": args.workers,
        },
        metrics,
    )


if __name__ == "__main__":
    main()
