"""The org-unit API and the contracts every API answer keeps (error shape, envelope, JSON)."""

import json
from datetime import datetime

import pytest

from wenjin.accounts.models import AuditEntry
from wenjin.network import services
from wenjin.network.models import OrgUnit


def error_of(response):
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) <= {"code", "message", "details"}
    assert body["error"]["message"]
    return body["error"]["code"]


def test_tree_is_nested_and_wrapped_in_the_list_envelope(tree, client):
    response = client.get("/api/v1/org-units")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["count"] == 7 and body["page"] == 1
    (root,) = body["results"]
    assert root["code"] == "GZ" and root["parent"] is None
    yx = next(child for child in root["children"] if child["code"] == "YX")
    assert [c["code"] for c in yx["children"]] == ["YX-DS", "YX-GT"]
    assert yx["children"][1]["children"][0]["parent"] == "YX-GT"


def test_flat_list_pages_and_filters(tree, client):
    body = client.get("/api/v1/org-units?flat=true&page_size=2&page=2").json()
    assert body["count"] == 7 and body["page"] == 2 and body["page_size"] == 2
    assert len(body["results"]) == 2 and "children" not in body["results"][0]
    under = client.get("/api/v1/org-units?flat=true&under=YX&kind=branch").json()
    assert [u["code"] for u in under["results"]] == ["YX-DS"]


def test_chinese_is_not_escaped(tree, client):
    raw = client.get("/api/v1/org-units/YX").content.decode("utf-8")
    assert "YX馆" in raw and "\\u" not in raw


def test_unit_detail_has_hours_and_open_now(tree, client, system, make_staff):
    from unittest import mock

    services.org_unit_update(
        actor=system,
        code="YX-GT",
        changes={"director_username": make_staff("gt_dir", None, "YX-GT").username},
    )
    services.schedule_exception_add(
        actor=system,
        code="YX",
        kind="closed",
        start_date="2099-01-01",
        end_date="2099-01-02",
        reason="测试闭馆",
        applies_to_subtree=True,
    )
    body = client.get("/api/v1/org-units/YX-GT").json()
    assert body["ancestors"] == ["GZ", "YX"] and body["children"] == ["YX-GT-SP"]
    assert body["opening_hours"][0] == {"weekday": 0, "periods": ["09:00-21:00"]}
    assert body["closures"][0]["org_code"] == "YX"
    assert body["closures"][0]["start_date"] == "2099-01-01"
    assert body["director"] == {"display_name": "gt_dir"}  # no username for anonymous callers
    with mock.patch(
        "wenjin.network.selectors.local_now", return_value=datetime(2026, 3, 6, 21, 30)
    ):
        evening = client.get("/api/v1/org-units/YX-GT").json()
    assert evening["is_open_now"] is False and evening["today"]["date"] == "2026-03-06"
    assert evening["next_opening"] == "2026-03-07T09:00:00+08:00"
    with mock.patch("wenjin.network.selectors.local_now", return_value=datetime(2026, 3, 6, 10, 0)):
        morning = client.get("/api/v1/org-units/YX-GT").json()
    assert morning["is_open_now"] is True and morning["next_opening"] is None
    assert morning["today"]["periods"] == ["09:00-21:00"]


def test_unknown_code_is_404_with_the_error_shape(tree, client):
    response = client.get("/api/v1/org-units/NOPE")
    assert response.status_code == 404 and error_of(response) == "ORG_UNIT_NOT_FOUND"


def test_unknown_path_and_wrong_method_keep_the_error_shape(tree, client):
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and error_of(missing) == "NOT_FOUND"
    wrong_method = client.put("/api/v1/org-units", data="{}", content_type="application/json")
    assert wrong_method.status_code == 405 and error_of(wrong_method) == "METHOD_NOT_ALLOWED"


def test_writes_need_a_token(tree, client):
    response = client.patch("/api/v1/org-units/YX", {"phone": "1"}, content_type="application/json")
    assert response.status_code == 401 and error_of(response) == "UNAUTHENTICATED"


def test_director_patches_own_unit_but_not_a_sibling(tree, make_staff, api_client):
    client = api_client(make_staff("gt_director", "branch_director", "YX-GT"))
    ok = client.patch(
        "/api/v1/org-units/YX-GT", {"phone": "020-83333333"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["phone"] == "020-83333333"
    denied = client.patch(
        "/api/v1/org-units/YX-DS", {"phone": "x"}, content_type="application/json"
    )
    assert denied.status_code == 403 and error_of(denied) == "FORBIDDEN"
    assert OrgUnit.objects.get(code="YX-DS").phone == ""
    move = client.patch(
        "/api/v1/org-units/YX-GT-SP", {"parent_code": "YX"}, content_type="application/json"
    )
    assert move.status_code == 403


def test_validation_errors_name_the_fields(tree, make_staff, api_client):
    client = api_client(make_staff("admin", "network_admin", "GZ"))
    response = client.post("/api/v1/org-units", {"code": "NEW"}, content_type="application/json")
    assert response.status_code == 400 and error_of(response) == "VALIDATION_ERROR"
    fields = response.json()["error"]["details"]["fields"]
    assert {"kind", "name_zh", "parent_code"} <= set(fields)
    bad_kind = client.post(
        "/api/v1/org-units",
        {"code": "NEW", "kind": "castle", "name_zh": "新馆", "parent_code": "YX"},
        content_type="application/json",
    )
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()["error"]["details"]["fields"]
    malformed = client.post("/api/v1/org-units", data="{not json", content_type="application/json")
    assert malformed.status_code == 400 and error_of(malformed) == "MALFORMED_JSON"
    assert not OrgUnit.objects.filter(code="NEW").exists()


def test_admin_creates_moves_and_deletes_through_the_api(tree, make_staff, api_client):
    client = api_client(make_staff("admin", "network_admin", "GZ"))
    created = client.post(
        "/api/v1/org-units",
        {
            "code": "YX-NEW",
            "kind": "branch",
            "name_zh": "新分馆",
            "parent_code": "YX",
            "latitude": "23.13",
        },
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["latitude"] == 23.13
    cycle = client.patch(
        "/api/v1/org-units/YX", {"parent_code": "YX-NEW"}, content_type="application/json"
    )
    assert cycle.status_code == 409 and error_of(cycle) == "TREE_CYCLE"
    has_children = client.delete("/api/v1/org-units/YX")
    assert has_children.status_code == 409 and error_of(has_children) == "UNIT_HAS_CHILDREN"
    assert client.delete("/api/v1/org-units/YX-NEW").status_code == 204
    assert client.get("/api/v1/org-units/YX-NEW").status_code == 404
    actions = list(AuditEntry.objects.filter(via="api").values_list("action", flat=True))
    assert "network.unit_create" in actions and "network.unit_delete" in actions


def test_opening_hours_and_closures_through_the_api(tree, make_staff, api_client):
    client = api_client(make_staff("gt_director", "branch_director", "YX-GT"))
    hours = client.put(
        "/api/v1/org-units/YX-GT/opening-hours",
        {"weekly": [{"weekday": 5, "periods": ["09:00-12:00", "14:00-18:00"]}]},
        content_type="application/json",
    )
    assert hours.status_code == 200
    assert hours.json()["opening_hours"] == [
        {"weekday": 5, "periods": ["09:00-12:00", "14:00-18:00"]}
    ]
    overlap = client.put(
        "/api/v1/org-units/YX-GT/opening-hours",
        {"weekly": [{"weekday": 1, "periods": ["09:00-12:00, 11:00-13:00"]}]},
        content_type="application/json",
    )
    assert overlap.status_code == 400 and error_of(overlap) == "OVERLAPPING_HOURS"
    inverted = client.post(
        "/api/v1/org-units/YX-GT/closures",
        {"kind": "closed", "start_date": "2026-09-17", "end_date": "2026-07-10", "reason": "改造"},
        content_type="application/json",
    )
    assert inverted.status_code == 400 and error_of(inverted) == "INVERTED_DATES"
    special = client.post(
        "/api/v1/org-units/YX-GT/closures",
        {
            "kind": "special_hours",
            "start_date": "2026-12-31",
            "end_date": "2026-12-31",
            "reason": "跨年",
            "hours": "10:00-16:00",
        },
        content_type="application/json",
    )
    assert special.status_code == 201 and special.json()["hours"] == "10:00-16:00"
    closure_id = special.json()["id"]
    assert client.delete(f"/api/v1/org-units/YX-DS/closures/{closure_id}").status_code == 404
    assert client.delete(f"/api/v1/org-units/YX-GT/closures/{closure_id}").status_code == 204


def test_openapi_document_lists_the_endpoints(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert (
        "/api/v1/org-units" in document["paths"] and "/api/v1/org-units/{code}" in document["paths"]
    )
    assert "/api/v1/auth/tokens" in document["paths"]


@pytest.mark.parametrize("path", ["/api/v1/docs"])
def test_api_docs_use_no_cdn(client, db, path):
    html = client.get(path).content.decode()
    assert "cdn." not in html and "/static/" in html
