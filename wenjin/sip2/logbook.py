"""The SIP2 transaction log, written in batches.

Every message a device sends is logged (device, unit, message, outcome, time taken). One
INSERT and commit per message would cost a busy server as much as some of the messages
themselves, so lines are kept in memory and written together: every ``every`` seconds
by a background thread, sooner when ``max_lines`` are waiting, and on shutdown. A device's
"last seen" time moves at most once a minute, with the same write.

If the database cannot take a batch, the lines are kept for the next try, up to
``max_pending`` (the oldest are dropped past that, with a warning); a line it refuses
outright is dropped alone. A log must never hold up or lose a reader's loan.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque

from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from wenjin.network.models import Device
from wenjin.sip2.models import Sip2Transaction
from wenjin.sip2.session import Session

logger = logging.getLogger("wenjin.sip2")

# Seconds between updates of a device's "last seen" time (one write per message is waste).
LAST_SEEN_EVERY = 60.0


def line_for(
    session: Session, request_code: str, outcome: str, duration_ms: int
) -> Sip2Transaction:
    """The log line (unsaved) for one message answered on ``session``: the handler's own
    outcome and refusal code when it set one, else the server's."""
    result, code = session.state.get("outcome", (outcome, ""))
    if outcome != "ok":
        result = outcome
    device = session.device
    return Sip2Transaction(
        at=timezone.now(),
        device=device,
        org_unit_id=device.org_unit_id if device else None,
        peer=session.peer[:64],
        message=request_code[:2],
        outcome=result[:12],
        code=code[:40],
        duration_ms=max(0, int(duration_ms)),
    )


class Logbook:
    """Collects the log lines of a server process and writes them in bulk.

    :meth:`record` is the server's ``on_transaction`` (called in its worker threads; it
    never touches the database); :meth:`start` runs the writer thread and :meth:`close`
    stops it after a last write.
    """

    def __init__(
        self, every: float = 1.0, max_lines: int = 500, max_pending: int = 100_000
    ) -> None:
        if every <= 0 or max_lines < 1 or max_pending < max_lines:
            raise ValueError("every > 0 and 1 <= max_lines <= max_pending")
        self.every = every
        self.max_lines = max_lines
        self.max_pending = max_pending
        self._lines: deque[Sip2Transaction] = deque()
        self._seen: dict[int, float] = {}  # device id → when its last-seen time was written
        self._due_seen: set[int] = set()
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.dropped = 0

    @property
    def pending(self) -> int:
        """Lines waiting to be written."""
        return len(self._lines)

    def record(self, session: Session, request_code: str, outcome: str, duration_ms: int) -> None:
        """Keep the line for one message (the server's ``on_transaction``)."""
        line = line_for(session, request_code, outcome, duration_ms)
        now = time.monotonic()
        with self._lock:
            self._lines.append(line)
            if len(self._lines) > self.max_pending:
                self._lines.popleft()
                self.dropped += 1
                if self.dropped == 1 or self.dropped % 1000 == 0:
                    logger.warning(
                        "SIP2 log: %d lines dropped, the database is not taking them", self.dropped
                    )
            device_id = line.device_id
            if (
                device_id is not None
                and now - self._seen.get(device_id, -LAST_SEEN_EVERY) >= LAST_SEEN_EVERY
            ):
                self._seen[device_id] = now
                self._due_seen.add(device_id)
            full = len(self._lines) >= self.max_lines
        if full:
            self._wake.set()

    def flush(self) -> int:
        """Write what is waiting; the number of lines written (0 when the write failed:
        the lines stay for the next try)."""
        with self._flushing:
            with self._lock:
                lines = list(self._lines)
                self._lines.clear()
                devices = sorted(self._due_seen)
                self._due_seen.clear()
            if not lines and not devices:
                return 0
            try:
                with transaction.atomic():
                    Sip2Transaction.objects.bulk_create(lines, batch_size=self.max_lines)
                    if devices:
                        Device.objects.filter(pk__in=devices).update(last_seen_at=timezone.now())
            except IntegrityError:
                # A line the database refuses (its device deleted meanwhile, say) must not
                # block every later batch: write them one by one and drop the refused.
                return self._salvage(lines, devices)
            except Exception:
                logger.exception(
                    "SIP2 log: writing %d lines failed; kept for the next try", len(lines)
                )
                with self._lock:
                    for line in lines:
                        line.pk = None
                    self._lines.extendleft(reversed(lines))
                    while len(self._lines) > self.max_pending:
                        self._lines.pop()
                        self.dropped += 1
                    self._due_seen.update(devices)
                return 0
            return len(lines)

    def _salvage(self, lines: list[Sip2Transaction], devices: list[int]) -> int:
        written = 0
        for line in lines:
            line.pk = None
            try:
                with transaction.atomic():
                    line.save(force_insert=True)
                written += 1
            except IntegrityError:
                with self._lock:
                    self.dropped += 1
                logger.warning("SIP2 log: dropped a line the database refused (%s)", line)
        Device.objects.filter(pk__in=devices).update(last_seen_at=timezone.now())
        return written

    # --- the writer thread ---

    def start(self) -> None:
        """Start writing in the background."""
        if self._thread is not None:
            raise RuntimeError("the SIP2 logbook is already started")
        self._thread = threading.Thread(target=self._run, name="sip2-logbook", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 10.0) -> None:
        """Stop the writer after a last write (and write here if it never started)."""
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        else:
            self.flush()

    def _run(self) -> None:
        while not self._stopping:
            self._wake.wait(self.every)
            self._wake.clear()
            close_old_connections()
            self.flush()
        self.flush()  # what came in during the last write
        connection.close()
