"""The data-entry API: gate counts (one slot or a list, and the list of a unit's counts)
and annual inputs, with their answers to bad input, missing tokens and scopes."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from wenjin.stats.models import AnnualInput, GateCount
from wenjin.stats.tests.conftest import days_ago

pytestmark = pytest.mark.django_db

GATE = "/api/v1/stats/gate-counts"


def inputs_url(year: int, org: str) -> str:
    return f"/api/v1/stats/inputs/{year}/{org}"


def post(client, body, url=GATE):
    return client.post(url, json.dumps(body), content_type="application/json")


def put(client, body, url):
    return client.put(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def desk(api_client, make_staff):
    """A client for desk staff at YX-GT (stats.gate there, no stats.view)."""
    return api_client(make_staff("gt_desk", "desk_staff", "YX-GT"))


@pytest.fixture
def statistician(api_client, make_staff):
    return api_client(make_staff("yx_stat", "statistician", "YX"))


def error_code(response) -> str:
    return response.json()["error"]["code"]


class TestPostGateCounts:
    def test_a_daily_count_is_created_then_replaced(self, tree, desk):
        response = post(desk, {"org_code": "YX-GT", "date": "2025-03-07", "count": 410})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body | {"recorded_at": None} == {
            "org_code": "YX-GT",
            "date": "2025-03-07",
            "hour": None,
            "count": 410,
            "source": "api",
            "recorded_at": None,
            "recorded_by": "gt_desk",
            "status": "created",
            "previous": None,
        }
        assert body["recorded_at"].endswith("+08:00")
        again = post(desk, {"org_code": "YX-GT", "date": "2025-03-07", "count": 420})
        assert again.status_code == 200
        assert (again.json()["status"], again.json()["previous"]) == ("updated", 410)
        assert GateCount.objects.get().count == 420

    def test_an_hourly_count_and_the_mixing_refusal(self, tree, desk):
        response = post(desk, {"org_code": "YX-GT", "date": "2025-03-07", "hour": 9, "count": 30})
        assert response.status_code == 201 and response.json()["hour"] == 9
        mixed = post(desk, {"org_code": "YX-GT", "date": "2025-03-07", "count": 400})
        assert mixed.status_code == 409
        assert error_code(mixed) == "GATE_COUNT_MIXED"

    @pytest.mark.parametrize(
        ("body", "status", "code"),
        [
            ({"org_code": "NOPE", "date": "2025-03-07", "count": 1}, 404, "ORG_UNIT_NOT_FOUND"),
            (
                {"org_code": "YX-GT", "date": "2025-03-07", "hour": 24, "count": 1},
                400,
                "VALIDATION_ERROR",
            ),
            ({"org_code": "YX-GT", "date": "2025-03-07", "count": -5}, 400, "VALIDATION_ERROR"),
            ({"org_code": "YX-GT", "date": "1900-01-01", "count": 5}, 400, "VALIDATION_ERROR"),
            ({"org_code": "YX-GT", "date": "2025-03-07"}, 400, "VALIDATION_ERROR"),
            ({"org_code": "YX-GT", "date": "7/3/2025", "count": 5}, 400, "VALIDATION_ERROR"),
            ({"org_code": "YX-GT", "date": "2025-03-07", "count": "many"}, 400, "VALIDATION_ERROR"),
            ({"org_code": "HZ-A", "date": "2025-03-07", "count": 5}, 403, "FORBIDDEN"),
        ],
    )
    def test_bad_slots(self, tree, desk, body, status, code):
        response = post(desk, body)
        assert response.status_code == status, response.content
        assert error_code(response) == code
        assert GateCount.objects.count() == 0

    def test_a_future_date_is_refused(self, tree, desk):
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        response = post(desk, {"org_code": "YX-GT", "date": tomorrow, "count": 5})
        assert (response.status_code, error_code(response)) == (400, "VALIDATION_ERROR")
        assert response.json()["error"]["details"]["reason"] == "GATE_DATE_FUTURE"

    def test_a_missing_or_bad_token_is_refused(self, tree, api_client):
        body = {"org_code": "YX-GT", "date": "2025-03-07", "count": 5}
        response = post(api_client(None), body)
        assert (response.status_code, error_code(response)) == (401, "UNAUTHENTICATED")
        client = api_client(None)
        response = client.post(
            GATE, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION="Bearer x"
        )
        assert response.status_code == 401
        assert GateCount.objects.count() == 0

    def test_a_role_without_stats_gate_is_refused(self, tree, api_client, make_staff):
        client = api_client(make_staff("cat", "cataloguer", "YX"))
        response = post(client, {"org_code": "YX-GT", "date": "2025-03-07", "count": 5})
        assert (response.status_code, error_code(response)) == (403, "FORBIDDEN")

    def test_a_list_stores_the_good_items_and_reports_each_bad_one(self, tree, desk):
        response = post(
            desk,
            [
                {"org_code": "YX-GT", "date": "2025-03-07", "hour": 9, "count": 30},
                {"org_code": "YX-GT", "date": "2025-03-07", "count": 400},
                {"org_code": "YX-GT-SP", "date": "2025-03-07", "hour": 30, "count": 1},
                {"org_code": "YX-GT", "date": "2025-03-07", "hour": 10, "count": 31},
            ],
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["created"], body["updated"], body["refused"]) == (2, 0, 2)
        assert [(item["index"], item["status"]) for item in body["results"]] == [
            (0, "created"),
            (1, "error"),
            (2, "error"),
            (3, "created"),
        ]
        assert body["results"][1]["error"]["code"] == "GATE_COUNT_MIXED"
        assert body["results"][2]["error"]["code"] == "VALIDATION_ERROR"
        assert body["results"][3]["slot"]["count"] == 31
        assert GateCount.objects.count() == 2

    def test_a_list_where_nothing_could_be_stored_is_a_400(self, tree, desk):
        response = post(desk, [{"org_code": "NOPE", "date": "2025-03-07", "count": 1}])
        assert (response.status_code, error_code(response)) == (400, "GATE_COUNT_BATCH_REFUSED")
        assert response.json()["error"]["details"]["errors"][0]["code"] == "ORG_UNIT_NOT_FOUND"

    def test_an_empty_list_is_refused(self, tree, desk):
        response = post(desk, [])
        assert (response.status_code, error_code(response)) == (400, "VALIDATION_ERROR")


class TestListGateCounts:
    def test_a_units_counts_in_a_range_in_the_list_envelope(self, tree, desk, statistician):
        for day, hour, count in (
            (date(2025, 3, 7), 10, 5),
            (date(2025, 3, 7), 9, 4),
            (date(2025, 3, 1), None, 50),
            (date(2025, 2, 1), None, 9),
        ):
            body = {"org_code": "YX-GT", "date": day.isoformat(), "hour": hour, "count": count}
            assert post(desk, body).status_code == 201
        post(desk, {"org_code": "YX-GT-SP", "date": "2025-03-07", "count": 3})
        response = statistician.get(
            GATE, {"org": "YX-GT", "from": "2025-03-01", "to": "2025-03-31"}
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["count"], body["page"], body["page_size"]) == (3, 1, 100)
        assert [(row["date"], row["hour"], row["count"]) for row in body["results"]] == [
            ("2025-03-01", None, 50),
            ("2025-03-07", 9, 4),
            ("2025-03-07", 10, 5),
        ]
        assert body["results"][0]["recorded_by"] == "gt_desk"

    def test_the_default_range_is_the_last_month(self, tree, desk):
        post(desk, {"org_code": "YX-GT", "date": days_ago(3).isoformat(), "count": 1})
        post(desk, {"org_code": "YX-GT", "date": days_ago(60).isoformat(), "count": 2})
        response = desk.get(GATE, {"org": "YX-GT"})
        assert [row["count"] for row in response.json()["results"]] == [1]

    def test_bad_ranges_and_scopes(self, tree, desk, api_client):
        backwards = desk.get(GATE, {"org": "YX-GT", "from": "2025-03-02", "to": "2025-03-01"})
        assert (backwards.status_code, error_code(backwards)) == (400, "VALIDATION_ERROR")
        too_long = desk.get(GATE, {"org": "YX-GT", "from": "2000-01-01", "to": "2025-03-01"})
        assert too_long.status_code == 400
        assert desk.get(GATE, {"org": "HZ-A"}).status_code == 403
        assert desk.get(GATE, {"org": "NOPE"}).status_code == 404
        assert desk.get(GATE).status_code == 400  # org is required
        assert api_client(None).get(GATE, {"org": "YX-GT"}).status_code == 401


class TestInputs:
    def test_put_replaces_the_keys_sent_and_answers_all_of_the_years_inputs(
        self, tree, statistician
    ):
        first = put(
            statistician, {"computers": 120, "digital_text_tb": "2.5"}, inputs_url(2025, "YX")
        )
        assert first.status_code == 200, first.content
        second = put(statistician, {"computers": 130}, inputs_url(2025, "YX"))
        body = second.json()
        assert (body["org_code"], body["year"], body["schema"]) == ("YX", 2025, "2020")
        values = {item["key"]: item for item in body["inputs"]}
        assert "ebooks_self_built" not in values
        assert values["computers"]["value"] == 130
        assert values["digital_text_tb"]["value"] == 2.5
        assert values["computers"]["entered_by"] == "yx_stat"
        assert values["shelf_length_m"] | {"label": None} == {
            "key": "shelf_length_m",
            "label": None,
            "unit": "米",
            "decimals": 1,
            "value": None,
            "entered_by": None,
            "entered_at": None,
        }
        assert statistician.get(inputs_url(2025, "YX")).json() == body

    def test_null_clears_a_key(self, tree, statistician):
        put(statistician, {"computers": 1, "website_visits": 2}, inputs_url(2025, "YX"))
        put(statistician, {"computers": None}, inputs_url(2025, "YX"))
        assert list(AnnualInput.objects.values_list("key", flat=True)) == ["website_visits"]

    @pytest.mark.parametrize(
        ("body", "code", "key"),
        [
            ({"computers": 1, "bogus": 3}, "VALIDATION_ERROR", "bogus"),
            ({"computers": 1, "shelf_length_m": 1.25}, "VALIDATION_ERROR", "shelf_length_m"),
            ({"computers": -1}, "VALIDATION_ERROR", "computers"),
            ({"ebooks_shared": 5}, "VALIDATION_ERROR", "ebooks_shared"),
            ({"computers": "lots"}, "VALIDATION_ERROR", "computers"),
            ({"computers": True}, "VALIDATION_ERROR", "computers"),
        ],
    )
    def test_bad_keys_store_nothing_and_are_named(self, tree, statistician, body, code, key):
        response = put(statistician, body, inputs_url(2025, "YX"))
        assert (response.status_code, error_code(response)) == (400, code)
        assert key in response.json()["error"]["details"]["fields"]
        assert AnnualInput.objects.count() == 0

    def test_years_units_and_scopes(self, tree, statistician, desk, api_client, make_staff):
        assert put(statistician, {"computers": 1}, inputs_url(1800, "YX")).status_code == 400
        assert statistician.get(inputs_url(1800, "YX")).status_code == 400
        assert put(statistician, {"computers": 1}, inputs_url(2025, "NOPE")).status_code == 404
        assert put(statistician, {"computers": 1}, inputs_url(2025, "HZ")).status_code == 403
        # stats.gate alone neither reads nor writes inputs; stats.view reads them.
        assert put(desk, {"computers": 1}, inputs_url(2025, "YX-GT")).status_code == 403
        assert desk.get(inputs_url(2025, "YX-GT")).status_code == 403
        director = api_client(make_staff("gt_dir", "branch_director", "YX-GT"))
        assert director.get(inputs_url(2025, "YX-GT")).status_code == 200
        assert put(director, {"computers": 1}, inputs_url(2025, "YX-GT")).status_code == 403
        anonymous = api_client(None)
        assert put(anonymous, {"computers": 1}, inputs_url(2025, "YX")).status_code == 401
        assert anonymous.get(inputs_url(2025, "YX")).status_code == 401
        assert AnnualInput.objects.count() == 0

    def test_the_2019_form_has_the_ebook_keys(self, tree, statistician):
        response = put(statistician, {"ebooks_purchased": 3000}, inputs_url(2019, "YX"))
        assert response.status_code == 200
        body = response.json()
        assert body["schema"] == "2011"
        assert "av_resources_khours" not in {item["key"] for item in body["inputs"]}


def test_the_openapi_document_describes_the_endpoints_and_every_input_key(client):
    document = client.get("/api/v1/openapi.json").json()
    assert {"get", "post"} <= set(document["paths"]["/api/v1/stats/gate-counts"])
    assert {"get", "put"} <= set(document["paths"]["/api/v1/stats/inputs/{year}/{org_code}"])
    properties = document["components"]["schemas"]["AnnualInputsIn"]["properties"]
    assert "ebooks_self_built" in properties and "online_service_visits" in properties
