"""Two desks registering the same person at the same moment: one card, one clear refusal.
Real threads, on SQLite and PostgreSQL."""

import threading
from datetime import date

import pytest
from django.db import connection

from wenjin.lib.errors import Conflict
from wenjin.patrons import services
from wenjin.patrons.models import Card, Patron
from wenjin.patrons.tests.ids import resident_id

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_registrations_of_one_identity_give_one_card(tree, system):
    number = resident_id(date(1985, 6, 1), 5)
    barrier = threading.Barrier(4)
    outcomes: list[object] = []

    def desk(index: int) -> None:
        try:
            barrier.wait()
            registration = services.register(
                actor=system,
                name=f"读者{index}",
                identity_type="resident_id",
                identity_number=number,
                phone="13812345678",
                home_org_code="YX-GT",
            )
            outcomes.append(registration.card.barcode)
        except Conflict as error:
            outcomes.append(error.code)
        except BaseException as error:  # reported by the assertion below
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=desk, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    cards = [o for o in outcomes if isinstance(o, str) and o != "IDENTITY_HAS_CARD"]
    assert len(cards) == 1, outcomes
    assert outcomes.count("IDENTITY_HAS_CARD") == 3, outcomes
    assert Patron.objects.count() == 1 and Card.objects.count() == 1


def test_simultaneous_registrations_get_distinct_card_numbers(tree, system):
    barrier = threading.Barrier(4)
    barcodes: list[object] = []

    def desk(index: int) -> None:
        try:
            barrier.wait()
            for round_ in range(3):
                registration = services.register(
                    actor=system,
                    name="读者",
                    identity_type="resident_id",
                    identity_number=resident_id(date(1980, 1, 1), index * 10 + round_),
                    phone="13812345678",
                    home_org_code="YX-GT",
                )
                barcodes.append(registration.card.barcode)
        except BaseException as error:  # reported by the assertion below
            barcodes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=desk, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(isinstance(b, str) for b in barcodes), barcodes
    assert len(set(barcodes)) == 12
