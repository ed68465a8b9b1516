"""Fixtures for the public catalogue's browser tests: the demo data (tiny catalogue) plus a
红楼梦 record on a drawn shelf, served by a live server thread, and Debian's Chromium
driven through Playwright.

The data is built once per module and committed, so the live server's own database
connection sees it; afterwards the database is put back exactly as it was (flushed and
reloaded from a snapshot taken before), so no other test sees any of it. This works the
same on the SQLite test file and on PostgreSQL.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from wenjin.opac.tests.browser import CHROMIUM, DESKTOP, TIMEOUT_MS, chromium_problem, in_ci

CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"]
# Artifacts (screenshots) go under the repository root, next to pyproject.toml.
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

# The migrations that seed reference data (categories, loan rules, scheme rules, the
# LCC → CLC table). A transactional test earlier in the run flushes that data away; the
# demo builder needs it, so it is seeded again (the functions are idempotent).
SEEDING_MIGRATIONS = [
    ("wenjin.patrons.migrations.0002_categories", "seed"),
    ("wenjin.circulation.migrations.0002_default_rules", "add_defaults"),
    ("wenjin.catalog.migrations.0002_default_rules", "seed"),
]


# The database name before any test database exists (conftest files load at collection).
MAIN_DATABASE_NAME = settings.DATABASES["default"]["NAME"]


@dataclass(frozen=True)
class Place:
    """Where a copy stands: the location names from the floor down, and its call number."""

    library: str
    names: tuple[str, ...]
    call_number: str


@dataclass(frozen=True)
class BrowserSite:
    """The running site and the facts the tests look for (read before any browser starts:
    the tests themselves never touch the database)."""

    url: str
    novel_id: int  # 红楼梦, one copy on a drawn shelf at YX-GT
    novel_barcode: str
    novel_place: Place
    branch_code: str

    def __call__(self, path: str) -> str:
        return self.url + path


def _seed_reference_data() -> None:
    from django.apps import apps

    for module, function in SEEDING_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


def _add_novel() -> tuple[int, str, Place]:
    """红楼梦 (found by 红楼梦, hongloumeng and hlm), a copy on the shelf at 光塔 on a layer
    of the demo floor plan whose call-number range holds it, and one at 东山 with no shelf."""
    from wenjin.accounts.actor import Actor
    from wenjin.catalog.models import Location
    from wenjin.catalog.policies import shelf_holds
    from wenjin.catalog.services import items_add, record_save_fields

    actor = Actor.system("browser-tests")
    call_number = "I242.4/108"
    layer = next(
        location
        for location in Location.objects.filter(org_unit__code="YX-GT", kind="layer")
        .select_related("org_unit", "parent__parent__parent")
        .order_by("code")
        if shelf_holds(call_number, location.call_number_from, location.call_number_to)
    )
    names = []
    spot = layer
    while spot is not None:
        names.append(spot.name)
        spot = spot.parent
    novel = record_save_fields(
        actor=actor,
        values={
            "title": "红楼梦",
            "authors": ["曹雪芹", "高鹗"],
            "publisher": "人民文学出版社",
            "place": "北京",
            "year": "2008",
            "clc": "I242.47",
            "language": "chi",
            "subjects": ["章回小说—中国—清代"],
        },
    )
    barcode = "44010BT0001"
    items_add(
        actor=actor,
        record_id=novel.pk,
        owning_org_code="YX-GT",
        barcodes=[barcode],
        location_id=layer.pk,
        call_number=call_number,
    )
    items_add(
        actor=actor,
        record_id=novel.pk,
        owning_org_code="YX-DS",
        barcodes=["44010BT0002"],
        call_number=call_number,
    )
    place = Place(layer.org_unit.name_zh, tuple(reversed(names)), call_number)
    return novel.pk, barcode, place


@contextmanager
def _test_database() -> Iterator[None]:
    """pytest-django creates the test database only when a collected test asks for the
    database (a ``django_db`` mark, ``db``, ...). The browser tests cannot (a test's
    transaction would be opened under Playwright's event loop), so when they run alone
    the test database is created here, and dropped afterwards."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    if connection.settings_dict["NAME"] != MAIN_DATABASE_NAME:
        yield  # pytest-django's test database is in place
        return
    created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    assert connection.settings_dict["NAME"] != MAIN_DATABASE_NAME
    try:
        yield
    finally:
        teardown_databases(created, verbosity=0)


@pytest.fixture(scope="module")
def browser_site(django_db_setup: None, django_db_blocker: Any) -> Iterator[BrowserSite]:
    """The demo network with the tiny catalogue and 红楼梦, served on localhost by a live
    server thread that also serves the static files (CSS, htmx, wenjin.js).

    "localhost" rather than 127.0.0.1: the test settings mark the CSRF cookie Secure, and
    Chromium keeps Secure cookies over plain HTTP only for localhost."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.management import call_command
    from django.db import connection
    from django.test.testcases import LiveServerThread

    from wenjin.catalog.models import Record
    from wenjin.demo import builder
    from wenjin.search.services import unindex_records

    # Database access stays allowed for the whole module: the live server thread's
    # requests go through the same (patched) connection class.
    with django_db_blocker.unblock(), _test_database():
        baseline = connection.creation.serialize_db_to_string()
        baseline_records = set(Record.objects.values_list("pk", flat=True))
        server = None
        try:
            _seed_reference_data()
            builder.build(seed=11, catalog="tiny")
            novel_id, barcode, place = _add_novel()
            server = LiveServerThread("localhost", StaticFilesHandler, port=0)
            server.daemon = True
            server.start()
            server.is_ready.wait()
            if server.error:
                raise server.error
            yield BrowserSite(
                url=f"http://localhost:{server.port}",
                novel_id=novel_id,
                novel_barcode=barcode,
                novel_place=place,
                branch_code="YX-GT",
            )
        finally:
            if server is not None:
                server.terminate()
            # The search index tables are not Django models: flush leaves them alone.
            added = set(Record.objects.values_list("pk", flat=True)) - baseline_records
            unindex_records(sorted(added))
            call_command(
                "flush",
                verbosity=0,
                interactive=False,
                reset_sequences=False,
                inhibit_post_migrate=True,
            )
            connection.creation.deserialize_db_from_string(baseline)


@pytest.fixture(scope="module")
def chromium_required() -> None:
    """Fail (in CI) or skip at once when Chromium or Playwright is missing."""
    problem = chromium_problem()
    if problem:
        if in_ci():
            pytest.fail(f"Browser tests must run in CI: {problem}", pytrace=False)
        pytest.skip(problem)


@pytest.fixture(scope="module")
def chromium(chromium_required: None, browser_site: BrowserSite) -> Iterator[Any]:
    """Debian's Chromium, headless. Depends on ``browser_site`` so that the data is built
    before and removed after Playwright runs: Playwright's sync API keeps an event loop
    running in this thread, and Django refuses database work inside one."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def open_page(chromium, browser_site: BrowserSite) -> Iterator[Callable[..., Any]]:
    """``open_page(path, viewport=..., javascript=..., large_text=...)`` →
    a page in a fresh browser context (own cookies), already at ``path``.

    The browser's locale is English on purpose: the site must stay Chinese unless the
    reader picks another language with the switch."""
    contexts = []

    def open_(
        path: str = "/",
        *,
        viewport: dict | None = None,
        javascript: bool = True,
        large_text: bool = False,
    ) -> Any:
        context = chromium.new_context(
            viewport=viewport or DESKTOP,
            java_script_enabled=javascript,
            locale="en-US",
        )
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        if large_text:
            context.add_cookies(
                [{"name": "wenjin_display", "value": "large", "url": browser_site.url}]
            )
        page = context.new_page()
        response = page.goto(browser_site(path))
        assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
        return page

    yield open_
    for context in contexts:
        context.close()
