"""What the browser tests share: whether Chromium is here, viewports, the axe check and its report."""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 15_000


def in_ci() -> bool:
    """CI is set (GitHub and .ci/run set CI=true): browser tests must run, not skip."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def chromium_problem() -> str:
    """Why the browser tests cannot run here ("" when they can)."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return (
            f"Debian's Chromium is not installed at {CHROMIUM} "
            "(apt-get install chromium fonts-noto-cjk; never `playwright install`)"
        )
    try:
        importlib.import_module("playwright.sync_api")
        importlib.import_module("axe_playwright_python.sync_playwright")
    except ImportError as missing:
        return f"{missing.name} is not installed (pip install -e '.[test]')"
    return ""


def axe_report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"       {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more elements")
    return "\n".join(lines)


def serious_violations(page: Any) -> list[dict]:
    # axe is injected with Playwright's evaluate, which the page's CSP does not govern, so
    # the contexts keep the real policy (no bypass_csp).
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def skip_module_without_chromium() -> None:
    """Skip the calling test module, loudly, when Chromium or Playwright is missing, except
    in CI, where the ``chromium`` fixture fails every test instead: CI must run them."""
    problem = chromium_problem()
    if problem and not in_ci():
        message = f"BROWSER TESTS SKIPPED: {problem}"
        print(f"\n*** {message} ***\n", file=sys.stderr)
        warnings.warn(message, pytest.PytestWarning, stacklevel=2)
        pytest.skip(message, allow_module_level=True)
