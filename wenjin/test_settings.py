"""Settings for the test suite: the real settings, with test secrets and a file-backed SQLite.

The SQLite test database is a file (not ``:memory:``) so that tests with several threads or
processes exercise the same locking as the demo.
"""

import os
import tempfile

os.environ.setdefault("WENJIN_SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("WENJIN_FIELD_KEY", "dGVzdC1maWVsZC1rZXktMzItYnl0ZXMtbG9uZy4uLi4=")
os.environ.setdefault("WENJIN_DATA_DIR", tempfile.mkdtemp(prefix="wenjin-test-"))

from wenjin.settings import *  # noqa: F403
from wenjin.settings import DATA_DIR, DATABASES

SECURE_SSL_REDIRECT = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 (WhiteNoise warns when it is missing)
# Tasks run at once, inside the test (a test of the queue itself switches to the database).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
