"""The Content-Security-Policy forbids inline script and style: no template may rely on
them, or the page would silently break in the browser."""

from __future__ import annotations

import re
from pathlib import Path

import wenjin
from wenjin.web.middleware import CONTENT_SECURITY_POLICY

TEMPLATES = sorted(Path(wenjin.__file__).parent.glob("*/templates/**/*.html"))
FORBIDDEN = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "inline style element": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle=", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+=\"", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 30


def test_no_template_needs_inline_script_or_style():
    offending = [
        f"{path.relative_to(Path(wenjin.__file__).parent)}: {what}"
        for path in TEMPLATES
        for what, pattern in FORBIDDEN.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offending == []


def test_the_policy_allows_only_our_own_scripts_and_styles(db, client):
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    staff_login = client.get("/staff/login/")
    assert staff_login["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    # JSON answers need no policy.
    assert "Content-Security-Policy" not in client.get("/healthz")
