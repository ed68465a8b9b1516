"""Editing the rules matrix: who may, what is checked, and that checkouts follow at once."""

from decimal import Decimal

import pytest

from wenjin.circulation import services
from wenjin.circulation.models import LoanRule

pytestmark = pytest.mark.django_db


def post(client, path, body, method="post"):
    return getattr(client, method)(f"/api/v1{path}", body, content_type="application/json")


@pytest.fixture
def admin(make_staff, api_client):
    return api_client(make_staff("admin", "network_admin", "GZ"))


def test_a_new_branch_rule_applies_to_the_next_checkout(admin, items, reader, system):
    created = post(
        admin,
        "/circulation/rules",
        {"name": "光塔短借", "checkout_org_code": "YX-GT", "loan_days": 7, "fee_per_day": "0.20"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["checkout_org_code"] == "YX-GT" and body["fee_per_day"] == "0.20"
    result = services.checkout(
        actor=system, item_barcode="B1", patron_barcode=reader.barcode, org_code="YX-GT"
    )
    assert result.rule.name == "光塔短借" and result.loan.fee_per_day == Decimal("0.20")
    listed = admin.get("/api/v1/circulation/rules").json()
    assert listed[0]["name"] == "光塔短借"  # most specific first


def test_changes_and_removal(admin, tree):
    rule_id = post(admin, "/circulation/rules", {"name": "临时"}).json()["id"]
    changed = post(admin, f"/circulation/rules/{rule_id}", {"max_items": 5}, method="patch")
    assert changed.json()["max_items"] == 5 and changed.json()["name"] == "临时"
    assert admin.delete(f"/api/v1/circulation/rules/{rule_id}").status_code == 204
    assert not LoanRule.objects.filter(pk=rule_id).exists()
    assert admin.delete(f"/api/v1/circulation/rules/{rule_id}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "loan_days": 0}, "loan_days"),
        ({"name": "x", "material_type": "scroll"}, "material_type"),
        ({"name": "x", "patron_category": "pirate"}, "patron_category"),
        ({"name": "x", "fee_cap": "-1"}, "fee_cap"),
        ({"loan_days": 10}, "name"),
    ],
)
def test_bad_rules_are_refused_and_nothing_is_written(admin, tree, body, field):
    before = LoanRule.objects.count()
    refused = post(admin, "/circulation/rules", body)
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "INVALID_RULE" and field in error["details"]["fields"]
    assert LoanRule.objects.count() == before


def test_only_rule_editors_may_edit(make_staff, api_client, tree):
    director = api_client(make_staff("dir", "branch_director", "YX-GT"))
    denied = post(director, "/circulation/rules", {"name": "x", "checkout_org_code": "YX-GT"})
    assert denied.status_code == 403
    district_admin = api_client(make_staff("yx_admin", "network_admin", "YX"))
    network_wide = post(district_admin, "/circulation/rules", {"name": "全网"})
    assert network_wide.status_code == 403  # a network-wide rule needs the whole network
    own = post(district_admin, "/circulation/rules", {"name": "越秀", "checkout_org_code": "YX"})
    assert own.status_code == 201
