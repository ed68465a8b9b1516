"""The events REST API: lists with filters, creating and cancelling events, registrations
with the waiting list, check-in by card and ticket, day counts and permissions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from wenjin.events.models import Event, EventStatus, Registration
from wenjin.events.services.registrations import registration_create

pytestmark = pytest.mark.django_db


def at(days: int, hour: int = 14) -> datetime:
    """A local time ``days`` from today at ``hour`` o'clock."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


def local_iso(days: int, hour: int = 14) -> str:
    """The same time as the API writes it (local, with its offset)."""
    return at(days, hour).isoformat()


def error_code(response) -> str:
    return response.json()["error"]["code"]


@pytest.fixture
def organiser(make_staff):
    return make_staff("yx_organiser", "events_organiser", "YX")


@pytest.fixture
def desk(make_staff):
    return make_staff("gt_desk", "desk_staff", "YX-GT")


@pytest.fixture
def running(make_event) -> Event:
    """A talk at YX-GT that started an hour ago: check-in is open."""
    now = timezone.now()
    return make_event(
        capacity=10, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- the list -------------------------------------------------------------------------


def test_list_filters_by_org_subtree_kind_and_hides_drafts(
    make_event, organiser, api_client
) -> None:
    talk = make_event(org="YX-GT", title="岭南文化讲座")
    course = make_event(org="YX-GT-SP", kind="training", title="老年人智能手机培训")
    other_branch = make_event(org="YX-DS", kind="reading_promotion", title="亲子共读")
    elsewhere = make_event(org="HZ", title="海珠讲坛")
    draft = make_event(org="YX-GT", title="筹备中的讲座", status="draft")
    anonymous = api_client()

    assert ids(anonymous.get("/api/v1/events?org=YX-GT")) == {talk.pk, course.pk}
    assert ids(anonymous.get("/api/v1/events")) == {
        talk.pk,
        course.pk,
        other_branch.pk,
        elsewhere.pk,
    }
    assert ids(anonymous.get("/api/v1/events?kind=training")) == {course.pk}
    assert ids(anonymous.get("/api/v1/events?kind=培训")) == {course.pk}  # the Chinese name
    assert ids(anonymous.get("/api/v1/events?status=draft")) == set()

    # With a staff token, drafts are listed too.
    staff = api_client(organiser)
    assert ids(staff.get("/api/v1/events?org=YX-GT")) == {talk.pk, course.pk, draft.pk}
    assert ids(staff.get("/api/v1/events?status=draft")) == {draft.pk}

    body = anonymous.get("/api/v1/events?org=YX-GT-SP").json()
    assert body["count"] == 1 and body["page"] == 1 and body["page_size"] == 50
    row = body["results"][0]
    assert row["kind"] == "training" and row["org_code"] == "YX-GT-SP"
    assert row["org_name"] == "YX-GT-SP馆"
    assert row["series"] is None and row["venue"] is None
    assert row["starts_at"] == local_iso(3) and row["starts_at"].endswith("+08:00")
    assert {"seats_taken", "waitlisted", "attendance", "stream_url", "online"} <= set(row)


def test_list_by_date_range_includes_a_long_exhibition(make_event, api_client) -> None:
    exhibition = make_event(
        kind="exhibition", title="广府民俗展", starts_at=at(-10, 9), ends_at=at(30, 17)
    )
    make_event(title="三天后的讲座", starts_at=at(3))
    in_range = make_event(title="十天后的讲座", starts_at=at(10))
    client = api_client()

    since, until = timezone.localdate() + timedelta(days=7), timezone.localdate() + timedelta(14)
    found = ids(client.get(f"/api/v1/events?from={since}&to={until}"))
    assert found == {exhibition.pk, in_range.pk}
    # A range before the exhibition opened finds nothing of it.
    early = timezone.localdate() - timedelta(days=20)
    assert ids(client.get(f"/api/v1/events?from={early}&to={early}")) == set()


def test_list_by_audience_and_pages(make_event, api_client) -> None:
    children = make_event(title="绘本故事会", audiences=("children", "families"))
    make_event(title="成人讲座", audiences=("adults",))
    client = api_client()
    assert ids(client.get("/api/v1/events?audience=children")) == {children.pk}
    body = client.get("/api/v1/events?page=2&page_size=1").json()
    assert body["count"] == 2 and len(body["results"]) == 1


def test_list_refuses_unknown_org_kind_audience_and_bad_range(tree, api_client) -> None:
    client = api_client()
    response = client.get("/api/v1/events?org=NOPE")
    assert response.status_code == 404 and error_code(response) == "ORG_UNIT_NOT_FOUND"
    response = client.get("/api/v1/events?kind=concert")
    assert response.status_code == 400 and error_code(response) == "EVENT_KIND_UNKNOWN"
    response = client.get("/api/v1/events?audience=aliens")
    assert response.status_code == 400 and error_code(response) == "EVENT_AUDIENCE_UNKNOWN"
    response = client.get("/api/v1/events?from=2026-03-10&to=2026-03-01")
    assert response.status_code == 400
    response = client.get("/api/v1/events?from=yesterday")
    assert response.status_code == 400 and error_code(response) == "VALIDATION_ERROR"
    response = client.get("/api/v1/events", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401


# --- creating, reading and cancelling --------------------------------------------------


def _new_event(**changes: object) -> dict:
    return {
        "org_code": "YX-GT",
        "kind": "lecture",
        "title": "岭南建筑讲座",
        "series": "岭南讲坛",
        "venue": "报告厅",
        "audiences": ["adults", "elderly"],
        "starts_at": at(5).replace(tzinfo=None).isoformat(),  # local time without offset
        "ends_at": at(5, 16).replace(tzinfo=None).isoformat(),
        "capacity": 80,
        **changes,
    }


def test_create_returns_the_event(organiser, api_client) -> None:
    client = api_client(organiser)
    response = client.post("/api/v1/events", _new_event(), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "岭南建筑讲座" and body["org_code"] == "YX-GT"
    assert body["series"] == "岭南讲坛"
    assert body["venue"] == {"name": "报告厅", "address": ""}
    assert body["audiences"] == ["adults", "elderly"]
    assert body["capacity"] == 80 and body["registration_required"] is True
    assert body["starts_at"] == local_iso(5) and body["ends_at"] == local_iso(5, 16)
    assert body["status"] == "published" and body["seats_taken"] == 0
    event = Event.objects.get(pk=body["id"])
    assert event.created_by == "yx_organiser"
    assert api_client().get(f"/api/v1/events/{event.pk}").json()["title"] == "岭南建筑讲座"


def test_a_draft_is_hidden_from_anonymous_callers(organiser, api_client) -> None:
    staff = api_client(organiser)
    response = staff.post(
        "/api/v1/events",
        _new_event(status="draft", venue="", venue_address=""),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    draft_id = response.json()["id"]
    response = api_client().get(f"/api/v1/events/{draft_id}")
    assert response.status_code == 404 and error_code(response) == "EVENT_NOT_FOUND"
    assert staff.get(f"/api/v1/events/{draft_id}").json()["status"] == "draft"


def test_create_refuses_bad_kind_and_end_before_start(organiser, api_client) -> None:
    client = api_client(organiser)
    response = client.post(
        "/api/v1/events", _new_event(kind="concert"), content_type="application/json"
    )
    assert response.status_code == 400 and error_code(response) == "EVENT_KIND_UNKNOWN"
    response = client.post(
        "/api/v1/events",
        _new_event(ends_at=at(5, 10).isoformat()),
        content_type="application/json",
    )
    assert response.status_code == 400 and error_code(response) == "EVENT_TIMES"
    assert "ends_at" in response.json()["error"]["details"]["fields"]
    response = client.post(
        "/api/v1/events", _new_event(starts_at="soon"), content_type="application/json"
    )
    assert response.status_code == 400 and error_code(response) == "VALIDATION_ERROR"
    response = client.post(
        "/api/v1/events", _new_event(org_code="NOPE"), content_type="application/json"
    )
    assert response.status_code == 404 and error_code(response) == "ORG_UNIT_NOT_FOUND"
    assert not Event.objects.exists()


def test_create_needs_a_token_and_the_organisers_scope(make_staff, api_client) -> None:
    response = api_client().post("/api/v1/events", _new_event(), content_type="application/json")
    assert response.status_code == 401
    hz = make_staff("hz_organiser", "events_organiser", "HZ")
    response = api_client(hz).post("/api/v1/events", _new_event(), content_type="application/json")
    assert response.status_code == 403 and error_code(response) == "FORBIDDEN"
    desk_only = make_staff("gt_desk_only", "desk_staff", "YX-GT")
    response = api_client(desk_only).post(
        "/api/v1/events", _new_event(), content_type="application/json"
    )
    assert response.status_code == 403
    assert not Event.objects.exists()


def test_get_unknown_event_is_404(tree, api_client) -> None:
    response = api_client().get("/api/v1/events/999999")
    assert response.status_code == 404 and error_code(response) == "EVENT_NOT_FOUND"


def test_cancel_an_event(make_event, make_reader, organiser, api_client) -> None:
    event = make_event(capacity=5)
    client = api_client(organiser)
    barcode = make_reader().barcode
    client.post(
        f"/api/v1/events/{event.pk}/registrations",
        {"patron_barcode": barcode},
        content_type="application/json",
    )
    response = client.post(
        f"/api/v1/events/{event.pk}/cancel", {"reason": ""}, content_type="application/json"
    )
    assert response.status_code == 400
    response = client.post(
        f"/api/v1/events/{event.pk}/cancel",
        {"reason": "讲师因病无法到场"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "cancelled" and body["cancel_reason"] == "讲师因病无法到场"
    assert body["seats_taken"] == 0
    # Still shown to the public, so registered readers learn of it.
    assert api_client().get(f"/api/v1/events/{event.pk}").json()["status"] == "cancelled"
    response = client.post(
        f"/api/v1/events/{event.pk}/cancel", {"reason": "again"}, content_type="application/json"
    )
    assert response.status_code == 409 and error_code(response) == "EVENT_CLOSED"


# --- registrations ----------------------------------------------------------------------


def _register(client, event: Event, barcode: str):
    return client.post(
        f"/api/v1/events/{event.pk}/registrations",
        {"patron_barcode": barcode},
        content_type="application/json",
    )


def test_registration_seat_then_waiting_list_and_moving_up(
    make_event, make_reader, desk, api_client
) -> None:
    event = make_event(capacity=1)
    first, second, third = make_reader(), make_reader(), make_reader()
    client = api_client(desk)

    response = _register(client, event, first.barcode)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "confirmed" and response.json()["position"] == 0
    placed = _register(client, event, second.barcode).json()
    assert placed["status"] == "waitlisted" and placed["position"] == 1
    assert _register(client, event, third.barcode).json()["position"] == 2
    assert Registration.objects.get(pk=placed["registration_id"]).via == "api"

    response = _register(client, event, first.barcode)
    assert response.status_code == 409 and error_code(response) == "EVENT_ALREADY_REGISTERED"
    response = _register(client, event, "NOSUCHCARD")
    assert response.status_code == 404 and error_code(response) == "PATRON_NOT_FOUND"

    response = client.delete(f"/api/v1/events/{event.pk}/registrations/{first.barcode}")
    assert response.status_code == 204
    event.refresh_from_db()
    assert event.seats_taken == 1 and event.waitlisted == 1

    body = client.get(f"/api/v1/events/{event.pk}/registrations").json()
    rows = {row["patron_barcode"]: row for row in body["results"]}
    assert body["count"] == 3
    assert rows[second.barcode]["status"] == "confirmed"
    assert rows[third.barcode]["status"] == "waitlisted" and rows[third.barcode]["position"] == 1
    assert rows[first.barcode]["status"] == "cancelled"
    assert [row["status"] for row in body["results"]] == ["confirmed", "waitlisted", "cancelled"]
    assert rows[second.barcode]["name"] == "活动读者"
    # Identity and phone numbers never leave through this list.
    assert "13912345678" not in str(body) and "identity" not in str(body)

    response = client.delete(f"/api/v1/events/{event.pk}/registrations/{first.barcode}")
    assert response.status_code == 404 and error_code(response) == "EVENT_REGISTRATION_NOT_FOUND"


def test_registrations_need_the_events_desk_where_the_event_is(
    make_event, reader, make_staff, api_client
) -> None:
    event = make_event(capacity=5)
    assert _register(api_client(), event, reader.barcode).status_code == 401
    hz_desk = api_client(make_staff("hz_desk", "desk_staff", "HZ"))
    response = _register(hz_desk, event, reader.barcode)
    assert response.status_code == 403 and error_code(response) == "FORBIDDEN"
    # Refused before the card is looked up: the answer tells nothing about readers.
    assert _register(hz_desk, event, "NOSUCHCARD").status_code == 403
    assert hz_desk.get(f"/api/v1/events/{event.pk}/registrations").status_code == 403
    assert api_client().get(f"/api/v1/events/{event.pk}/registrations").status_code == 401
    assert not Registration.objects.exists()


def test_registration_refused_when_the_event_takes_none(
    make_event, reader, desk, api_client
) -> None:
    open_event = make_event()  # no capacity: no registration
    response = _register(api_client(desk), open_event, reader.barcode)
    assert response.status_code == 409 and error_code(response) == "EVENT_NO_REGISTRATION"


# --- check-in ---------------------------------------------------------------------------


def _checkin(client, event: Event, **body: str):
    return client.post(f"/api/v1/events/{event.pk}/checkins", body, content_type="application/json")


def _registered(event: Event, card, system) -> Registration:
    """Registered the day before the event began (registration closes at the start)."""
    return registration_create(
        actor=system,
        event_id=event.pk,
        patron=card.patron,
        via="desk",
        now=event.starts_at - timedelta(days=1),
    )


def test_checkin_by_card_and_twice(running, make_reader, system, desk, api_client) -> None:
    card = make_reader()
    registration = _registered(running, card, system)
    client = api_client(desk)

    response = _checkin(client, running, patron_barcode=card.barcode)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["registration_id"] == registration.pk and body["walk_in"] is False
    assert body["checked_in"] == 1 and body["attendance"] == 1
    assert body["checked_in_at"].endswith("+08:00")

    response = _checkin(client, running, patron_barcode=card.barcode)
    assert response.status_code == 409 and error_code(response) == "EVENT_ALREADY_CHECKED_IN"

    response = _checkin(client, running, patron_barcode="NOSUCHCARD")
    assert response.status_code == 404 and error_code(response) == "PATRON_NOT_FOUND"


def test_checkin_by_ticket_and_walk_in(running, make_reader, system, desk, api_client) -> None:
    bare, scanned, walker = make_reader(), make_reader(), make_reader()
    bare_ticket = _registered(running, bare, system).ticket
    scanned_ticket = _registered(running, scanned, system).ticket
    client = api_client(desk)

    response = _checkin(client, running, ticket=bare_ticket)
    assert response.status_code == 201, response.content
    response = _checkin(client, running, ticket=f"WJEV:{scanned_ticket}")
    assert response.status_code == 201 and response.json()["checked_in"] == 2
    response = _checkin(client, running, ticket=scanned_ticket)
    assert response.status_code == 409 and error_code(response) == "EVENT_ALREADY_CHECKED_IN"
    response = _checkin(client, running, ticket="not-a-ticket")
    assert response.status_code == 404 and error_code(response) == "EVENT_TICKET_NOT_FOUND"

    response = _checkin(client, running, patron_barcode=walker.barcode)
    assert response.status_code == 201
    assert response.json()["walk_in"] is True and response.json()["attendance"] == 3


def test_checkin_takes_exactly_one_code(running, reader, desk, api_client) -> None:
    client = api_client(desk)
    response = _checkin(client, running, patron_barcode=reader.barcode, ticket="abc")
    assert response.status_code == 400 and error_code(response) == "VALIDATION_ERROR"
    response = _checkin(client, running)
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_checkin_closed_before_the_event(make_event, reader, desk, api_client) -> None:
    later = make_event(capacity=10, starts_at=at(3))
    response = _checkin(api_client(desk), later, patron_barcode=reader.barcode)
    assert response.status_code == 409 and error_code(response) == "EVENT_CHECKIN_CLOSED"


def test_checkin_needs_the_desk_of_the_organiser(running, reader, make_staff, api_client) -> None:
    hz_desk = api_client(make_staff("hz_desk", "desk_staff", "HZ"))
    response = _checkin(hz_desk, running, patron_barcode=reader.barcode)
    assert response.status_code == 403 and error_code(response) == "FORBIDDEN"
    assert _checkin(api_client(), running, patron_barcode=reader.barcode).status_code == 401
    assert not Registration.objects.exists()


# --- attendance -------------------------------------------------------------------------


def test_attendance_day_counts_set_and_replaced(make_event, desk, api_client) -> None:
    exhibition = make_event(kind="exhibition", starts_at=at(-5, 9), ends_at=at(20, 17))
    client = api_client(desk)
    today, yesterday = timezone.localdate(), timezone.localdate() - timedelta(days=1)

    def count(day, visitors: int):
        return client.post(
            f"/api/v1/events/{exhibition.pk}/attendance",
            {"date": str(day), "count": visitors},
            content_type="application/json",
        )

    response = count(today, 120)
    assert response.status_code == 200, response.content
    assert response.json() == {"date": str(today), "count": 120, "attendance": 120}
    assert count(yesterday, 80).json()["attendance"] == 200
    assert count(today, 100).json()["attendance"] == 180  # today's figure replaced
    assert api_client().get(f"/api/v1/events/{exhibition.pk}").json()["attendance"] == 180

    response = count(today - timedelta(days=10), 50)
    assert response.status_code == 400 and error_code(response) == "EVENT_DAY_OUTSIDE"
    response = count(today + timedelta(days=1), 50)
    assert response.status_code == 400 and error_code(response) == "EVENT_DAY_FUTURE"
    response = count(today, -3)
    assert response.status_code == 400 and error_code(response) == "EVENT_COUNT_RANGE"

    gate = client.post(
        f"/api/v1/events/{exhibition.pk}/attendance",
        {"date": str(yesterday), "count": 95, "source": "gate"},
        content_type="application/json",
    )
    assert gate.status_code == 200 and gate.json()["attendance"] == 195
    assert exhibition.counts.get(day=yesterday).source == "gate"
    odd = client.post(
        f"/api/v1/events/{exhibition.pk}/attendance",
        {"date": str(yesterday), "count": 95, "source": "import"},
        content_type="application/json",
    )
    assert odd.status_code == 400


def test_attendance_needs_the_desk_and_a_held_event(
    make_event, make_staff, desk, api_client
) -> None:
    exhibition = make_event(kind="exhibition", starts_at=at(-2, 9), ends_at=at(5, 17))
    body = {"date": str(timezone.localdate()), "count": 10}
    hz_desk = api_client(make_staff("hz_desk", "desk_staff", "HZ"))
    response = hz_desk.post(
        f"/api/v1/events/{exhibition.pk}/attendance", body, content_type="application/json"
    )
    assert response.status_code == 403
    draft = make_event(status=EventStatus.DRAFT, starts_at=at(-1, 9), ends_at=at(1, 17))
    response = api_client(desk).post(
        f"/api/v1/events/{draft.pk}/attendance", body, content_type="application/json"
    )
    assert response.status_code == 409 and error_code(response) == "EVENT_NOT_HELD"


def test_the_openapi_document_shows_the_contract(tree, api_client) -> None:
    paths = api_client().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/events",
        "/api/v1/events/{event_id}",
        "/api/v1/events/{event_id}/cancel",
        "/api/v1/events/{event_id}/registrations",
        "/api/v1/events/{event_id}/registrations/{patron_barcode}",
        "/api/v1/events/{event_id}/checkins",
        "/api/v1/events/{event_id}/attendance",
    ):
        assert path in paths, path
    names = {parameter["name"] for parameter in paths["/api/v1/events"]["get"]["parameters"]}
    assert {"org", "kind", "from", "to", "audience", "page", "page_size"} <= names
    assert "security" not in paths["/api/v1/events"]["get"]
    assert paths["/api/v1/events"]["post"]["security"]
