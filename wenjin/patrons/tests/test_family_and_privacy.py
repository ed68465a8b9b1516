"""The reader page's family and personal-data actions: setting up and leaving a family,
the reader's data download (audited), cancellation and deletion at the home library."""

import json
from datetime import date

import pytest

from wenjin.accounts.models import AuditEntry
from wenjin.lib.errors import Conflict
from wenjin.patrons import services
from wenjin.patrons.models import Card, Family, Patron
from wenjin.patrons.tests.ids import resident_id

pytestmark = pytest.mark.django_db


def reader(system, born: date, serial: int, **values) -> Card:
    return services.register(
        actor=system,
        name=f"读者{serial}",
        identity_type="resident_id",
        identity_number=resident_id(born, serial),
        phone="13812345678",
        home_org_code="YX-GT",
        **values,
    ).card


@pytest.fixture
def household(tree, system):
    mother = reader(system, date(1985, 1, 1), 1)
    father = reader(system, date(1984, 1, 1), 2)
    child = reader(system, date(2018, 1, 1), 3, guardian_barcode=mother.barcode)
    return mother, father, child


def act(client, card: Card, **data):
    return client.post(f"/staff/readers/{card.patron_id}/act/", data)


def test_set_up_and_leave_a_family_on_the_page(staff_client, household):
    mother, father, child = household
    desk = staff_client("desk", "desk_staff", "YX")
    act(
        desk,
        mother,
        action="family_create",
        family_name="陈家",
        members=f"{father.barcode}，{child.barcode}",
    )
    family = Family.objects.get()
    assert Patron.objects.filter(family=family, category__code="family").count() == 3
    act(desk, father, action="family_leave")
    # Two left: no longer a family; everyone back to the category for their age.
    assert not Family.objects.exists()
    categories = dict(Patron.objects.values_list("pk", "category__code"))
    assert categories == {
        mother.patron_id: "adult",
        father.patron_id: "adult",
        child.patron_id: "child",
    }


def test_leaving_a_larger_family_keeps_it(system, household):
    mother, father, child = household
    aunt = reader(system, date(1990, 1, 1), 4)
    services.family_create(
        actor=system,
        name="陈家",
        barcodes=[mother.barcode, father.barcode, child.barcode, aunt.barcode],
    )
    assert services.family_leave(actor=system, barcode=aunt.barcode) == 1
    assert Patron.objects.filter(family__isnull=False).count() == 3
    with pytest.raises(Conflict) as refused:
        services.family_leave(actor=system, barcode=aunt.barcode)
    assert refused.value.code == "NOT_IN_FAMILY"


def test_the_readers_data_download_is_audited(staff_client, household):
    mother = household[0]
    desk = staff_client("desk", "desk_staff", "YX")
    response = act(desk, mother, action="export")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["name"] == "读者1" and data["phone"] == "13812345678"
    assert AuditEntry.objects.filter(action="patron.export").count() == 1


def test_staff_elsewhere_cannot_download_it(staff_client, household):
    other = staff_client("hz", "desk_staff", "HZ")
    response = act(other, household[0], action="export")
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action="patron.export").exists()


def test_cancel_and_delete_from_the_page(staff_client, household):
    mother, father, _child = household
    desk = staff_client("desk", "desk_staff", "YX-GT")
    act(desk, father, action="cancel", reason="迁出广州")
    assert Card.objects.get(pk=father.pk).status == "cancelled"
    act(desk, mother, action="delete")  # not confirmed
    assert Patron.objects.get(pk=mother.patron_id).deleted_at is None
    refused = act(desk, mother, action="delete", confirm="yes")
    # The mother is a child's guardian: refused with the reason.
    assert Patron.objects.get(pk=mother.patron_id).deleted_at is None
    assert refused.status_code == 302


def test_a_confirmed_deletion_removes_the_person(staff_client, system, tree):
    single = reader(system, date(1970, 3, 3), 9)
    desk = staff_client("desk", "desk_staff", "YX-GT")
    response = act(desk, single, action="delete", confirm="yes")
    assert response.status_code == 302 and response.url == "/staff/readers/"
    gone = Patron.objects.get(pk=single.patron_id)
    assert gone.deleted_at is not None and gone.name == "" and gone.identity_hash is None
