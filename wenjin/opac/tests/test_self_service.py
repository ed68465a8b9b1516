"""The reader's own pages: fees, card and credit, reporting a card lost, notice settings,
changing the PIN, reading history (opt-in, CSV, delete), their data and deleting the
account. Each page is the reader's own; each change is a POST through the services."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from wenjin.accounts.models import AuditEntry
from wenjin.circulation.models import Loan
from wenjin.circulation.selectors import loan_fee
from wenjin.circulation.services import checkin, checkout
from wenjin.circulation.services.fees import fee_charge, payment_take
from wenjin.notices.models import ReaderContact
from wenjin.opac.models import ReadingReportShare
from wenjin.opac.report_services import report_share
from wenjin.opac.tests import data
from wenjin.opac.tests.test_pages import INLINE_HANDLER, INLINE_SCRIPT, INLINE_STYLE
from wenjin.patrons.models import Card, CardStatus, Patron
from wenjin.patrons.pins import pin_matches_hash
from wenjin.patrons.services.cards import card_report_lost
from wenjin.patrons.services.registration import patron_update

PAGES = [
    "/account/fees/",
    "/account/card/",
    "/account/settings/",
    "/account/history/",
    "/account/history.csv",
    "/account/privacy/",
]


@pytest.fixture
def catalogue(tree, system) -> data.Catalogue:
    return data.build(system)


@pytest.fixture
def reader(catalogue, client) -> Card:
    response = client.post("/login/", {"identifier": catalogue.reader.barcode, "pin": data.PIN})
    assert response.status_code == 302
    return catalogue.reader


@pytest.mark.parametrize("path", PAGES)
def test_every_page_needs_a_logged_in_reader(catalogue, client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"


@pytest.mark.parametrize("path", PAGES[:4] + PAGES[5:])
def test_the_pages_are_not_cached_and_carry_the_account_tabs(reader, client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert 'aria-current="page"' in html and "/account/privacy/" in html


def test_account_pages_need_no_inline_script_or_style(reader, client):
    for path in [*PAGES[:4], PAGES[5], "/account/", "/account/report/"]:
        html = client.get(path).content.decode()
        assert not INLINE_SCRIPT.search(html), path
        assert not INLINE_HANDLER.search(html), path
        assert not INLINE_STYLE.search(html), path


def test_a_post_without_a_session_goes_to_login(catalogue, client):
    response = client.post("/account/card/lost/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    catalogue.reader.refresh_from_db()
    assert catalogue.reader.status == CardStatus.ACTIVE


def test_forms_refuse_a_post_without_the_csrf_token(catalogue):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/login/")
    token = browser.cookies["csrftoken"].value
    browser.post(
        "/login/",
        {"identifier": catalogue.reader.barcode, "pin": data.PIN, "csrfmiddlewaretoken": token},
    )
    assert browser.post("/account/card/lost/").status_code == 403
    assert browser.post("/account/privacy/delete/", {"delete-pin": data.PIN}).status_code == 403


def test_the_reader_session_is_shorter_than_the_staff_day(reader, client, settings):
    assert client.session.get_expiry_age() == settings.WENJIN_READER_SESSION_MINUTES * 60
    assert settings.WENJIN_READER_SESSION_MINUTES * 60 < settings.SESSION_COOKIE_AGE


# --- Fees ---------------------------------------------------------------------------------


def test_fees_page_lists_fees_owed_and_payments(reader, client, system):
    patron = reader.patron
    fee_charge(
        actor=system, patron=patron, kind="damaged", amount="12.50", org_code="YX-GT", note="水渍"
    )
    payment_take(actor=system, patron=patron, amount="5.00", method="cash", org_code="YX-GT")
    html = client.get("/account/fees/").content.decode()
    assert "¥12.50" in html and "¥7.50" in html  # the fee and what is still owed
    assert "¥5.00" in html and "现金" in html
    # The account page says there is something owed.
    assert "您欠费 ¥7.50" in client.get("/account/").content.decode()


def test_the_account_page_shows_the_fee_building_up_on_an_overdue_loan(catalogue, client, system):
    long_ago = timezone.now() - timedelta(days=60)
    checkout(
        actor=system,
        item_barcode="T0001",
        patron_barcode=catalogue.reader.barcode,
        org_code="YX-GT",
        at=long_ago,
    )
    client.post("/login/", {"identifier": catalogue.reader.barcode, "pin": data.PIN})
    loan = Loan.objects.get(item__barcode="T0001", returned_at=None)
    fee = loan_fee(loan, timezone.localdate())
    assert fee > 0
    html = client.get("/account/").content.decode()
    assert f"¥{fee:.2f}" in html and "逾期" in html


# --- Card and credit ------------------------------------------------------------------------


def test_card_page_masks_the_numbers_and_explains_the_credit_score(reader, client):
    html = client.get("/account/card/").content.decode()
    assert reader.barcode not in html and reader.barcode[-4:] in html
    assert reader.patron.identity_masked in html and "138****5678" in html
    assert str(reader.patron.credit_score) in html and "押金" in html


def test_reporting_the_card_lost_blocks_it_and_moves_the_session_to_the_new_card(reader, client):
    response = client.post("/account/card/lost/")
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.status == CardStatus.LOST
    new = Card.objects.get(replaces=reader)
    assert new.status == CardStatus.ACTIVE and client.session["opac_card_id"] == new.pk
    page = client.get("/account/card/").content.decode()
    assert new.barcode[-4:] in page
    # The lost card no longer logs in; the resident ID finds the new card.
    other = Client()
    lost_login = other.post("/login/", {"identifier": reader.barcode, "pin": data.PIN})
    assert lost_login.status_code == 401
    assert Card.objects.filter(patron=reader.patron, status=CardStatus.ACTIVE).get() == new


# --- Settings: notices and PIN --------------------------------------------------------------


def test_notice_settings_are_saved_and_audited_in_the_readers_name(reader, client):
    response = client.post(
        "/account/settings/",
        {
            "email": "reader@example.cn",
            "language": "en",
            "channels": ["email"],
            "wanted": ["hold_ready", "due_soon"],
        },
    )
    assert response.status_code == 302
    contact = ReaderContact.objects.get(patron=reader.patron)
    assert contact.language == "en" and contact.email_on and not contact.sms_on
    assert "overdue_1" in contact.opt_outs and "hold_ready" not in contact.opt_outs
    entry = AuditEntry.objects.filter(action="notices.contact_save").latest("pk")
    assert entry.actor_label == f"opac:reader:{reader.patron_id}"
    html = client.get("/account/settings/").content.decode()
    assert contact.email_masked in html and "reader@example.cn" not in html


def test_a_bad_email_address_is_refused_on_its_field_and_nothing_changes(reader, client):
    response = client.post(
        "/account/settings/", {"email": "not an address", "language": "zh", "channels": ["sms"]}
    )
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not ReaderContact.objects.filter(patron=reader.patron).exists()


def test_the_pin_is_changed_with_the_current_one(reader, client):
    response = client.post(
        "/account/settings/pin/",
        {"current_pin": data.PIN, "new_pin": "730519", "repeated": "730519"},
    )
    assert response.status_code == 302
    reader.patron.refresh_from_db()
    assert pin_matches_hash("730519", reader.patron.pin_hash)
    assert (
        Client().post("/login/", {"identifier": reader.barcode, "pin": "730519"}).status_code == 302
    )


@pytest.mark.parametrize(
    ("current", "new", "repeated", "message"),
    [
        ("000000", "730519", "730519", "密码不正确"),
        (data.PIN, "730519", "730518", "两次"),
        (data.PIN, "123456", "123456", "过于简单"),
        (data.PIN, "12ab", "12ab", "位数字"),
    ],
)
def test_a_pin_change_is_refused_with_the_reason(reader, client, current, new, repeated, message):
    response = client.post(
        "/account/settings/pin/", {"current_pin": current, "new_pin": new, "repeated": repeated}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    reader.patron.refresh_from_db()
    assert pin_matches_hash(data.PIN, reader.patron.pin_hash)


def test_guessing_the_current_pin_locks_it(reader, client, settings):
    settings.WENJIN_PIN_MAX_FAILURES = 3
    for _ in range(3):
        client.post(
            "/account/settings/pin/",
            {"current_pin": "000000", "new_pin": "730519", "repeated": "730519"},
        )
    locked = client.post(
        "/account/settings/pin/",
        {"current_pin": data.PIN, "new_pin": "730519", "repeated": "730519"},
    )
    assert locked.status_code == 429
    reader.patron.refresh_from_db()
    assert pin_matches_hash(data.PIN, reader.patron.pin_hash)


# --- Reading history ------------------------------------------------------------------------


def _return_on_loan_item(system, catalogue) -> None:
    checkin(actor=system, item_barcode="T0002", org_code="YX-DS")


def test_with_history_off_returned_loans_are_forgotten_and_the_page_says_so(
    reader, client, system, catalogue
):
    _return_on_loan_item(system, catalogue)
    html = client.get("/account/history/").content.decode()
    assert "红楼梦" not in html and "借阅历史已关闭" in html
    assert not Loan.objects.filter(patron=reader.patron).exists()


def test_turning_history_on_keeps_returned_loans_and_exports_them_as_csv(
    reader, client, system, catalogue
):
    assert client.post("/account/settings/history/", {"keep": "on"}).status_code == 302
    reader.patron.refresh_from_db()
    assert reader.patron.keeps_history
    _return_on_loan_item(system, catalogue)
    html = client.get("/account/history/").content.decode()
    assert "红楼梦" in html
    response = client.get("/account/history.csv")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "借出日期" and rows[1][2] == "红楼梦" and rows[1][3] == "曹雪芹"


def test_a_formula_in_a_title_is_neutralised_in_the_csv(reader, client, system, catalogue):
    catalogue.novel.title = "=HYPERLINK(1)"
    catalogue.novel.save(update_fields=["title"])
    client.post("/account/settings/history/", {"keep": "on"})
    _return_on_loan_item(system, catalogue)
    text = client.get("/account/history.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text


def test_deleting_the_history_unlinks_past_loans_but_keeps_the_setting(
    reader, client, system, catalogue
):
    client.post("/account/settings/history/", {"keep": "on"})
    _return_on_loan_item(system, catalogue)
    assert client.post("/account/history/forget/").status_code == 302
    assert not Loan.objects.filter(patron=reader.patron).exists()
    assert Loan.objects.filter(item=catalogue.on_loan).exists()  # the anonymous loan stays
    reader.patron.refresh_from_db()
    assert reader.patron.keeps_history
    assert AuditEntry.objects.filter(action="patron.history_forget").exists()


def test_turning_history_off_deletes_what_was_kept(reader, client, system, catalogue):
    client.post("/account/settings/history/", {"keep": "on"})
    _return_on_loan_item(system, catalogue)
    client.post("/account/settings/history/", {"back": "opac:history"})
    reader.patron.refresh_from_db()
    assert not reader.patron.keeps_history
    assert not Loan.objects.filter(patron=reader.patron).exists()


# --- My data and deleting the account ---------------------------------------------------------


def test_download_my_data_needs_the_pin_and_is_audited(reader, client):
    wrong = client.post("/account/privacy/export/", {"export-pin": "000000"})
    assert wrong.status_code == 400 and "密码不正确" in wrong.content.decode()
    response = client.post("/account/privacy/export/", {"export-pin": data.PIN})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    exported = json.loads(response.content)
    assert exported["phone"] == "13812345678" and exported["cards"][0]["barcode"] == reader.barcode
    assert exported["loans"][0]["item_barcode"] == "T0002"
    assert AuditEntry.objects.filter(action="patron.export").exists()


def test_an_account_with_a_loan_is_not_deleted(reader, client):
    response = client.post("/account/privacy/delete/", {"delete-pin": data.PIN})
    assert response.status_code == 409 and "归还" in response.content.decode()
    reader.patron.refresh_from_db()
    assert reader.patron.deleted_at is None and reader.patron.name


def test_deleting_the_account_removes_the_person_and_ends_the_session(
    reader, client, system, catalogue
):
    _return_on_loan_item(system, catalogue)
    wrong = client.post("/account/privacy/delete/", {"delete-pin": "000000"})
    assert wrong.status_code == 400
    response = client.post("/account/privacy/delete/", {"delete-pin": data.PIN})
    assert response.status_code == 302 and response["Location"] == "/"
    patron = Patron.objects.get(pk=reader.patron_id)
    assert patron.deleted_at is not None and patron.name == "" and patron.identity_hash is None
    assert "opac_card_id" not in client.session
    assert client.get("/account/").status_code == 302
    # The card no longer logs in.
    again = Client().post("/login/", {"identifier": reader.barcode, "pin": data.PIN})
    assert again.status_code == 401


def test_one_reader_never_sees_anothers_history_or_card(catalogue, client, system):
    other = data.make_reader(system)
    patron_update(actor=system, barcode=other.barcode, changes={"keeps_history": True})
    checkout(actor=system, item_barcode="T0004", patron_barcode=other.barcode, org_code="YX-DS")
    checkin(actor=system, item_barcode="T0004", org_code="YX-DS")
    patron_update(actor=system, barcode=catalogue.reader.barcode, changes={"keeps_history": True})
    client.post("/login/", {"identifier": catalogue.reader.barcode, "pin": data.PIN})
    assert "The Story of the Stone" not in client.get("/account/history/").content.decode()
    rows = client.get("/account/history.csv").content.decode("utf-8-sig").splitlines()
    assert len(rows) == 1  # the header only
    assert other.barcode[-4:] not in client.get("/account/card/").content.decode()


def test_history_turned_off_at_the_desk_withdraws_a_shared_report(
    reader, client, system, catalogue
):
    client.post("/account/settings/history/", {"keep": "on"})
    _return_on_loan_item(system, catalogue)
    year = timezone.localdate().year
    reader.patron.refresh_from_db()
    share = report_share(reader.patron, year)
    assert client.get(f"/shared/reading/{share.token}/").status_code == 200
    patron_update(actor=system, barcode=reader.barcode, changes={"keeps_history": False})
    assert not ReadingReportShare.objects.filter(patron=reader.patron).exists()
    # Turning it on again does not bring the old link back.
    patron_update(actor=system, barcode=reader.barcode, changes={"keeps_history": True})
    assert client.get(f"/shared/reading/{share.token}/").status_code == 404


def test_a_card_reported_lost_at_the_desk_ends_the_readers_sessions(reader, client, system):
    assert client.get("/account/").status_code == 200
    card_report_lost(actor=system, barcode=reader.barcode)
    response = client.get("/account/privacy/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_pin_change_ends_the_other_sessions_but_not_this_one(reader, client):
    elsewhere = Client()
    elsewhere.post("/login/", {"identifier": reader.barcode, "pin": data.PIN})
    assert elsewhere.get("/account/").status_code == 200
    client.post(
        "/account/settings/pin/",
        {"current_pin": data.PIN, "new_pin": "730519", "repeated": "730519"},
    )
    assert client.get("/account/").status_code == 200
    assert elsewhere.get("/account/").status_code == 302


def test_logging_out_leaves_nothing_in_the_session(reader, client):
    session = client.session
    session["opac_register_result"] = {"barcode": "X", "pin": "123"}
    session.save()
    client.post("/logout/")
    assert dict(client.session.items()) == {}
