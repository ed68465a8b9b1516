"""Two copies of the daily job at the same moment (cron on two hosts, or a manual run
during the nightly one): real threads with their own connections, on SQLite and
PostgreSQL. Each notice goes out once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from wenjin.lib import crypto
from wenjin.notices.models import Notice, ReaderContact
from wenjin.notices.services import notice_send, notices_due
from wenjin.patrons.models import Card
from wenjin.tests.concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_daily_runs_at_once_send_each_notice_once(make_reader, lend, sms_sent):
    due = timezone.localdate() + timedelta(days=30)
    on = due - timedelta(days=3)
    readers = [make_reader() for _ in range(3)]
    for card, barcode in zip(readers, ("B1", "B2", "B5"), strict=True):
        lend(card, barcode, due)
    lend(readers[0], "B3", due)  # grouped with B1
    ReaderContact.objects.create(patron=readers[1].patron, email_encrypted="", language="en")
    Card.objects.filter(pk=readers[2].pk).update(expires_on=on + timedelta(days=30))

    outcomes = run_together([lambda: notices_due(on) for _ in range(4)])

    assert not any(isinstance(o, BaseException) for o in outcomes), outcomes
    assert sum(o["due_soon"] for o in outcomes) == 3, outcomes
    assert sum(o["card_expiring"] for o in outcomes) == 1, outcomes
    assert Notice.objects.count() == 4
    assert set(Notice.objects.values_list("outcome", flat=True)) == {"sent"}
    assert len(sms_sent()) == 4  # one message per notice, none twice


def test_one_key_sent_from_many_threads_goes_out_once(reader, sms_sent):
    ReaderContact.objects.create(
        patron=reader.patron, email_encrypted=crypto.encrypt("reader@example.com")
    )
    outcomes = run_together(
        [
            lambda: notice_send(
                patron=reader.patron,
                kind="card_expiring",
                dedupe_key="card_expiring:race",
                context={"card_tail": "0001", "expires_on": reader.expires_on},
            )
            for _ in range(4)
        ]
    )
    assert not any(isinstance(o, BaseException) for o in outcomes), outcomes
    assert sum(isinstance(o, Notice) for o in outcomes) == 1, outcomes
    assert outcomes.count(None) == 3
    assert len(mail.outbox) == 1 and sms_sent() == []
