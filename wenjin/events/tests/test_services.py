"""Event services against the database: creating, editing, repeating and cancelling
events; registrations with the waiting list; check-in; attendance; permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from wenjin.accounts.models import AuditEntry
from wenjin.events.models import (
    AttendanceCount,
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from wenjin.events.services import attendance, registrations
from wenjin.events.services.events import (
    EventDetails,
    event_cancel,
    event_duplicate,
    event_publish,
    event_repeat,
    event_update,
    events_finish,
    image_store,
)
from wenjin.events.tests.conftest import soon
from wenjin.lib.errors import Conflict, Forbidden, NotFound, ValidationFailed
from wenjin.patrons.models import CardStatus

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def register(system, event, card, via="desk"):
    return registrations.registration_create(
        actor=system, event_id=event.pk, patron=card.patron, via=via
    )


def details_of(event: Event, **changes) -> EventDetails:
    values = {
        "kind": event.kind,
        "title": event.title,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "capacity": event.capacity,
        "series": event.series.name if event.series else "",
        "venue": event.venue.name if event.venue else "",
        "registration_required": event.registration_required,
    }
    return EventDetails(**(values | changes))


# --- Events ---------------------------------------------------------------------------


def test_an_event_is_created_with_series_venue_and_audiences(make_event, tree):
    event = make_event(
        kind="讲座",
        series="越秀讲坛",
        venue="报告厅",
        audiences=["elderly", "adults"],
        capacity=80,
    )
    assert event.kind == "lecture"
    assert event.series.name == "越秀讲坛" and event.series.org_unit.code == "YX-GT"
    assert event.venue.org_unit == tree["YX-GT"]
    assert event.audience_codes == ["adults", "elderly"]
    assert event.registration_required  # a capacity takes registrations by default
    assert AuditEntry.objects.filter(action="event.create", object_id=str(event.pk)).exists()
    again = make_event(series="越秀讲坛", venue="报告厅", title="第二讲")
    assert again.series == event.series and again.venue == event.venue
    assert not make_event(title="开放日").registration_required


def test_an_outside_venue_keeps_its_address(make_event):
    event = make_event(venue="广州博物馆", venue_address="越秀山镇海楼")
    assert event.venue.org_unit is None
    assert event.venue.address == "越秀山镇海楼"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "讲" * 201}, "title"),
        ({"capacity": 0}, "capacity"),
        ({"status": "finished"}, "status"),  # not over yet
        ({"online": True}, "stream_url"),
    ],
)
def test_bad_details_are_refused(make_event, values, field):
    with pytest.raises(ValidationFailed) as error:
        make_event(**values)
    assert field in error.value.details["fields"]
    assert not Event.objects.exists()


def test_an_event_cannot_end_before_it_starts(make_event):
    start = soon()
    with pytest.raises(ValidationFailed) as error:
        make_event(starts_at=start, ends_at=start - timedelta(hours=1))
    assert error.value.code == "EVENT_TIMES"


def test_an_event_already_held_may_be_recorded_as_finished(make_event):
    start = soon(days=-10)
    assert make_event(starts_at=start, status="finished").status == EventStatus.FINISHED


def test_only_organisers_in_the_subtree_may_create_and_edit(
    make_event, make_staff, actor_for, system
):
    hz = actor_for(make_staff("hz_events", "events_organiser", "HZ"))
    yx = actor_for(make_staff("yx_events", "events_organiser", "YX"))
    desk = actor_for(make_staff("gt_desk", "desk_staff", "YX-GT"))
    with pytest.raises(Forbidden):
        make_event(org="YX-GT", actor=hz)
    with pytest.raises(Forbidden):
        make_event(org="YX-GT", actor=desk)
    event = make_event(org="YX-GT", actor=yx)  # YX covers its branch YX-GT
    with pytest.raises(Forbidden):
        event_update(actor=hz, event_id=event.pk, details=details_of(event, title="改"))
    with pytest.raises(Forbidden):
        event_cancel(actor=hz, event_id=event.pk, reason="场地维修")


def test_editing_records_what_changed_and_moves_waiting_readers_up(make_event, make_reader, system):
    event = make_event(capacity=1)
    first, second, third = (make_reader() for _ in range(3))
    register(system, event, first)
    register(system, event, second)
    register(system, event, third)
    updated = event_update(
        actor=system, event_id=event.pk, details=details_of(event, capacity=2, title="新标题")
    )
    assert (updated.title, updated.seats_taken, updated.waitlisted) == ("新标题", 2, 1)
    moved = Registration.objects.get(patron=second.patron)
    assert moved.status == "confirmed" and moved.promoted_at is not None
    entry = AuditEntry.objects.get(action="event.update")
    assert entry.changes["title"] == ["岭南文化讲座", "新标题"]


def test_capacity_cannot_drop_below_the_seats_given(make_event, make_reader, system):
    event = make_event(capacity=3)
    for _ in range(2):
        register(system, event, make_reader())
    with pytest.raises(ValidationFailed) as error:
        event_update(actor=system, event_id=event.pk, details=details_of(event, capacity=1))
    assert error.value.code == "EVENT_CAPACITY_BELOW_SEATS"
    assert Event.objects.get(pk=event.pk).capacity == 3


def test_duplicate_makes_a_draft_and_publish_opens_it(make_event, system):
    event = make_event(capacity=20, series="绘本故事会")
    later = event.starts_at + timedelta(days=14)
    copy = event_duplicate(actor=system, event_id=event.pk, starts_at=later)
    assert copy.status == EventStatus.DRAFT and copy.pk != event.pk
    assert (copy.starts_at, copy.ends_at - copy.starts_at) == (
        later,
        event.ends_at - event.starts_at,
    )
    assert (copy.series, copy.capacity, copy.seats_taken) == (event.series, 20, 0)
    assert event_publish(actor=system, event_id=copy.pk).status == EventStatus.PUBLISHED
    with pytest.raises(Conflict):
        event_publish(actor=system, event_id=copy.pk)


def test_repeat_makes_weekly_sessions_in_one_series_once(make_event, system):
    event = make_event(title="长者智能手机课堂", capacity=30)
    sessions = event_repeat(actor=system, event_id=event.pk, sessions=9)
    event.refresh_from_db()
    assert event.series.name == "长者智能手机课堂"
    assert [s.starts_at for s in sessions] == [
        event.starts_at + timedelta(weeks=n) for n in range(1, 10)
    ]
    assert {s.series_id for s in sessions} == {event.series_id}
    assert event_repeat(actor=system, event_id=event.pk, sessions=9) == []
    assert Event.objects.count() == 10


def test_cancelling_cancels_registrations_and_tells_readers(
    make_event, make_reader, system, django_capture_on_commit_callbacks
):
    event = make_event(capacity=1)
    cards = [make_reader(), make_reader()]
    for card in cards:
        register(system, event, card)
    with pytest.raises(ValidationFailed):
        event_cancel(actor=system, event_id=event.pk, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = event_cancel(actor=system, event_id=event.pk, reason="台风停馆")
    assert (cancelled.status, cancelled.seats_taken, cancelled.waitlisted) == ("cancelled", 0, 0)
    assert set(Registration.objects.values_list("status", flat=True)) == {"cancelled"}
    from wenjin.notices.models import Notice

    notices = Notice.objects.filter(kind="event_cancelled")
    assert notices.count() == 2
    assert "台风停馆" in notices.first().body
    with pytest.raises(Conflict):
        event_cancel(actor=system, event_id=event.pk, reason="again")
    with pytest.raises(Conflict):
        register(system, event, make_reader())


def test_images_must_be_real_images(system):
    assert image_store(PNG).content_type == "image/png"
    assert image_store(b"\xff\xd8\xff\xe0" + b"0" * 10).content_type == "image/jpeg"
    assert image_store(b"RIFF\x00\x00\x00\x00WEBPVP8 ").content_type == "image/webp"
    with pytest.raises(ValidationFailed):
        image_store(b"<svg onload=alert(1)>")
    with pytest.raises(ValidationFailed):
        image_store(PNG + b"0" * (2 * 1024 * 1024))


# --- Registrations ----------------------------------------------------------------------


def test_seats_then_waiting_list_then_moving_up(make_event, make_reader, system):
    event = make_event(capacity=2)
    cards = [make_reader() for _ in range(4)]
    made = [register(system, event, card) for card in cards]
    assert [r.status for r in made] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [registrations.queue_position(r) for r in made] == [0, 0, 1, 2]
    event.refresh_from_db()
    assert (event.seats_taken, event.waitlisted) == (2, 2)

    registrations.registration_cancel(
        actor=system, event_id=event.pk, patron=cards[0].patron, via="desk"
    )
    made[2].refresh_from_db()
    made[3].refresh_from_db()
    assert made[2].status == "confirmed"
    assert registrations.queue_position(made[3]) == 1
    event.refresh_from_db()
    assert (event.seats_taken, event.waitlisted) == (2, 1)


def test_a_waiting_reader_who_moves_up_is_told(
    make_event, make_reader, system, django_capture_on_commit_callbacks
):
    from wenjin.notices.models import Notice

    event = make_event(capacity=1)
    first, second = make_reader(), make_reader()
    register(system, event, first)
    register(system, event, second)
    with django_capture_on_commit_callbacks(execute=True):
        registrations.registration_cancel(
            actor=system, event_id=event.pk, patron=first.patron, via="opac"
        )
    notice = Notice.objects.get(kind="event_promoted")
    assert notice.patron == second.patron
    assert event.title in notice.body


def test_registering_twice_is_refused(make_event, reader, system):
    event = make_event(capacity=5)
    register(system, event, reader)
    with pytest.raises(Conflict) as error:
        register(system, event, reader)
    assert error.value.code == "EVENT_ALREADY_REGISTERED"
    # After cancelling, the reader may register again.
    registrations.registration_cancel(
        actor=system, event_id=event.pk, patron=reader.patron, via="desk"
    )
    assert register(system, event, reader).status == "confirmed"


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"status": "draft"}, "EVENT_NOT_OPEN"),
        ({"registration_required": False}, "EVENT_NO_REGISTRATION"),
        ({"registration_opens_at": soon(days=2)}, "EVENT_REGISTRATION_NOT_OPEN"),
        ({"registration_closes_at": soon(days=-1)}, "EVENT_REGISTRATION_CLOSED"),
    ],
)
def test_registration_only_while_open(make_event, reader, system, values, code):
    event = make_event(capacity=5, **values)
    with pytest.raises(Conflict) as error:
        register(system, event, reader)
    assert error.value.code == code


def test_registration_closes_when_the_event_starts(make_event, reader, system):
    event = make_event(capacity=5)
    with pytest.raises(Conflict) as error:
        registrations.registration_create(
            actor=system, event_id=event.pk, patron=reader.patron, via="opac", now=event.starts_at
        )
    assert error.value.code == "EVENT_REGISTRATION_CLOSED"


def test_a_reader_with_a_blocked_card_cannot_register(make_event, reader, system):
    reader.status = CardStatus.BLOCKED
    reader.save()
    with pytest.raises(Conflict) as error:
        register(system, make_event(capacity=5), reader)
    assert error.value.code == "PATRON_CARD_NOT_ACTIVE"


@override_settings(WENJIN_EVENT_REGISTRATIONS_PER_READER=2)
def test_a_reader_may_hold_only_so_many_coming_registrations(make_event, reader, system):
    events = [make_event(capacity=5, title=f"讲座{n}") for n in range(3)]
    register(system, events[0], reader)
    register(system, events[1], reader)
    with pytest.raises(Conflict) as error:
        register(system, events[2], reader)
    assert error.value.code == "EVENT_REGISTRATION_LIMIT"


def test_desk_staff_register_only_for_events_in_their_part(
    make_event, reader, make_staff, actor_for
):
    event = make_event(org="YX-GT", capacity=5)
    other = actor_for(make_staff("hz_desk", "desk_staff", "HZ"))
    with pytest.raises(Forbidden):
        registrations.registration_create(
            actor=other, event_id=event.pk, patron=reader.patron, via="desk"
        )
    own = actor_for(make_staff("gt_desk", "desk_staff", "YX-GT"))
    made = registrations.registration_create(
        actor=own, event_id=event.pk, patron=reader.patron, via="desk"
    )
    assert made.status == "confirmed"


def test_an_unknown_event_is_not_found(reader, system):
    with pytest.raises(NotFound) as error:
        registrations.registration_create(
            actor=system, event_id=999_999, patron=reader.patron, via="opac"
        )
    assert error.value.code == "EVENT_NOT_FOUND"


# --- Check-in ---------------------------------------------------------------------------


def running_event(make_event, **values) -> Event:
    """An event that started an hour ago, registrations taken beforehand."""
    event = make_event(**values)
    start = timezone.now() - timedelta(hours=1)
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + timedelta(hours=3))
    event.refresh_from_db()
    return event


def test_check_in_by_card_and_by_ticket_and_never_twice(make_event, make_reader, system):
    event = make_event(capacity=10)
    by_card, by_ticket = make_reader(), make_reader()
    register(system, event, by_card)
    ticket = register(system, event, by_ticket).ticket
    start = timezone.now() - timedelta(hours=1)
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + timedelta(hours=3))

    first = registrations.checkin(actor=system, event_id=event.pk, code=by_card.barcode)
    second = registrations.checkin(actor=system, event_id=event.pk, code=f"wjev:{ticket}")
    assert first.checked_in_at and second.checked_in_at and not first.walk_in
    with pytest.raises(Conflict) as error:
        registrations.checkin(actor=system, event_id=event.pk, code=by_card.barcode)
    assert error.value.code == "EVENT_ALREADY_CHECKED_IN"
    assert "checked_in_at" in error.value.details
    event.refresh_from_db()
    assert (event.checked_in, event.attendance) == (2, 2)


def test_walk_ins_take_free_seats_only(make_event, make_reader, system):
    event = running_event(make_event, capacity=1)
    walk_in = registrations.checkin(actor=system, event_id=event.pk, code=make_reader().barcode)
    assert walk_in.walk_in and walk_in.status == "confirmed"
    with pytest.raises(Conflict) as error:
        registrations.checkin(actor=system, event_id=event.pk, code=make_reader().barcode)
    assert error.value.code == "EVENT_FULL"


def test_an_open_event_admits_every_walk_in(make_event, make_reader, system):
    event = running_event(make_event)  # no capacity, no registration
    for _ in range(3):
        registrations.checkin(actor=system, event_id=event.pk, code=make_reader().barcode)
    event.refresh_from_db()
    assert event.attendance == 3


def test_tickets_of_other_events_and_unknown_codes_are_refused(make_event, reader, system):
    other = make_event(capacity=5, title="别的活动")
    ticket = register(system, other, reader).ticket
    event = running_event(make_event, capacity=5)
    with pytest.raises(Conflict) as error:
        registrations.checkin(actor=system, event_id=event.pk, code=f"WJEV:{ticket}")
    assert error.value.code == "EVENT_TICKET_OTHER_EVENT"
    with pytest.raises(NotFound) as error:
        registrations.checkin(actor=system, event_id=event.pk, code="WJEV:nonsense")
    assert error.value.code == "EVENT_TICKET_NOT_FOUND"
    with pytest.raises(NotFound):
        registrations.checkin(actor=system, event_id=event.pk, code="0000000000")


def test_check_in_only_around_the_event(make_event, reader, system):
    event = make_event(capacity=5)  # in three days
    register(system, event, reader)
    with pytest.raises(Conflict) as error:
        registrations.checkin(actor=system, event_id=event.pk, code=reader.barcode)
    assert error.value.code == "EVENT_CHECKIN_CLOSED"


def test_finishing_records_no_shows(make_event, make_reader, system):
    event = running_event(make_event, capacity=5)
    came, absent = make_reader(), make_reader()
    Registration.objects.create(
        event=event, patron=absent.patron, status="confirmed", registered_at=timezone.now()
    )
    registrations.checkin(actor=system, event_id=event.pk, code=came.barcode)
    outcome = events_finish(event.ends_at + timedelta(minutes=1))
    assert outcome == {"finished": 1, "no_shows": 1}
    event.refresh_from_db()
    assert event.status == EventStatus.FINISHED
    assert Registration.objects.get(patron=absent.patron).no_show
    assert not Registration.objects.get(patron=came.patron).no_show
    assert events_finish(event.ends_at + timedelta(minutes=2)) == {"finished": 0, "no_shows": 0}


# --- Attendance -------------------------------------------------------------------------


def exhibition(make_event) -> Event:
    start = soon(days=-10, hour=9)
    return make_event(
        kind="exhibition", starts_at=start, ends_at=start + timedelta(days=30), title="非遗展"
    )


def test_day_counts_replace_each_other_and_are_audited(make_event, system):
    event = exhibition(make_event)
    first_day = timezone.localtime(event.starts_at).date()
    attendance.attendance_count_set(actor=system, event_id=event.pk, day=first_day, count=500)
    attendance.attendance_count_set(
        actor=system, event_id=event.pk, day=first_day + timedelta(days=1), count=320
    )
    changed = attendance.attendance_count_set(
        actor=system, event_id=event.pk, day=first_day, count=450
    )
    assert changed.attendance == 770
    assert AttendanceCount.objects.filter(event=event).count() == 2
    trail = AuditEntry.objects.filter(action="event.attendance.day").order_by("pk")
    assert [entry.changes["count"] for entry in trail] == [[None, 500], [None, 320], [500, 450]]


@pytest.mark.parametrize(
    ("day_offset", "count", "code"),
    [(-1, 10, "EVENT_DAY_OUTSIDE"), (15, 10, "EVENT_DAY_FUTURE"), (0, -5, "EVENT_COUNT_RANGE")],
)
def test_bad_day_counts_are_refused(make_event, system, day_offset, count, code):
    event = exhibition(make_event)
    day = timezone.localtime(event.starts_at).date() + timedelta(days=day_offset)
    with pytest.raises(ValidationFailed) as error:
        attendance.attendance_count_set(actor=system, event_id=event.pk, day=day, count=count)
    assert error.value.code == code
    assert not AttendanceCount.objects.exists()


def test_a_total_replaces_the_counts_until_cleared(make_event, make_reader, system):
    event = running_event(make_event, capacity=10)
    registrations.checkin(actor=system, event_id=event.pk, code=make_reader().barcode)
    with pytest.raises(ValidationFailed):
        attendance.attendance_total_set(actor=system, event_id=event.pk, total=60, reason="")
    assert (
        attendance.attendance_total_set(
            actor=system, event_id=event.pk, total=60, reason="纸质签到表补录"
        ).attendance
        == 60
    )
    cleared = attendance.attendance_total_set(
        actor=system, event_id=event.pk, total=None, reason="撤销补录"
    )
    assert cleared.attendance == 1
    trail = AuditEntry.objects.filter(action="event.attendance.total").order_by("pk")
    assert [entry.changes["attendance"] for entry in trail] == [[1, 60], [60, 1]]


def test_desk_staff_elsewhere_cannot_count(make_event, make_staff, actor_for):
    event = exhibition(make_event)
    other = actor_for(make_staff("hz_desk", "desk_staff", "HZ"))
    with pytest.raises(Forbidden):
        attendance.attendance_count_set(
            actor=other,
            event_id=event.pk,
            day=timezone.localtime(event.starts_at).date(),
            count=10,
        )


def test_drafts_have_no_attendance(make_event, system):
    start = soon(days=-1)
    event = make_event(starts_at=start, status="draft")
    with pytest.raises(Conflict):
        attendance.attendance_count_set(
            actor=system, event_id=event.pk, day=timezone.localtime(start).date(), count=3
        )


def test_event_counters_match_the_rows(make_event, make_reader, system):
    event = make_event(capacity=2)
    for _ in range(3):
        register(system, event, make_reader())
    event.refresh_from_db()
    rows = Registration.objects.filter(event=event)
    assert event.seats_taken == rows.filter(status=RegistrationStatus.CONFIRMED).count()
    assert event.waitlisted == rows.filter(status=RegistrationStatus.WAITLISTED).count()
