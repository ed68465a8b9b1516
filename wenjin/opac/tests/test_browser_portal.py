"""The reader portal in a real browser (Debian's Chromium through Playwright, fixtures in
this package's conftest): log in, renew a loan and see the new due date, place and cancel
a hold, the account pages on a phone and under axe.

A reader of its own is added to the browser tests' demo data before any browser starts:
a known PIN, one loan that can be renewed, and a reading history."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

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

PIN = "580927"


@dataclass(frozen=True)
class PortalReader:
    barcode: str
    loan_title: str
    loan_due: str  # Y-m-d
    renewed_due: str


@pytest.fixture(scope="module", autouse=True)
def portal_reader(browser_site: BrowserSite, django_db_blocker: Any) -> PortalReader:
    """A reader with a renewable loan and some history, made before the browser starts
    (Playwright's event loop forbids database work later)."""
    from django.utils import timezone

    from wenjin.accounts.actor import Actor
    from wenjin.catalog.models import Item, ItemStatus
    from wenjin.circulation.services import checkin, checkout
    from wenjin.patrons.services import patron_update, register
    from wenjin.patrons.tests.ids import resident_id

    actor = Actor.system("browser-tests")
    with django_db_blocker.unblock():
        card = register(
            actor=actor,
            name="门户读者",
            identity_type="resident_id",
            identity_number=resident_id(timezone.localdate().replace(year=1980), 901),
            phone="13700001111",
            home_org_code="YX-GT",
            pin=PIN,
        ).card
        patron_update(actor=actor, barcode=card.barcode, changes={"keeps_history": True})
        shelf = (
            Item.objects.filter(status=ItemStatus.AVAILABLE, in_network_scheme=True)
            .exclude(record_id=browser_site.novel_id)
            .select_related("current_org", "record")
        )
        past, current = list(shelf.order_by("pk")[:2])
        earlier = timezone.now() - timedelta(days=40)
        checkout(
            actor=actor,
            item_barcode=past.barcode,
            patron_barcode=card.barcode,
            org_code="YX-GT",
            at=earlier,
        )
        checkin(
            actor=actor, item_barcode=past.barcode, org_code="YX-GT", at=earlier + timedelta(days=9)
        )
        loan = checkout(
            actor=actor, item_barcode=current.barcode, patron_barcode=card.barcode, org_code="YX-GT"
        ).loan
        renewed = loan.due_date + timedelta(days=loan.renewal_days)
        return PortalReader(
            barcode=card.barcode,
            loan_title=current.record.title,
            loan_due=f"{loan.due_date:%Y-%m-%d}",
            renewed_due=f"{renewed:%Y-%m-%d}",
        )


@pytest.fixture
def logged_in(open_page, portal_reader: PortalReader):
    """``logged_in(viewport=...)`` → a page logged in as the portal reader, on the account page."""

    def log_in(**options: Any):
        page = open_page("/login/", **options)
        page.locator("input[name=identifier]").fill(portal_reader.barcode)
        page.locator("input[name=pin]").fill(PIN)
        page.locator("main").get_by_role("button", name="登录").click()
        expect(page).to_have_url(re.compile(r"/account/$"))
        return page

    return log_in


def test_log_in_renew_a_loan_and_see_the_new_due_date(logged_in, portal_reader):
    page = logged_in()
    row = page.locator(".loan-list > li").filter(has_text=portal_reader.loan_title)
    expect(row).to_contain_text(portal_reader.loan_due)
    row.get_by_role("button", name="续借").click()
    expect(page.locator(".messages")).to_contain_text("续借成功")
    row = page.locator(".loan-list > li").filter(has_text=portal_reader.loan_title)
    expect(row).to_contain_text(portal_reader.renewed_due)
    expect(row).to_contain_text("1/")


def test_place_and_cancel_a_hold(logged_in, browser_site):
    page = logged_in()
    page.goto(browser_site(f"/records/{browser_site.novel_id}/"))
    page.get_by_label("取书地点").select_option(value="YX-DS")
    page.get_by_role("button", name="预约", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("预约成功")
    page.goto(browser_site("/account/"))
    holds = page.get_by_role("region", name="我的预约")
    expect(holds).to_contain_text("红楼梦")
    page.once("dialog", lambda dialog: dialog.accept())
    holds.get_by_role("button", name="取消预约").click()
    expect(page.locator(".messages")).to_contain_text("预约已取消")
    expect(page.get_by_role("region", name="我的预约")).not_to_contain_text("红楼梦")


@pytest.mark.parametrize(
    "path",
    [
        "/account/",
        "/account/fees/",
        "/account/card/",
        "/account/history/",
        "/account/settings/",
        "/account/privacy/",
        "/account/report/",
    ],
)
def test_account_pages_have_no_serious_accessibility_violations_on_a_phone(
    logged_in, browser_site, path
):
    page = logged_in(viewport=PHONE)
    page.goto(browser_site(path))
    serious = serious_violations(page)
    assert not serious, f"axe on {path}:\n{axe_report(serious)}"
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= PHONE["width"], f"{path} scrolls sideways on a phone ({scroll}px)"


def test_the_login_page_is_accessible(open_page):
    page = open_page("/login/", viewport=PHONE)
    serious = serious_violations(page)
    assert not serious, axe_report(serious)


def test_the_reading_report_renders_on_a_phone_and_its_shared_page_names_nobody(
    logged_in, open_page, portal_reader
):
    page = logged_in(viewport=PHONE)
    page.goto(page.url.replace("/account/", "/account/report/"))
    charts = page.locator("figure.report-chart svg[role=img]")
    expect(charts.first).to_be_visible()
    box = charts.first.bounding_box()
    assert box is not None and 200 < box["width"] <= PHONE["width"]
    # The table alternative opens from its summary, without JavaScript of our own.
    page.locator("figure.report-chart summary").first.click()
    expect(page.locator("figure.report-chart table").first).to_be_visible()
    page.get_by_role("button", name=re.compile("分享")).first.click()
    link = page.locator("#share-link").input_value()
    assert "/shared/reading/" in link
    shared = open_page(link[link.index("/shared/") :], viewport=PHONE)
    text = shared.locator("main").inner_text()
    assert "门户读者" not in text and portal_reader.barcode not in text
    expect(shared.locator("svg[role=img]").first).to_be_visible()
    serious = serious_violations(shared)
    assert not serious, axe_report(serious)


# --- Remote self-registration ------------------------------------------------------------------


@pytest.fixture
def sms_outbox(settings, tmp_path):
    """The live server runs in this process: its text messages go to this test's file."""
    settings.WENJIN_SMS_BACKEND = "file"
    settings.WENJIN_SMS_OUTBOX = tmp_path / "sms.jsonl"
    return settings.WENJIN_SMS_OUTBOX


def texts(outbox) -> list[str]:
    if not outbox.exists():
        return []
    return [json.loads(line)["text"] for line in outbox.read_text("utf-8").splitlines()]


def fill_registration(page, identity_number: str, phone: str) -> None:
    page.locator("input[name=name]").fill("网上办证")
    page.locator("input[name=identity_number]").fill(identity_number)
    page.locator("select[name=home_org_code]").select_option("YX-GT")
    page.locator("input[name=phone]").fill(phone)
    page.locator("input[name=consent]").check()
    page.locator("button[name=action][value=send]").click()


def test_register_online_with_a_valid_resident_id(open_page, sms_outbox):
    from wenjin.patrons.tests.ids import resident_id

    page = open_page("/register/", viewport=PHONE)
    fill_registration(page, resident_id(date(1990, 5, 17), 902), "13600002222")
    code_field = page.locator("input[name=code]")
    expect(code_field).to_be_visible()
    code = re.findall(r"\b(\d{6})\b", texts(sms_outbox)[-1])[-1]
    code_field.fill(code)
    page.locator("button[name=action][value=register]").click()
    expect(page).to_have_url(re.compile(r"/register/done/$"))
    shown = page.locator(".token-once")
    barcode, pin = shown.nth(0).inner_text(), shown.nth(1).inner_text()
    assert re.fullmatch(r"\d{6}", pin) and barcode
    # The card number (and PIN) went by text too, and the new reader is logged in.
    assert barcode in texts(sms_outbox)[-1]
    serious = serious_violations(page)
    assert not serious, axe_report(serious)
    page.goto(page.url.replace("/register/done/", "/account/"))
    expect(page.locator("h1")).to_contain_text("我的")
    # Shown once: the result page has nothing to show any more.
    page.goto(page.url.replace("/account/", "/register/done/"))
    assert barcode not in page.locator("main").inner_text()


def test_register_online_with_a_wrong_check_character_is_refused(open_page, sms_outbox):
    from wenjin.patrons.tests.ids import resident_id

    valid = resident_id(date(1990, 5, 17), 903)
    wrong = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    page = open_page("/register/", viewport=PHONE)
    fill_registration(page, wrong, "13600003333")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(page.locator("input[name=code]")).to_have_count(0)
    assert texts(sms_outbox) == []  # no code is sent for a form that cannot succeed
    # The summary's link leads to the identity number field.
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.name") == "identity_number"
    serious = serious_violations(page)
    assert not serious, axe_report(serious)


@pytest.mark.parametrize("path", ["/register/", "/recover/", "/register/privacy/"])
def test_registration_pages_are_accessible_on_a_phone(open_page, path):
    page = open_page(path, viewport=PHONE)
    serious = serious_violations(page)
    assert not serious, f"axe on {path}:\n{axe_report(serious)}"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
