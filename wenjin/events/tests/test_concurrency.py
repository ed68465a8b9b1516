"""Readers racing for the last seat, on real concurrent connections (threads), on SQLite
and PostgreSQL: the event's row lock serves them one after the other."""

from __future__ import annotations

import pytest

from wenjin.events.models import Event, Registration, RegistrationStatus
from wenjin.events.services import registrations
from wenjin.tests.concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_readers_taking_the_last_seat_get_one_seat_and_one_waiting_place(
    make_event, make_reader, system
):
    event = make_event(capacity=3)
    for _ in range(2):
        registrations.registration_create(
            actor=system, event_id=event.pk, patron=make_reader().patron, via="opac"
        )
    racers = [make_reader(), make_reader()]
    outcomes = run_together(
        [
            lambda card=card: (
                registrations.registration_create(
                    actor=system, event_id=event.pk, patron=card.patron, via="opac"
                ).status
            )
            for card in racers
        ]
    )
    assert sorted(outcomes) == ["confirmed", "waitlisted"], outcomes
    event.refresh_from_db()
    assert (event.seats_taken, event.waitlisted) == (3, 1)


def test_many_readers_at_once_never_overfill(make_event, make_reader, system):
    event = make_event(capacity=2)
    racers = [make_reader() for _ in range(6)]
    outcomes = run_together(
        [
            lambda card=card: (
                registrations.registration_create(
                    actor=system, event_id=event.pk, patron=card.patron, via="opac"
                ).status
            )
            for card in racers
        ]
    )
    assert outcomes.count("confirmed") == 2, outcomes
    assert outcomes.count("waitlisted") == 4, outcomes
    confirmed = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
    assert confirmed.count() == 2
    assert Event.objects.get(pk=event.pk).waitlisted == 4


def test_one_reader_registering_twice_at_once_gets_one_registration(make_event, reader, system):
    event = make_event(capacity=5)
    outcomes = run_together(
        [
            lambda: (
                registrations.registration_create(
                    actor=system, event_id=event.pk, patron=reader.patron, via="opac"
                ).status
            )
            for _ in range(2)
        ]
    )
    assert sorted(outcomes) == ["EVENT_ALREADY_REGISTERED", "confirmed"], outcomes
    assert Registration.objects.filter(event=event).count() == 1


def test_a_cancellation_racing_a_registration_keeps_the_counts_true(
    make_event, make_reader, system
):
    event = make_event(capacity=1)
    holder, waiting, newcomer = make_reader(), make_reader(), make_reader()
    for card in (holder, waiting):
        registrations.registration_create(
            actor=system, event_id=event.pk, patron=card.patron, via="opac"
        )
    outcomes = run_together(
        [
            lambda: (
                registrations.registration_cancel(
                    actor=system, event_id=event.pk, patron=holder.patron, via="opac"
                ).status
            ),
            lambda: (
                registrations.registration_create(
                    actor=system, event_id=event.pk, patron=newcomer.patron, via="opac"
                ).status
            ),
        ]
    )
    assert "cancelled" in outcomes, outcomes
    # The waiting reader was first in the queue: they get the freed seat either way.
    assert Registration.objects.get(patron=waiting.patron).status == "confirmed"
    assert Registration.objects.get(patron=newcomer.patron).status == "waitlisted"
    event.refresh_from_db()
    assert (event.seats_taken, event.waitlisted) == (1, 1)
