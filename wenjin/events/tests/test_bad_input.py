"""Odd input and out-of-scope staff on every surface of events: far-off dates, links that
are not web addresses, huge numbers, stale pages and staff of another branch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from wenjin.events.models import Event, Registration
from wenjin.events.selectors import upcoming
from wenjin.events.services import registrations
from wenjin.events.services.events import event_repeat, event_update
from wenjin.events.tests.conftest import soon
from wenjin.events.tests.test_services import details_of
from wenjin.lib.errors import Conflict, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/staff/events/calendar/?date=9999-12-31",
        "/staff/events/calendar/?view=week&date=0001-01-01",
        "/staff/events/?since=0001-01-01&until=9999-12-31",
    ],
)
def test_far_off_dates_in_staff_pages_answer(staff_client, path):
    client = staff_client("yx_events", "events_organiser", "YX")
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/events/?since=0001-01-01&until=9999-12-31",
        "/events/?series=99999999999999999999999",
        "/api/v1/events?from=0001-01-01&to=9999-12-31",
    ],
)
def test_far_off_dates_in_public_pages_answer(client, tree, path):
    assert client.get(path).status_code in (200, 400)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"stream_url": "javascript:alert(1)", "online": True}, "stream_url"),
        ({"capacity": 10**12}, "capacity"),
        ({"starts_at": soon().replace(year=1)}, "starts_at"),
    ],
)
def test_values_readers_would_be_harmed_by_are_refused(make_event, values, field):
    with pytest.raises(ValidationFailed) as error:
        make_event(**values)
    assert field in error.value.details["fields"]


def test_the_api_refuses_a_javascript_link(api_client, make_staff, tree):
    client = api_client(make_staff("yx_events", "events_organiser", "YX"))
    start = soon()
    response = client.post(
        "/api/v1/events",
        {
            "org_code": "YX-GT",
            "kind": "lecture",
            "title": "线上讲座",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "online": True,
            "stream_url": "javascript:alert(1)",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not Event.objects.exists()


def test_a_stale_page_never_cancels_a_newer_registration(staff_client, make_event, reader, system):
    event = make_event(capacity=5)
    first = registrations.registration_create(
        actor=system, event_id=event.pk, patron=reader.patron, via="opac"
    )
    registrations.registration_cancel(
        actor=system, event_id=event.pk, patron=reader.patron, via="opac"
    )
    again = registrations.registration_create(
        actor=system, event_id=event.pk, patron=reader.patron, via="opac"
    )
    client = english(staff_client("gt_desk", "desk_staff", "YX-GT"))
    client.post(f"/staff/events/{event.pk}/registrations/{first.pk}/cancel/")
    assert Registration.objects.get(pk=again.pk).status == "confirmed"
    with pytest.raises(NotFound):
        registrations.registration_cancel(
            actor=system,
            event_id=event.pk,
            patron=reader.patron,
            via="desk",
            registration_id=first.pk,
        )


def test_staff_elsewhere_see_no_registrants(staff_client, make_event, reader, system):
    event = make_event(capacity=5)
    registrations.registration_create(
        actor=system, event_id=event.pk, patron=reader.patron, via="opac"
    )
    for username, role, org in (
        ("hz_desk", "desk_staff", "HZ"),
        ("cataloguer", "cataloguer", "GZ"),
    ):
        page = staff_client(username, role, org).get(f"/staff/events/{event.pk}/")
        assert page.status_code == 200
        assert reader.patron.name not in page.content.decode()
    own = staff_client("gt_desk", "desk_staff", "YX-GT").get(f"/staff/events/{event.pk}/")
    assert reader.patron.name in own.content.decode()


def test_desk_registration_elsewhere_says_nothing_about_the_card(staff_client, make_event):
    event = make_event(capacity=5)
    client = english(staff_client("hz_desk", "desk_staff", "HZ"))
    response = client.post(f"/staff/events/{event.pk}/register/", {"card": "0000000000"})
    assert "no reader" not in response.content.decode().lower()
    assert response.status_code == 403


def test_a_published_event_with_readers_is_not_turned_back_into_a_draft(make_event, reader, system):
    event = make_event(capacity=5)
    registrations.registration_create(
        actor=system, event_id=event.pk, patron=reader.patron, via="opac"
    )
    with pytest.raises(Conflict) as error:
        event_update(actor=system, event_id=event.pk, details=details_of(event, status="draft"))
    assert error.value.code == "EVENT_HAS_REGISTRATIONS"


def test_repeating_an_old_session_makes_coming_sessions_only(make_event, system):
    start = soon(days=-22)  # sessions a week apart: 15, 8 and 1 days ago, then 6 and 13 ahead
    event = make_event(starts_at=start, status="finished")
    made = event_repeat(actor=system, event_id=event.pk, sessions=5)
    assert made and all(copy.starts_at > timezone.now() for copy in made)
    assert len(made) == 2


def test_running_exhibitions_leave_the_home_page_to_coming_events(make_event):
    opened = soon(days=-20)
    make_event(
        kind="exhibition", title="长期展览", starts_at=opened, ends_at=opened + timedelta(days=40)
    )
    coming = make_event(title="下周讲座")
    assert upcoming() == [coming]


def test_an_import_row_with_a_far_off_date_is_reported_and_the_rest_land(tmp_path, tree):
    from wenjin.accounts.actor import Actor
    from wenjin.events.importer import import_events

    path = tmp_path / "events.csv"
    path.write_text(
        "kind,title,series,org_code,venue,start,end,capacity,attendance\n"
        "lecture,世纪末讲座,,YX-GT,,9999-12-31 23:00,,,\n"
        "lecture,开天辟地讲座,,YX-GT,,0001-01-01 00:00,,,\n"
        "lecture,正常讲座,,YX-GT,,2030-05-01 14:00,,,\n",
        encoding="utf-8",
    )
    result = import_events(path, actor=Actor.system(via="cli"))
    assert [line for line, _reason in result.errors] == [2, 3]
    assert list(Event.objects.values_list("title", flat=True)) == ["正常讲座"]
