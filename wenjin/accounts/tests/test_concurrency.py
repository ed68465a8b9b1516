"""Concurrent writers: failed-login counting must lose no update, whether the failures come
from threads of one process or from separate processes on the same database file.

These run on whichever database the suite runs on (SQLite file or PostgreSQL). On SQLite
they prove the WAL + busy timeout + BEGIN IMMEDIATE setup: every writer gets an answer,
none gets "database is locked".
"""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from wenjin.accounts.models import LoginThrottle
from wenjin.accounts.services import _record_failure

pytestmark = pytest.mark.django_db(transaction=True)

WORKER = """
import json, os, sys
import django
django.setup()
from django.utils import timezone
from wenjin.accounts.services import _record_failure, staff_login
from wenjin.lib.errors import DomainError
import time
from pathlib import Path
go = Path(sys.argv[2])
while not go.exists():  # start together, so the writers really overlap
    time.sleep(0.01)
answers = {}
for _ in range(int(sys.argv[1])):
    try:
        staff_login(username="alice", password="wrong", ip=None, via="test")
    except DomainError as error:
        answers[error.code] = answers.get(error.code, 0) + 1
    # Bare counter updates between the (slow, argon2-checked) logins keep the writers busy.
    for _ in range(40):
        _record_failure("user:alice", 100000, timezone.now())
print(json.dumps(answers))
"""


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgresql://{settings['USER']}{password}@{host}:{port}/{settings['NAME']}"


def test_threads_counting_failures_on_one_key_lose_nothing():
    threads_count, attempts = 6, 8
    errors: list[BaseException] = []
    start = threading.Barrier(threads_count)

    def work() -> None:
        try:
            start.wait()
            for _ in range(attempts):
                _record_failure("user:shared", limit=10_000, now=timezone.now())
        except BaseException as error:  # collected and reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert LoginThrottle.objects.get(key="user:shared").failures == threads_count * attempts


def test_two_processes_writing_at_once_both_get_answers(make_staff, tmp_path: Path):
    make_staff("alice", "desk_staff", "YX-GT")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wenjin.settings",
        "WENJIN_DATABASE_URL": database_url(),
        "WENJIN_DATA_DIR": str(tmp_path),
        "WENJIN_LOGIN_MAX_FAILURES": "100000",
        "WENJIN_LOGIN_IP_MAX_FAILURES": "100000",
    }
    env.setdefault("WENJIN_SECRET_KEY", "test")
    env.setdefault("WENJIN_FIELD_KEY", "test")
    attempts = 5
    go = tmp_path / "go"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(attempts), str(go)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(3)  # let both processes finish starting Django
    go.touch()
    results = [worker.communicate(timeout=300) for worker in workers]
    for worker, (stdout, stderr) in zip(workers, results, strict=True):
        assert worker.returncode == 0, stderr
        assert "database is locked" not in stderr
        assert json.loads(stdout.strip().splitlines()[-1]) == {"INVALID_CREDENTIALS": attempts}
    assert LoginThrottle.objects.get(key="user:alice").failures == 2 * attempts * 41
