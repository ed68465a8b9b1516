import pytest

from wenjin.patrons.credit_providers import clear_credit_cache
from wenjin.patrons.defaults import ensure_categories
from wenjin.patrons.models import PatronCategory


@pytest.fixture(autouse=True)
def categories(django_db_blocker):
    """Transactional tests empty every table, the categories the migration made included."""
    with django_db_blocker.unblock():
        ensure_categories(PatronCategory)


@pytest.fixture(autouse=True)
def fresh_credit_settings():
    """A test's rolled-back credit settings must not linger in the per-process cache."""
    clear_credit_cache()
    yield
    clear_credit_cache()
