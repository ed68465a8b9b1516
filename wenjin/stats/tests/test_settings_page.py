"""The statistics settings page: definitions and background rebuilds, with permissions."""

from __future__ import annotations

from datetime import date

import pytest

from wenjin.accounts.models import AuditEntry
from wenjin.stats.models import GateCount, Rollup, RollupRun, StatsSettings

pytestmark = pytest.mark.django_db

URL = "/staff/stats/settings/"


def test_a_network_statistician_changes_the_definitions(staff_client):
    client = staff_client("stat", "statistician", "GZ")
    assert client.get(URL).status_code == 200
    response = client.post(
        URL,
        {
            "action": "settings",
            "items_lent_includes_renewals": "on",
            "valid_cards": "used",
            "visits_drop_alert_percent": "80",
        },
    )
    assert response.status_code == 302
    settings = StatsSettings.load()
    assert settings.items_lent_includes_renewals and settings.valid_cards == "used"
    assert settings.visits_drop_alert_percent == 80
    entry = AuditEntry.objects.get(action="stats.settings")
    assert entry.changes["valid_cards"] == ["year_end", "used"]


def test_bad_values_are_refused_and_nothing_changes(staff_client):
    client = staff_client("stat", "statistician", "GZ")
    response = client.post(
        URL, {"action": "settings", "valid_cards": "sometimes", "visits_drop_alert_percent": "0"}
    )
    assert response.status_code == 400
    assert StatsSettings.load().valid_cards == "year_end"


def test_a_branch_statistician_may_look_but_not_change(staff_client):
    client = staff_client("branchstat", "statistician", "YX")
    assert client.get(URL).status_code == 200
    response = client.post(
        URL, {"action": "settings", "valid_cards": "used", "visits_drop_alert_percent": "90"}
    )
    assert response.status_code == 403
    assert StatsSettings.load().valid_cards == "year_end"
    response = client.post(URL, {"action": "rebuild", "first": "2025-01-01", "last": "2025-01-31"})
    assert response.status_code == 403
    assert not RollupRun.objects.exists()


def test_staff_without_statistics_roles_are_refused(staff_client):
    client = staff_client("desk", "cataloguer", "YX")
    assert client.get(URL).status_code == 403


def test_a_rebuild_asked_for_on_the_page_runs(
    staff_client, tree, django_capture_on_commit_callbacks
):
    GateCount.objects.create(org_unit=tree["YX"], day=date(2025, 1, 3), count=77)
    client = staff_client("stat", "statistician", "GZ")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, {"action": "rebuild", "first": "2025-01-01", "last": "2025-01-31"}
        )
    assert response.status_code == 302
    # queued after the commit; the test settings run background tasks at once
    assert Rollup.objects.get(measure="visits").value == 77
    assert RollupRun.objects.get().by == "stat"
    page = client.get(URL).content.decode()
    assert "2025-01-01" in page


@pytest.mark.parametrize(
    ("first", "last"), [("2025-02-01", "2025-01-01"), ("2019-01-01", "2025-01-01"), ("x", "")]
)
def test_bad_rebuild_ranges_are_refused(staff_client, first, last):
    client = staff_client("stat", "statistician", "GZ")
    response = client.post(URL, {"action": "rebuild", "first": first, "last": last})
    assert response.status_code == 400
    assert not RollupRun.objects.exists()
