"""Remote self-registration and card recovery (services): one-time codes, instant cards
for resident IDs, pending registrations for other documents and the desk's decision,
children and guardians, temporary cards, the recovery flow, the limits, and real-thread
races on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone, translation

from wenjin.accounts.models import AuditEntry, LoginThrottle
from wenjin.lib.errors import Conflict, DomainError, Forbidden, ValidationFailed
from wenjin.patrons import remote_rules, services
from wenjin.patrons.models import (
    Card,
    Patron,
    PendingRegistration,
    PendingStatus,
    PhoneVerification,
)
from wenjin.patrons.services import pending as pending_desk
from wenjin.patrons.services import phone_codes, remote
from wenjin.patrons.tests.ids import resident_id

TODAY = timezone.localdate()
PHONE = "13912345678"
IP = "10.1.2.3"


def years_ago(years: int, days: int = 0):
    try:
        birthday = TODAY.replace(year=TODAY.year - years)
    except ValueError:  # 29 February
        birthday = TODAY.replace(year=TODAY.year - years, day=28)
    return birthday - timedelta(days=days)


class Outbox:
    """The file SMS outbox of one test."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def texts(self) -> list[str]:
        if not self.path.exists():
            return []
        return [json.loads(line)["text"] for line in self.path.read_text("utf-8").splitlines()]

    def last_code(self) -> str:
        codes = [m.group(1) for t in self.texts() for m in [re.search(r"code is (\d{6})", t)] if m]
        assert codes, self.texts()
        return codes[-1]


@pytest.fixture(autouse=True)
def outbox(settings, tmp_path: Path) -> Iterator[Outbox]:
    """Texts go to a file of this test's own; messages in English; default rules."""
    settings.WENJIN_SMS_BACKEND = "file"
    settings.WENJIN_SMS_OUTBOX = tmp_path / "sms.jsonl"
    settings.WENJIN_REMOTE_REGISTRATION = "instant"
    with translation.override("en"):
        yield Outbox(settings.WENJIN_SMS_OUTBOX)


def fields(**values: object) -> dict:
    base = {
        "name": "林晓",
        "identity_type": "resident_id",
        "identity_number": resident_id(years_ago(30), 1),
        "phone": PHONE,
        "home_org_code": "YX-GT",
        "consent": True,
        "ip": IP,
    }
    base.update(values)
    return base


@pytest.fixture
def apply(tree, outbox: Outbox) -> Callable[..., remote.RemoteResult]:
    """Send a code to the phone, then register with it (``code`` overrides it)."""

    def run(**values: object) -> remote.RemoteResult:
        data = fields(**values)
        if "code" not in data:
            remote.phone_code_send(phone=str(data["phone"]), ip=IP)
            data["code"] = outbox.last_code()
        return remote.remote_register(**data)

    return run


def rewind_codes(seconds: int = 61) -> None:
    """As if every code had been sent ``seconds`` earlier (past the once-a-minute rule)."""
    for row in PhoneVerification.objects.all():
        PhoneVerification.objects.filter(pk=row.pk).update(
            created_at=row.created_at - timedelta(seconds=seconds),
            expires_at=row.expires_at - timedelta(seconds=seconds),
        )


# --- Rules --------------------------------------------------------------------------------


def test_the_rules_decide_instant_or_desk():
    assert not remote_rules.needs_confirmation("resident_id", "instant")
    assert remote_rules.needs_confirmation("passport", "instant")
    assert remote_rules.needs_confirmation("social_security", "instant")
    assert remote_rules.needs_confirmation("resident_id", "confirm")
    with pytest.raises(ValueError):
        remote_rules.registration_mode("sometimes")
    assert remote_rules.is_code_format("012345") and not remote_rules.is_code_format("12345")
    # Online, under 14 (PIPL art. 31), not only under the desk's 12.
    assert remote_rules.needs_guardian(13, False) and not remote_rules.needs_guardian(14, False)
    assert remote_rules.needs_guardian(40, True)
    now = timezone.now()
    assert remote_rules.resend_wait_seconds(now - timedelta(seconds=59), now) == 1
    assert remote_rules.resend_wait_seconds(now - timedelta(seconds=60), now) == 0
    reference = remote_rules.new_reference()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", reference)
    assert remote_rules.normalise_reference(reference.lower().replace("-", " ")) == reference


# --- Instant cards ------------------------------------------------------------------------


def test_a_resident_id_gets_a_card_at_once_and_the_details_by_text(apply, outbox):
    result = apply()
    registration = result.registration
    assert result.pending is None and registration is not None
    card, patron = registration.card, registration.patron
    assert card.status == "active" and patron.category.code == "adult"
    assert patron.home_org.code == "YX-GT" and patron.phone_masked == "139****5678"
    assert services.pin_matches(patron, registration.pin)
    code_text, card_text = outbox.texts()
    assert re.search(r"code is \d{6}", code_text)
    assert card.barcode in card_text and registration.pin in card_text
    # The code is used up; the code itself is nowhere in the database.
    row = PhoneVerification.objects.get()
    assert row.used_at is not None and outbox.last_code() not in row.code_hash
    entry = AuditEntry.objects.get(action="patron.register")
    assert entry.via == "opac" and entry.ip_address == IP
    assert AuditEntry.objects.filter(action="patron.phone_code").count() == 1


def test_a_wrong_check_character_is_refused_and_nothing_is_written(apply, outbox):
    remote.phone_code_send(phone=PHONE, ip=IP)
    good = resident_id(years_ago(30), 1)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationFailed) as refused:
        apply(identity_number=bad, code=outbox.last_code())
    assert refused.value.code == "INVALID_IDENTITY"
    assert "check character" in refused.value.message
    assert refused.value.details["fields"].keys() == {"identity_number"}
    assert not Patron.objects.exists() and not Card.objects.exists()
    assert not PendingRegistration.objects.exists()
    # The code was not even tried: it still works.
    row = PhoneVerification.objects.get()
    assert row.attempts == 0 and row.used_at is None


def test_codes_wrong_expired_reused_and_too_many_tries(apply, outbox):
    remote.phone_code_send(phone=PHONE, ip=IP)
    good = outbox.last_code()
    wrong = f"{(int(good) + 1) % 10**6:06d}"
    for code, expected in (("12345", "CODE_FORMAT"), (wrong, "CODE_WRONG")):
        with pytest.raises(ValidationFailed) as refused:
            apply(code=code)
        assert refused.value.code == expected
        assert refused.value.details["fields"].keys() == {"code"}
    assert PhoneVerification.objects.get().attempts == 1  # the format error is not a try
    # Expired:
    PhoneVerification.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationFailed) as expired:
        apply(code=good)
    assert expired.value.code == "CODE_EXPIRED"
    # A fresh code works once.
    rewind_codes()
    result = apply()
    used = outbox.last_code()
    with pytest.raises(ValidationFailed) as reused:
        remote.phone_code_verify(phone=PHONE, code=used)
    assert reused.value.code == "CODE_USED"
    assert Patron.objects.count() == 1 and result.registration is not None
    # Five tries at most, even when the sixth is right.
    rewind_codes()
    remote.phone_code_send(phone=PHONE, ip=IP)
    right = outbox.last_code()
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(remote_rules.CODE_MAX_ATTEMPTS):
        with pytest.raises(ValidationFailed):
            remote.phone_code_verify(phone=PHONE, code=wrong)
    with pytest.raises(ValidationFailed) as spent:
        remote.phone_code_verify(phone=PHONE, code=right)
    assert spent.value.code == "CODE_TOO_MANY_TRIES"


def test_a_code_for_one_phone_does_not_work_for_another(apply, outbox):
    remote.phone_code_send(phone=PHONE, ip=IP)
    with pytest.raises(ValidationFailed) as refused:
        apply(phone="13700001111", code=outbox.last_code())
    assert refused.value.code == "CODE_NOT_SENT"
    assert not Patron.objects.exists()


def test_a_landline_cannot_get_a_code(tree):
    with pytest.raises(ValidationFailed) as refused:
        remote.phone_code_send(phone="020-83001234", ip=IP)
    assert refused.value.code == "MOBILE_REQUIRED"


def test_consent_and_a_library_with_a_desk_are_required(apply):
    with pytest.raises(ValidationFailed) as no_consent:
        apply(consent=False, code="000000")
    assert no_consent.value.code == "CONSENT_REQUIRED"
    with pytest.raises(ValidationFailed) as no_desk:
        apply(home_org_code="YX-GT-SP", code="000000")  # a service point
    assert no_desk.value.code == "INVALID_HOME_LIBRARY"


# --- Children and temporary cards ---------------------------------------------------------


@pytest.fixture
def guardian(tree, system) -> services.Registration:
    return services.register(
        actor=system,
        name="家长",
        identity_type="resident_id",
        identity_number=resident_id(years_ago(40), 9),
        phone="13800001111",
        home_org_code="YX-GT",
        pin="802413",
    )


def test_a_child_needs_a_guardian_with_the_right_pin(apply, guardian, outbox):
    child = {"identity_number": resident_id(years_ago(8), 2), "name": "林小"}
    with pytest.raises(ValidationFailed) as missing:
        apply(**child, code="000000")
    assert missing.value.code == "GUARDIAN_REQUIRED"
    barcode = guardian.card.barcode
    with pytest.raises(ValidationFailed) as wrong:
        apply(**child, guardian_barcode=barcode, guardian_pin="111111")
    assert wrong.value.code == "GUARDIAN_LOGIN_FAILED"
    # The wrong PIN counts against the guardian's PIN, as at a kiosk.
    assert LoginThrottle.objects.get(key=f"pin:{guardian.patron.pk}").failures == 1
    with pytest.raises(ValidationFailed) as unknown:
        apply(
            **child,
            guardian_barcode="29999999999",
            guardian_pin="802413",
            code=outbox.last_code(),
        )
    assert unknown.value.message == wrong.value.message  # no hint which card numbers exist
    assert not Patron.objects.exclude(pk=guardian.patron.pk).exists()
    rewind_codes()
    # The code of the refused attempt is still good.
    result = apply(**child, guardian_barcode=barcode, guardian_pin="802413")
    patron = result.registration.patron
    assert patron.category.code == "child" and patron.guardian_id == guardian.patron.pk


def test_online_a_thirteen_year_old_needs_a_guardian_too(apply, guardian):
    teen = {"identity_number": resident_id(years_ago(13), 3), "name": "林少"}
    with pytest.raises(ValidationFailed) as missing:
        apply(**teen, code="000000")
    assert missing.value.code == "GUARDIAN_REQUIRED"
    result = apply(**teen, guardian_barcode=guardian.card.barcode, guardian_pin="802413")
    patron = result.registration.patron
    assert patron.category.code == "teen" and patron.guardian_id == guardian.patron.pk
    # At fourteen, a reader registers alone.
    rewind_codes()
    alone = apply(identity_number=resident_id(years_ago(14, days=2), 4), phone="13900003333")
    assert alone.registration.patron.guardian_id is None


def test_a_non_resident_gets_a_temporary_card_for_60_days(apply):
    registration = apply(local_residence=False).registration
    assert registration.patron.category.code == "temporary"
    assert registration.patron.category.validity_days == 60
    assert registration.card.expires_on == TODAY + timedelta(days=60)


# --- Pending registrations and the desk ---------------------------------------------------


def passport(**values: object) -> dict:
    return {"identity_type": "passport", "identity_number": "E12345678", **values}


def test_a_passport_waits_for_a_desk_which_confirms_it(apply, outbox, make_staff, actor_for):
    with pytest.raises(ValidationFailed) as no_birth_date:
        apply(**passport(), code="000000")
    assert no_birth_date.value.code == "BIRTH_DATE_REQUIRED"
    result = apply(**passport(birth_date=years_ago(35)), address="越秀区北京路 1 号")
    pending = result.pending
    assert result.registration is None and pending.status == PendingStatus.PENDING
    assert not Patron.objects.exists()
    assert "E12345678" not in str(PendingRegistration.objects.filter(pk=pending.pk).values()[0])
    assert pending.reference in outbox.texts()[-1]
    # Sending it again is refused while it waits.
    rewind_codes()
    with pytest.raises(Conflict) as again:
        apply(**passport(birth_date=years_ago(35)))
    assert again.value.code == "REGISTRATION_PENDING"
    desk = actor_for(make_staff("gt_desk", "desk_staff", "YX-GT"))
    assert list(pending_desk.pending_list(desk)) == [pending]
    registration = pending_desk.pending_confirm(actor=desk, pending_id=pending.pk)
    assert registration.patron.identity_type == "passport"
    assert registration.patron.birth_date == years_ago(35)
    assert registration.card.barcode in outbox.texts()[-1]
    assert registration.pin in outbox.texts()[-1]
    pending.refresh_from_db()
    assert pending.status == PendingStatus.CONFIRMED and pending.decided_by == desk.user
    assert pending.patron == registration.patron
    assert pending.identity_encrypted == "" and pending.phone_encrypted == ""
    assert pending.address == "" and pending.name == ""
    with pytest.raises(Conflict) as twice:
        pending_desk.pending_confirm(actor=desk, pending_id=pending.pk)
    assert twice.value.code == "PENDING_DECIDED"
    assert AuditEntry.objects.filter(action="patron.pending_confirm").count() == 1


def test_a_desk_rejects_with_a_reason_the_reader_is_told(apply, outbox, make_staff, actor_for):
    pending = apply(**passport(birth_date=years_ago(35))).pending
    desk = actor_for(make_staff("gt_desk", "desk_staff", "YX-GT"))
    with pytest.raises(ValidationFailed):
        pending_desk.pending_reject(actor=desk, pending_id=pending.pk, reason="  ")
    pending_desk.pending_reject(actor=desk, pending_id=pending.pk, reason="Passport expired")
    pending.refresh_from_db()
    assert pending.status == PendingStatus.REJECTED and pending.identity_hash == ""
    assert "Passport expired" in outbox.texts()[-1]
    assert not Patron.objects.exists()
    # The identity may register again.
    rewind_codes()
    assert apply(**passport(birth_date=years_ago(35))).pending is not None


def test_staff_outside_the_home_library_cannot_decide(apply, make_staff, actor_for):
    pending = apply(**passport(birth_date=years_ago(35))).pending
    elsewhere = actor_for(make_staff("hz_desk", "desk_staff", "HZ"))
    assert list(pending_desk.pending_list(elsewhere)) == []
    with pytest.raises(Forbidden):
        pending_desk.pending_confirm(actor=elsewhere, pending_id=pending.pk)
    with pytest.raises(Forbidden):
        pending_desk.pending_reject(actor=elsewhere, pending_id=pending.pk, reason="no")
    pending.refresh_from_db()
    assert pending.status == PendingStatus.PENDING and not Patron.objects.exists()


def test_the_confirm_mode_sends_every_registration_to_a_desk(apply, settings):
    settings.WENJIN_REMOTE_REGISTRATION = "confirm"
    result = apply()
    assert result.registration is None and result.pending.identity_type == "resident_id"
    assert not Patron.objects.exists()


# --- Existing cards and recovery ----------------------------------------------------------


def test_an_identity_with_a_card_goes_to_recovery_without_its_card_number(apply, outbox):
    first = apply().registration
    rewind_codes()
    with pytest.raises(remote.AlreadyRegistered) as again:
        apply(name="Someone else", phone="13700002222")
    assert again.value.code == "IDENTITY_HAS_CARD" and again.value.status == 409
    assert first.card.barcode not in again.value.message and not again.value.details
    assert Patron.objects.count() == 1 and Card.objects.count() == 1
    # The code is used up (each probe of an ID costs a new code), and the reader on file
    # is told someone tried.
    assert "someone tried to register" in outbox.texts()[-1]
    used = outbox.last_code()
    with pytest.raises(ValidationFailed):
        apply(name="Someone else", phone="13700002222", code=used)


def test_a_recovery_code_does_not_change_what_registration_answers_for_that_phone(apply, outbox):
    apply()  # the reader on file, with PHONE
    number = resident_id(years_ago(30), 1)
    rewind_codes()
    remote.recovery_start(identity_type="resident_id", identity_number=number, ip=IP)
    # A stranger guessing the phone on file: "send" answers as for any other phone.
    remote.phone_code_send(phone=PHONE, ip="198.51.100.9")
    remote.phone_code_send(phone="13700009999", ip="198.51.100.9")


def test_the_fourth_card_on_one_phone_waits_for_a_desk(apply, outbox):
    for serial in range(3):
        rewind_codes()
        done = apply(identity_number=resident_id(years_ago(30 + serial), 10 + serial))
        assert done.registration is not None
    rewind_codes()
    fourth = apply(identity_number=resident_id(years_ago(40), 20))
    assert fourth.registration is None and fourth.pending.status == PendingStatus.PENDING


def test_recovery_sends_a_code_only_to_the_phone_on_file_and_sets_a_new_pin(apply, outbox):
    registration = apply().registration
    number = resident_id(years_ago(30), 1)
    rewind_codes()
    before = len(outbox.texts())
    # An identity with no card: the same (empty) answer, and no text.
    assert (
        remote.recovery_start(
            identity_type="resident_id", identity_number=resident_id(years_ago(50), 7), ip=IP
        )
        is None
    )
    assert len(outbox.texts()) == before
    remote.recovery_start(identity_type="resident_id", identity_number=number, ip=IP)
    assert len(outbox.texts()) == before + 1
    code = outbox.last_code()
    # The recovery code does not open a registration, nor another identity.
    with pytest.raises(ValidationFailed) as other:
        remote.recovery_finish(
            identity_type="resident_id",
            identity_number=resident_id(years_ago(50), 7),
            code=code,
            new_pin="246813",
            ip=IP,
        )
    assert other.value.code == "CODE_INVALID"
    with pytest.raises(ValidationFailed) as weak:
        remote.recovery_finish(
            identity_type="resident_id", identity_number=number, code=code, new_pin="123456", ip=IP
        )
    assert weak.value.code == "WEAK_PIN"
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(ValidationFailed) as bad:
        remote.recovery_finish(
            identity_type="resident_id", identity_number=number, code=wrong, new_pin="246813", ip=IP
        )
    assert bad.value.code == "CODE_INVALID" and bad.value.message == other.value.message
    card = remote.recovery_finish(
        identity_type="resident_id", identity_number=number, code=code, new_pin="246813", ip=IP
    )
    assert card == registration.card
    patron = Patron.objects.get()
    assert services.pin_matches(patron, "246813")
    assert card.barcode in outbox.texts()[-1]
    assert AuditEntry.objects.filter(action="patron.recover").count() == 1
    with pytest.raises(ValidationFailed):  # the code worked once
        remote.recovery_finish(
            identity_type="resident_id", identity_number=number, code=code, new_pin="975318", ip=IP
        )


def test_recovery_lifts_a_pin_lockout(apply, outbox, settings):
    registration = apply().registration
    settings.WENJIN_PIN_MAX_FAILURES = 2
    for _ in range(2):
        assert not services.pin_check(registration.patron, "000001")
    with pytest.raises(services.PinLocked):
        services.pin_check(registration.patron, registration.pin)
    rewind_codes()
    number = resident_id(years_ago(30), 1)
    remote.recovery_start(identity_type="resident_id", identity_number=number, ip=IP)
    remote.recovery_finish(
        identity_type="resident_id",
        identity_number=number,
        code=outbox.last_code(),
        new_pin="246813",
        ip=IP,
    )
    assert services.pin_check(Patron.objects.get(), "246813")


# --- Limits -------------------------------------------------------------------------------


def test_one_code_a_minute_and_a_few_an_hour_per_phone(tree, settings, outbox):
    settings.WENJIN_REMOTE_CODES_PER_PHONE = 2
    remote.phone_code_send(phone=PHONE, ip=IP)
    with pytest.raises(DomainError) as soon:
        remote.phone_code_send(phone=PHONE, ip="10.9.9.9")
    assert soon.value.code == "CODE_SENT_RECENTLY" and soon.value.status == 429
    assert 0 < soon.value.details["retry_after_seconds"] <= 60
    rewind_codes()
    remote.phone_code_send(phone=PHONE, ip=IP)
    rewind_codes()
    with pytest.raises(DomainError) as many:
        remote.phone_code_send(phone=PHONE, ip=IP)
    assert many.value.code == "TOO_MANY_CODES" and many.value.status == 429
    assert len(outbox.texts()) == 2
    remote.phone_code_send(phone="13700003333", ip=IP)  # another phone is not affected


def test_requests_per_address_are_limited(tree, settings):
    settings.WENJIN_REMOTE_REQUESTS_PER_IP = 2
    remote.phone_code_send(phone="13700000001", ip=IP)
    remote.phone_code_send(phone="13700000002", ip=IP)
    with pytest.raises(DomainError) as refused:
        remote.phone_code_send(phone="13700000003", ip=IP)
    assert refused.value.code == "TOO_MANY_REQUESTS" and refused.value.status == 429
    with pytest.raises(DomainError):
        remote.recovery_start(
            identity_type="resident_id", identity_number=resident_id(years_ago(30), 1), ip=IP
        )
    remote.phone_code_send(phone="13700000003", ip="10.7.7.7")


def test_attempts_per_identity_are_limited(apply, settings, outbox):
    settings.WENJIN_REMOTE_ATTEMPTS_PER_IDENTITY = 2
    remote.phone_code_send(phone=PHONE, ip=IP)
    for _ in range(2):
        with pytest.raises(ValidationFailed):
            apply(code="000000" if outbox.last_code() != "000000" else "000001")
    with pytest.raises(DomainError) as refused:
        apply(code=outbox.last_code(), ip="10.5.5.5")  # from elsewhere, with the right code
    assert refused.value.code == "TOO_MANY_ATTEMPTS" and refused.value.status == 429
    assert not Patron.objects.exists()


# --- Races, with real threads -------------------------------------------------------------


def race(count: int, work: Callable[[int], object]) -> list[object]:
    """Run ``work(i)`` in ``count`` threads released at once; the outcomes (results, or
    the domain error codes, or unexpected exceptions)."""
    barrier = threading.Barrier(count)
    outcomes: list[object] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            outcomes.append(work(index))
        except DomainError as error:
            outcomes.append(error.code)
        except BaseException as error:  # reported by the caller's assertion
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_one_code_checked_twice_at_once_works_once(tree, outbox, monkeypatch):
    remote.phone_code_send(phone=PHONE, ip=IP)
    code = outbox.last_code()
    # Both requests get past the check before either uses the code up: only the
    # conditional UPDATE stands between them and a code used twice.
    checked = threading.Barrier(2)
    real_try = phone_codes.code_try

    def try_then_wait(*args: object, **kwargs: object) -> PhoneVerification:
        row = real_try(*args, **kwargs)
        checked.wait(timeout=30)
        return row

    monkeypatch.setattr(phone_codes, "code_try", try_then_wait)
    outcomes = race(2, lambda _i: remote.phone_code_verify(phone=PHONE, code=code).pk)
    assert sorted(map(str, outcomes))[1] == "CODE_USED", outcomes
    assert sum(isinstance(o, int) for o in outcomes) == 1, outcomes
    assert PhoneVerification.objects.get().attempts == 2


@pytest.mark.django_db(transaction=True)
def test_two_remote_registrations_of_one_identity_at_once_give_one_card(tree, outbox, monkeypatch):
    phones = ["13900000001", "13900000002", "13900000003"]
    codes = []
    for phone in phones:
        remote.phone_code_send(phone=phone, ip=None)
        codes.append(outbox.last_code())
    # All three get past the "has this identity a card?" check before any registers:
    # the database's one-identity constraint decides.
    checked = threading.Barrier(3)
    real_mode = remote_rules.registration_mode

    def mode_after_everyone(value: str | None = None) -> str:
        checked.wait(timeout=30)
        return real_mode(value)

    monkeypatch.setattr(remote_rules, "registration_mode", mode_after_everyone)

    def register(index: int) -> str:
        try:
            data = fields(phone=phones[index], code=codes[index], ip=None)
            return remote.remote_register(**data).registration.card.barcode
        except remote.AlreadyRegistered as refused:
            # No card number for an anonymous visitor, even from the race.
            return f"ALREADY details={refused.details}"

    outcomes = race(3, register)
    cards = [o for o in outcomes if isinstance(o, str) and o.startswith("2")]
    assert len(cards) == 1, outcomes
    assert outcomes.count("ALREADY details={}") == 2, outcomes
    assert Patron.objects.count() == 1 and Card.objects.count() == 1
    # The losers' codes were not used up by the refused registrations.
    assert PhoneVerification.objects.filter(used_at__isnull=True).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_pending_registrations_of_one_identity_at_once_give_one(tree, outbox):
    phones = ["13900000004", "13900000005"]
    codes = []
    for phone in phones:
        remote.phone_code_send(phone=phone, ip=None)
        codes.append(outbox.last_code())

    def register(index: int) -> str:
        data = fields(phone=phones[index], code=codes[index], ip=None)
        data.update(passport(birth_date=years_ago(35)))
        return remote.remote_register(**data).pending.reference

    outcomes = race(2, register)
    assert outcomes.count("REGISTRATION_PENDING") == 1, outcomes
    assert PendingRegistration.objects.count() == 1


# --- The daily job ---------------------------------------------------------------------------


def test_the_daily_job_deletes_spent_codes_and_lapses_old_pending_registrations(apply, outbox):
    from wenjin.patrons.services.remote_housekeeping import (
        DECIDED_KEPT_DAYS,
        PENDING_DAYS,
        remote_housekeeping,
    )

    old = apply(**passport(birth_date=years_ago(35))).pending
    rewind_codes()
    fresh = apply(
        **passport(identity_number="E87654321", birth_date=years_ago(40)), phone="13900002222"
    ).pending
    PendingRegistration.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=PENDING_DAYS + 1)
    )
    # Today's codes are kept a day past their expiry; the old registration lapses.
    outcome = remote_housekeeping(timezone.localdate())
    assert outcome == {"codes_deleted": 0, "registrations_lapsed": 1, "registrations_deleted": 0}
    later = timezone.localdate() + timedelta(days=2)
    assert remote_housekeeping(later)["codes_deleted"] == 2
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == PendingStatus.REJECTED and old.reason == "lapsed"
    assert old.identity_encrypted == "" and old.phone_encrypted == "" and old.name == ""
    assert fresh.status == PendingStatus.PENDING and fresh.name
    assert "lapsed" in outbox.texts()[-1] and old.reference in outbox.texts()[-1]
    assert AuditEntry.objects.filter(action="patron.pending_lapse").count() == 1
    # Running again changes nothing; months after the decision the row itself goes.
    assert remote_housekeeping(later) == {
        "codes_deleted": 0,
        "registrations_lapsed": 0,
        "registrations_deleted": 0,
    }
    PendingRegistration.objects.filter(pk=old.pk).update(
        decided_at=timezone.now() - timedelta(days=DECIDED_KEPT_DAYS + 1)
    )
    assert remote_housekeeping(later)["registrations_deleted"] == 1
    assert not PendingRegistration.objects.filter(pk=old.pk).exists()
    assert PendingRegistration.objects.filter(pk=fresh.pk).exists()


# --- Real-name verification -----------------------------------------------------------------


class FakeRealNameService:
    """Knows one person (林晓 with the default test ID number); ``down`` makes it fail."""

    down = False

    def matches(self, *, name: str, identity_number: str) -> bool:
        from wenjin.patrons.real_name import RealNameUnavailable

        if FakeRealNameService.down:
            raise RealNameUnavailable("timed out")
        return (name, identity_number) == ("林晓", resident_id(years_ago(30), 1))


@pytest.fixture
def real_name_service(settings) -> Iterator[type[FakeRealNameService]]:
    settings.WENJIN_REAL_NAME_VERIFIER = f"{__name__}.FakeRealNameService"
    FakeRealNameService.down = False
    yield FakeRealNameService
    FakeRealNameService.down = False


def test_a_name_that_is_not_the_id_numbers_is_refused_and_the_code_used(
    apply, outbox, real_name_service
):
    with pytest.raises(ValidationFailed) as wrong:
        apply(name="冒名者")
    assert wrong.value.code == "NAME_ID_MISMATCH" and "name" in wrong.value.details["fields"]
    assert not Patron.objects.exists() and not PendingRegistration.objects.exists()
    with pytest.raises(ValidationFailed) as reused:
        apply(code=outbox.last_code())
    assert reused.value.code != "NAME_ID_MISMATCH"  # the code is gone
    rewind_codes()
    assert apply().registration is not None  # the right name gets the card at once


def test_a_real_name_service_that_does_not_answer_sends_the_reader_to_a_desk(
    apply, real_name_service
):
    real_name_service.down = True
    result = apply()
    assert result.registration is None and result.pending.status == PendingStatus.PENDING
    assert not Patron.objects.exists()
