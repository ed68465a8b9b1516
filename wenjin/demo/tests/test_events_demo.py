"""Demo events: a district library's year in realistic proportions, counters that match
the rows, registrations for the readers the manifest lists, and the services working on
the demo's events. The demo is built once for the module and rolled back afterwards."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from wenjin.accounts.actor import Actor
from wenjin.demo import builder
from wenjin.demo.patron_builder import manifest_patrons
from wenjin.events import policies
from wenjin.events.models import (
    AttendanceCount,
    Event,
    EventKind,
    EventSeries,
    EventStatus,
    Registration,
    RegistrationStatus,
    Venue,
)
from wenjin.events.selectors import day_start, reader_registrations
from wenjin.events.services.common import recount
from wenjin.events.services.registrations import registration_create
from wenjin.lib.errors import Conflict
from wenjin.patrons.models import Card


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: object) -> Iterator[None]:
    """The small demo without a catalogue (events do not need one), built once."""
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        builder.build(seed=4, catalog="none")
        yield
        transaction.set_rollback(True)


@pytest.fixture
def today(demo: None, db: None) -> object:
    return timezone.localdate()


def past_year(today: object) -> object:
    start = day_start(today - timedelta(days=365))  # type: ignore[operator]
    return Event.objects.filter(starts_at__gte=start, starts_at__lt=day_start(today))


def test_a_year_in_the_proportions_of_a_district_library(today):
    year = past_year(today)
    kinds = Counter(year.values_list("kind", flat=True))
    assert 2000 <= sum(kinds.values()) <= 2500, kinds
    assert kinds[EventKind.TRAINING] > 900, kinds
    assert 250 <= kinds[EventKind.LECTURE] <= 500, kinds
    assert 400 <= kinds[EventKind.READING_PROMOTION] <= 700, kinds
    assert 170 <= kinds[EventKind.EXHIBITION] <= 260, kinds
    assert kinds[EventKind.OTHER] > 0
    attendance = year.aggregate(total=Sum("attendance"))["total"]
    assert 400_000 <= attendance <= 650_000  # the model district: 504,312
    organisers = set(year.values_list("org_unit__code", flat=True))
    assert {"YX", "YX-SE", "YX-KQ", "YX-GT", "HZ"} <= organisers
    assert len({code for code in organisers if code.startswith("YX-")}) >= 18
    names = set(EventSeries.objects.values_list("name", flat=True))
    for brand in ("越秀讲坛", "羊城文化讲堂", "创客工作坊", "绘本故事会", "亲子阅读"):
        assert brand in names, brand
    assert {"世界读书日", "南国书香节"} <= names  # each falls within the built window
    assert any(name.startswith("长者智能手机课堂（") for name in names)
    assert any(name.startswith("长者电脑培训班（") for name in names)
    # Nothing is organised on a day its library is closed for renovation.
    hongqiao = Event.objects.filter(org_unit__code="YX-HQ")
    assert not hongqiao.filter(starts_at__date__gte=today - timedelta(days=9)).filter(
        starts_at__date__lte=today + timedelta(days=19)
    )


def test_every_counter_matches_its_rows(today):
    registrations = {
        row["event"]: row
        for row in Registration.objects.values("event").annotate(
            seats=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
            waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
            came=Count("pk", filter=Q(checked_in_at__isnull=False)),
        )
    }
    counted = dict(
        AttendanceCount.objects.values("event")
        .annotate(total=Sum("count"))
        .values_list("event", "total")
    )
    events = Event.objects.values_list(
        "pk", "seats_taken", "waitlisted", "checked_in", "counted", "attendance", "capacity"
    )
    assert len(events) > 2400
    for pk, seats, waiting, came, total, attendance, capacity in events:
        rows = registrations.get(pk, {"seats": 0, "waiting": 0, "came": 0})
        assert (seats, waiting, came) == (rows["seats"], rows["waiting"], rows["came"]), pk
        assert total == counted.get(pk, 0), pk
        assert attendance == came + total, pk
        assert capacity is None or seats <= capacity, pk
    assert not Event.objects.filter(attendance_total__isnull=False).exists()
    # The services' own recount agrees (a sample across kinds and statuses).
    sample = list(Event.objects.order_by("?")[:40]) + list(Event.objects.filter(waitlisted__gt=0))
    for event in sample:
        before = (event.seats_taken, event.waitlisted, event.checked_in, event.counted)
        recount(event)
        after = (event.seats_taken, event.waitlisted, event.checked_in, event.counted)
        assert before == after, event.pk


def test_past_events_finished_with_check_ins_no_shows_and_walk_ins(today):
    over = Event.objects.filter(ends_at__lt=day_start(today))
    statuses = Counter(over.values_list("status", flat=True))
    assert set(statuses) == {EventStatus.FINISHED, EventStatus.CANCELLED}, statuses
    assert statuses[EventStatus.CANCELLED] == 1
    cancelled = over.get(status=EventStatus.CANCELLED)
    assert cancelled.cancel_reason and cancelled.attendance == 0
    assert not cancelled.registrations.exclude(status=RegistrationStatus.CANCELLED).exists()
    held = Registration.objects.filter(event__in=over.filter(status=EventStatus.FINISHED))
    assert held.filter(checked_in_at__isnull=False, walk_in=False).count() > 2000
    assert held.filter(no_show=True, checked_in_at__isnull=True).count() > 100
    walk_ins = held.filter(walk_in=True)
    assert walk_ins.count() > 100
    assert not walk_ins.filter(checked_in_at__isnull=True).exists()
    assert not held.filter(no_show=True, checked_in_at__isnull=False).exists()
    # Registered before the event, checked in around its start.
    sample = held.select_related("event")[:300]
    assert all(r.registered_at <= r.event.starts_at + timedelta(minutes=10) for r in sample)
    finished = over.filter(status=EventStatus.FINISHED)
    assert not finished.filter(attendance=0).exists()


def test_exhibitions_run_for_weeks_with_large_daily_counts(today):
    shows = Event.objects.filter(kind=EventKind.EXHIBITION)
    for show in shows:
        days = (show.ends_at - show.starts_at).days + 1
        assert 14 <= days <= 42, (show.title, days)
        assert not show.registration_required and show.capacity is None
    over = shows.filter(status=EventStatus.FINISHED)
    counts = AttendanceCount.objects.filter(event__in=over)
    assert counts.values("event").distinct().count() == over.count()
    district = counts.filter(event__org_unit__code="YX")
    assert district.filter(count__gte=200).count() > district.count() * 0.9
    assert counts.filter(count__gte=1000).exists()  # the outdoor shows
    assert counts.filter(source="gate").exists()
    # A show running now has its days so far counted and none to come.
    running = shows.filter(status=EventStatus.PUBLISHED, starts_at__lt=day_start(today))
    assert running.exists()
    assert not AttendanceCount.objects.filter(event__in=running, day__gte=today).exists()
    assert Event.objects.filter(kind=EventKind.EXHIBITION, partners__kind="museum").exists()


def test_coming_events_open_some_full_a_few_drafts_one_cancelled(today):
    coming = Event.objects.filter(starts_at__gte=day_start(today + timedelta(days=1)))
    statuses = Counter(coming.values_list("status", flat=True))
    assert statuses[EventStatus.DRAFT] == 4 and statuses[EventStatus.CANCELLED] == 1, statuses
    assert statuses[EventStatus.PUBLISHED] > 300
    assert coming.order_by("-starts_at").first().starts_at.date() >= today + timedelta(days=55)
    now = timezone.now()
    taking = coming.filter(status=EventStatus.PUBLISHED, registration_required=True)
    for event in taking:
        window = policies.Window(
            event.status,
            True,
            event.starts_at,
            event.registration_opens_at,
            event.registration_closes_at,
        )
        assert policies.registration_state(window, now) == policies.RegistrationState.OPEN
    full = taking.filter(waitlisted__gt=0)
    assert full.count() >= 4
    assert all(event.seats_taken == event.capacity for event in full)
    assert not coming.filter(status=EventStatus.DRAFT, registrations__isnull=False).exists()
    cancelled = coming.get(status=EventStatus.CANCELLED)
    assert cancelled.cancel_reason and cancelled.registrations.exists()
    assert set(cancelled.registrations.values_list("status", flat=True)) == {"cancelled"}
    assert not Registration.objects.filter(event__in=coming, checked_in_at__isnull=False).exists()
    # Nobody holds more coming registrations than a reader may.
    per_reader = Counter(
        Registration.objects.filter(
            event__ends_at__gte=now, status__in=["confirmed", "waitlisted"]
        ).values_list("patron_id", flat=True)
    )
    assert per_reader and max(per_reader.values()) < 10


def test_courses_are_weekly_sessions_in_one_series(today):
    series = (
        EventSeries.objects.filter(name__startswith="长者智能手机课堂（")
        .annotate(
            sessions=Count("events"),
            held=Count("events", filter=Q(events__status=EventStatus.FINISHED)),
        )
        .filter(sessions=10, held=10)
        .first()
    )
    sessions = list(series.events.order_by("starts_at"))
    gaps = {(b.starts_at - a.starts_at) for a, b in itertools.pairwise(sessions)}
    assert gaps <= {timedelta(weeks=1), timedelta(weeks=2)}  # a closed day drops a session
    assert {s.kind for s in sessions} == {EventKind.TRAINING}
    assert all(s.audience_codes == ["elderly"] for s in sessions)
    assert sessions[0].title.startswith("长者智能手机课堂 第1课")
    # The course's readers come back session after session.
    enrolled = [
        set(s.registrations.filter(walk_in=False).values_list("patron_id", flat=True))
        for s in sessions
    ]
    assert 1 <= len(enrolled[0]) <= 3 and all(readers == enrolled[0] for readers in enrolled)


def test_venues_rooms_and_outside_places(today):
    rooms = set(Venue.objects.filter(org_unit__code="YX").values_list("name", flat=True))
    assert rooms == {"报告厅", "多功能厅", "少儿阅览区", "展厅", "电子阅览室"}
    branch = set(Venue.objects.filter(org_unit__code="YX-DS").values_list("name", flat=True))
    assert {"多功能厅", "少儿阅览区", "展厅", "电子阅览室"} == branch
    outside = Venue.objects.filter(org_unit__isnull=True)
    assert outside.count() >= 4 and not outside.filter(address="").exists()
    assert Event.objects.filter(venue__in=outside, kind=EventKind.READING_PROMOTION).exists()
    assert Event.objects.filter(online=True).exclude(stream_url="").exists()
    storytelling = Event.objects.filter(series__name="绘本故事会")
    assert {e.starts_at.astimezone().weekday() for e in storytelling[:200]} <= {5, 6}
    assert all("children" in e.audience_codes for e in storytelling[:50])
    assert Event.objects.filter(partners__kind="school").exists()


def test_manifest_readers_have_coming_registrations(today):
    data = builder.manifest(base_url="http://127.0.0.1:8000", sip2_host="127.0.0.1", sip2_port=6001)
    entries = data["patrons"]
    assert all("event_registrations" in entry for entry in entries)
    leading = [e for e in entries if e["good_standing"]][:20]
    with_events = [e for e in leading if e["event_registrations"]]
    assert len(with_events) >= 4
    entry = with_events[0]
    card = Card.objects.select_related("patron").get(barcode=entry["barcode"])
    shown = reader_registrations(card.patron_id)
    assert [r.event_id for r in shown] == [e["event_id"] for e in entry["event_registrations"]]
    assert len(entry["event_registrations"]) <= 3  # room left to register in the portal
    assert any(e["status"] == "waitlisted" for x in entries for e in x["event_registrations"])


def test_a_manifest_reader_can_register_for_a_demo_event(today):
    entry = next(e for e in manifest_patrons(4) if e["good_standing"])
    card = Card.objects.select_related("patron").get(barcode=entry["barcode"])
    reader = Actor.system(via="opac", agent=f"reader:{card.patron_id}")
    event = (
        Event.objects.filter(
            status=EventStatus.PUBLISHED,
            registration_required=True,
            waitlisted=0,
            starts_at__gte=day_start(today + timedelta(days=2)),
        )
        .exclude(registrations__patron=card.patron)
        .order_by("starts_at")
        .first()
    )
    seats = event.seats_taken
    registration = registration_create(
        actor=reader, event_id=event.pk, patron=card.patron, via="opac"
    )
    assert registration.status == RegistrationStatus.CONFIRMED
    event.refresh_from_db()
    assert event.seats_taken == seats + 1
    with pytest.raises(Conflict) as refused:
        registration_create(actor=reader, event_id=event.pk, patron=card.patron, via="opac")
    assert refused.value.code == "EVENT_ALREADY_REGISTERED"
