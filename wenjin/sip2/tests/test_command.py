"""``wenjin sip2`` as an operator runs it: a real process (two with ``--workers 2``) on a
scratch SQLite database, answering kiosks on one port and stopping cleanly on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ask(port: int, frame: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(frame + b"\r")
        reply = b""
        while not reply.endswith(b"\r"):
            chunk = conn.recv(4096)
            if not chunk:
                break
            reply += chunk
        return reply


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("sip2-command")
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="wenjin.test_settings",
        WENJIN_DATA_DIR=str(data),
        WENJIN_DATABASE_URL=f"sqlite:///{Path(data) / 'sip2.sqlite3'}",
        WENJIN_SIP2_STATUS_BEFORE_LOGIN="1",
    )
    subprocess.run(
        [sys.executable, "-m", "wenjin.cli", "migrate", "--noinput", "-v", "0"],
        env=env,
        check=True,
        timeout=300,
    )
    return env


@pytest.mark.parametrize("workers", [1, 2])
def test_the_command_serves_and_stops_cleanly(scratch, workers):
    logged_before = _logged(scratch)
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wenjin.cli",
            "sip2",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=scratch,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, process.stdout.read().decode()
                assert time.time() < deadline, "the SIP2 server did not start"
                time.sleep(0.2)
        # Status before login is configured on; an unknown device's login is refused.
        for _ in range(4):
            assert _ask(port, b"9900302.00").startswith(b"98")
            assert _ask(port, b"9300CNnobody|COnothing|CP|").startswith(b"940")
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=60)[0].decode()
    assert process.returncode == 0, output
    pids = set(re.findall(r"SIP2 server on 127\.0\.0\.1:\d+ \(pid (\d+)\)", output))
    assert len(pids) == workers, output
    assert output.count("SIP2 server stopping") == workers
    # Every message answered is in the log, written in batches and at the latest on stop.
    assert _logged(scratch) - logged_before == 8


def _logged(env: dict[str, str]) -> int:
    path = env["WENJIN_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return db.execute("SELECT COUNT(*) FROM sip2_sip2transaction").fetchone()[0]
