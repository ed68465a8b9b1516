"""The SIP2 transaction log: lines kept in memory and written in bulk, never a secret,
kept across a failed write, written by the background thread and on close."""

from __future__ import annotations

import threading
import time

import pytest

from wenjin.network.models import Device
from wenjin.sip2.codec import decode
from wenjin.sip2.handlers import dispatch
from wenjin.sip2.logbook import Logbook
from wenjin.sip2.models import Sip2Transaction
from wenjin.sip2.session import Session

D = "20260301    100000"
BLANK = " " * 18


def logged_in(peer: str = "127.0.0.1:50000") -> Session:
    session = Session(peer=peer)
    dispatch(session, decode(b"9300CNYX-GT-K1|COkiosk-secret-1|CP|"))
    assert session.device is not None
    return session


@pytest.mark.django_db
def test_a_refusal_is_logged_with_its_code_and_no_secret(kiosk):
    session = logged_in()
    book = Logbook()
    request = decode(f"11YN{D}{BLANK}AO|AA1|ABB1|AC|AD000000|".encode())
    dispatch(session, request)
    book.record(session, "11", "ok", 12)
    assert Sip2Transaction.objects.count() == 0  # nothing written until a flush
    assert book.flush() == 1
    row = Sip2Transaction.objects.get()
    assert (row.message, row.outcome, row.code, row.org_unit.code, row.duration_ms) == (
        "11",
        "refused",
        "PATRON_NOT_FOUND",
        "YX-GT",
        12,
    )
    assert "000000" not in str(row.__dict__) and "kiosk-secret-1" not in str(row.__dict__)


@pytest.mark.django_db
def test_the_servers_outcome_wins_over_the_handlers_and_frames_without_device_log(kiosk):
    session = logged_in()
    dispatch(session, decode(b"9900302.00"))
    book = Logbook()
    book.record(session, "99", "error", 3)  # the handler broke after setting "ok"
    book.record(Session(peer="10.0.0.9:4000"), "??", "malformed", 0)  # before any login
    assert book.flush() == 2
    outcomes = set(Sip2Transaction.objects.values_list("message", "outcome", "device__code"))
    assert outcomes == {("99", "error", "YX-GT-K1"), ("??", "malformed", None)}


@pytest.mark.django_db
def test_last_seen_moves_once_a_minute_not_per_message(kiosk):
    session = logged_in()
    book = Logbook()
    book.record(session, "99", "ok", 1)
    book.flush()
    kiosk.refresh_from_db()
    first = kiosk.last_seen_at
    assert first is not None
    Device.objects.filter(pk=kiosk.pk).update(last_seen_at=None)
    for _ in range(5):
        book.record(session, "99", "ok", 1)
    assert book.flush() == 5
    kiosk.refresh_from_db()
    assert kiosk.last_seen_at is None  # within the minute: not written again


@pytest.mark.django_db
def test_a_failed_write_keeps_the_lines_for_the_next(kiosk, monkeypatch):
    session = logged_in()
    Device.objects.filter(pk=kiosk.pk).update(last_seen_at=None)
    book = Logbook()
    for _ in range(3):
        book.record(session, "17", "ok", 2)
    real = Sip2Transaction.objects.bulk_create
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(Sip2Transaction.objects, "bulk_create", broken)
    assert book.flush() == 0 and book.pending == 3
    assert Sip2Transaction.objects.count() == 0
    book.record(session, "09", "ok", 2)
    assert book.flush() == 4 and book.pending == 0
    assert list(Sip2Transaction.objects.order_by("pk").values_list("message", flat=True)) == [
        "17",
        "17",
        "17",
        "09",
    ]
    # The last-seen update failed with the batch and went with the retry.
    assert Device.objects.get(pk=kiosk.pk).last_seen_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_line_the_database_refuses_is_dropped_alone(kiosk):
    session = logged_in()
    book = Logbook()
    book.record(session, "17", "ok", 2)
    ghost = Session(peer="p")
    ghost.device = Device(pk=999_999, code="GONE", org_unit_id=kiosk.org_unit_id)
    book.record(ghost, "09", "ok", 2)  # its device no longer exists
    book.record(session, "09", "ok", 2)
    assert book.flush() == 2 and book.pending == 0 and book.dropped == 1
    assert sorted(Sip2Transaction.objects.values_list("message", flat=True)) == ["09", "17"]


def test_past_max_pending_the_oldest_lines_are_dropped_and_counted():
    book = Logbook(max_lines=2, max_pending=3)
    session = Session(peer="p")
    for code in ("01", "02", "03", "04", "05"):
        book.record(session, code, "ok", 0)
    assert book.pending == 3 and book.dropped == 2
    assert [line.message for line in book._lines] == ["03", "04", "05"]


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        Logbook(every=0)
    with pytest.raises(ValueError):
        Logbook(max_lines=10, max_pending=5)


@pytest.mark.django_db(transaction=True)
def test_the_writer_thread_writes_a_full_batch_at_once_and_the_rest_on_close(kiosk):
    book = Logbook(every=30.0, max_lines=10)  # the timer alone would take 30 s
    book.start()
    try:
        workers = []
        for n in range(2):
            session = logged_in(f"127.0.0.1:{50000 + n}")

            def talk(session: Session = session) -> None:
                for _ in range(5):
                    book.record(session, "17", "ok", 1)

            workers.append(threading.Thread(target=talk))
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        deadline = time.monotonic() + 10
        while Sip2Transaction.objects.count() < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert Sip2Transaction.objects.count() == 10
        book.record(logged_in(), "35", "ok", 1)
    finally:
        book.close()
    assert Sip2Transaction.objects.count() == 11 and book.pending == 0
    with pytest.raises(RuntimeError):
        book.start()
