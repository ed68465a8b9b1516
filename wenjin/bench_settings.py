"""Settings for ``./run bench``: the real settings on a scratch data directory (SQLite by
default, or the database in WENJIN_DATABASE_URL)."""

import os
import tempfile

os.environ.setdefault("WENJIN_SECRET_KEY", "bench-secret-key-not-for-production")
os.environ.setdefault("WENJIN_FIELD_KEY", "YmVuY2gtZmllbGQta2V5LTMyLWJ5dGVzLWxvbmcuLi4=")
os.environ.setdefault("WENJIN_DATA_DIR", tempfile.mkdtemp(prefix="wenjin-bench-"))
os.environ.setdefault("WENJIN_DEMO", "1")

from wenjin.settings import *  # noqa: F403

ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
