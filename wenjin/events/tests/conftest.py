"""Fixtures for events: readers registered through the services and an event factory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from itertools import count

import pytest
from django.utils import timezone

from wenjin.events.models import Event
from wenjin.events.services.events import EventDetails, event_create
from wenjin.patrons.defaults import ensure_categories
from wenjin.patrons.models import Card, PatronCategory
from wenjin.patrons.services import register
from wenjin.patrons.tests.ids import resident_id

_serials = count(0)


@pytest.fixture
def categories(django_db_blocker):
    """Transactional tests empty every table, the categories included: put them back."""
    with django_db_blocker.unblock():
        ensure_categories(PatronCategory)


@pytest.fixture
def make_reader(tree, system, categories) -> Callable[..., Card]:
    """``make_reader(home="YX-GT")`` → the new reader's card."""

    def make(born: date | None = None, home: str = "YX-GT", **values: object) -> Card:
        serial = next(_serials)
        # Distinct ID numbers for any number of readers: 900 serials per birth date.
        born = born or date(1980, 5, 1) + timedelta(days=serial // 900)
        registration = register(
            actor=system,
            name="活动读者",
            identity_type="resident_id",
            identity_number=resident_id(born, 100 + serial % 900),
            phone="13912345678",
            home_org_code=home,
            pin="802413",
            **values,
        )
        return registration.card

    return make


@pytest.fixture
def reader(make_reader) -> Card:
    return make_reader()


def soon(days: int = 3, hour: int = 14) -> datetime:
    """A local time ``days`` from today at ``hour`` o'clock."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


@pytest.fixture
def make_event(tree, system) -> Callable[..., Event]:
    """``make_event(capacity=2, org="YX-GT", starts_at=…)`` → a published event."""

    def make(org: str = "YX-GT", actor=None, **values: object) -> Event:
        starts_at = values.pop("starts_at", None) or soon()
        details = EventDetails(
            kind=values.pop("kind", "lecture"),
            title=values.pop("title", "岭南文化讲座"),
            starts_at=starts_at,
            ends_at=values.pop("ends_at", None) or starts_at + timedelta(hours=2),
            **values,
        )
        return event_create(actor=actor or system, org_code=org, details=details)

    return make
