"""Network services: tree structure, moves, deletes, hours, closures, scoping and audit."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wenjin.accounts.models import AuditEntry
from wenjin.lib.errors import DomainError
from wenjin.network import selectors, services
from wenjin.network.models import OrgUnit, ScheduleException, WeeklyHours
from wenjin.network.policies import Period, parse_periods


def codes(units):
    return [unit.code for unit in units]


def test_paths_and_depths_follow_the_tree(tree):
    assert tree["GZ"].depth == 0 and tree["YX-GT-SP"].depth == 3
    gz, yx, gt, sp = (tree[c] for c in ("GZ", "YX", "YX-GT", "YX-GT-SP"))
    assert sp.path == f"/{gz.pk}/{yx.pk}/{gt.pk}/{sp.pk}/"


def test_ancestors_descendants_and_distance_take_at_most_one_query(tree):
    sp = tree["YX-GT-SP"]
    with CaptureQueriesContext(connection) as ancestors_queries:
        chain = selectors.ancestors(sp)
    assert codes(chain) == ["GZ", "YX", "YX-GT"]
    assert len(ancestors_queries) == 1
    with CaptureQueriesContext(connection) as descendant_queries:
        below = list(selectors.descendants(tree["YX"]))
    assert sorted(codes(below)) == ["YX-DS", "YX-GT", "YX-GT-SP"]
    assert len(descendant_queries) == 1
    assert codes(selectors.descendants(tree["YX-GT"], include_self=True)) == ["YX-GT", "YX-GT-SP"]
    with CaptureQueriesContext(connection) as distance_queries:
        assert selectors.tree_distance(sp, tree["YX-DS"]) == 3
        assert selectors.tree_distance(sp, tree["HZ-A"]) == 5
        assert selectors.tree_distance(tree["YX-GT"], tree["YX-GT"]) == 0
    assert len(distance_queries) == 0


def test_descendants_do_not_leak_across_similar_paths(tree, system):
    # pk 1 vs pk 10… must not match as a string prefix: paths end with "/".
    for number in range(12):
        services.org_unit_create(
            actor=system, code=f"X{number}", kind="branch", name_zh="x", parent_code="HZ-A"
        )
    hz_a = OrgUnit.objects.get(code="HZ-A")
    assert len(list(selectors.descendants(hz_a))) == 12
    assert not selectors.descendants(OrgUnit.objects.get(code="YX-DS")).exists()


def test_create_validates_and_rejects_duplicates(tree, system):
    with pytest.raises(DomainError) as bad_code:
        services.org_unit_create(
            actor=system, code="yx gt!", kind="branch", name_zh="x", parent_code="YX"
        )
    assert bad_code.value.code == "VALIDATION_ERROR"
    with pytest.raises(DomainError) as taken:
        services.org_unit_create(
            actor=system, code="YX-GT", kind="branch", name_zh="x", parent_code="YX"
        )
    assert taken.value.code == "ORG_CODE_TAKEN" and taken.value.status == 409
    with pytest.raises(DomainError) as unknown_parent:
        services.org_unit_create(
            actor=system, code="NEW", kind="branch", name_zh="x", parent_code="NOPE"
        )
    assert unknown_parent.value.code == "ORG_UNIT_NOT_FOUND" and unknown_parent.value.status == 404
    with pytest.raises(DomainError) as bad_kind:
        services.org_unit_create(
            actor=system, code="NEW", kind="castle", name_zh="x", parent_code="YX"
        )
    assert bad_kind.value.details["fields"] == {"kind": bad_kind.value.message}
    with pytest.raises(DomainError) as bad_latitude:
        services.org_unit_create(
            actor=system, code="NEW", kind="branch", name_zh="x", parent_code="YX", latitude="95"
        )
    assert "latitude" in bad_latitude.value.details["fields"]
    assert not OrgUnit.objects.filter(code="NEW").exists()


def test_lending_atm_holds_no_units(tree, system):
    services.org_unit_create(
        actor=system, code="ATM1", kind="lending_atm", name_zh="借阅机", parent_code="YX-DS"
    )
    with pytest.raises(DomainError) as caught:
        services.org_unit_create(
            actor=system, code="ATM1-X", kind="branch", name_zh="x", parent_code="ATM1"
        )
    assert caught.value.code == "PARENT_CANNOT_HOLD_UNITS"


def test_move_carries_the_subtree(tree, system):
    services.org_unit_update(actor=system, code="YX-GT", changes={"parent_code": "HZ"})
    gt = OrgUnit.objects.get(code="YX-GT")
    sp = OrgUnit.objects.get(code="YX-GT-SP")
    hz = OrgUnit.objects.get(code="HZ")
    assert gt.parent == hz and gt.depth == 2
    assert sp.path == f"{hz.path}{gt.pk}/{sp.pk}/" and sp.depth == 3
    assert codes(selectors.ancestors(sp)) == ["GZ", "HZ", "YX-GT"]
    assert "YX-GT-SP" not in codes(selectors.descendants(OrgUnit.objects.get(code="YX")))
    entry = AuditEntry.objects.filter(action="network.unit_update", object_id=str(gt.pk)).get()
    assert entry.changes["parent_code"] == ["YX", "HZ"]


@pytest.mark.parametrize("new_parent", ["YX", "YX-GT", "YX-GT-SP"])
def test_move_into_own_subtree_is_a_cycle(tree, system, new_parent):
    with pytest.raises(DomainError) as caught:
        services.org_unit_update(actor=system, code="YX", changes={"parent_code": new_parent})
    assert caught.value.code == "TREE_CYCLE" and caught.value.status == 409
    assert OrgUnit.objects.get(code="YX").parent.code == "GZ"
    assert OrgUnit.objects.get(code="YX-GT-SP").depth == 3


def test_delete_refuses_units_with_children_or_dependants(tree, system, make_staff):
    with pytest.raises(DomainError) as has_children:
        services.org_unit_delete(actor=system, code="YX-GT")
    assert has_children.value.code == "UNIT_HAS_CHILDREN"
    make_staff("ds_desk", "desk_staff", "YX-DS")
    with pytest.raises(DomainError) as in_use:
        services.org_unit_delete(actor=system, code="YX-DS")
    assert in_use.value.code == "UNIT_IN_USE"
    assert OrgUnit.objects.filter(code="YX-DS").exists()
    assert not AuditEntry.objects.filter(action="network.unit_delete").exists()
    services.org_unit_delete(actor=system, code="YX-GT-SP")
    assert not OrgUnit.objects.filter(code="YX-GT-SP").exists()
    assert AuditEntry.objects.filter(action="network.unit_delete", org_unit__code="YX-GT").exists()


def test_unknown_code_is_reported(tree, system):
    for call in (
        lambda: services.org_unit_update(actor=system, code="NOPE", changes={"name_zh": "x"}),
        lambda: services.org_unit_delete(actor=system, code="NOPE"),
        lambda: services.weekly_hours_set(actor=system, code="NOPE", hours={}),
    ):
        with pytest.raises(DomainError) as caught:
            call()
        assert caught.value.code == "ORG_UNIT_NOT_FOUND"


def test_status_dates_must_be_in_order(tree, system):
    with pytest.raises(DomainError) as caught:
        services.org_unit_update(
            actor=system,
            code="YX-DS",
            changes={
                "status": "temporarily_closed",
                "status_from": "2026-05-01",
                "status_until": "2026-04-01",
            },
        )
    assert "status_until" in caught.value.details["fields"]
    assert OrgUnit.objects.get(code="YX-DS").status == "open"


def test_weekly_hours_replace_and_reject_overlaps(tree, system):
    services.weekly_hours_set(
        actor=system, code="YX-DS", hours={0: parse_periods("09:00-12:00, 14:00-18:00")}
    )
    assert list(
        WeeklyHours.objects.filter(org_unit__code="YX-DS").values_list("weekday", "opens_minute")
    ) == [
        (0, 540),
        (0, 840),
    ]
    with pytest.raises(DomainError) as caught:
        services.weekly_hours_set(
            actor=system, code="YX-DS", hours={1: [Period(540, 720), Period(700, 800)]}
        )
    assert caught.value.code == "OVERLAPPING_HOURS"
    with pytest.raises(DomainError) as inverted:
        services.weekly_hours_set(actor=system, code="YX-DS", hours={1: [Period(800, 700)]})
    assert inverted.value.code == "INVERTED_HOURS"
    assert WeeklyHours.objects.filter(org_unit__code="YX-DS").count() == 2  # unchanged


def test_closures_validate_dates_and_inherit_down_the_tree(tree, system):
    with pytest.raises(DomainError) as inverted:
        services.schedule_exception_add(
            actor=system,
            code="YX",
            kind="closed",
            start_date="2026-09-17",
            end_date="2026-07-10",
            reason="x",
        )
    assert inverted.value.code == "INVERTED_DATES"
    with pytest.raises(DomainError) as no_reason:
        services.schedule_exception_add(
            actor=system,
            code="YX",
            kind="closed",
            start_date="2026-07-10",
            end_date="2026-07-10",
            reason=" ",
        )
    assert "reason" in no_reason.value.details["fields"]
    with pytest.raises(DomainError):
        services.schedule_exception_add(
            actor=system,
            code="YX",
            kind="special_hours",
            start_date="2026-07-10",
            end_date="2026-07-10",
            reason="x",
        )
    assert not ScheduleException.objects.exists()

    services.schedule_exception_add(
        actor=system,
        code="YX",
        kind="closed",
        start_date=date(2026, 7, 10),
        end_date=date(2026, 9, 17),
        reason="改造",
    )
    services.schedule_exception_add(
        actor=system,
        code="GZ",
        kind="closed",
        start_date=date(2026, 10, 1),
        end_date=date(2026, 10, 1),
        reason="国庆",
        applies_to_subtree=True,
    )
    yx, gt = tree["YX"], tree["YX-GT"]
    assert not selectors.is_open_at(yx, datetime(2026, 8, 1, 10, 0))
    assert selectors.is_open_at(gt, datetime(2026, 8, 1, 10, 0))  # YX's own closure only
    assert not selectors.is_open_at(gt, datetime(2026, 10, 1, 10, 0))  # inherited from GZ
    assert selectors.next_open_day(yx, date(2026, 7, 10)) == date(2026, 9, 18)
    assert selectors.next_open_day(gt, date(2026, 10, 1)) == date(2026, 10, 2)


def test_is_open_at_reads_aware_times_in_library_time(tree):
    from zoneinfo import ZoneInfo

    # 01:30 UTC is 09:30 in Shanghai: open; 14:00 UTC is 22:00 in Shanghai: closed.
    assert selectors.is_open_at(tree["YX"], datetime(2026, 3, 6, 1, 30, tzinfo=ZoneInfo("UTC")))
    assert not selectors.is_open_at(tree["YX"], datetime(2026, 3, 6, 14, 0, tzinfo=ZoneInfo("UTC")))


def test_open_states_for_the_whole_tree_take_two_queries(tree):
    units = list(OrgUnit.objects.all())
    with CaptureQueriesContext(connection) as queries:
        states = selectors.open_states(units, datetime(2026, 3, 6, 10, 0))
    assert len(queries) == 2
    assert all(state.is_open for state in states.values())


def test_partners(tree, system):
    partnership = services.partnership_add(
        actor=system, code="YX-GT", partner_name_zh="启文教育", partner_kind="company", role="共建"
    )
    assert partnership.partner.kind == "company"
    with pytest.raises(DomainError) as again:
        services.partnership_add(
            actor=system, code="YX-GT", partner_name_zh="启文教育", partner_kind="company"
        )
    assert again.value.code == "PARTNERSHIP_EXISTS"
    services.partnership_remove(actor=system, partnership_id=partnership.pk)
    assert not tree["YX-GT"].partnerships.exists()


# --- Scoping ------------------------------------------------------------------------------


def test_branch_director_acts_in_own_subtree_only(tree, make_staff, actor_for):
    director = actor_for(make_staff("gt_director", "branch_director", "YX-GT"))
    services.org_unit_update(actor=director, code="YX-GT", changes={"phone": "020-1"})
    services.weekly_hours_set(
        actor=director, code="YX-GT-SP", hours={5: parse_periods("09:00-17:00")}
    )
    services.schedule_exception_add(
        actor=director,
        code="YX-GT",
        kind="closed",
        start_date="2026-12-01",
        end_date="2026-12-01",
        reason="盘点",
    )
    for forbidden in (
        lambda: services.org_unit_update(actor=director, code="YX-DS", changes={"phone": "020-2"}),
        lambda: services.org_unit_update(actor=director, code="YX", changes={"phone": "020-2"}),
        lambda: services.weekly_hours_set(actor=director, code="YX-DS", hours={}),
        lambda: services.schedule_exception_add(
            actor=director,
            code="YX-DS",
            kind="closed",
            start_date="2026-12-01",
            end_date="2026-12-01",
            reason="x",
        ),
        # Directors edit their units but do not reshape the network.
        lambda: services.org_unit_create(
            actor=director, code="YX-GT-2", kind="service_point", name_zh="x", parent_code="YX-GT"
        ),
        lambda: services.org_unit_update(
            actor=director, code="YX-GT-SP", changes={"parent_code": "YX-GT"}
        ),
        lambda: services.org_unit_delete(actor=director, code="YX-GT-SP"),
    ):
        with pytest.raises(DomainError) as caught:
            forbidden()
        assert caught.value.code == "FORBIDDEN" and caught.value.status == 403
    assert OrgUnit.objects.get(code="YX-DS").phone == ""
    assert OrgUnit.objects.get(code="YX-GT").phone == "020-1"
    assert ScheduleException.objects.filter(org_unit__code="YX-DS").count() == 0


def test_district_admin_cannot_touch_another_district(tree, make_staff, actor_for):
    admin = actor_for(make_staff("yx_admin", "network_admin", "YX"))
    services.org_unit_create(
        actor=admin, code="YX-NEW", kind="branch", name_zh="新馆", parent_code="YX"
    )
    with pytest.raises(DomainError) as caught:
        services.org_unit_create(
            actor=admin, code="HZ-NEW", kind="branch", name_zh="新馆", parent_code="HZ"
        )
    assert caught.value.code == "FORBIDDEN"
    with pytest.raises(DomainError):  # moving a unit out of its subtree needs rights there too
        services.org_unit_update(actor=admin, code="YX-NEW", changes={"parent_code": "HZ"})
    assert OrgUnit.objects.get(code="YX-NEW").parent.code == "YX"
    with pytest.raises(DomainError) as root:
        services.org_unit_create(
            actor=admin, code="ROOT2", kind="city_center", name_zh="x", parent_code=None
        )
    assert root.value.code == "ROOT_UNIT_NOT_ALLOWED"


def test_staff_without_roles_can_do_nothing(tree, make_staff, actor_for):
    nobody = actor_for(make_staff("nobody", None, "YX"))
    with pytest.raises(DomainError):
        services.org_unit_update(actor=nobody, code="YX", changes={"phone": "1"})


def test_every_change_is_audited_with_who_where_and_what(tree, make_staff, actor_for):
    director = make_staff("gt_director", "branch_director", "YX-GT")
    services.org_unit_update(
        actor=actor_for(director), code="YX-GT", changes={"name_en": "Guangta"}
    )
    entry = AuditEntry.objects.get(action="network.unit_update")
    assert entry.actor == director and entry.actor_label == "gt_director" and entry.via == "test"
    assert entry.org_unit.code == "YX-GT" and entry.org_path == tree["YX-GT"].path
    assert entry.object_type == "network.orgunit" and entry.object_id == str(tree["YX-GT"].pk)
    assert entry.changes == {"name_en": ["", "Guangta"]}
    # A change that changes nothing writes nothing.
    services.org_unit_update(
        actor=actor_for(director), code="YX-GT", changes={"name_en": "Guangta"}
    )
    assert AuditEntry.objects.filter(action="network.unit_update").count() == 1


def test_upcoming_exceptions_include_inherited(tree, system):
    today = date.today()
    services.schedule_exception_add(
        actor=system,
        code="GZ",
        kind="closed",
        start_date=today + timedelta(days=3),
        end_date=today + timedelta(days=3),
        reason="全市闭馆",
        applies_to_subtree=True,
    )
    services.schedule_exception_add(
        actor=system,
        code="GZ",
        kind="closed",
        start_date=today + timedelta(days=4),
        end_date=today + timedelta(days=4),
        reason="仅中心馆",
    )
    reasons = [e.reason for e in selectors.upcoming_exceptions(tree["YX-GT"], today)]
    assert reasons == ["全市闭馆"]


def test_move_and_other_changes_in_one_update_all_stick(tree, system, make_staff):
    make_staff("ds_dir", "branch_director", "YX-DS")
    services.org_unit_update(
        actor=system,
        code="YX-GT-SP",
        changes={
            "parent_code": "YX-DS",
            "kind": "self_service_library",
            "director_username": "ds_dir",
            "phone": "1",
        },
    )
    unit = OrgUnit.objects.get(code="YX-GT-SP")
    assert (unit.parent.code, unit.kind, unit.director.username, unit.phone) == (
        "YX-DS",
        "self_service_library",
        "ds_dir",
        "1",
    )
    assert unit.path == f"{tree['YX-DS'].path}{unit.pk}/"


def test_unstaffed_units_keep_their_hours_and_own_exceptions_win(tree, system):
    services.org_unit_create(
        actor=system,
        code="YX-24H",
        kind="self_service_library",
        name_zh="24小时",
        parent_code="YX-GT",
    )
    services.weekly_hours_set(
        actor=system, code="YX-24H", hours={d: parse_periods("00:00-24:00") for d in range(7)}
    )
    services.schedule_exception_add(
        actor=system,
        code="YX",
        kind="special_hours",
        start_date="2026-12-31",
        end_date="2026-12-31",
        reason="跨年夜提前闭馆",
        period=Period(540, 1020),
        applies_to_subtree=True,
    )
    services.schedule_exception_add(
        actor=system,
        code="GZ",
        kind="closed",
        start_date="2027-01-01",
        end_date="2027-01-01",
        reason="元旦",
        applies_to_subtree=True,
    )
    services.schedule_exception_add(
        actor=system,
        code="YX-GT",
        kind="special_hours",
        start_date="2027-01-01",
        end_date="2027-01-01",
        reason="元旦照常开放",
        period=Period(600, 960),
    )
    machine = OrgUnit.objects.get(code="YX-24H")
    assert selectors.is_open_at(machine, datetime(2026, 12, 31, 20, 0))
    assert selectors.is_open_at(machine, datetime(2027, 1, 1, 3, 0))
    assert not selectors.is_open_at(tree["YX-DS"], datetime(2026, 12, 31, 20, 0))
    assert not selectors.is_open_at(tree["YX-DS"], datetime(2027, 1, 1, 11, 0))
    assert selectors.is_open_at(tree["YX-GT"], datetime(2027, 1, 1, 11, 0))  # its own opening wins


def test_long_values_are_refused_before_the_database(tree, system):
    for changes in ({"phone": "1" * 41}, {"name_en": "x" * 151}, {"sort_order": 2**40}):
        with pytest.raises(DomainError) as caught:
            services.org_unit_update(actor=system, code="YX-DS", changes=changes)
        assert caught.value.code == "VALIDATION_ERROR"


def test_hours_with_spaces_and_chinese_dashes():
    assert parse_periods("09:00 - 12:00，14:00至18:00") == [Period(540, 720), Period(840, 1080)]
