"""The public site's remote registration and recovery pages, and the staff page for
registrations that wait for a desk: two steps without JavaScript, CSRF on every form, the
PIN shown once, errors linked to their fields, no identifier in any URL, a strict CSP."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from wenjin.patrons.defaults import ensure_categories
from wenjin.patrons.models import Card, Patron, PatronCategory, PendingRegistration
from wenjin.patrons.services import register
from wenjin.patrons.tests.ids import resident_id

NUMBER = resident_id(date(1990, 5, 6), 21)
PHONE = "13612345678"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"\sstyle=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+=", re.IGNORECASE)


@pytest.fixture(autouse=True)
def sms(settings, tmp_path: Path) -> Path:
    settings.WENJIN_SMS_BACKEND = "file"
    settings.WENJIN_SMS_OUTBOX = tmp_path / "sms.jsonl"
    settings.WENJIN_REMOTE_REGISTRATION = "instant"
    return settings.WENJIN_SMS_OUTBOX


@pytest.fixture
def site(tree) -> None:
    ensure_categories(PatronCategory)


def texts(outbox: Path) -> list[str]:
    if not outbox.exists():
        return []
    return [json.loads(line)["text"] for line in outbox.read_text("utf-8").splitlines()]


def last_code(outbox: Path) -> str:
    return re.findall(r"code is (\d{6})", "\n".join(texts(outbox)))[-1]


def english(client: Client) -> Client:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def form(**values: str) -> dict[str, str]:
    data = {
        "name": "黄小明",
        "identity_type": "resident_id",
        "identity_number": NUMBER,
        "birth_date": "",
        "phone": PHONE,
        "address": "",
        "local_residence": "yes",
        "home_org_code": "YX-GT",
        "guardian_barcode": "",
        "guardian_pin": "",
        "consent": "on",
        "code": "",
    }
    data.update(values)
    return data


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_the_form_is_accessible_and_has_a_strict_csp(site, client):
    for path in ("/register/", "/register/done/", "/register/privacy/", "/recover/"):
        page = english(client).get(path)
        assert page.status_code == 200, path
        policy = page["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        text = page.content.decode()
        assert not INLINE_SCRIPT.search(text) and not INLINE_STYLE.search(text), path
        assert not INLINE_HANDLER.search(text), path
    response = english(client).get("/register/")
    html = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    for name in ("name", "identity_number", "phone", "home_org_code", "consent"):
        assert f'for="id_{name}"' in html, name
    assert 'autocomplete="name"' in html and 'autocomplete="tel"' in html
    # The guardian's password is asked with the code (a password box comes back empty,
    # so asking in step 1 would lose it between the steps).
    assert 'name="guardian_barcode"' in html and 'name="guardian_pin"' not in html
    assert 'href="/register/privacy/"' in html
    # Step 1 has no code box and one button: "send me a code".
    assert 'name="code"' not in html and 'value="register"' not in html
    assert "no-store" in response["Cache-Control"]
    login = english(Client()).get("/login/").content.decode()
    assert 'href="/register/"' in login and 'href="/recover/"' in login


def test_every_post_needs_the_csrf_token(site):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/register/", form(action="send")).status_code == 403
    assert strict.post("/recover/", {"action": "send"}).status_code == 403
    token = csrf_token(strict.get("/register/").content.decode())
    response = strict.post("/register/", form(action="send", csrfmiddlewaretoken=token))
    assert response.status_code == 200


def test_register_in_two_steps_and_see_the_pin_once(site, sms):
    client = english(Client(enforce_csrf_checks=True))
    token = csrf_token(client.get("/register/").content.decode())
    step1 = client.post("/register/", form(action="send", csrfmiddlewaretoken=token))
    html = step1.content.decode()
    assert step1.status_code == 200
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    # In step 2 "register" is the first button, so Enter registers.
    assert html.index('value="register"') < html.index('value="send"')
    code = last_code(sms)
    step2 = client.post(
        "/register/", form(action="register", code=code, csrfmiddlewaretoken=csrf_token(html))
    )
    assert step2.status_code == 302 and step2["Location"] == "/register/done/"
    card = Card.objects.get()
    assert NUMBER not in step2["Location"] and card.barcode not in step2["Location"]
    assert client.session["opac_card_id"] == card.pk  # logged in
    done = client.get("/register/done/")
    page = done.content.decode()
    pin = re.search(r'class="token-once">(\d{6})<', page).group(1)
    assert card.barcode in page and "no-store" in done["Cache-Control"]
    assert "opac_register_result" not in client.session
    again = client.get("/register/done/").content.decode()
    assert pin not in again and card.barcode not in again
    # The text messages: the code, then the card number and PIN.
    assert card.barcode in texts(sms)[-1] and pin in texts(sms)[-1]


def test_errors_are_summarised_and_linked_to_their_fields(site, sms):
    client = english(Client())
    bad = NUMBER[:-1] + ("0" if NUMBER[-1] != "0" else "1")
    response = client.post("/register/", form(action="send", identity_number=bad))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in html and 'href="#id_identity_number"' in html
    assert "check character" in html
    field = re.search(r'<input[^>]*name="identity_number"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field and "id_identity_number_error" in field
    assert texts(sms) == [] and not Patron.objects.exists()
    no_consent = client.post("/register/", form(action="send", consent=""))
    assert no_consent.status_code == 400 and 'href="#id_consent"' in no_consent.content.decode()


def test_a_wrong_code_keeps_the_code_step(site, sms):
    client = english(Client())
    client.post("/register/", form(action="send"))
    code = last_code(sms)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = client.post("/register/", form(action="register", code=wrong))
    html = response.content.decode()
    assert response.status_code == 400 and 'href="#id_code"' in html
    assert 'name="code"' in html and not Card.objects.exists()
    # Asking again at once: refused with the wait, but the code step stays.
    soon = client.post("/register/", form(action="send"))
    assert soon.status_code == 429 and 'name="code"' in soon.content.decode()
    assert 0 < int(soon["Retry-After"]) <= 60


def test_an_identity_with_a_card_is_sent_to_recovery(site, sms, system):
    existing = register(
        actor=system,
        name="黄小明",
        identity_type="resident_id",
        identity_number=NUMBER,
        phone="13800001234",
        home_org_code="YX-GT",
    )
    client = english(Client())
    client.post("/register/", form(action="send"))
    response = client.post("/register/", form(action="register", code=last_code(sms)))
    assert response.status_code == 302 and response["Location"] == "/recover/"
    page = client.get("/recover/").content.decode()
    assert "already have a library card" in page and existing.card.barcode not in page
    assert Patron.objects.count() == 1


def test_a_passport_registration_shows_its_reference(site, sms):
    client = english(Client())
    values = {
        "identity_type": "passport",
        "identity_number": "E7654321",
        "birth_date": "1985-01-02",
    }
    client.post("/register/", form(action="send", **values))
    response = client.post("/register/", form(action="register", code=last_code(sms), **values))
    assert response.status_code == 302
    pending = PendingRegistration.objects.get()
    page = client.get("/register/done/").content.decode()
    assert pending.reference in page and "opac_card_id" not in client.session
    assert not Card.objects.exists()


def test_recover_a_password_and_log_in(site, sms, system):
    registration = register(
        actor=system,
        name="黄小明",
        identity_type="resident_id",
        identity_number=NUMBER,
        phone=PHONE,
        home_org_code="YX-GT",
    )
    client = english(Client())
    known = client.post(
        "/recover/", {"action": "send", "identity_type": "resident_id", "identity_number": NUMBER}
    )
    unknown = english(Client()).post(
        "/recover/",
        {
            "action": "send",
            "identity_type": "resident_id",
            "identity_number": resident_id(date(1970, 1, 1), 3),
        },
    )
    message = "If a library card belongs to this document"
    for response in (known, unknown):
        assert response.status_code == 200 and message in response.content.decode()
    assert len(texts(sms)) == 1  # only the phone on file got a code
    code = last_code(sms)
    mismatch = client.post(
        "/recover/",
        {
            "action": "reset",
            "identity_type": "resident_id",
            "identity_number": NUMBER,
            "code": code,
            "new_pin": "246813",
            "repeated": "246814",
        },
    )
    assert mismatch.status_code == 400 and 'href="#id_repeated"' in mismatch.content.decode()
    response = client.post(
        "/recover/",
        {
            "action": "reset",
            "identity_type": "resident_id",
            "identity_number": NUMBER,
            "code": code,
            "new_pin": "246813",
            "repeated": "246813",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/recover/done/"
    assert client.session["opac_card_id"] == registration.card.pk
    assert registration.card.barcode in client.get("/recover/done/").content.decode()
    assert client.get("/recover/done/").status_code == 302  # shown once
    assert english(Client()).post(
        "/login/", {"identifier": registration.card.barcode, "pin": "246813"}
    ).status_code == (302)


def test_the_privacy_notice_says_what_why_how_long_and_rights(site):
    html = english(Client()).get("/register/privacy/").content.decode()
    for heading in ("What we collect", "Why", "How long", "Your rights"):
        assert heading in html


def test_staff_see_and_confirm_the_registrations_of_their_libraries(site, sms, staff_client):
    client = english(Client())
    values = {
        "identity_type": "passport",
        "identity_number": "E7654321",
        "birth_date": "1985-01-02",
    }
    client.post("/register/", form(action="send", **values))
    client.post("/register/", form(action="register", code=last_code(sms), **values))
    pending = PendingRegistration.objects.get()
    elsewhere = staff_client("hz_desk", "desk_staff", "HZ")
    assert pending.reference not in elsewhere.get("/staff/readers/pending/").content.decode()
    refused = elsewhere.post(
        "/staff/readers/pending/", {"action": "confirm", "pending": pending.pk}
    )
    assert refused.status_code == 403 and not Card.objects.exists()
    desk = staff_client("gt_desk", "desk_staff", "YX-GT")
    listing = desk.get("/staff/readers/pending/", {"reference": pending.reference.lower()})
    assert pending.reference in listing.content.decode()
    confirmed = desk.post("/staff/readers/pending/", {"action": "confirm", "pending": pending.pk})
    card = Card.objects.get()
    assert confirmed.status_code == 200 and card.barcode in confirmed.content.decode()
    assert card.barcode in texts(sms)[-1]
    assert pending.reference not in desk.get("/staff/readers/pending/").content.decode()


def test_a_childs_card_asks_the_guardians_password_with_the_code(site, sms, system):
    guardian = register(
        actor=system,
        name="黄大明",
        identity_type="resident_id",
        identity_number=resident_id(date(1980, 2, 3), 31),
        phone="13712340000",
        home_org_code="YX-GT",
        pin="802413",
    ).card
    child = form(
        identity_number=resident_id(date.today().replace(year=date.today().year - 9), 32),
        guardian_barcode=guardian.barcode,
    )
    client = english(Client())
    step1 = client.post("/register/", {**child, "action": "send"})
    html = step1.content.decode()
    assert step1.status_code == 200 and 'name="guardian_pin"' in html
    # The guardian's card number is kept between the steps; the password is typed now.
    assert f'value="{guardian.barcode}"' in html
    done = client.post(
        "/register/",
        {**child, "action": "register", "code": last_code(sms), "guardian_pin": "802413"},
    )
    assert done.status_code == 302
    assert Patron.objects.get(guardian=guardian.patron).category.code == "child"
