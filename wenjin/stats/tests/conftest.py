"""Fixtures for the statistics tests: staff actors with a role on a unit, and days
relative to today."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from itertools import count

import pytest
from django.utils import timezone

from wenjin.accounts.actor import Actor

_serials = count(1)


@pytest.fixture
def actor_with(make_staff) -> Callable[[str | None, str], Actor]:
    """``actor_with("statistician", "YX")`` → an actor for a new staff user with that
    role on that unit (None: no role at all)."""

    def make(role: str | None, org_code: str) -> Actor:
        user = make_staff(f"{role or 'norole'}_{org_code}_{next(_serials)}", role, org_code)
        return Actor(user=user, via="test")

    return make


def days_ago(days: int) -> date:
    """The local date ``days`` before today."""
    return timezone.localdate() - timedelta(days=days)
