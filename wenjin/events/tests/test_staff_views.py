"""Staff event pages: the list and its filters, the calendar, the event form, the actions
on an event (duplicate, repeat, cancel, publish), desk registration, the door's check-in
page, attendance with its correction trail, and who may do what."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from wenjin.events.models import Event, EventKind, EventStatus, Registration, RegistrationStatus
from wenjin.events.services import registrations as registration_services
from wenjin.events.services.events import IMAGE_MAX_BYTES

pytestmark = pytest.mark.django_db

BASE = "/staff/events/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def at(year: int, month: int, day: int, hour: int = 14, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def staff(staff_client, username: str, role: str, org_code: str) -> Client:
    """A logged-in staff member reading the pages in English (the msgids the tests name)."""
    client = staff_client(username, role, org_code)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def gt(staff_client) -> Client:
    """An events organiser at YX-GT (and its service point)."""
    return staff(staff_client, "gt_events", "events_organiser", "YX-GT")


def _form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "lecture",
        "title": "岭南建筑讲座",
        "description": "骑楼与西关大屋",
        "series": "岭南讲坛",
        "org_unit": "YX-GT",
        "venue": "",
        "venue_name": "报告厅",
        "venue_address": "",
        "audiences": ["adults", "elderly"],
        "starts_at": "2030-05-01T14:00",
        "ends_at": "2030-05-01T16:00",
        "capacity": "30",
        "registration_required": "",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "stream_url": "",
        "image_alt": "",
        "status": "published",
    }
    data.update(changes)
    return data


def _running_now(make_event, **values: object) -> Event:
    now = timezone.now()
    return make_event(
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2), **values
    )


def _register_before(event: Event, card, system) -> Registration:
    """A registration made the day before the event (registration closes at the start)."""
    return registration_services.registration_create(
        actor=system,
        event_id=event.pk,
        patron=card.patron,
        via="desk",
        now=event.starts_at - timedelta(days=1),
    )


# --- Access -------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login(tree, make_event):
    event = make_event()
    for url in (BASE, f"{BASE}calendar/", f"{BASE}new/", f"{BASE}{event.pk}/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/staff/login/" in response["Location"]
    response = Client().post(f"{BASE}{event.pk}/cancel/", {"reason": "雨"})
    assert response.status_code == 302 and "/staff/login/" in response["Location"]
    assert Event.objects.get(pk=event.pk).status == EventStatus.PUBLISHED


def test_an_organiser_elsewhere_cannot_change_the_event(staff_client, make_event):
    event = make_event(org="YX-GT")
    hz = staff(staff_client, "hz_events", "events_organiser", "HZ")
    page = hz.get(f"{BASE}{event.pk}/")
    assert page.status_code == 200
    assert f"{BASE}{event.pk}/edit/" not in page.content.decode()
    assert hz.get(f"{BASE}{event.pk}/edit/").status_code == 403
    assert hz.post(f"{BASE}{event.pk}/edit/", _form(title="改名")).status_code == 403
    refused = hz.post(f"{BASE}{event.pk}/cancel/", {"reason": "不办了"})
    assert refused.status_code == 403 and "YX-GT" in refused.content.decode()
    assert hz.post(f"{BASE}{event.pk}/repeat/", {"sessions": 2}).status_code == 403
    assert hz.get(f"{BASE}{event.pk}/checkin/").status_code == 403
    # Creating an event for YX-GT is not among the organiser choices either.
    assert hz.post(f"{BASE}new/", _form()).status_code == 400
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED and event.title == "岭南文化讲座"
    assert Event.objects.count() == 1


def test_desk_staff_check_in_but_do_not_organise(staff_client, make_event):
    event = make_event(org="YX-GT")
    desk = staff(staff_client, "gt_desk", "desk_staff", "YX-GT")
    assert desk.get(f"{BASE}new/").status_code == 403
    assert desk.get(f"{BASE}{event.pk}/edit/").status_code == 403
    assert desk.get(f"{BASE}{event.pk}/checkin/").status_code == 200


def test_an_unknown_event_is_not_found(gt):
    assert gt.get(f"{BASE}999999/").status_code == 404
    assert gt.get(f"{BASE}999999/checkin/").status_code == 404
    assert gt.post(f"{BASE}999999/cancel/", {"reason": "x"}).status_code == 404


# --- List ---------------------------------------------------------------------------------


def test_list_filters(gt, make_event, system):
    make_event(org="YX-GT", title="岭南讲座", starts_at=at(2030, 3, 3), audiences=["children"])
    make_event(
        org="YX-DS",
        kind="exhibition",
        title="西关摄影展",
        starts_at=at(2030, 3, 1, 9),
        ends_at=at(2030, 3, 28, 17),
    )
    make_event(org="HZ-A", kind="training", title="手机课堂", starts_at=at(2030, 3, 5))
    make_event(org="YX-GT", title="草稿讲座", starts_at=at(2030, 3, 6), status="draft")
    make_event(org="YX-GT", title="往年讲座", starts_at=at(2020, 3, 6))

    def titles(**params: str) -> set[str]:
        response = gt.get(BASE, params)
        assert response.status_code == 200
        return {event.title for event in response.context["page"].object_list}

    # No "from" date: from today on, every status (the old lecture is left out).
    assert titles() == {"岭南讲座", "西关摄影展", "手机课堂", "草稿讲座"}
    assert titles(org="YX") == {"岭南讲座", "西关摄影展", "草稿讲座"}
    assert titles(org="HZ", since="") == {"手机课堂"}
    assert titles(kind="exhibition") == {"西关摄影展"}
    assert titles(status="draft") == {"草稿讲座"}
    assert titles(audience="children") == {"岭南讲座"}
    assert titles(q="摄影") == {"西关摄影展"}
    assert titles(since="2030-03-10", until="2030-03-12") == {"西关摄影展"}
    assert "往年讲座" in titles(since="")
    page = gt.get(BASE, {"kind": "exhibition"}).content.decode()
    assert "YX-DS" in page and "2030-03-01 09:00" in page
    assert gt.get(BASE, {"since": "not a date"}).status_code == 400


def test_list_pages_fifty_at_a_time(gt, tree):
    start = at(2030, 6, 1, 9)
    Event.objects.bulk_create(
        Event(
            kind=EventKind.TRAINING,
            title=f"电脑课 {n:02d}",
            org_unit=tree["YX-GT"],
            starts_at=start + timedelta(hours=n),
            ends_at=start + timedelta(hours=n, minutes=50),
            capacity=20,
            registration_required=True,
            seats_taken=n % 20,
        )
        for n in range(55)
    )
    first = gt.get(BASE, {"org": "YX-GT"})
    assert len(first.context["page"].object_list) == 50
    assert "page=2" in first.content.decode()
    second = gt.get(BASE, {"org": "YX-GT", "page": 2})
    rows = second.context["page"].object_list
    assert [event.title for event in rows] == [f"电脑课 {n}" for n in range(50, 55)]
    assert "14/20" in second.content.decode()


# --- Calendar -----------------------------------------------------------------------------


def test_calendar_month_and_week(gt, make_event):
    make_event(org="YX-GT", title="三月讲座", starts_at=at(2030, 3, 12))
    make_event(
        org="YX-DS",
        kind="exhibition",
        title="岭南画派展",
        starts_at=at(2030, 2, 20, 9),
        ends_at=at(2030, 3, 20, 17),
    )
    make_event(org="YX-GT", title="四月讲座", starts_at=at(2030, 4, 2))
    make_event(org="HZ-A", title="海珠讲座", starts_at=at(2030, 3, 13))

    month = gt.get(f"{BASE}calendar/", {"view": "month", "date": "2030-03-15"})
    assert month.status_code == 200
    page = month.content.decode()
    assert "三月讲座" in page and "岭南画派展" in page and "海珠讲座" in page
    assert "四月讲座" not in page
    # The exhibition is listed once as running, not in every cell.
    assert [event.title for event in month.context["running"]] == ["岭南画派展"]
    assert page.count("岭南画派展") == 1
    assert "date=2030-02-01" in page and "date=2030-04-01" in page  # previous / next

    branch = gt.get(f"{BASE}calendar/", {"view": "month", "date": "2030-03-01", "org": "YX"})
    assert "海珠讲座" not in branch.content.decode() and "三月讲座" in branch.content.decode()

    # 2030-03-12 is a Tuesday: the week runs Monday 11 to Sunday 17.
    week = gt.get(f"{BASE}calendar/", {"view": "week", "date": "2030-03-12"})
    days = week.context["days"]
    assert [cell.day.isoformat() for cell in (days[0], days[-1])] == ["2030-03-11", "2030-03-17"]
    text = week.content.decode()
    assert "三月讲座" in text and "岭南画派展" in text and "四月讲座" not in text
    later = gt.get(f"{BASE}calendar/", {"view": "week", "date": "2030-03-25"})
    assert "三月讲座" not in later.content.decode() and "岭南画派展" not in later.content.decode()
    assert gt.get(f"{BASE}calendar/", {"org": "NOPE"}).status_code == 404


def test_a_crowded_day_links_to_the_rest(gt, tree):
    start = at(2030, 3, 4, 9)
    Event.objects.bulk_create(
        Event(
            kind=EventKind.READING_PROMOTION,
            title=f"故事会 {n}",
            org_unit=tree["YX-GT"],
            starts_at=start + timedelta(minutes=10 * n),
            ends_at=start + timedelta(minutes=10 * n + 30),
        )
        for n in range(8)
    )
    page = gt.get(f"{BASE}calendar/", {"date": "2030-03-04"}).content.decode()
    assert "故事会 4" in page and "故事会 5" not in page
    assert "since=2030-03-04&amp;until=2030-03-04" in page


# --- Creating and editing -----------------------------------------------------------------


def test_create_an_event_with_the_form(gt):
    image = SimpleUploadedFile("poster.png", PNG, content_type="image/png")
    response = gt.post(f"{BASE}new/", {**_form(image_alt="骑楼照片"), "image": image})
    assert response.status_code == 302
    event = Event.objects.get(title="岭南建筑讲座")
    assert response["Location"] == f"{BASE}{event.pk}/"
    assert event.org_unit.code == "YX-GT" and event.capacity == 30
    assert event.registration_required  # the default with a capacity
    assert event.series.name == "岭南讲坛" and event.venue.name == "报告厅"
    assert event.audience_codes == ["adults", "elderly"]
    assert timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M") == "2030-05-01 14:00"
    assert event.image.content_type == "image/png" and event.image_alt == "骑楼照片"
    assert gt.get(f"{BASE}{event.pk}/image/")["Content-Type"] == "image/png"
    detail = gt.get(f"{BASE}{event.pk}/").content.decode()
    assert "岭南建筑讲座" in detail and "报告厅" in detail
    # The organiser's series is offered next time.
    assert '<option value="岭南讲坛">' in gt.get(f"{BASE}new/").content.decode()


def test_form_errors_are_shown_next_to_the_fields(gt):
    response = gt.post(f"{BASE}new/", _form(ends_at="2030-05-01T13:00"))
    assert response.status_code == 400
    assert "The end must be after the start." in response.content.decode()
    assert not Event.objects.exists()
    online = gt.post(f"{BASE}new/", _form(online="on", venue_name="", capacity=""))
    assert online.status_code == 400
    assert "An online event needs its live-stream link." in online.content.decode()
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * IMAGE_MAX_BYTES)
    too_big = gt.post(f"{BASE}new/", {**_form(), "image": big})
    assert too_big.status_code == 400 and "larger than 2 MB" in too_big.content.decode()
    not_image = SimpleUploadedFile("notes.png", b"hello")
    wrong = gt.post(f"{BASE}new/", {**_form(), "image": not_image})
    assert wrong.status_code == 400 and "JPEG, PNG or WebP" in wrong.content.decode()
    assert not Event.objects.exists()


def test_edit_an_event(gt, make_event):
    event = make_event(org="YX-GT", capacity=10, starts_at=at(2030, 5, 2))
    form = gt.get(f"{BASE}{event.pk}/edit/")
    assert form.status_code == 200 and "2030-05-02T14:00" in form.content.decode()
    response = gt.post(
        f"{BASE}{event.pk}/edit/",
        _form(
            title="岭南文化讲座（改期）", starts_at="2030-05-03T15:00", ends_at="2030-05-03T17:00"
        ),
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "岭南文化讲座（改期）" and event.capacity == 30
    assert timezone.localtime(event.starts_at).day == 3
    bad = gt.post(f"{BASE}{event.pk}/edit/", _form(capacity="0"))
    assert bad.status_code == 400


def test_duplicate_makes_a_draft(gt, make_event):
    event = make_event(org="YX-GT", starts_at=at(2030, 5, 2))
    response = gt.post(f"{BASE}{event.pk}/duplicate/", {"starts_at": "2030-06-06T10:00"})
    copy = Event.objects.exclude(pk=event.pk).get()
    assert response.status_code == 302 and response["Location"] == f"{BASE}{copy.pk}/edit/"
    assert copy.status == EventStatus.DRAFT and copy.title == event.title
    assert timezone.localtime(copy.starts_at) == at(2030, 6, 6, 10)
    page = gt.get(f"{BASE}{copy.pk}/").content.decode()
    assert f"{BASE}{copy.pk}/publish/" in page
    gt.post(f"{BASE}{copy.pk}/publish/")
    copy.refresh_from_db()
    assert copy.status == EventStatus.PUBLISHED


def test_repeat_weekly(gt, make_event):
    event = make_event(org="YX-GT", kind="training", title="手机课堂", starts_at=at(2030, 5, 2))
    response = gt.post(f"{BASE}{event.pk}/repeat/", {"sessions": 3}, follow=True)
    sessions = list(Event.objects.filter(title="手机课堂").order_by("starts_at"))
    assert len(sessions) == 4
    assert [timezone.localtime(s.starts_at).date().isoformat() for s in sessions[1:]] == [
        "2030-05-09",
        "2030-05-16",
        "2030-05-23",
    ]
    assert len({s.series_id for s in sessions}) == 1 and sessions[0].series_id
    assert "3 weekly sessions added." in response.content.decode()
    too_many = gt.post(f"{BASE}{event.pk}/repeat/", {"sessions": 99}, follow=True)
    assert Event.objects.filter(title="手机课堂").count() == 4
    assert "1 to 52" in too_many.content.decode()


def test_cancel_needs_a_reason_and_cancels_registrations(gt, make_event, make_reader, system):
    event = make_event(org="YX-GT", capacity=5)
    registration = registration_services.registration_create(
        actor=system, event_id=event.pk, patron=make_reader().patron, via="opac"
    )
    refused = gt.post(f"{BASE}{event.pk}/cancel/", {"reason": "  "}, follow=True)
    assert "Say why the event is cancelled" in refused.content.decode()
    assert Event.objects.get(pk=event.pk).status == EventStatus.PUBLISHED
    done = gt.post(f"{BASE}{event.pk}/cancel/", {"reason": "台风停课"}, follow=True)
    event.refresh_from_db()
    registration.refresh_from_db()
    assert event.status == EventStatus.CANCELLED and event.cancel_reason == "台风停课"
    assert registration.status == RegistrationStatus.CANCELLED
    assert "台风停课" in done.content.decode()
    # A cancelled event is no longer edited.
    assert gt.get(f"{BASE}{event.pk}/edit/").status_code == 302


# --- Registration at the desk -------------------------------------------------------------


def test_desk_registration_with_a_waiting_list(gt, make_event, make_reader):
    event = make_event(org="YX-GT", capacity=1)
    first, second = make_reader(), make_reader()
    gt.post(f"{BASE}{event.pk}/register/", {"card": first.barcode})
    answer = gt.post(f"{BASE}{event.pk}/register/", {"card": second.barcode}, follow=True)
    assert "waiting list, number 1" in answer.content.decode()
    event.refresh_from_db()
    assert (event.seats_taken, event.waitlisted) == (1, 1)
    detail = gt.get(f"{BASE}{event.pk}/")
    assert [(n, r.patron_id) for n, r in detail.context["waiting"]] == [(1, second.patron_id)]
    assert first.barcode not in detail.content.decode()  # card numbers stay out of pages
    unknown = gt.post(f"{BASE}{event.pk}/register/", {"card": "NOSUCHCARD"}, follow=True)
    assert "There is no reader with this card number." in unknown.content.decode()
    seat = Registration.objects.get(patron=first.patron)
    gt.post(f"{BASE}{event.pk}/registrations/{seat.pk}/cancel/")
    assert Registration.objects.get(patron=second.patron).status == RegistrationStatus.CONFIRMED
    assert Registration.objects.get(pk=seat.pk).status == RegistrationStatus.CANCELLED
    assert gt.post(f"{BASE}{event.pk}/registrations/999999/cancel/").status_code == 404


# --- The door -----------------------------------------------------------------------------


def test_check_in_by_card_and_by_qr_ticket(gt, make_event, make_reader, system):
    event = _running_now(make_event, org="YX-GT", capacity=10)
    by_card, by_ticket = make_reader(), make_reader()
    _register_before(event, by_card, system)
    ticket = _register_before(event, by_ticket, system).ticket
    url = f"{BASE}{event.pk}/checkin/"
    door = gt.get(url).content.decode()
    assert 'aria-live="assertive"' in door and "autofocus" in door

    response = gt.post(url, {"code": by_card.barcode})
    assert response.status_code == 302 and by_card.barcode not in response["Location"]
    page = gt.get(url).content.decode()
    assert "Checked in: 活动读者" in page and "walk-in" not in page.split("scan-result")[1][:300]
    gt.post(url, {"code": f"WJEV:{ticket}"})
    assert Registration.objects.filter(event=event, checked_in_at__isnull=False).count() == 2
    event.refresh_from_db()
    assert event.checked_in == 2
    assert "<strong>2</strong> / 10" in gt.get(url).content.decode()


def test_check_in_twice_gives_the_earlier_time(gt, make_event, make_reader, system):
    event = _running_now(make_event, org="YX-GT", capacity=10)
    card = make_reader()
    _register_before(event, card, system)
    url = f"{BASE}{event.pk}/checkin/"
    gt.post(url, {"code": card.barcode})
    first = Registration.objects.get(event=event, patron=card.patron).checked_in_at
    gt.post(url, {"code": card.barcode})
    page = gt.get(url).content.decode()
    expected = timezone.localtime(first).strftime("%H:%M")
    assert f"Already checked in at {expected}." in page
    assert 'role="alert"' in page
    event.refresh_from_db()
    assert event.checked_in == 1


def test_check_in_walk_ins_full_and_unknown(gt, make_event, make_reader, system):
    event = _running_now(make_event, org="YX-GT", capacity=1)
    url = f"{BASE}{event.pk}/checkin/"
    walk_in = make_reader()
    gt.post(url, {"code": walk_in.barcode})
    assert "walk-in" in gt.get(url).content.decode()
    assert Registration.objects.get(patron=walk_in.patron).walk_in
    gt.post(url, {"code": make_reader().barcode})
    assert "The event is full." in gt.get(url).content.decode()
    gt.post(url, {"code": "WJEV:nosuchticket"})
    assert "This ticket is not valid." in gt.get(url).content.decode()
    gt.post(url, {"code": ""})
    assert "Scan a reader" in gt.get(url).content.decode()


def test_check_in_with_htmx_updates_the_parts(gt, make_event, make_reader, system):
    event = _running_now(make_event, org="YX-GT", capacity=10)
    card = make_reader()
    _register_before(event, card, system)
    response = gt.post(f"{BASE}{event.pk}/checkin/", {"code": card.barcode}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Checked in: 活动读者" in text
    assert 'id="checkin-totals" ' in text and 'hx-swap-oob="true"' in text
    assert "<strong>1</strong> / 10" in text


def test_check_in_before_the_window(gt, make_event, make_reader):
    event = make_event(org="YX-GT", capacity=10)  # in three days
    url = f"{BASE}{event.pk}/checkin/"
    assert "Check-in is open from" in gt.get(url).content.decode()
    gt.post(url, {"code": make_reader().barcode})
    assert "Check-in runs from two hours before the start" in gt.get(url).content.decode()


# --- Attendance ---------------------------------------------------------------------------


def test_day_counts_and_a_corrected_total_with_its_trail(gt, make_event):
    today = timezone.localdate()
    opening = today - timedelta(days=3)
    event = make_event(
        org="YX-GT",
        kind="exhibition",
        title="广府民俗展",
        starts_at=at(opening.year, opening.month, opening.day, 9),
        ends_at=at(today.year, today.month, today.day, 17) + timedelta(days=3),
    )
    url = f"{BASE}{event.pk}/attendance/"
    page = gt.get(url)
    assert len(page.context["days"]) == 7
    yesterday = today - timedelta(days=1)
    gt.post(url, {"action": "day", "day": yesterday.isoformat(), "count": "120"})
    gt.post(url, {"action": "day", "day": yesterday.isoformat(), "count": "150"})
    event.refresh_from_db()
    assert (event.counted, event.attendance) == (150, 150)
    future = gt.post(
        url,
        {"action": "day", "day": (today + timedelta(days=1)).isoformat(), "count": "5"},
        follow=True,
    )
    assert "still to come" in future.content.decode()
    no_reason = gt.post(url, {"action": "total", "total": "500", "reason": ""}, follow=True)
    assert "Give the total" in no_reason.content.decode()
    event.refresh_from_db()
    assert event.attendance_total is None
    gt.post(url, {"action": "total", "total": "500", "reason": "闸机计数补录"})
    event.refresh_from_db()
    assert (event.attendance_total, event.attendance) == (500, 500)
    trail = gt.get(url)
    text = trail.content.decode()
    assert "闸机计数补录" in text and "150 → 500" in text and "120 → 150" in text
    assert len(trail.context["trail"]) == 3
    gt.post(url, {"action": "total", "total": "", "reason": "恢复按日计数"})
    event.refresh_from_db()
    assert (event.attendance_total, event.attendance) == (None, 150)


def test_attendance_is_refused_outside_the_desk_scope(staff_client, make_event):
    event = _running_now(make_event, org="YX-GT")
    hz = staff(staff_client, "hz_desk", "desk_staff", "HZ")
    page = hz.get(f"{BASE}{event.pk}/attendance/")
    assert page.status_code == 403 and 'name="count"' not in page.content.decode()
    today = timezone.localdate().isoformat()
    refused = hz.post(f"{BASE}{event.pk}/attendance/", {"action": "day", "day": today, "count": 9})
    assert refused.status_code == 403
    event.refresh_from_db()
    assert event.counted == 0
