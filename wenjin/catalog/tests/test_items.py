"""Items: adding copies, scheme membership, flags, editing, moving, withdrawing, scoping."""

import pytest

from wenjin.catalog import policies
from wenjin.catalog.models import Item, ItemStatus, SchemeRule
from wenjin.catalog.services import (
    item_move,
    item_update,
    item_withdraw,
    items_add,
    location_create,
    record_save_fields,
    scheme_rules,
)
from wenjin.lib.errors import DomainError


@pytest.fixture
def record(tree, system):
    return record_save_fields(
        actor=system,
        values={"title": "岭南文化十讲", "authors": ["张伟"], "clc": "K296.5", "language": "chi"},
    )


def test_scheme_rules_are_seeded_and_pure():
    rules = [
        policies.SchemeCondition("", "", True, None, False),
        policies.SchemeCondition("periodical", "", None, None, False),
        policies.SchemeCondition("", "foreign", None, None, False),
    ]

    def member(**kwargs):
        values = {
            "material_type": "book",
            "language": "chi",
            "is_rare": False,
            "is_children": False,
        }
        return policies.in_network_scheme(**{**values, **kwargs}, rules=rules)

    assert member()
    assert member(language="")  # unknown language counts as Chinese
    assert not member(language="eng")
    assert not member(material_type="periodical")
    assert not member(is_rare=True)
    assert member(material_type="audiovisual")


@pytest.mark.django_db
def test_default_rules_are_in_the_database():
    assert SchemeRule.objects.count() == 4
    conditions = scheme_rules()
    assert not policies.in_network_scheme(
        material_type="book", language="eng", is_rare=False, is_children=False, rules=conditions
    )
    assert policies.in_network_scheme(
        material_type="book", language="chi", is_rare=False, is_children=True, rules=conditions
    )


def test_add_copies_inherits_from_the_record_and_applies_rules(record, system):
    items = items_add(
        actor=system,
        record_id=record.pk,
        owning_org_code="YX-GT",
        barcodes=["B001", "B002"],
        call_number="K296.5/12",
        price="48.00",
    )
    assert [item.barcode for item in items] == ["B001", "B002"]
    item = Item.objects.get(barcode="B001")
    assert item.owning_org.code == item.current_org.code == "YX-GT"
    assert item.language == "chi" and item.in_network_scheme and str(item.price) == "48.00"
    rare = items_add(
        actor=system, record_id=record.pk, owning_org_code="YX-GT", barcodes=["B003"], is_rare=True
    )[0]
    assert not rare.in_network_scheme
    braille = items_add(
        actor=system,
        record_id=record.pk,
        owning_org_code="YX-GT",
        barcodes=["B004"],
        is_braille=True,
    )[0]
    assert braille.is_braille and braille.material_type == "book"


@pytest.mark.parametrize(
    ("barcodes", "extra", "code"),
    [
        (["X1", "X1"], {}, "DUPLICATE_BARCODE"),
        (["B001"], {}, "BARCODE_TAKEN"),
        (["has space"], {}, "VALIDATION_ERROR"),
        ([], {}, "VALIDATION_ERROR"),
        (["X2"], {"price": "abc"}, "VALIDATION_ERROR"),
        (["X2"], {"material_type": "scroll"}, "VALIDATION_ERROR"),
        (["X2"], {"status": "checked_out"}, "VALIDATION_ERROR"),
    ],
)
def test_bad_copies_change_nothing(record, system, barcodes, extra, code):
    items_add(actor=system, record_id=record.pk, owning_org_code="YX-GT", barcodes=["B001"])
    with pytest.raises(DomainError) as caught:
        items_add(
            actor=system, record_id=record.pk, owning_org_code="YX-GT", barcodes=barcodes, **extra
        )
    assert caught.value.code == code
    assert Item.objects.count() == 1


def test_unknown_org_and_record(record, system):
    with pytest.raises(DomainError) as org:
        items_add(actor=system, record_id=record.pk, owning_org_code="NOPE", barcodes=["Z1"])
    assert org.value.code == "ORG_UNIT_NOT_FOUND"
    with pytest.raises(DomainError) as missing:
        items_add(actor=system, record_id=999999, owning_org_code="YX-GT", barcodes=["Z1"])
    assert missing.value.code == "RECORD_NOT_FOUND"


def test_rfid_must_be_unique_when_set(record, system):
    items_add(actor=system, record_id=record.pk, owning_org_code="YX-GT", barcodes=["R1", "R2"])
    item_update(actor=system, barcode="R1", changes={"rfid": "E200-01"})
    with pytest.raises(DomainError) as caught:
        item_update(actor=system, barcode="R2", changes={"rfid": "E200-01"})
    assert caught.value.code == "RFID_TAKEN"
    item_update(actor=system, barcode="R2", changes={"rfid": ""})  # empty means none


def test_edit_move_and_withdraw(record, system):
    items_add(actor=system, record_id=record.pk, owning_org_code="YX-GT", barcodes=["W1"])
    shelf = location_create(actor=system, org_code="YX-GT", kind="shelf", code="S1", name="第1架")
    other_unit = location_create(
        actor=system, org_code="YX-DS", kind="shelf", code="S1", name="第1架"
    )
    item_update(actor=system, barcode="W1", changes={"language": "eng"})
    assert not Item.objects.get(barcode="W1").in_network_scheme  # rules re-applied on edit
    item_move(actor=system, barcode="W1", location_id=shelf.pk)
    assert Item.objects.get(barcode="W1").location == shelf
    with pytest.raises(DomainError):
        item_move(actor=system, barcode="W1", location_id=other_unit.pk)
    with pytest.raises(DomainError) as no_reason:
        item_withdraw(actor=system, barcode="W1", reason=" ")
    assert no_reason.value.code == "VALIDATION_ERROR"
    item_withdraw(actor=system, barcode="W1", reason="破损剔旧")
    item = Item.objects.get(barcode="W1")
    assert (
        item.status == ItemStatus.WITHDRAWN
        and item.withdrawal_reason == "破损剔旧"
        and item.withdrawn_on
    )
    with pytest.raises(DomainError) as again:
        item_withdraw(actor=system, barcode="W1", reason="x")
    assert again.value.code == "ALREADY_WITHDRAWN"
    with pytest.raises(DomainError) as status:
        item_update(actor=system, barcode="W1", changes={"status": "available"})
    assert status.value.code == "STATUS_OWNED_BY_CIRCULATION"


def test_loan_statuses_belong_to_circulation(record, system):
    items_add(actor=system, record_id=record.pk, owning_org_code="YX-GT", barcodes=["L1"])
    Item.objects.filter(barcode="L1").update(status=ItemStatus.CHECKED_OUT)
    with pytest.raises(DomainError) as caught:
        item_withdraw(actor=system, barcode="L1", reason="丢失")
    assert caught.value.code == "ITEM_IN_CIRCULATION"


def test_items_are_scoped_to_the_owning_subtree(record, make_staff, actor_for):
    cataloguer = actor_for(make_staff("gt_cat", "cataloguer", "YX-GT"))
    items_add(actor=cataloguer, record_id=record.pk, owning_org_code="YX-GT-SP", barcodes=["S1"])
    with pytest.raises(DomainError) as caught:
        items_add(actor=cataloguer, record_id=record.pk, owning_org_code="YX-DS", barcodes=["S2"])
    assert caught.value.code == "FORBIDDEN"
    desk = actor_for(make_staff("desk", "desk_staff", "YX-GT"))
    with pytest.raises(DomainError):
        item_withdraw(actor=desk, barcode="S1", reason="x")
    with pytest.raises(DomainError):
        record_save_fields(actor=desk, values={"title": "x"}, record_id=record.pk)


def test_list_edits_keep_untouched_fields_whole(tree, system):
    from wenjin.catalog.marc_edit import apply_common_fields
    from wenjin.lib.marc.reader import decode
    from wenjin.lib.tests.marc_factory import cnmarc

    record = decode(cnmarc(isbn="978-7-218-12345-5", authors=("张伟",))).record
    apply_common_fields(
        record, "cnmarc", {"isbns": ["9787218123455", "9787020002207"], "authors": ["张伟", "李娜"]}
    )
    isbn_fields = record.get_fields("010")
    assert isbn_fields[0]["d"] == "CNY48.00"  # the price in the kept field survives
    assert [f["a"] for f in isbn_fields] == ["978-7-218-12345-5", "9787020002207"]
    assert record.get_fields("701")[0]["4"] == "著"  # 张伟's role kept
    apply_common_fields(record, "cnmarc", {"authors": ["李娜"]})
    assert [f["a"] for f in record.get_fields("701")] == ["李娜"]
