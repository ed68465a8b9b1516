"""Sending one notice: channel choice, language, preferences, failures, dedupe, and the
hold_ready signal."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from wenjin.catalog.models import Item
from wenjin.circulation import services as circulation
from wenjin.circulation.models import Hold, HoldStatus
from wenjin.circulation.services import holds
from wenjin.lib import crypto
from wenjin.notices import services
from wenjin.notices.channels import ChannelError
from wenjin.notices.models import Notice, ReaderContact

pytestmark = pytest.mark.django_db
DUE = date(2026, 5, 13)


class BrokenEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("smtp server down")


class BrokenSmsProvider:
    def deliver(self, phone: str, text: str) -> None:
        raise ChannelError("gateway said no")


def contact(card, email="", **values):
    return ReaderContact.objects.create(
        patron=card.patron,
        email_encrypted=crypto.encrypt(email),
        email_masked=email and "masked",
        **values,
    )


def due_soon(card, key="due_soon:test:1"):
    return services.notice_send(
        patron=card.patron,
        kind="due_soon",
        dedupe_key=key,
        context={
            "titles": ["岭南文化十讲", "Dream of the Red Chamber"],
            "count": 2,
            "due_date": DUE,
        },
    )


def test_a_reader_without_contact_settings_gets_a_chinese_sms(reader, sms_sent):
    notice = due_soon(reader)
    assert (notice.outcome, notice.channel, notice.language) == ("sent", "sms", "zh-hans")
    assert notice.sent_at is not None
    [sms] = sms_sent()
    assert sms["to"] == "138****5678"  # the outbox keeps no full number
    assert "《岭南文化十讲》等2册" in sms["text"] and "5月13日" in sms["text"]
    assert "YX-GT馆" in sms["text"]  # the reader's home library signs it
    assert sms["text"] == notice.body
    assert len(sms["text"]) <= 70  # one SMS
    assert mail.outbox == []


def test_email_goes_first_and_lands_in_the_outbox(reader, sms_sent):
    contact(reader, email="zhang.wei@example.com")
    notice = due_soon(reader)
    assert (notice.outcome, notice.channel) == ("sent", "email")
    [message] = mail.outbox
    assert message.to == ["zhang.wei@example.com"]
    assert message.subject == "图书即将到期提醒" == notice.subject
    assert "《Dream of the Red Chamber》" in message.body
    assert "2026年5月13日" in message.body
    assert sms_sent() == []  # one notice, one channel


def test_an_english_reader_gets_english_text(reader):
    contact(reader, email="reader@example.com", language="en")
    notice = due_soon(reader)
    assert notice.language == "en"
    [message] = mail.outbox
    assert message.subject == "Your loans are due soon"
    assert "These 2 items are due on 13 May 2026" in message.body
    assert "岭南文化十讲" in message.body
    assert "到期" not in message.body


def test_opted_out_is_recorded_and_not_sent(reader, sms_sent):
    contact(reader, email="reader@example.com", opt_outs=["due_soon"])
    notice = due_soon(reader)
    assert (notice.outcome, notice.channel, notice.sent_at) == ("opted_out", "none", None)
    assert notice.body  # the text that would have gone out is kept
    assert mail.outbox == [] and sms_sent() == []
    # Other kinds still go out.
    other = services.notice_send(
        patron=reader.patron,
        kind="card_expiring",
        dedupe_key="card_expiring:test",
        context={"card_tail": "0001", "expires_on": DUE},
    )
    assert other.outcome == "sent"


def test_no_contact_is_recorded(reader, sms_sent):
    contact(reader, sms_on=False)  # no email, SMS turned off
    notice = due_soon(reader)
    assert (notice.outcome, notice.channel) == ("no_contact", "none")
    type(reader.patron).objects.filter(pk=reader.patron_id).update(phone_encrypted="")
    ReaderContact.objects.all().delete()
    reader.patron.refresh_from_db()
    assert due_soon(reader, key="due_soon:test:2").outcome == "no_contact"
    assert mail.outbox == [] and sms_sent() == []
    assert Notice.objects.count() == 2


def test_a_failing_channel_is_recorded_not_raised(reader, settings, sms_sent):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenEmailBackend"
    settings.WENJIN_SMS_BACKEND = f"{__name__}.BrokenSmsProvider"
    contact(reader, email="reader@example.com")
    notice = due_soon(reader)
    assert notice.outcome == "failed" and notice.sent_at is None
    assert "smtp server down" in notice.error and "gateway said no" in notice.error
    assert Notice.objects.get().outcome == "failed"


def test_sms_takes_over_when_email_fails(reader, settings, sms_sent):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenEmailBackend"
    contact(reader, email="reader@example.com")
    notice = due_soon(reader)
    assert (notice.outcome, notice.channel) == ("sent", "sms")
    assert "email: " in notice.error
    assert len(sms_sent()) == 1
    assert Notice.objects.get().body == sms_sent()[0]["text"]


def test_the_same_key_is_sent_once(reader, sms_sent):
    assert due_soon(reader) is not None
    assert due_soon(reader) is None
    assert Notice.objects.count() == 1 and len(sms_sent()) == 1


def test_the_console_provider_logs_a_masked_number(reader, settings, caplog):
    settings.WENJIN_SMS_BACKEND = "console"
    with caplog.at_level("INFO", logger="wenjin.notices"):
        assert due_soon(reader).outcome == "sent"
    assert "138****5678" in caplog.text and "13812345678" not in caplog.text


def _ready_hold(system, card, django_capture_on_commit_callbacks):
    """A hold for B1 at YX-GT, made ready by a checkin there (the signal runs)."""
    hold = holds.hold_place(
        actor=system,
        patron_barcode=card.barcode,
        pickup_org_code="YX-GT",
        record_id=Item.objects.get(barcode="B1").record_id,
    )
    borrower = card.__class__.objects.exclude(pk=card.pk).first()
    for barcode in ("B1", "B2", "B3", "B4", "B5", "B6"):
        circulation.checkout(
            actor=system,
            item_barcode=barcode,
            patron_barcode=borrower.barcode,
            org_code="YX-DS" if barcode in ("B5", "B6") else "YX-GT",
        )
    with django_capture_on_commit_callbacks(execute=True):
        circulation.checkin(actor=system, item_barcode="B1", org_code="YX-GT")
    hold.refresh_from_db()
    assert hold.status == HoldStatus.READY
    return hold


def test_hold_ready_signal_sends_once(
    system, items, make_reader, sms_sent, django_capture_on_commit_callbacks
):
    make_reader()  # the borrower
    waiting = make_reader()
    hold = _ready_hold(system, waiting, django_capture_on_commit_callbacks)
    [notice] = Notice.objects.filter(kind="hold_ready")
    assert notice.dedupe_key == f"hold_ready:hold:{hold.pk}"
    assert notice.patron_id == waiting.patron_id
    [sms] = sms_sent()
    assert "已到YX-GT馆" in sms["text"] and f"{hold.expires_on.month}月" in sms["text"]
    # The signal again, and the daily safety net: nothing more.
    from wenjin.circulation import signals

    signals.hold_ready.send(sender=Hold, hold=hold)
    assert services.notices_due(hold.expires_on - timedelta(days=1))["hold_ready"] == 0
    assert Notice.objects.filter(kind="hold_ready").count() == 1 and len(sms_sent()) == 1


def test_a_broken_notice_never_fails_the_checkin(
    system, items, make_reader, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(hold_id):
        raise RuntimeError("template missing")

    monkeypatch.setattr(services, "hold_ready_notice", broken)
    make_reader()
    _ready_hold(system, make_reader(), django_capture_on_commit_callbacks)
    assert not Notice.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_hold_ready_is_queued_and_the_worker_sends_it(
    system, items, make_reader, sms_sent, settings, django_capture_on_commit_callbacks
):
    """With the database queue (as in production), the checkin only queues the notice;
    the worker sends it."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    make_reader()
    waiting = make_reader()
    _ready_hold(system, waiting, django_capture_on_commit_callbacks)
    assert DBTaskResult.objects.count() == 1
    assert not Notice.objects.exists() and sms_sent() == []
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert Notice.objects.filter(kind="hold_ready", patron=waiting.patron).count() == 1
    assert len(sms_sent()) == 1
