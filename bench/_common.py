"""Shared benchmark plumbing: set up Django on a scratch database, time things, and write
the results table and JSON (format: DESIGN.md, "Benchmark results format")."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def setup_django() -> None:
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenjin.bench_settings")
    django.setup()
    call_command("migrate", verbosity=0)


def time_per_call(function: Callable[[], object], repeat: int) -> float:
    """Median seconds per call over ``repeat`` calls (after one warm-up call)."""
    function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def metric(key: str, value: float, unit: str, target: float | None, better: str) -> dict:
    meets = None
    if target is not None:
        meets = value <= target if better == "lower" else value >= target
    return {
        "key": key,
        "value": round(value, 4),
        "unit": unit,
        "target": target,
        "better": better,
        "meets_target": meets,
    }


def report(name: str, scale: dict, metrics: list[dict]) -> None:
    from django.db import connection

    result = {
        "name": name,
        "date": date.today().isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "database": f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else connection.pg_version}",
        },
        "scale": scale,
        "metrics": metrics,
    }
    width = max(len(m["key"]) for m in metrics)
    print(f"\n{name}  scale={scale}  db={result['machine']['database']}")
    print(f"{'metric'.ljust(width)}  {'value':>10}  unit   target    ok")
    for m in metrics:
        target = "" if m["target"] is None else m["target"]
        ok = {True: "yes", False: "NO", None: ""}[m["meets_target"]]
        print(f"{m['key'].ljust(width)}  {m['value']:>10}  {m['unit']:<5}  {target!s:<8}  {ok}")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {path}")
