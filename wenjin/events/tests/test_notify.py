"""Event notices from the daily job: reminders the day before, once; finishing events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from wenjin.events.models import Registration
from wenjin.events.services import registrations
from wenjin.events.services.events import events_daily
from wenjin.events.tests.conftest import soon
from wenjin.notices.models import Notice, ReaderContact

pytestmark = pytest.mark.django_db


def test_readers_with_a_seat_are_reminded_the_day_before_once(make_event, make_reader, system):
    tomorrow = make_event(capacity=1, starts_at=soon(days=1), title="明日讲座")
    later = make_event(capacity=5, starts_at=soon(days=5), title="下周讲座")
    seated, waiting = make_reader(), make_reader()
    for card in (seated, waiting):
        registrations.registration_create(
            actor=system, event_id=tomorrow.pk, patron=card.patron, via="opac"
        )
        registrations.registration_create(
            actor=system, event_id=later.pk, patron=card.patron, via="opac"
        )
    outcome = events_daily(timezone.localdate())
    assert outcome["reminders"] == 1
    notice = Notice.objects.get(kind="event_reminder")
    assert notice.patron == seated.patron
    assert "明日讲座" in notice.body
    assert events_daily(timezone.localdate())["reminders"] == 0


def test_reminders_follow_the_readers_language_and_opt_outs(make_event, make_reader, system):
    event = make_event(capacity=5, starts_at=soon(days=1), title="Storytime")
    english, opted_out = make_reader(), make_reader()
    ReaderContact.objects.create(patron=english.patron, language="en")
    ReaderContact.objects.create(patron=opted_out.patron, opt_outs=["event_reminder"])
    for card in (english, opted_out):
        registrations.registration_create(
            actor=system, event_id=event.pk, patron=card.patron, via="opac"
        )
    events_daily(timezone.localdate())
    by_reader = {n.patron_id: n for n in Notice.objects.filter(kind="event_reminder")}
    assert "Reminder" in by_reader[english.patron_id].body
    assert by_reader[opted_out.patron_id].outcome == "opted_out"


def test_the_daily_step_finishes_yesterdays_events(make_event, make_reader, system):
    event = make_event(capacity=5)
    Registration.objects.create(
        event=event, patron=make_reader().patron, status="confirmed", registered_at=timezone.now()
    )
    start = timezone.now() - timedelta(days=2)
    type(event).objects.filter(pk=event.pk).update(
        starts_at=start, ends_at=start + timedelta(hours=2)
    )
    outcome = events_daily(timezone.localdate())
    assert (outcome["finished"], outcome["no_shows"]) == (1, 1)
