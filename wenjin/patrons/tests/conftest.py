import pytest

from wenjin.patrons.defaults import ensure_categories
from wenjin.patrons.models import PatronCategory


@pytest.fixture(autouse=True)
def categories(django_db_blocker):
    """Transactional tests empty every table, the categories the migration made included."""
    with django_db_blocker.unblock():
        ensure_categories(PatronCategory)
