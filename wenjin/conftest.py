"""Shared fixtures: a small network built through the services, staff with scoped roles,
and API clients."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from wenjin.accounts.actor import Actor
from wenjin.accounts.models import StaffUser
from wenjin.accounts.services import role_grant, staff_create, token_create
from wenjin.network import services as network
from wenjin.network.models import OrgUnit
from wenjin.network.policies import parse_periods

SYSTEM = Actor.system("test")
PASSWORD = "correct horse battery staple"

# (code, kind, parent)
TREE = [
    ("GZ", "city_center", None),
    ("YX", "district_main", "GZ"),
    ("YX-GT", "special_branch", "YX"),
    ("YX-GT-SP", "service_point", "YX-GT"),
    ("YX-DS", "branch", "YX"),
    ("HZ", "district_main", "GZ"),
    ("HZ-A", "branch", "HZ"),
]


@pytest.fixture
def system() -> Actor:
    return SYSTEM


@pytest.fixture
def tree(db: None) -> dict[str, OrgUnit]:
    """GZ → (YX → (YX-GT → YX-GT-SP, YX-DS), HZ → HZ-A), each open 09:00-21:00 daily."""
    for code, kind, parent in TREE:
        network.org_unit_create(
            actor=SYSTEM, code=code, kind=kind, name_zh=f"{code}馆", parent_code=parent
        )
        network.weekly_hours_set(
            actor=SYSTEM, code=code, hours={d: parse_periods("09:00-21:00") for d in range(7)}
        )
    return {unit.code: unit for unit in OrgUnit.objects.all()}


@pytest.fixture
def make_staff(tree: dict[str, OrgUnit]) -> Callable[..., StaffUser]:
    """``make_staff("gt_director", "branch_director", "YX-GT")`` → a user with that role."""

    def make(username: str, role: str | None, org_code: str) -> StaffUser:
        user = staff_create(
            actor=SYSTEM,
            username=username,
            password=PASSWORD,
            home_org_code=org_code,
            display_name=username,
            check_password=False,
        )
        if role:
            role_grant(actor=SYSTEM, user=user, role=role, org_code=org_code)
        return user

    return make


@pytest.fixture
def actor_for() -> Callable[[StaffUser], Actor]:
    return lambda user: Actor(user=user, via="test")


@pytest.fixture
def api_client() -> Callable[[StaffUser | None], Client]:
    """A test client whose requests carry a fresh bearer token for ``user`` (or none)."""

    def make(user: StaffUser | None = None) -> Client:
        if user is None:
            return Client()
        _token, raw = token_create(actor=SYSTEM, user=user, name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make


@pytest.fixture
def staff_client(make_staff: Callable[..., StaffUser]) -> Callable[[str, str | None, str], Client]:
    """``staff_client("gt_dir", "branch_director", "YX-GT")`` → a client logged in as a new
    staff user with that role."""

    def login(username: str, role: str | None, org_code: str) -> Client:
        make_staff(username, role, org_code)
        client = Client()
        response = client.post("/staff/login/", {"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.content
        return client

    return login
