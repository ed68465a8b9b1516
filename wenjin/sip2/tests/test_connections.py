"""The SIP2 workers' connection hygiene: a connection in steady use is not health-checked
before every message; one idle for a while is."""

from __future__ import annotations

import pytest
from django.db import connection

from wenjin.sip2 import server
from wenjin.sip2.server import HEALTH_CHECK_AFTER_IDLE, close_old_connections


@pytest.mark.django_db(transaction=True)
def test_a_busy_connection_skips_the_check_and_an_idle_one_gets_it(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(server.time, "monotonic", lambda: clock[0])
    connection.ensure_connection()
    # A persistent connection (CONN_MAX_AGE > 0, as on PostgreSQL), whatever the suite's
    # database: this is about the health check, not the age limit.
    monkeypatch.setattr(connection, "close_at", None)
    close_old_connections()  # first message: never seen in use, so checked as usual
    assert connection.health_check_done is False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    close_old_connections()  # after the message
    clock[0] += 0.5
    close_old_connections()  # before the next, half a second later: no check
    assert connection.connection is not None
    assert connection.health_check_done is True
    clock[0] += HEALTH_CHECK_AFTER_IDLE + 1
    close_old_connections()  # after a long pause: checked before use
    assert connection.health_check_done is False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert connection.connection is not None


@pytest.mark.django_db(transaction=True)
def test_a_broken_connection_is_still_dropped(monkeypatch):
    connection.ensure_connection()
    close_old_connections()
    connection.errors_occurred = True
    monkeypatch.setattr(connection, "is_usable", lambda: False)
    close_old_connections()
    assert connection.connection is None
