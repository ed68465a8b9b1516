"""The statistics dashboard in a real browser (Debian's Chromium through Playwright, the
site and fixtures of wenjin/opac/tests/conftest.py): on a phone the charts scale to the
width and nothing scrolls sideways (wide tables scroll inside their own box), the page
passes axe, and the branch table drills down.

The rollups and the statistician are made before any browser starts (Playwright's event
loop forbids database work later)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from wenjin.conftest import PASSWORD
from wenjin.opac.tests.browser import (
    DESKTOP,
    PHONE,
    axe_report,
    serious_violations,
    skip_module_without_chromium,
)

skip_module_without_chromium()

# The site, the browser and the page opener are the public catalogue's fixtures.
from wenjin.opac.tests import conftest as opac_fixtures  # noqa: E402

browser_site = opac_fixtures.browser_site
chromium_required = opac_fixtures.chromium_required
chromium = opac_fixtures.chromium
open_page = opac_fixtures.open_page

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture turns this into a failure (CI only gets here)
    expect = None

pytestmark = pytest.mark.browser

QUERY = "?org=YX&from=2025-01&to=2025-12"


@dataclass(frozen=True)
class Scene:
    username: str


@pytest.fixture(scope="module", autouse=True)
def scene(browser_site: Any, django_db_blocker: Any) -> Scene:
    from wenjin.accounts.actor import Actor
    from wenjin.accounts.services import role_grant, staff_create
    from wenjin.network.models import OrgUnit
    from wenjin.stats.models import Rollup

    actor = Actor.system("browser-tests")
    with django_db_blocker.unblock():
        units = list(OrgUnit.objects.filter(path__startswith=_path_of("YX")).order_by("path"))
        rows = []
        for year in (2024, 2025):
            for month in range(1, 13):
                day = date(year, month, 1)
                for index, unit in enumerate(units):
                    for measure, base in (
                        ("loans", 900),
                        ("returns", 850),
                        ("visits", 4000),
                        ("cards_issued", 30),
                        ("events", 6),
                        ("event_attendance", 240),
                    ):
                        value = base * (index + 1) + month * 37 + (year - 2024) * 55
                        rows.append(
                            Rollup(org_unit=unit, period="D", day=day, measure=measure, value=value)
                        )
                    rows.append(
                        Rollup(
                            org_unit=unit,
                            period="M",
                            day=day,
                            measure="active_readers",
                            value=300 + month,
                        )
                    )
                    for hour in range(8, 22):
                        rows.append(
                            Rollup(
                                org_unit=unit,
                                period="M",
                                day=day,
                                measure="loans_by_hour",
                                dim=f"{hour:02d}",
                                value=10 + (hour * 7) % 23,
                            )
                        )
                    for clc in ("I", "K", "G", "J", "-"):
                        rows.append(
                            Rollup(
                                org_unit=unit,
                                period="M",
                                day=day,
                                measure="loans_by_clc",
                                dim=clc,
                                value=40 + ord(clc) % 9,
                            )
                        )
        # The demo may have rolled up some days already: its rows stay as they are.
        Rollup.objects.bulk_create(rows, ignore_conflicts=True)
        staff = staff_create(
            actor=actor,
            username="browser_stats",
            password=PASSWORD,
            home_org_code="YX",
            display_name="统计员",
            check_password=False,
        )
        role_grant(actor=actor, user=staff, role="statistician", org_code="YX")
        return Scene(username=staff.username)


def _path_of(code: str) -> str:
    from wenjin.network.models import OrgUnit

    return OrgUnit.objects.get(code=code).path


# The elements sticking out to the right, to name in a failure.
_WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(-5).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 40))"""


def fits_the_phone(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, (
        f"{page.url} scrolls sideways by {overflow}px on a phone: {page.evaluate(_WIDE)}"
    )


def passes_axe(page: Any) -> None:
    violations = serious_violations(page)
    assert not violations, f"{page.url}\n{axe_report(violations)}"


def _log_in(open_page: Any, scene: Scene, viewport: dict) -> Any:
    page = open_page("/staff/login/", viewport=viewport)
    page.locator("input[name=username]").fill(scene.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main").get_by_role("button").first.click()
    return page


def test_the_dashboard_fits_a_phone_and_passes_axe(open_page, scene, browser_site):
    page = _log_in(open_page, scene, PHONE)
    page.goto(browser_site(f"/staff/stats/{QUERY}"))
    expect(page.locator("h1")).to_contain_text("YX")
    charts = page.locator("main svg[role=img]")
    expect(charts.first).to_be_visible()
    assert charts.count() == 11
    # Every chart is as wide as its card, no wider than the screen.
    widths = charts.evaluate_all("svgs => svgs.map(s => s.getBoundingClientRect().width)")
    assert all(0 < width <= PHONE["width"] for width in widths), widths
    passes_axe(page)
    fits_the_phone(page)

    # Drill down into a branch from the per-branch table: same months, that branch.
    page.locator("table.st-branches a").first.click()
    expect(page).to_have_url(re.compile(r"org=YX-[A-Z0-9-]+&from=2025-01&to=2025-12$"))
    expect(page.locator("main svg[role=img]").first).to_be_visible()
    passes_axe(page)
    fits_the_phone(page)


def test_bad_months_and_the_desktop_layout(open_page, scene, browser_site):
    page = _log_in(open_page, scene, DESKTOP)
    page.goto(browser_site("/staff/stats/?org=YX&from=2025-12&to=2025-01"))
    expect(page.locator("[role=alert]")).to_be_visible()
    passes_axe(page)
    page.goto(browser_site(f"/staff/stats/{QUERY}"))
    passes_axe(page)
    # Two cards side by side on a wide screen.
    tops = page.locator(".st-grid > .st-pair").evaluate_all(
        "cards => cards.slice(0, 2).map(c => Math.round(c.getBoundingClientRect().top))"
    )
    assert tops[0] == tops[1]
