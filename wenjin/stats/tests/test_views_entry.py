"""The staff data-entry pages: a day's gate counts (daily or hourly), the CSV upload,
and the annual inputs form, with their refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from wenjin.accounts.actor import Actor
from wenjin.stats.models import AnnualInput, GateCount
from wenjin.stats.services.gate_counts import gate_count_set
from wenjin.stats.services.inputs import annual_inputs_set
from wenjin.stats.tests.conftest import days_ago

pytestmark = pytest.mark.django_db

GATE = reverse("stats:entry-gate")
IMPORT = reverse("stats:entry-gate-import")
INPUTS = reverse("stats:entry-inputs")


@pytest.fixture
def login(staff_client):
    """``login("user", "role", "ORG")`` → a logged-in client whose pages are in English."""

    def make(username, role, org):
        client = staff_client(username, role, org)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def hourly(**hours):
    return {f"h{int(hour[1:]):02d}": count for hour, count in hours.items()}


class TestGatePage:
    def test_the_page_offers_the_units_in_scope_and_yesterday(self, tree, login):
        client = login("gt_desk", "desk_staff", "YX-GT")
        response = client.get(GATE)
        assert response.status_code == 200
        page = response.content.decode()
        assert 'value="YX-GT"' in page and 'value="YX-GT-SP"' in page
        assert 'value="YX-DS"' not in page and 'value="HZ-A"' not in page
        assert f'value="{days_ago(1).isoformat()}"' in page
        assert "<details>" in page  # hourly fields folded away
        assert 'name="h23"' in page

    def test_a_daily_count_is_saved_and_listed_with_who(self, tree, login):
        client = login("gt_desk", "desk_staff", "YX-GT")
        day = days_ago(2).isoformat()
        response = client.post(GATE, {"org": "YX-GT-SP", "day": day, "count": "135"})
        assert response.status_code == 302
        assert response["Location"] == f"{GATE}?org=YX-GT-SP&day={day}"
        row = GateCount.objects.get()
        assert (row.org_unit.code, row.count, row.hour, row.source) == (
            "YX-GT-SP",
            135,
            None,
            "form",
        )
        page = client.get(response["Location"]).content.decode()
        assert "135 visitors saved" in page
        assert "gt_desk" in page and 'value="135"' in page

    def test_hourly_counts_are_saved_and_shown_open(self, tree, login):
        client = login("gt_desk", "desk_staff", "YX-GT")
        day = days_ago(1).isoformat()
        data = {"org": "YX-GT", "day": day, "count": ""} | hourly(h9="30", h10="45", h11="")
        response = client.post(GATE, data, follow=True)
        assert "2 hourly counts saved" in response.content.decode()
        assert sorted(GateCount.objects.values_list("hour", "count")) == [(9, 30), (10, 45)]
        page = response.content.decode()
        assert "<details open>" in page
        assert "2 hours" in page  # the recent days' table

    def test_both_kinds_or_neither_are_refused_with_the_form_kept(self, tree, login):
        client = login("gt_desk", "desk_staff", "YX-GT")
        day = days_ago(1).isoformat()
        both = client.post(GATE, {"org": "YX-GT", "day": day, "count": "5"} | hourly(h9="3"))
        assert both.status_code == 400
        assert "not both" in both.content.decode()
        neither = client.post(GATE, {"org": "YX-GT", "day": day})
        assert neither.status_code == 400
        assert "at least one hourly count" in neither.content.decode()
        negative = client.post(GATE, {"org": "YX-GT", "day": day, "count": "-4"})
        assert negative.status_code == 400
        assert GateCount.objects.count() == 0

    def test_a_future_day_is_refused(self, tree, login):
        client = login("gt_desk", "desk_staff", "YX-GT")
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        response = client.post(GATE, {"org": "YX-GT", "day": tomorrow, "count": "5"})
        assert response.status_code == 400
        assert "still to come" in response.content.decode()
        assert GateCount.objects.count() == 0

    def test_mixing_with_what_is_stored_is_explained(self, tree, login, system):
        gate_count_set(actor=system, org_code="YX-GT", day=days_ago(1), count=300)
        client = login("gt_desk", "desk_staff", "YX-GT")
        data = {"org": "YX-GT", "day": days_ago(1).isoformat()} | hourly(h9="3")
        response = client.post(GATE, data, follow=True)
        assert "already has a daily count" in response.content.decode()
        assert GateCount.objects.get().count == 300

    def test_a_unit_outside_the_scope_and_roles_without_the_permission(self, tree, login):
        client = login("gt_desk", "desk_staff", "YX-GT")
        day = days_ago(1).isoformat()
        assert client.post(GATE, {"org": "HZ-A", "day": day, "count": "5"}).status_code == 403
        cataloguer = login("cat", "cataloguer", "YX")
        assert cataloguer.get(GATE).status_code == 403
        assert cataloguer.post(GATE, {"org": "YX", "day": day, "count": "5"}).status_code == 403
        assert GateCount.objects.count() == 0

    def test_anonymous_visitors_are_sent_to_log_in(self, tree, client):
        response = client.get(GATE)
        assert response.status_code == 302 and "login" in response["Location"]


class TestGateUpload:
    def upload(self, client, text, *, dry_run=False, encoding="utf-8"):
        data = {"file": SimpleUploadedFile("counts.csv", text.encode(encoding), "text/csv")}
        if dry_run:
            data["dry_run"] = "on"
        return client.post(IMPORT, data)

    def test_a_file_is_stored_and_the_bad_rows_listed(self, tree, login):
        client = login("gt_desk", "desk_staff", "YX-GT")
        response = self.upload(
            client,
            "org_code,date,count\nYX-GT,2025-03-07,100\nHZ-A,2025-03-07,5\nYX-GT,2025-03-08,x\n",
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "3 rows read: 1 counts created" in page
        assert '<th scope="row">3</th>' in page and '<th scope="row">4</th>' in page
        row = GateCount.objects.get()
        assert (row.count, row.source, row.recorded_by) == (100, "import", "gt_desk")

    def test_a_dry_run_stores_nothing(self, tree, login):
        client = login("gt_desk", "desk_staff", "YX-GT")
        response = self.upload(client, "org_code,date,count\nYX-GT,2025-03-07,100\n", dry_run=True)
        assert "Dry run" in response.content.decode()
        assert GateCount.objects.count() == 0

    def test_an_unreadable_file_is_explained(self, tree, login):
        client = login("gt_desk", "desk_staff", "YX-GT")
        response = self.upload(client, "unit,day\nYX,2025-03-07\n")
        assert response.status_code == 400
        assert "line 1:" in response.content.decode()
        assert client.post(IMPORT, {}).status_code == 400  # no file at all

    def test_staff_without_stats_gate_cannot_upload(self, tree, login):
        client = login("cat", "cataloguer", "YX")
        response = self.upload(client, "org_code,date,count\nYX,2025-03-07,100\n")
        assert response.status_code == 403
        assert GateCount.objects.count() == 0


class TestInputsPage:
    def test_every_key_of_the_years_form_with_who_entered_it(self, tree, login, make_staff):
        other = make_staff("first_stat", "statistician", "YX")
        annual_inputs_set(
            actor=Actor(user=other, via="test"), org_code="YX", year=2025, values={"computers": 40}
        )
        client = login("yx_stat", "statistician", "YX")
        page = client.get(INPUTS, {"org": "YX", "year": 2025}).content.decode()
        for label in ("书架单层总长度", "音视频资源总量", "线上服务人次", "计算机台数"):
            assert label in page
        assert "电子图书：自建" not in page
        assert 'value="40"' in page and "Entered by first_stat" in page
        assert "电子图书：自建" in client.get(INPUTS, {"org": "YX", "year": 2019}).content.decode()

    def test_defaults_to_last_year_and_the_first_unit(self, tree, login):
        client = login("gt_stat", "statistician", "YX-GT")
        page = client.get(INPUTS).content.decode()
        assert f'value="{timezone.localdate().year - 1}"' in page
        assert 'name="org" value="YX-GT"' in page

    def test_saving_stores_only_the_changed_fields(self, tree, login, make_staff):
        other = make_staff("first_stat", "statistician", "YX")
        annual_inputs_set(
            actor=Actor(user=other, via="test"),
            org_code="YX",
            year=2025,
            values={"computers": 40, "shelf_length_m": "12.5"},
        )
        client = login("yx_stat", "statistician", "YX")
        data = {
            "org": "YX",
            "year": "2025",
            "computers": "40",
            "shelf_length_m": "12.5",
            "website_visits": "9000",
        }
        response = client.post(INPUTS, data, follow=True)
        assert "1 figure saved" in response.content.decode()
        rows = {row.key: row for row in AnnualInput.objects.all()}
        assert rows["computers"].entered_by_label == "first_stat"  # untouched
        assert rows["website_visits"].entered_by_label == "yx_stat"
        # An emptied field clears its value.
        client.post(INPUTS, data | {"shelf_length_m": ""})
        assert not AnnualInput.objects.filter(key="shelf_length_m").exists()

    def test_a_bad_value_is_shown_on_its_field_and_nothing_saved(self, tree, login):
        client = login("yx_stat", "statistician", "YX")
        data = {"org": "YX", "year": "2025", "computers": "12", "shelf_length_m": "3.25"}
        response = client.post(INPUTS, data)
        assert response.status_code == 400
        page = response.content.decode()
        assert "at most 1 decimal places" in page
        assert 'value="12"' in page  # what was typed is kept
        assert AnnualInput.objects.count() == 0

    def test_refusals(self, tree, login):
        director = login("gt_dir", "branch_director", "YX-GT")
        assert director.get(INPUTS).status_code == 403
        statistician = login("gt_stat", "statistician", "YX-GT")
        response = statistician.post(INPUTS, {"org": "YX", "year": "2025", "computers": "1"})
        assert response.status_code == 403
        assert AnnualInput.objects.count() == 0
