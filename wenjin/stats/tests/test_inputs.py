"""Annual inputs through the service and the selectors: keys replaced and kept, all or
nothing, the year's form, who/when and the audit trail, the stats.inputs scope, and a
subtree's sums with their contributors."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from wenjin.accounts.models import AuditEntry
from wenjin.lib.errors import Forbidden, NotFound, ValidationFailed
from wenjin.stats.models import AnnualInput
from wenjin.stats.selectors_inputs import annual_inputs, annual_inputs_subtree, keys_for_year
from wenjin.stats.services.inputs import annual_inputs_set
from wenjin.tests.concurrency import run_together


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the catalogue translates them to Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def statistician(actor_with):
    return actor_with("statistician", "YX")


def stored(unit_code: str, year: int) -> dict[str, Decimal]:
    rows = AnnualInput.objects.filter(org_unit__code=unit_code, year=year)
    return {row.key: row.value for row in rows}


@pytest.mark.django_db
class TestSet:
    def test_keys_sent_are_replaced_and_the_others_kept(self, tree, statistician):
        annual_inputs_set(
            actor=statistician,
            org_code="YX",
            year=2025,
            values={"computers": 120, "shelf_length_m": "1520.5", "digital_text_tb": 2.125},
        )
        changes = annual_inputs_set(
            actor=statistician, org_code="YX", year=2025, values={"computers": "130"}
        )
        assert changes == {"computers": (Decimal("120"), Decimal("130"))}
        assert stored("YX", 2025) == {
            "computers": Decimal("130"),
            "shelf_length_m": Decimal("1520.5"),
            "digital_text_tb": Decimal("2.125"),
        }
        row = AnnualInput.objects.get(key="computers")
        assert (row.entered_by, row.entered_by_label) == (statistician.user, statistician.label)
        assert timezone.now() - row.entered_at < timedelta(minutes=1)

    def test_the_audit_entry_holds_old_and_new_values(self, tree, statistician):
        annual_inputs_set(
            actor=statistician, org_code="YX", year=2025, values={"shelf_length_m": "10.5"}
        )
        annual_inputs_set(
            actor=statistician,
            org_code="YX",
            year=2025,
            values={"shelf_length_m": "12", "computers": 3},
        )
        entries = AuditEntry.objects.filter(action="stats.inputs").order_by("pk")
        assert [entry.changes for entry in entries] == [
            {"year": 2025, "values": {"shelf_length_m": [None, "10.5"]}},
            {"year": 2025, "values": {"shelf_length_m": ["10.5", "12"], "computers": [None, "3"]}},
        ]
        assert entries.last().org_unit == tree["YX"]

    def test_an_unchanged_value_is_not_rewritten_nor_audited(self, tree, statistician, actor_with):
        annual_inputs_set(actor=statistician, org_code="YX", year=2025, values={"computers": 5})
        other = actor_with("statistician", "GZ")
        changes = annual_inputs_set(
            actor=other, org_code="YX", year=2025, values={"computers": "5.0"}
        )
        assert changes == {}
        assert AnnualInput.objects.get().entered_by_label == statistician.label
        assert AuditEntry.objects.filter(action="stats.inputs").count() == 1

    def test_none_clears_a_key(self, tree, statistician):
        annual_inputs_set(
            actor=statistician,
            org_code="YX",
            year=2025,
            values={"computers": 5, "website_visits": 9},
        )
        annual_inputs_set(actor=statistician, org_code="YX", year=2025, values={"computers": None})
        assert stored("YX", 2025) == {"website_visits": Decimal("9")}
        assert AuditEntry.objects.filter(action="stats.inputs").order_by("pk").last().changes[
            "values"
        ] == {"computers": ["5", None]}

    @pytest.mark.parametrize(
        ("values", "code", "key"),
        [
            ({"computers": 3, "bogus": 1}, "INPUT_UNKNOWN_KEY", "bogus"),
            ({"computers": 3, "shelf_length_m": "12.25"}, "INPUT_TOO_PRECISE", "shelf_length_m"),
            ({"computers": "3.5"}, "INPUT_TOO_PRECISE", "computers"),
            ({"website_visits": -1}, "INPUT_NEGATIVE", "website_visits"),
            ({"website_visits": "lots"}, "INPUT_NOT_A_NUMBER", "website_visits"),
            ({"website_visits": True}, "INPUT_NOT_A_NUMBER", "website_visits"),
            ({"website_visits": "1e13"}, "INPUT_TOO_LARGE", "website_visits"),
            ({"computers": 3, "ebooks_purchased": 100}, "INPUT_NOT_ASKED", "ebooks_purchased"),
        ],
    )
    def test_one_bad_key_stores_nothing_and_is_named(self, tree, statistician, values, code, key):
        with pytest.raises(ValidationFailed) as refused:
            annual_inputs_set(actor=statistician, org_code="YX", year=2025, values=values)
        assert refused.value.code == "VALIDATION_ERROR"
        assert refused.value.details["reason"] == code
        assert list(refused.value.details["fields"]) == [key]
        assert AnnualInput.objects.count() == 0
        assert not AuditEntry.objects.filter(action="stats.inputs").exists()

    def test_every_bad_key_is_named(self, tree, statistician):
        with pytest.raises(ValidationFailed) as refused:
            annual_inputs_set(
                actor=statistician,
                org_code="YX",
                year=2025,
                values={"bogus": 1, "computers": -2, "website_visits": 4},
            )
        assert set(refused.value.details["fields"]) == {"bogus", "computers"}
        assert "bogus" in refused.value.message and "computers" in refused.value.message

    def test_the_years_form_decides_which_keys_are_asked(self, tree, statistician):
        annual_inputs_set(
            actor=statistician, org_code="YX", year=2019, values={"ebooks_self_built": 3000}
        )
        with pytest.raises(ValidationFailed) as refused:
            annual_inputs_set(
                actor=statistician, org_code="YX", year=2019, values={"av_resources_khours": 1}
            )
        assert refused.value.details["reason"] == "INPUT_NOT_ASKED"
        assert "2019" in refused.value.message
        annual_inputs_set(
            actor=statistician, org_code="YX", year=2020, values={"av_resources_khours": "1.25"}
        )
        assert stored("YX", 2019) == {"ebooks_self_built": Decimal("3000")}

    @pytest.mark.parametrize("year", [1949, 2101])
    def test_a_year_out_of_range_is_refused(self, tree, statistician, year):
        with pytest.raises(ValidationFailed) as refused:
            annual_inputs_set(actor=statistician, org_code="YX", year=year, values={"computers": 1})
        assert refused.value.details["reason"] == "INPUT_BAD_YEAR"

    def test_sending_nothing_is_refused(self, tree, statistician):
        with pytest.raises(ValidationFailed) as refused:
            annual_inputs_set(actor=statistician, org_code="YX", year=2025, values={})
        assert refused.value.code == "VALIDATION_ERROR"

    def test_an_unknown_unit_is_not_found(self, tree, statistician):
        with pytest.raises(NotFound):
            annual_inputs_set(
                actor=statistician, org_code="NOPE", year=2025, values={"computers": 1}
            )


@pytest.mark.django_db
class TestScope:
    def test_outside_the_subtree_is_refused(self, tree, actor_with):
        gt = actor_with("statistician", "YX-GT")
        annual_inputs_set(actor=gt, org_code="YX-GT-SP", year=2025, values={"computers": 2})
        with pytest.raises(Forbidden) as refused:
            annual_inputs_set(actor=gt, org_code="YX", year=2025, values={"computers": 2})
        assert refused.value.details["permission"] == "stats.inputs"
        assert stored("YX", 2025) == {}

    @pytest.mark.parametrize("role", ["branch_director", "desk_staff", "cataloguer", None])
    def test_roles_without_stats_inputs_are_refused(self, tree, actor_with, role):
        with pytest.raises(Forbidden):
            annual_inputs_set(
                actor=actor_with(role, "YX"), org_code="YX", year=2025, values={"computers": 2}
            )
        assert AnnualInput.objects.count() == 0


@pytest.mark.django_db
class TestReads:
    def test_a_units_inputs_follow_the_years_form(self, tree, statistician):
        annual_inputs_set(actor=statistician, org_code="YX", year=2025, values={"computers": 8})
        values = annual_inputs(tree["YX"], 2025)
        assert [item.key for item in values] == [spec.key for spec in keys_for_year(2025)]
        assert "ebooks_self_built" not in [item.key for item in values]
        computers = next(item for item in values if item.key == "computers")
        assert (computers.value, computers.entered_by, computers.display) == (
            Decimal("8"),
            statistician.label,
            "8",
        )
        shelf = next(item for item in values if item.key == "shelf_length_m")
        assert (shelf.value, shelf.entered_at, shelf.display) == (None, None, "")
        assert "ebooks_self_built" in [item.key for item in annual_inputs(tree["YX"], 2019)]

    def test_a_subtree_sums_its_units_and_lists_the_contributors(self, tree, actor_with):
        yx, gt = actor_with("statistician", "YX"), actor_with("statistician", "YX-GT")
        annual_inputs_set(
            actor=yx, org_code="YX", year=2025, values={"computers": 100, "shelf_length_m": "1.5"}
        )
        annual_inputs_set(
            actor=gt, org_code="YX-GT", year=2025, values={"computers": 20, "shelf_length_m": "2"}
        )
        annual_inputs_set(actor=gt, org_code="YX-GT-SP", year=2025, values={"computers": 3})
        annual_inputs_set(actor=yx, org_code="YX-DS", year=2024, values={"computers": 50})
        annual_inputs_set(
            actor=actor_with("statistician", "HZ"),
            org_code="HZ",
            year=2025,
            values={"computers": 9},
        )

        whole = annual_inputs_subtree(tree["YX"], 2025)
        assert list(whole) == [spec.key for spec in keys_for_year(2025)]
        assert whole["computers"]["value"] == Decimal("123")
        assert str(whole["shelf_length_m"]["value"]) == "3.5"
        assert [c["org_code"] for c in whole["computers"]["entered"]] == ["YX", "YX-GT", "YX-GT-SP"]
        assert whole["computers"]["entered"][1]["by"] == gt.label
        assert whole["computers"]["entered"][0]["at"].endswith("+08:00")
        assert whole["website_visits"] == {"value": None, "entered": []}

        branch = annual_inputs_subtree(tree["YX-GT"], 2025)
        assert branch["computers"]["value"] == Decimal("23")
        assert annual_inputs_subtree(tree["YX-DS"], 2025)["computers"]["value"] is None


@pytest.mark.django_db(transaction=True)
def test_two_statisticians_saving_the_same_key_at_once_leave_one_row(tree, system):
    outcomes = run_together(
        [
            lambda value=value: annual_inputs_set(
                actor=system,
                org_code="YX",
                year=2025,
                values={"computers": value, "website_visits": value},
            )
            for value in (10, 20)
        ]
    )
    assert all(isinstance(outcome, dict) for outcome in outcomes), outcomes
    rows = AnnualInput.objects.filter(year=2025)
    assert rows.count() == 2
    assert len({row.value for row in rows}) == 1  # both keys from the same, last writer
