"""A reader's events in their data copy; deleting a reader gives up their coming places."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from wenjin.events.models import Event, Registration
from wenjin.events.services import registrations
from wenjin.patrons.services.privacy import export_data, patron_delete

pytestmark = pytest.mark.django_db


def test_the_data_copy_lists_event_registrations(make_event, reader, system):
    event = make_event(capacity=5, title="粤剧欣赏讲座")
    registrations.registration_create(
        actor=system, event_id=event.pk, patron=reader.patron, via="opac"
    )
    exported = export_data(reader.patron)["event_registrations"]
    assert [(row["event"], row["status"]) for row in exported] == [("粤剧欣赏讲座", "confirmed")]


def test_deleting_a_reader_frees_coming_seats_and_keeps_past_attendance(
    make_event, make_reader, system
):
    coming = make_event(capacity=1, title="下周讲座")
    past = make_event(title="上周讲座")
    leaving, waiting = make_reader(), make_reader()
    for card in (leaving, waiting):
        registrations.registration_create(
            actor=system, event_id=coming.pk, patron=card.patron, via="opac"
        )
    start = timezone.now() - timedelta(minutes=30)
    Event.objects.filter(pk=past.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))
    registrations.checkin(actor=system, event_id=past.pk, code=leaving.barcode)

    patron_delete(actor=system, barcode=leaving.barcode, org_code="YX-GT")

    assert Registration.objects.get(event=coming, patron=leaving.patron).status == "cancelled"
    assert Registration.objects.get(event=coming, patron=waiting.patron).status == "confirmed"
    assert Event.objects.get(pk=past.pk).attendance == 1
    assert Registration.objects.get(event=past).checked_in_at is not None
