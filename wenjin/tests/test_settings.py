"""Settings from the environment, safe production defaults, SQLite setup, the CLI."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from wenjin.config import Config, ensure_demo_env_file, read_env_file


def run_wenjin(args, env, cwd=None):
    clean = {key: value for key, value in os.environ.items() if not key.startswith("WENJIN_")}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "wenjin.cli", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_time_zone_and_language():
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ
    assert settings.LANGUAGE_CODE == "zh-hans"


def test_production_defaults_pass_the_deploy_check(tmp_path):
    result = run_wenjin(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "WENJIN_DATA_DIR": str(tmp_path),
            "WENJIN_SECRET_KEY": secrets.token_urlsafe(50),
            "WENJIN_FIELD_KEY": secrets.token_urlsafe(32),
            "WENJIN_ALLOWED_HOSTS": "library.example.cn",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_missing_secret_key_is_a_clear_error(tmp_path):
    result = run_wenjin(["check"], {"WENJIN_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "WENJIN_SECRET_KEY is not set" in result.stderr


def test_data_dir_alone_finds_the_demo_settings(tmp_path):
    ensure_demo_env_file(tmp_path)
    first = read_env_file(tmp_path / "wenjin.env")
    ensure_demo_env_file(tmp_path)  # a second start keeps the same secrets
    assert read_env_file(tmp_path / "wenjin.env") == first
    assert (tmp_path / "wenjin.env").stat().st_mode & 0o077 == 0
    result = run_wenjin(["migrate", "-v", "0"], {"WENJIN_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "wenjin.sqlite3").exists()
    hyphenated = run_wenjin(["demo-data", "--help"], {"WENJIN_DATA_DIR": str(tmp_path)})
    assert hyphenated.returncode == 0 and "--seed" in hyphenated.stdout


def test_environment_wins_over_the_env_file(tmp_path):
    (tmp_path / "wenjin.env").write_text(
        "# comment\nWENJIN_DEBUG=1\nWENJIN_ALLOWED_HOSTS=a, b\n\nnoise\n"
    )
    config = Config({"WENJIN_DATA_DIR": str(tmp_path), "WENJIN_DEBUG": "0"})
    assert config.flag("WENJIN_DEBUG") is False
    assert config.list("WENJIN_ALLOWED_HOSTS") == ["a", "b"]
    assert config.data_dir == Path(tmp_path).resolve()


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-specific settings; the suite is running on PostgreSQL")
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] >= 10_000
        assert cursor.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
