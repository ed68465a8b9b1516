"""SIP2 conversations as kiosks hold them, through dispatch and the codec (no sockets):
login, status, patron information, checkout at a branch's kiosk, return at another
library's machine and transit home, renewals, item information, holds, fees, refusals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from wenjin.circulation.models import Fee, Loan, Payment, Transit
from wenjin.circulation.services import fees
from wenjin.network.devices import device_create
from wenjin.patrons.services import register
from wenjin.patrons.tests.ids import resident_id
from wenjin.sip2 import fields
from wenjin.sip2.codec import Request, decode, encode
from wenjin.sip2.handlers import dispatch, on_error
from wenjin.sip2.session import Session

pytestmark = pytest.mark.django_db
PIN = "802413"
D = "20260301    100000"
BLANK = " " * 18


@pytest.fixture
def sorter(system, tree):
    return device_create(
        actor=system,
        code="HZ-A-S1",
        name="海珠分拣机",
        kind="sorter",
        org_code="HZ-A",
        password="sorter-secret-1",
        encoding="gb18030",
        operations=["checkin", "item"],
    )


def talk(session: Session, text: str) -> Request:
    """Send one frame as the device would and read the reply the way it would."""
    request = decode(text.encode(session.encoding), session.encoding)
    response = dispatch(session, request)
    wire = encode(response, session.encoding)
    return decode(wire, session.encoding)


def logged_in(code: str, password: str) -> Session:
    session = Session(peer="127.0.0.1:50000")
    answer = talk(session, f"9300CN{code}|CO{password}|CP|")
    assert answer.code == "94" and answer.fixed["ok"] == "1"
    return session


def test_login_is_required_and_checked(kiosk):
    session = Session(peer="127.0.0.1:50000")
    refused = talk(session, f"11YN{D}{BLANK}AO|AA1|AB2|AC|")
    assert refused.code == "12" and refused.fixed["ok"] == "0"
    assert "登录" in refused.getlist("AF")[0]
    assert talk(session, "9900302.00").code == "98"  # answered, but not online for it
    wrong = talk(session, "9300CNYX-GT-K1|COwrong-password|CP|")
    assert wrong.fixed["ok"] == "0" and session.device is None
    unknown = talk(session, "9300CNnobody|COkiosk-secret-1|CP|")
    assert unknown.fixed["ok"] == "0"
    assert talk(session, "9300CNYX-GT-K1|COkiosk-secret-1|CP|").fixed["ok"] == "1"
    status = talk(session, "9900302.00")
    assert status.fixed["online_status"] == "Y" and status.get("AN") == "YX-GT"
    assert status.get("BX", "").startswith("Y")


def test_checkout_at_a_branch_kiosk_and_return_at_another_library(kiosk, sorter, items, reader):
    session = logged_in("YX-GT-K1", "kiosk-secret-1")
    info = talk(session, f"63019{D}          AO|AA{reader.barcode}|AD{PIN}|")
    assert info.code == "64" and info.get("BL") == "Y" and info.get("CQ") == "Y"
    assert info.get("AE") == "读者" and info.fixed["patron_status"].strip() == ""
    lent = talk(session, f"11YN{D}{BLANK}AO|AA{reader.barcode}|ABB1|AC|AD{PIN}|")
    assert lent.code == "12" and lent.fixed["ok"] == "1", lent.getlist("AF")
    assert lent.get("AJ") == "岭南文化十讲" and lent.get("AH", "").startswith(
        Loan.objects.get().due_date.strftime("%Y%m%d")
    )
    assert lent.fixed["desensitize"] == "Y"
    # The same item again, with the kiosk's renewal policy on: a renewal.
    again = talk(session, f"11YN{D}{BLANK}AO|AA{reader.barcode}|ABB1|AC|AD{PIN}|")
    assert again.fixed["renewal_ok"] == "Y" and Loan.objects.get().renewals == 1
    charged = talk(session, f"63019{D}  Y       AO|AA{reader.barcode}|AD{PIN}|BP1|BQ5|")
    assert charged.getlist("AU") == ["B1"] and charged.fixed["charged_items_count"] == "0001"
    # Returned through the sorter at Haizhu (GB18030): it goes home in transit.
    machine = logged_in("HZ-A-S1", "sorter-secret-1")
    assert machine.encoding == "gb18030"
    back = talk(machine, f"09N{D}{D}APHZ-A|AO|ABB1|AC|")
    assert back.code == "10" and back.fixed["ok"] == "1"
    assert back.fixed["alert"] == "Y" and back.get("CT") == "YX-GT" and back.get("CV") == "04"
    assert back.get("AJ") == "岭南文化十讲"  # the Chinese title survived GB18030
    assert Transit.objects.get(received_at=None).to_org.code == "YX-GT"
    # The sorter may not lend.
    refused = talk(machine, f"11YN{D}{BLANK}AO|AA{reader.barcode}|ABB2|AC|AD{PIN}|")
    assert refused.fixed["ok"] == "0"


def test_a_wrong_pin_or_unknown_reader_is_refused_without_revealing_the_name(kiosk, items, reader):
    session = logged_in("YX-GT-K1", "kiosk-secret-1")
    info = talk(session, f"63019{D}          AO|AA{reader.barcode}|AD000000|")
    assert info.get("CQ") == "N" and info.get("AE") == "" and info.get("BL") == "Y"
    lent = talk(session, f"11YN{D}{BLANK}AO|AA{reader.barcode}|ABB1|AC|AD000000|")
    assert lent.fixed["ok"] == "0" and "密码" in lent.getlist("AF")[0]
    nobody = talk(session, f"63019{D}          AO|AA2999999|AD{PIN}|")
    assert nobody.get("BL") == "N"
    assert not Loan.objects.exists()


def test_a_reader_may_identify_by_resident_id(kiosk, items, categories, system):
    number = resident_id(date(1985, 7, 1), 777)
    register(
        actor=system,
        name="身份证读者",
        identity_type="resident_id",
        identity_number=number,
        phone="13812345679",
        home_org_code="YX-GT",
        pin=PIN,
    )
    session = logged_in("YX-GT-K1", "kiosk-secret-1")
    lent = talk(session, f"11YN{D}{BLANK}AO|AA{number}|ABB2|AC|AD{PIN}|")
    assert lent.fixed["ok"] == "1", lent.getlist("AF")


def test_refusals_carry_the_desks_explanation(kiosk, items, reader, system):
    fees.fee_charge(
        actor=system, patron=reader.patron, kind="other", amount="12", org_code="YX-GT", note="x"
    )
    session = logged_in("YX-GT-K1", "kiosk-secret-1")
    status = talk(session, f"23019{D}AO|AA{reader.barcode}|AC|AD{PIN}|")
    flags = fields.parse_patron_status(status.fixed["patron_status"])
    assert flags["charge_privileges_denied"] and flags["excessive_outstanding_fees"]
    assert status.get("BV") == "12.00"
    owing = talk(session, f"63019{D}          AO|AA{reader.barcode}|AD{PIN}|")
    assert owing.fixed["fine_items_count"] == "0001" and owing.get("BV") == "12.00"
    refused = talk(session, f"11YN{D}{BLANK}AO|AA{reader.barcode}|ABB1|AC|AD{PIN}|")
    assert refused.fixed["ok"] == "0" and "12.00" in refused.getlist("AF")[0]
    # Paying at the kiosk by Alipay (payment type 02) lifts the block.
    paid = talk(session, f"37{D}0102CNYBV12.00|AO|AA{reader.barcode}|AD{PIN}|BKALI2026030100001|")
    assert paid.fixed["payment_accepted"] == "Y", paid.getlist("AF")
    assert Payment.objects.get().method == "alipay" and Fee.objects.get().status == "paid"
    settled = talk(session, f"63019{D}          AO|AA{reader.barcode}|AD{PIN}|")
    assert settled.fixed["fine_items_count"] == "0000" and settled.get("BV") == "0.00"
    twice = talk(session, f"37{D}0102CNYBV1.00|AO|AA{reader.barcode}|AD{PIN}|BKALI2026030100001|")
    assert twice.fixed["payment_accepted"] == "N"
    assert talk(session, f"11YN{D}{BLANK}AO|AA{reader.barcode}|ABB1|AC|AD{PIN}|").fixed["ok"] == "1"


def test_renew_renew_all_item_information_and_holds(kiosk, items, make_reader):
    borrower, other = make_reader(), make_reader()
    session = logged_in("YX-GT-K1", "kiosk-secret-1")
    for barcode in ("B1", "B2"):
        talk(session, f"11YN{D}{BLANK}AO|AA{borrower.barcode}|AB{barcode}|AC|AD{PIN}|")
    renewed = talk(session, f"29NN{D}{BLANK}AO|AA{borrower.barcode}|AD{PIN}|ABB1|AC|")
    assert renewed.code == "30" and renewed.fixed["ok"] == "1"
    again = talk(session, f"29NN{D}{BLANK}AO|AA{borrower.barcode}|AD{PIN}|ABB1|AC|")
    assert again.fixed["ok"] == "0"  # one renewal allowed
    every = talk(session, f"65{D}AO|AA{borrower.barcode}|AD{PIN}|AC|")
    assert every.getlist("BM") == ["B2"] and every.getlist("BN") == ["B1"]
    item = talk(session, f"17{D}AO|ABB1|AC|")
    assert item.fixed["circulation_status"] == "04" and item.get("AQ") == "YX-GT"
    assert item.get("AJ") == "岭南文化十讲" and item.get("AP") == "YX-GT"
    due = Loan.objects.get(item__barcode="B1", returned_at=None).due_date
    assert item.get("AH").startswith(due.strftime("%Y%m%d"))
    Loan.objects.filter(item__barcode="B2").update(claimed_returned_at=timezone.now())
    claimed = talk(session, f"17{D}AO|ABB2|AC|")
    assert claimed.fixed["circulation_status"] == fields.CIRCULATION_STATUS["claimed_returned"]
    placed = talk(session, f"15+{D}BSYX-GT|AO|AA{other.barcode}|AD{PIN}|ABB1|")
    assert placed.code == "16" and placed.fixed["ok"] == "1" and placed.get("BR") == "1"
    assert talk(session, f"17{D}AO|ABB1|AC|").get("CF") == "1"
    waiting = talk(session, f"63019{D}          AO|AA{other.barcode}|AD{PIN}|")
    assert waiting.fixed["unavailable_holds_count"] == "0001"
    assert waiting.fixed["hold_items_count"] == "0000"
    returned = talk(session, f"09N{D}{D}APYX-GT|AO|ABB1|AC|")  # captured for the hold
    assert returned.fixed["ok"] == "1" and returned.fixed["alert"] == "Y"
    ready = talk(session, f"63019{D}          AO|AA{other.barcode}|AD{PIN}|")
    assert ready.fixed["hold_items_count"] == "0001"
    assert ready.fixed["unavailable_holds_count"] == "0000"
    cancelled = talk(session, f"15-{D}AO|AA{other.barcode}|AD{PIN}|ABB1|")
    assert cancelled.fixed["ok"] == "1"
    missing = talk(session, f"17{D}AO|ABNOPE|AC|")
    assert missing.fixed["circulation_status"] == "01" and missing.getlist("AF")


def test_offline_no_block_checkout_keeps_its_time(kiosk, items, reader):
    session = logged_in("YX-GT-K1", "kiosk-secret-1")
    earlier = timezone.localtime() - timedelta(days=2)
    stamp = fields.format_datetime(earlier)
    lent = talk(session, f"11YY{stamp}{BLANK}AO|AA{reader.barcode}|ABB1|AC|AD{PIN}|")
    assert lent.fixed["ok"] == "1"
    loan = Loan.objects.get()
    assert abs((loan.checked_out_at - earlier).total_seconds()) < 2


def test_wrong_institution_and_errors_give_the_right_reply_type(kiosk, items, reader):
    session = logged_in("YX-GT-K1", "kiosk-secret-1")
    wrong = talk(session, f"17{D}AOOTHER|ABB1|AC|")
    assert wrong.code == "18" and "机构" in wrong.getlist("AF")[0]
    request = decode(f"09N{D}{D}APYX-GT|AO|ABB1|AC|".encode(), "utf-8")
    broken = on_error(session, request)
    assert broken.code == "10" and broken.fixed["ok"] is False


def test_the_pin_is_hashed_once_per_visit(kiosk, items, reader, system, monkeypatch):
    from wenjin.patrons.services import pin_set
    from wenjin.sip2 import patrons as sip2_patrons

    checks: list[str] = []
    real = sip2_patrons.pin_check

    def counting(patron, pin):
        checks.append(pin)
        return real(patron, pin)

    monkeypatch.setattr(sip2_patrons, "pin_check", counting)
    session = logged_in("YX-GT-K1", "kiosk-secret-1")
    assert talk(session, f"63019{D}          AO|AA{reader.barcode}|AD{PIN}|").get("CQ") == "Y"
    lent = talk(session, f"11YN{D}{BLANK}AO|AA{reader.barcode}|ABB1|AC|AD{PIN}|")
    assert lent.fixed["ok"] == "1" and checks == [PIN]
    # A wrong PIN later in the visit is still checked, and refused.
    wrong = talk(session, f"11YN{D}{BLANK}AO|AA{reader.barcode}|ABB2|AC|AD000000|")
    assert wrong.fixed["ok"] == "0" and checks == [PIN, "000000"]
    # End of session forgets the reader: the next visit checks the hash again.
    talk(session, f"35{D}AO|AA{reader.barcode}|")
    talk(session, f"63019{D}          AO|AA{reader.barcode}|AD{PIN}|")
    assert checks == [PIN, "000000", PIN]
    # A PIN changed at the desk mid-visit: the remembered one no longer counts.
    pin_set(actor=system, barcode=reader.barcode, pin="246813")
    stale = talk(session, f"11YN{D}{BLANK}AO|AA{reader.barcode}|ABB2|AC|AD{PIN}|")
    assert stale.fixed["ok"] == "0" and len(checks) == 4
    # Another connection never shares what this one verified.
    other = logged_in("YX-GT-K1", "kiosk-secret-1")
    talk(other, f"63019{D}          AO|AA{reader.barcode}|AD246813|")
    assert len(checks) == 5


def test_wrong_pins_lock_the_reader_out_at_every_kiosk(kiosk, items, reader, settings):
    settings.WENJIN_PIN_MAX_FAILURES = 3
    session = logged_in("YX-GT-K1", "kiosk-secret-1")
    for _ in range(3):
        wrong = talk(session, f"63019{D}          AO|AA{reader.barcode}|AD000000|")
        assert wrong.get("CQ") == "N"
    # Now even the right PIN is refused, on this and any other connection, saying why.
    other = logged_in("YX-GT-K1", "kiosk-secret-1")
    info = talk(other, f"63019{D}          AO|AA{reader.barcode}|AD{PIN}|")
    assert info.get("CQ") == "N" and "次数过多" in info.getlist("AF")[0]
    lent = talk(other, f"11YN{D}{BLANK}AO|AA{reader.barcode}|ABB1|AC|AD{PIN}|")
    assert lent.fixed["ok"] == "0" and "次数过多" in lent.getlist("AF")[0]
    assert not Loan.objects.exists()


def test_a_loan_at_a_kiosk_is_audited_under_the_device(system, items, reader):
    from wenjin.accounts.models import AuditEntry

    code = "YX-GT-SELF-CHECK-KIOSK-SECOND-FLOOR-0001"  # 40 characters, the longest allowed
    device_create(
        actor=system,
        code=code,
        name="光塔二楼自助借还机",
        kind="self_check",
        org_code="YX-GT",
        password="kiosk-secret-1",
    )
    session = logged_in(code, "kiosk-secret-1")
    lent = talk(session, f"11YN{D}{BLANK}AO|AA{reader.barcode}|ABB1|AC|AD{PIN}|")
    assert lent.fixed["ok"] == "1", lent.getlist("AF")
    entry = AuditEntry.objects.get(action="circulation.checkout")
    assert (entry.via, entry.actor_label) == ("sip2", f"sip2:{code}")


def test_a_device_in_another_time_zone_reads_and_writes_its_local_time(system, items, reader):
    from zoneinfo import ZoneInfo

    from wenjin.lib.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as bad:
        device_create(
            actor=system,
            code="BAD-TZ",
            name="x",
            kind="self_check",
            org_code="YX-GT",
            password="kiosk-secret-1",
            time_zone="Mars/Olympus",
        )
    assert bad.value.code == "INVALID_DEVICE" and "Mars/Olympus" in bad.value.message
    device_create(
        actor=system,
        code="UTC-K1",
        name="按协调世界时运行的借还机",
        kind="self_check",
        org_code="YX-GT",
        password="kiosk-secret-1",
        time_zone="UTC",
    )
    session = logged_in("UTC-K1", "kiosk-secret-1")
    status = talk(session, "9900302.00")
    # The 98's clock is in the device's zone: UTC, eight hours behind the library.
    synced = status.datetime("date_time_sync", ZoneInfo("UTC"))
    assert abs((synced - timezone.now()).total_seconds()) < 5, status.fixed["date_time_sync"]
    # An offline checkout stamped 10:00 by this machine happened at 10:00 UTC.
    stamp = (timezone.now() - timedelta(days=1)).astimezone(ZoneInfo("UTC"))
    text = stamp.strftime("%Y%m%d    %H%M%S")
    lent = talk(session, f"11YY{text}{BLANK}AO|AA{reader.barcode}|ABB1|AC|AD{PIN}|")
    assert lent.fixed["ok"] == "1", lent.getlist("AF")
    taken = Loan.objects.get().checked_out_at
    assert abs((taken - stamp).total_seconds()) < 2
