"""A reader's session on the public site: log in with card or resident ID and PIN, the
throttles, logging out, and placing a hold from the record page."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from wenjin.circulation.models import Hold
from wenjin.opac.tests import data
from wenjin.patrons.services import register
from wenjin.patrons.services.cards import card_report_lost
from wenjin.patrons.tests.ids import resident_id


@pytest.fixture
def catalogue(tree, system) -> data.Catalogue:
    return data.build(system)


def log_in(client: Client, identifier: str, pin: str = data.PIN, next_url: str = "/"):
    return client.post("/login/", {"identifier": identifier, "pin": pin, "next": next_url})


def test_a_reader_logs_in_with_card_number_and_pin_and_returns_where_they_were(catalogue, client):
    next_url = f"/records/{catalogue.novel.pk}/"
    before = client.session.session_key
    response = log_in(client, catalogue.reader.barcode, next_url=next_url)
    assert response.status_code == 302 and response["Location"] == next_url
    assert client.session["opac_card_id"] == catalogue.reader.pk
    assert client.session.session_key != before  # rotated at login
    html = client.get(next_url).content.decode()
    assert "退出登录" in html and 'name="pickup"' in html
    # The card number is never shown in the page or its links.
    assert catalogue.reader.barcode not in html


def test_a_resident_id_number_works_as_the_login_name(catalogue, client, system):
    number = resident_id(date(1975, 6, 1), 77)
    card = register(
        actor=system,
        name="身份证读者",
        identity_type="resident_id",
        identity_number=number,
        phone="13912345678",
        home_org_code="YX-GT",
        pin="246810",
    ).card
    assert log_in(client, number, "246810").status_code == 302
    assert client.session["opac_card_id"] == card.pk


def test_wrong_pin_and_unknown_card_get_the_same_answer(catalogue, client):
    wrong_pin = log_in(client, catalogue.reader.barcode, "000000")
    unknown = log_in(client, "NO-SUCH-CARD", "000000")
    assert wrong_pin.status_code == unknown.status_code == 401
    message = "读者证号或密码不正确。"
    assert message in wrong_pin.content.decode() and message in unknown.content.decode()
    assert "opac_card_id" not in client.session


def test_an_empty_form_is_a_400_with_field_errors(db, client):
    response = client.post("/login/", {"identifier": "", "pin": ""})
    assert response.status_code == 400 and "errorlist" in response.content.decode()


def test_too_many_failures_from_one_address_lock_it_out(catalogue, client, settings):
    settings.WENJIN_LOGIN_IP_MAX_FAILURES = 3
    for _ in range(3):
        assert log_in(client, f"GUESS-{_}", "123456").status_code == 401
    # Even the right PIN is refused from that address now.
    locked = log_in(client, catalogue.reader.barcode)
    assert locked.status_code == 429 and "登录失败次数过多" in locked.content.decode()
    assert 0 < int(locked["Retry-After"]) <= settings.WENJIN_LOGIN_LOCKOUT_MINUTES * 60
    other_address = Client(REMOTE_ADDR="10.9.8.7")
    assert log_in(other_address, catalogue.reader.barcode).status_code == 302


def test_too_many_wrong_pins_lock_the_readers_pin_everywhere(catalogue, settings):
    settings.WENJIN_PIN_MAX_FAILURES = 2
    for address in ("10.0.0.1", "10.0.0.2"):
        assert (
            log_in(Client(REMOTE_ADDR=address), catalogue.reader.barcode, "000000").status_code
            == 401
        )
    # Locked now, even with the right PIN; but the answer is the one a wrong PIN or an
    # unknown card gets, so a lockout does not tell that the card exists.
    locked = log_in(Client(REMOTE_ADDR="10.0.0.3"), catalogue.reader.barcode)
    unknown = log_in(Client(REMOTE_ADDR="10.0.0.4"), "NO-SUCH-CARD", "000000")
    assert locked.status_code == unknown.status_code == 401
    assert locked.content.decode().count("读者证号或密码不正确") == 1


def test_a_card_reported_lost_cannot_log_in(catalogue, client, system):
    card_report_lost(actor=system, barcode=catalogue.reader.barcode)
    assert log_in(client, catalogue.reader.barcode).status_code == 401


def test_the_next_address_must_be_on_this_site(catalogue, client):
    response = log_in(client, catalogue.reader.barcode, next_url="https://evil.example/")
    assert response["Location"] == "/account/"


def test_logging_out_ends_the_reader_session(catalogue, client):
    log_in(client, catalogue.reader.barcode)
    assert client.post("/logout/").status_code == 302
    assert "opac_card_id" not in client.session
    assert client.get("/logout/").status_code == 405


def test_a_logged_in_reader_places_a_hold_with_a_pickup_library(catalogue, client):
    log_in(client, catalogue.reader.barcode)
    response = client.post(f"/records/{catalogue.study.pk}/hold/", {"pickup": "YX-GT"}, follow=True)
    assert "预约成功，您排在第 1 位。" in response.content.decode()
    hold = Hold.objects.get(record=catalogue.study)
    assert hold.patron_id == catalogue.reader.patron_id and hold.pickup_org.code == "YX-GT"


def test_a_refused_hold_says_why_and_places_nothing(catalogue, client):
    log_in(client, catalogue.reader.barcode)
    response = client.post(f"/records/{catalogue.study.pk}/hold/", {"pickup": "NOPE"}, follow=True)
    assert response.status_code == 200 and 'class="message error"' in response.content.decode()
    assert not Hold.objects.exists()


def test_placing_a_hold_needs_a_login(catalogue, client):
    response = client.post(f"/records/{catalogue.study.pk}/hold/", {"pickup": "YX-GT"})
    assert response["Location"] == f"/login/?next=/records/{catalogue.study.pk}/"
    assert not Hold.objects.exists()


def test_the_login_and_hold_forms_need_the_csrf_token(catalogue):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/login/", {"identifier": "x", "pin": "y"}).status_code == 403
    assert strict.post(f"/records/{catalogue.study.pk}/hold/", {}).status_code == 403


def test_without_a_next_address_login_goes_to_the_account(catalogue, client):
    response = client.post("/login/", {"identifier": catalogue.reader.barcode, "pin": data.PIN})
    assert response["Location"] == "/account/"


def test_the_account_lists_loans_and_holds_and_needs_a_login(catalogue, client):
    assert client.get("/account/")["Location"] == "/login/?next=/account/"
    log_in(client, catalogue.reader.barcode)
    client.post(f"/records/{catalogue.study.pk}/hold/", {"pickup": "YX-GT"})
    html = client.get("/account/").content.decode()
    due = catalogue.on_loan.loans.get().due_date
    assert "在借 1 册" in html and f"{due:%Y-%m-%d}" in html and "0/1" in html
    assert "红楼梦人物论" in html and "排在第 1 位" in html
    assert catalogue.reader.barcode not in html and "T0002" in html  # item barcode only


def test_a_reader_renews_a_loan_from_the_counted_due_date(catalogue, client):
    log_in(client, catalogue.reader.barcode)
    loan = catalogue.on_loan.loans.get()
    html = client.post("/account/renew/", {"item": "T0002"}, follow=True).content.decode()
    loan.refresh_from_db()
    assert loan.renewals == 1 and "续借成功" in html and f"{loan.due_date:%Y-%m-%d}" in html
    again = client.post("/account/renew/", {"all": "1"}, follow=True).content.decode()
    loan.refresh_from_db()
    assert loan.renewals == 1 and 'class="message error"' in again and "T0002" in again


def test_a_reader_cannot_renew_someone_elses_loan(catalogue, client, system):
    other = data.make_reader(system)
    log_in(client, other.barcode)
    html = client.post("/account/renew/", {"item": "T0002"}, follow=True).content.decode()
    assert 'class="message error"' in html
    assert catalogue.on_loan.loans.get().renewals == 0


def test_a_reader_cancels_their_hold_but_not_another_readers(catalogue, client, system):
    log_in(client, catalogue.reader.barcode)
    client.post(f"/records/{catalogue.study.pk}/hold/", {"pickup": "YX-GT"})
    hold = Hold.objects.get()
    other = Client(REMOTE_ADDR="10.1.1.1")
    log_in(other, data.make_reader(system).barcode)
    refused = other.post(f"/account/holds/{hold.pk}/cancel/", follow=True).content.decode()
    assert "您没有这个预约。" in refused
    hold.refresh_from_db()
    assert hold.status == "waiting"
    done = client.post(f"/account/holds/{hold.pk}/cancel/", follow=True).content.decode()
    hold.refresh_from_db()
    assert hold.status == "cancelled" and "已取消" in done


def test_the_reader_session_cookie_is_secure_http_only_and_same_site(catalogue, client):
    response = log_in(client, catalogue.reader.barcode)
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 30 * 60  # the reader's idle timeout, not the staff day
