"""Shelving locations: nesting, call-number ranges, labels."""

import pytest

from wenjin.catalog.policies import call_number_key, shelf_holds
from wenjin.catalog.selectors import location_labels, location_tree
from wenjin.catalog.services import location_create, location_delete
from wenjin.lib.errors import DomainError


def test_call_number_order_follows_clc():
    ordered = ["I247.5/2", "I247.5/10", "I247.57/1", "I248/1", "K296.5/3", "TP18/1", "TP311/2"]
    assert sorted(ordered, key=call_number_key) == ordered
    assert shelf_holds("I247.5/12", "I200", "I247")
    assert shelf_holds("I247/1", "I200", "I247.9")
    assert not shelf_holds("I248/1", "I200", "I247")
    assert not shelf_holds("H31/1", "I200", "I247")
    assert not shelf_holds("I247/1", "", "")


def test_tree_labels_and_nesting(tree, system):
    floor = location_create(actor=system, org_code="YX-GT", kind="floor", code="F3", name="3楼")
    area = location_create(
        actor=system, org_code="YX-GT", kind="area", code="F3-B", name="B区", parent_id=floor.pk
    )
    shelf = location_create(
        actor=system,
        org_code="YX-GT",
        kind="shelf",
        code="F3-B-12",
        name="第12排",
        parent_id=area.pk,
        call_number_from="I200",
        call_number_to="I247",
        geometry=(10, 20, 8, 2),
    )
    layer = location_create(
        actor=system,
        org_code="YX-GT",
        kind="layer",
        code="F3-B-12-4",
        name="第4层",
        parent_id=shelf.pk,
    )
    assert location_labels({tree["YX-GT"].pk})[layer.pk] == "3楼 B区 第12排 第4层"
    (root,) = location_tree(tree["YX-GT"])
    assert (
        root.location == floor
        and root.children[0].children[0].children[0].label == "3楼 B区 第12排 第4层"
    )
    with pytest.raises(DomainError) as nesting:
        location_create(
            actor=system, org_code="YX-GT", kind="floor", code="BAD", name="x", parent_id=layer.pk
        )
    assert nesting.value.code == "BAD_LOCATION_NESTING"
    with pytest.raises(DomainError) as taken:
        location_create(actor=system, org_code="YX-GT", kind="floor", code="F3", name="x")
    assert taken.value.code == "LOCATION_CODE_TAKEN"
    with pytest.raises(DomainError) as inverted:
        location_create(
            actor=system,
            org_code="YX-GT",
            kind="shelf",
            code="S9",
            name="x",
            call_number_from="K",
            call_number_to="I",
        )
    assert inverted.value.code == "INVERTED_RANGE"
    with pytest.raises(DomainError) as foreign_parent:
        location_create(
            actor=system, org_code="YX-DS", kind="area", code="A", name="x", parent_id=floor.pk
        )
    assert foreign_parent.value.code == "VALIDATION_ERROR"
    with pytest.raises(DomainError) as in_use:
        location_delete(actor=system, location_id=floor.pk)
    assert in_use.value.code == "LOCATION_IN_USE"
    location_delete(actor=system, location_id=layer.pk)


def test_locations_are_scoped(tree, make_staff, actor_for):
    director = actor_for(make_staff("d", "branch_director", "YX-GT"))
    location_create(actor=director, org_code="YX-GT", kind="floor", code="F1", name="1楼")
    with pytest.raises(DomainError) as caught:
        location_create(actor=director, org_code="YX-DS", kind="floor", code="F1", name="1楼")
    assert caught.value.code == "FORBIDDEN"
