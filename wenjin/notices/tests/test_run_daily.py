"""``wenjin run-daily`` as a whole: every kind of notice on its day, fee reminders, once a
day, and two copies started at the same moment."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from wenjin.circulation.models import DailyRun
from wenjin.circulation.services import fees
from wenjin.circulation.services.daily import run_daily
from wenjin.notices.models import Notice
from wenjin.notices.services import fee_reminders

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Loans are made now (the checks see real today), so the job runs as of today too.
TODAY = timezone.localdate()


def _charge(system, card, amount: str, on: date) -> None:
    fees.fee_charge(
        actor=system,
        patron=card.patron,
        kind="other",
        amount=amount,
        org_code="YX-GT",
        note="测试",
        at=datetime(on.year, on.month, on.day, 10, tzinfo=SHANGHAI),
    )


@pytest.mark.django_db
def test_fee_reminders_after_a_week_then_every_thirty_days(system, make_reader):
    owing, paid_up = make_reader(), make_reader()
    _charge(system, owing, "3.50", TODAY - timedelta(days=6))
    _charge(system, paid_up, "1.00", TODAY - timedelta(days=20))
    fees.payment_take(
        actor=system, patron=paid_up.patron, amount="1.00", method="cash", org_code="YX-GT"
    )
    assert fee_reminders(TODAY) == 0  # six days: not yet
    assert fee_reminders(TODAY + timedelta(days=1)) == 1
    assert fee_reminders(TODAY + timedelta(days=1)) == 0
    assert fee_reminders(TODAY + timedelta(days=20)) == 0  # the same 30-day period
    assert fee_reminders(TODAY + timedelta(days=24)) == 1  # 30 days after the charge
    notice = Notice.objects.filter(kind="fee_reminder").first()
    assert notice.patron_id == owing.patron_id and "3.50" in notice.body


@pytest.mark.django_db
def test_the_daily_job_runs_once_a_day_and_says_what_it_did(system, make_reader, lend):
    reader = make_reader()
    lend(reader, "B1", TODAY + timedelta(days=3))  # due soon
    lend(reader, "B2", TODAY - timedelta(days=7))  # a week overdue
    _charge(system, reader, "2.00", TODAY - timedelta(days=10))
    out = StringIO()
    call_command("run_daily", "--date", TODAY.isoformat(), stdout=out)
    text = out.getvalue()
    assert "notices.due_soon: 1" in text and "notices.overdue_7: 1" in text
    assert "fee_reminders: 1" in text
    run = DailyRun.objects.get(day=TODAY)
    assert run.finished_at is not None and run.counts["notices.due_soon"] == 1
    again = StringIO()
    call_command("run_daily", "--date", TODAY.isoformat(), stdout=again)
    assert "already finished" in again.getvalue()
    forced = run_daily(TODAY, force=True)
    assert forced.ran and sum(forced.run.counts.get(k, 0) for k in forced.run.counts) == 0
    assert Notice.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_copies_at_once_do_the_work_once(system, make_reader, lend):
    from wenjin.tests.concurrency import run_together

    reader = make_reader()
    lend(reader, "B1", TODAY - timedelta(days=1))
    _charge(system, reader, "2.00", TODAY - timedelta(days=10))
    outcomes = run_together([lambda: run_daily(TODAY).ran for _ in range(3)])
    assert sorted(outcomes) == [False, False, True], outcomes
    assert Notice.objects.filter(kind="overdue_1").count() == 1
    assert Notice.objects.filter(kind="fee_reminder").count() == 1
    # Even forced copies at once send nothing twice.
    run_together([lambda: run_daily(TODAY, force=True).ran for _ in range(2)])
    assert Notice.objects.count() == 2
