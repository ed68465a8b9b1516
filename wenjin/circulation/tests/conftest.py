"""Fixtures for circulation: reader categories, a record with copies at two branches,
readers registered through the services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from itertools import count

import pytest

from wenjin.catalog.models import Item
from wenjin.catalog.services import items_add, record_save_fields
from wenjin.circulation.defaults import ensure_default_rules
from wenjin.circulation.models import CirculationSettings, LoanRule
from wenjin.circulation.selectors import clear_caches
from wenjin.patrons.defaults import ensure_categories
from wenjin.patrons.models import Card, PatronCategory
from wenjin.patrons.services import register
from wenjin.patrons.tests.ids import resident_id

_serials = count(1)


@pytest.fixture
def categories(django_db_blocker):
    """Transactional tests empty every table, the categories and rules the migrations made
    included: put them back."""
    with django_db_blocker.unblock():
        ensure_categories(PatronCategory)
        ensure_default_rules(LoanRule, PatronCategory, CirculationSettings)


@pytest.fixture
def record(tree, system, categories):
    return record_save_fields(
        actor=system,
        values={"title": "岭南文化十讲", "authors": ["张伟"], "clc": "K296.5", "language": "chi"},
    )


@pytest.fixture
def add_items(record, system) -> Callable[..., list[Item]]:
    """``add_items("YX-GT", "B1", "B2", material_type="periodical")`` → the new items."""

    def add(org_code: str, *barcodes: str, **values: object) -> list[Item]:
        return items_add(
            actor=system,
            record_id=record.pk,
            owning_org_code=org_code,
            barcodes=list(barcodes),
            **values,
        )

    return add


@pytest.fixture
def items(add_items) -> dict[str, Item]:
    """Books B1–B4 owned by YX-GT, B5–B6 owned by YX-DS."""
    made = add_items("YX-GT", "B1", "B2", "B3", "B4") + add_items("YX-DS", "B5", "B6")
    return {item.barcode: item for item in made}


@pytest.fixture
def make_reader(tree, system, categories) -> Callable[..., Card]:
    """``make_reader(born=date(1990, 1, 1), home="YX-GT")`` → the new reader's card."""

    def make(born: date = date(1990, 5, 1), home: str = "YX-GT", **values: object) -> Card:
        registration = register(
            actor=system,
            name="读者",
            identity_type="resident_id",
            identity_number=resident_id(born, next(_serials)),
            phone="13812345678",
            home_org_code=home,
            pin="802413",
            **values,
        )
        return registration.card

    return make


@pytest.fixture
def reader(make_reader) -> Card:
    return make_reader()


@pytest.fixture(autouse=True)
def fresh_circulation_caches():
    """Tests change rules and settings with bulk updates, which send no signals."""
    clear_caches()
    yield
    clear_caches()
