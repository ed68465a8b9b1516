"""Events in a real browser on a phone (Debian's Chromium through Playwright, fixtures in
this package's conftest): a reader finds an event, logs in from its page, registers and
shows the QR ticket; staff check readers in at the door by card; every page passes axe
and fits a phone's width.

The event, the reader and the staff member are made before any browser starts
(Playwright's event loop forbids database work later)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from wenjin.conftest import PASSWORD as PASSWORD_FOR_STAFF
from wenjin.opac.tests.browser import (
    PHONE,
    axe_report,
    serious_violations,
    skip_module_without_chromium,
)
from wenjin.opac.tests.conftest import BrowserSite

skip_module_without_chromium()

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture turns this into a failure (CI only gets here)
    expect = None

pytestmark = pytest.mark.browser

PIN = "614385"


@dataclass(frozen=True)
class EventsScene:
    reader_barcode: str
    walk_in_barcode: str
    coming_id: int
    coming_title: str
    coming_day: str  # Y-m-d
    running_id: int
    staff_username: str


@pytest.fixture(scope="module", autouse=True)
def scene(browser_site: BrowserSite, django_db_blocker: Any) -> EventsScene:
    from django.utils import timezone

    from wenjin.accounts.actor import Actor
    from wenjin.accounts.services import role_grant, staff_create
    from wenjin.events.models import Event
    from wenjin.events.services.events import EventDetails, event_create
    from wenjin.patrons.services import register
    from wenjin.patrons.tests.ids import resident_id

    actor = Actor.system("browser-tests")
    with django_db_blocker.unblock():
        cards = [
            register(
                actor=actor,
                name=name,
                identity_type="resident_id",
                identity_number=resident_id(timezone.localdate().replace(year=1975), serial),
                phone="13700002222",
                home_org_code="YX-GT",
                pin=PIN,
            ).card
            for name, serial in (("活动读者", 911), ("现场读者", 912))
        ]
        start = timezone.now() + timedelta(days=4)
        coming = event_create(
            actor=actor,
            org_code="YX-GT",
            details=EventDetails(
                kind="lecture",
                title="浏览器测试：岭南建筑讲座",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                capacity=30,
                venue="报告厅",
                series="越秀讲坛",
                audiences=["adults", "elderly"],
                description="从镬耳屋到骑楼，讲岭南建筑的来历。",
            ),
        )
        began = timezone.now() - timedelta(minutes=30)
        running = event_create(
            actor=actor,
            org_code="YX-GT",
            details=EventDetails(
                kind="training",
                title="浏览器测试：长者智能手机课堂",
                starts_at=began + timedelta(days=1),
                ends_at=began + timedelta(days=1, hours=2),
                capacity=20,
            ),
        )
        Event.objects.filter(pk=running.pk).update(
            starts_at=began, ends_at=began + timedelta(hours=2)
        )
        staff = staff_create(
            actor=actor,
            username="browser_events",
            password=PASSWORD_FOR_STAFF,
            home_org_code="YX-GT",
            display_name="活动馆员",
            check_password=False,
        )
        role_grant(actor=actor, user=staff, role="events_organiser", org_code="YX-GT")
        return EventsScene(
            reader_barcode=cards[0].barcode,
            walk_in_barcode=cards[1].barcode,
            coming_id=coming.pk,
            coming_title=coming.title,
            coming_day=f"{timezone.localtime(coming.starts_at):%Y-%m-%d}",
            running_id=running.pk,
            staff_username=staff.username,
        )


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


def test_a_reader_finds_an_event_logs_in_registers_and_shows_the_ticket(open_page, scene):
    page = open_page("/events/", viewport=PHONE)
    passes_axe(page)
    fits_the_phone(page)
    # The demo has many events: narrow the list to the day and kind, as a reader would
    # (the filters are folded away until asked for, so a phone shows events first).
    expect(page.locator(".event-list")).to_be_visible()
    page.locator("summary.filters-heading").click()
    page.locator("select[name=kind]").select_option("lecture")
    page.locator("input[name=since]").fill(scene.coming_day)
    page.locator("input[name=until]").fill(scene.coming_day)
    page.locator("select[name=kind]").evaluate("select => select.form.requestSubmit()")
    page.get_by_role("link", name=scene.coming_title).first.click()
    expect(page.locator("h1")).to_contain_text(scene.coming_title)
    passes_axe(page)
    fits_the_phone(page)

    page.locator(f"a[href*='/login/'][href*='/events/{scene.coming_id}/']").click()
    page.locator("input[name=identifier]").fill(scene.reader_barcode)
    page.locator("input[name=pin]").fill(PIN)
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(rf"/events/{scene.coming_id}/$"))

    page.locator(f"form[action$='/events/{scene.coming_id}/register/'] button").click()
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator(f"form[action$='/events/{scene.coming_id}/cancel/']")).to_be_visible()

    page.goto(page.url.split("/events/")[0] + "/account/events/")
    expect(page.locator("main")).to_contain_text(scene.coming_title)
    passes_axe(page)
    fits_the_phone(page)
    page.locator("a[href*='/ticket/']").first.click()
    expect(page.locator("main svg").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("WJEV:")
    passes_axe(page)
    fits_the_phone(page)


def test_staff_check_readers_in_at_the_door_on_a_phone(open_page, scene, browser_site):
    page = open_page("/staff/login/", viewport=PHONE)
    page.locator("input[name=username]").fill(scene.staff_username)
    page.locator("input[name=password]").fill(PASSWORD_FOR_STAFF)
    page.locator("main").get_by_role("button").first.click()
    page.goto(browser_site(f"/staff/events/{scene.running_id}/checkin/"))
    passes_axe(page)
    fits_the_phone(page)

    scan = page.locator("#scan-code")
    expect(scan).to_be_focused()
    scan.fill(scene.walk_in_barcode)
    scan.press("Enter")
    result = page.locator("#scan-result")
    expect(result.locator(".ok")).to_contain_text("现场读者")

    scan = page.locator("#scan-code")
    scan.fill(scene.walk_in_barcode)
    scan.press("Enter")
    expect(result.locator(".refused")).to_be_visible()
    expect(result).to_contain_text("EVENT_ALREADY_CHECKED_IN")

    for path in ("/staff/events/", "/staff/events/calendar/", f"/staff/events/{scene.running_id}/"):
        page.goto(browser_site(path))
        passes_axe(page)
        fits_the_phone(page)
