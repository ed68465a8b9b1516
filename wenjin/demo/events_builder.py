"""A year of demo events across the Yuexiu branches (and a few in Haizhu), in the
proportions of a district library's year (about 2,200 sessions: many trainings, hundreds
of lectures and reading promotions, about 200 exhibitions), plus the coming two months.

Past events are finished with their attendance: demo readers' registrations with
check-ins, no-shows and walk-ins, the rest of the audience as a day count (walk-ins
nobody scanned), and exhibitions' daily visitor counts. Coming events are published with
registrations open; some are full with a waiting list, a few are drafts and one is
cancelled. Everything is written with bulk inserts and each event's counters are set
from the rows written, as ``services.common.recount`` would set them.
"""

from __future__ import annotations

import base64
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from wenjin.accounts.actor import Actor
from wenjin.demo import events_content as content
from wenjin.demo.events_programme import schedule
from wenjin.events import policies
from wenjin.events.models import (
    ACTIVE_REGISTRATION_STATUSES,
    AttendanceCount,
    AttendanceSource,
    Event,
    EventKind,
    EventSeries,
    EventStatus,
    Registration,
    RegistrationStatus,
    Venue,
)
from wenjin.network import services as network
from wenjin.network.models import OrgUnit, Partner, ScheduleException, WeeklyHours
from wenjin.patrons.models import Card, CardStatus, Patron

HISTORY_DAYS = 365
AHEAD_DAYS = 61
# Coming registrations a demo reader holds at most (the limit is 10: leave room to try),
# and fewer for the readers the manifest lists first, whom people log in as.
COMING_CAP = 6
LEADING_CAP = 3
FULL_EVENTS = 6
DRAFTS = 4
# Which readers come to what (reader category codes).
POOLS = {
    "children": ("child", "family"),
    "teens": ("teen", "child", "family"),
    "elderly": ("concession", "visually_impaired", "adult"),
    "general": ("adult", "teen", "family", "temporary", "concession", "visually_impaired"),
}


@dataclass(eq=False)
class Plan:
    """One event being built, with the rows that will go with it."""

    event: Event
    crowd: tuple[int, int] = (0, 0)  # how many come, when it is over
    pool: str = "general"
    course: str = ""  # sessions of one course share their readers
    partners: list[int] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    counts: list[AttendanceCount] = field(default_factory=list)
    daily: tuple[int, int] = (0, 0)  # an exhibition's visitors a day
    gate: bool = False


class YearBuilder:
    """Schedules the year (``events_programme.schedule`` says what runs when) and turns
    it into rows."""

    def __init__(self, actor: Actor, rng: random.Random, today: date, leading: set[int]) -> None:
        self.actor = actor
        self.rng = rng
        self.today = today
        self.first = today - timedelta(days=HISTORY_DAYS)
        self.last = today + timedelta(days=AHEAD_DAYS)
        self.leading = leading
        self.plans: list[Plan] = []
        self.units = {
            unit.code: unit
            for unit in OrgUnit.objects.filter(
                code__in=["YX", "HZ", "HZ-NHX", "HZ-JNZ", "YX-BY-YSSS"]
            )
            | OrgUnit.objects.filter(
                code__startswith="YX-", kind__in=("branch", "special_branch", "children_library")
            )
        }
        self.branches = sorted(
            code
            for code, unit in self.units.items()
            if code.startswith("YX-") and unit.kind in ("branch", "special_branch")
        )
        self.open_weekdays: dict[int, set[int]] = defaultdict(set)
        for unit_id, weekday in WeeklyHours.objects.values_list("org_unit_id", "weekday"):
            self.open_weekdays[unit_id].add(weekday)
        self.closures: dict[int, list[tuple[date, date]]] = defaultdict(list)
        for unit_id, start, end in ScheduleException.objects.filter(kind="closed").values_list(
            "org_unit_id", "start_date", "end_date"
        ):
            self.closures[unit_id].append((start, end))
        for unit in self.units.values():
            if unit.status == "temporarily_closed" and unit.status_from:
                self.closures[unit.pk].append((unit.status_from, unit.status_until or self.last))
        self.venues = self._venues()
        self.partners = self._partners()
        self.series: dict[tuple[int, str], EventSeries] = {}

    # -- places, partners, series ---------------------------------------------------------

    def _venues(self) -> dict[tuple[str, str], Venue]:
        venues = []
        for code, unit in sorted(self.units.items()):
            rooms = list(content.ROOMS)
            if unit.kind == "district_main":
                rooms.insert(0, content.HALL)
            elif code == "YX-BY-YSSS":
                rooms = [("书吧阅读区", 20)]
            for name, seats in rooms:
                venues.append(Venue(name=name, org_unit=unit, seats=seats))
        for name, address in content.OUTSIDE.values():
            venues.append(Venue(name=name, address=address, org_unit=None, seats=None))
        Venue.objects.bulk_create(venues)
        found = {}
        for venue in venues:
            owner = next((c for c, u in self.units.items() if u.pk == venue.org_unit_id), "")
            found[(owner, venue.name)] = venue
        return found

    def _partners(self) -> dict[str, int]:
        for name, kind, role in content.PARTNERS:
            network.partnership_add(
                actor=self.actor, code="YX", partner_name_zh=name, partner_kind=kind, role=role
            )
        return dict(Partner.objects.values_list("name_zh", "pk"))

    def venue(self, code: str, room: str) -> Venue:
        """A library's room, or an outside venue by its key in ``content.OUTSIDE``."""
        if room in content.OUTSIDE:
            return self.venues[("", content.OUTSIDE[room][0])]
        return self.venues[(code, room)]

    def series_of(self, code: str, name: str) -> EventSeries | None:
        if not name:
            return None
        unit = self.units[code]
        key = (unit.pk, name)
        if key not in self.series:
            self.series[key] = EventSeries(org_unit=unit, name=name)
        return self.series[key]

    # -- days ---------------------------------------------------------------------------

    def is_open(self, code: str, day: date) -> bool:
        unit = self.units[code]
        if day.weekday() not in self.open_weekdays[unit.pk]:
            return False
        return not any(start <= day <= end for start, end in self.closures[unit.pk])

    def weekly(self, weekday: int, start: date | None = None, every: int = 1) -> Iterator[date]:
        """Every ``every``-th given weekday of the window."""
        day = start or self.first
        day += timedelta(days=(weekday - day.weekday()) % 7)
        while day <= self.last:
            yield day
            day += timedelta(weeks=every)

    def monthly(self, weekday: int, nth: int = 1) -> Iterator[date]:
        """The ``nth`` given weekday of every month of the window."""
        month = date(self.first.year, self.first.month, 1)
        while month <= self.last:
            day = month + timedelta(days=(weekday - month.weekday()) % 7 + 7 * (nth - 1))
            if self.first <= day <= self.last:
                yield day
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)

    @staticmethod
    def at(day: date, clock: str) -> datetime:
        hours, minutes = clock.split(":")
        return timezone.make_aware(datetime.combine(day, time(int(hours), int(minutes))))

    # -- events -------------------------------------------------------------------------

    def add(
        self,
        code: str,
        kind: str,
        title: str,
        day: date,
        clock: str,
        minutes: int,
        *,
        room: str,
        series: str = "",
        audiences: tuple[str, ...] = ("adults",),
        capacity: int | None = None,
        crowd: tuple[int, int] = (20, 40),
        pool: str = "general",
        course: str = "",
        partners: tuple[str, ...] = (),
        description: str = "",
        online: bool = False,
    ) -> Plan | None:
        """Schedule one session (skipped when the organiser is closed that day)."""
        if not self.is_open(code, day):
            return None
        starts = self.at(day, clock)
        event = Event(
            kind=kind,
            title=title,
            description=description,
            series=self.series_of(code, series),
            org_unit=self.units[code],
            venue=self.venue(code, room),
            audiences=policies.join_audiences(audiences),
            starts_at=starts,
            ends_at=starts + timedelta(minutes=minutes),
            capacity=capacity,
            registration_required=capacity is not None,
            online=online,
            stream_url=f"https://live.example.cn/yuexiu/{day:%Y%m%d}" if online else "",
            status=EventStatus.FINISHED if day < self.today else EventStatus.PUBLISHED,
            created_by=self.actor.label,
        )
        if capacity is not None:
            crowd = (min(crowd[0], capacity), min(crowd[1], capacity))
        plan = Plan(
            event,
            crowd=crowd,
            pool=pool,
            course=course,
            partners=[self.partners[name] for name in partners],
        )
        self.plans.append(plan)
        return plan

    def exhibit(
        self,
        code: str,
        title: str,
        first: date,
        days: int,
        *,
        room: str = "展厅",
        daily: tuple[int, int],
        partners: tuple[str, ...] = (),
        description: str = "",
        gate: bool = False,
    ) -> Plan:
        """An exhibition from ``first`` for ``days`` days, open to all without booking."""
        last = first + timedelta(days=days - 1)
        event = Event(
            kind=EventKind.EXHIBITION,
            title=title,
            description=description,
            org_unit=self.units[code],
            venue=self.venue(code, room),
            audiences=policies.join_audiences(("children", "adults", "families", "elderly")),
            starts_at=self.at(first, "09:00"),
            ends_at=self.at(last, "20:00"),
            status=EventStatus.FINISHED if last < self.today else EventStatus.PUBLISHED,
            created_by=self.actor.label,
        )
        plan = Plan(
            event,
            daily=daily,
            gate=gate,
            partners=[self.partners[name] for name in partners if name],
        )
        self.plans.append(plan)
        return plan

    # -- readers ------------------------------------------------------------------------

    def load_readers(self) -> None:
        self.by_category: dict[str, list[int]] = defaultdict(list)
        for pk, category in (
            Patron.objects.filter(deleted_at=None)
            .order_by("pk")
            .values_list("pk", "category__code")
        ):
            self.by_category[category].append(pk)
        self.active = set(
            Card.objects.filter(status=CardStatus.ACTIVE).values_list("patron_id", flat=True)
        )
        self.courses: dict[str, list[int]] = {}
        self.coming: dict[int, int] = defaultdict(int)
        self.coming_titles: dict[int, set[str]] = defaultdict(set)

    def pool(self, name: str, *, coming: bool) -> list[int]:
        readers = [pk for category in POOLS[name] for pk in self.by_category[category]]
        return [pk for pk in readers if pk in self.active] if coming else readers

    def ticket(self) -> str:
        return base64.urlsafe_b64encode(self.rng.randbytes(12)).decode()

    def moment(self, day: date, low: int = 8, high: int = 22) -> datetime:
        return self.at(day, f"{self.rng.randint(low, high)}:{self.rng.randrange(60):02d}")

    def attend_past(self, plan: Plan) -> None:
        """Registrations, check-ins, no-shows, walk-ins and the day count of an event
        that is over."""
        event, rng = plan.event, self.rng
        if event.kind == EventKind.EXHIBITION:
            self.visitors(plan, min(event.ends_at.date(), self.today - timedelta(days=1)))
            return
        crowd = rng.randint(*plan.crowd)
        readers: list[int] = []
        if event.registration_required:
            pool = self.pool(plan.pool, coming=False)
            if plan.course:
                if plan.course not in self.courses:
                    self.courses[plan.course] = rng.sample(pool, rng.randint(1, 3))
                readers = self.courses[plan.course]
            else:
                readers = rng.sample(pool, min(len(pool), rng.choice((0, 1, 2, 2, 3, 4))))
        day = timezone.localtime(event.starts_at).date()
        came = 0
        for patron_id in readers:
            registration = self.registration(plan, patron_id, day - timedelta(rng.randint(1, 10)))
            roll = rng.random()
            if roll < 0.05 and event.status != EventStatus.CANCELLED:
                registration.status = RegistrationStatus.CANCELLED
                registration.cancelled_at = registration.registered_at + timedelta(hours=20)
            elif event.status == EventStatus.CANCELLED:
                registration.status = RegistrationStatus.CANCELLED
                registration.cancelled_at = event.starts_at - timedelta(hours=6)
            elif roll < 0.85:
                registration.checked_in_at = event.starts_at - timedelta(minutes=rng.randint(0, 15))
                came += 1
            else:
                registration.no_show = True
        if event.status == EventStatus.CANCELLED:
            return
        if event.registration_required and rng.random() < 0.3:  # a walk-in at the door
            others = [pk for pk in self.pool(plan.pool, coming=False) if pk not in readers]
            if others:
                registration = self.registration(plan, rng.choice(others), day)
                registration.registered_at = event.starts_at + timedelta(minutes=rng.randint(0, 10))
                registration.checked_in_at = registration.registered_at
                registration.walk_in, registration.via = True, "desk"
                came += 1
        if crowd > came:  # the rest of the audience, counted at the door
            plan.counts.append(self.count(event, day, crowd - came))

    def visitors(self, plan: Plan, until: date) -> None:
        day = timezone.localtime(plan.event.starts_at).date()
        outdoors = plan.event.venue.org_unit_id is None
        while day <= until:
            # Counted on the days the library is open; outside, every day.
            if outdoors or self.is_open(plan.event.org_unit.code, day):
                busy = 1.5 if day.weekday() >= 5 else 1.0
                plan.counts.append(
                    self.count(
                        plan.event,
                        day,
                        int(self.rng.randint(*plan.daily) * busy),
                        AttendanceSource.GATE if plan.gate else AttendanceSource.MANUAL,
                    )
                )
            day += timedelta(days=1)

    @staticmethod
    def count(event: Event, day: date, visitors: int, source: str = "manual") -> AttendanceCount:
        return AttendanceCount(
            event=event, day=day, count=visitors, source=source, updated_by="system:demo"
        )

    def registration(self, plan: Plan, patron_id: int, day: date) -> Registration:
        registration = Registration(
            event=plan.event,
            patron_id=patron_id,
            status=RegistrationStatus.CONFIRMED,
            registered_at=self.moment(day),
            via=self.rng.choice(("opac", "opac", "opac", "desk")),
            ticket=self.ticket(),
        )
        plan.registrations.append(registration)
        return registration

    def register_coming(self, plan: Plan, wanted: int, last_in_queue: int | None = None) -> None:
        """Up to ``wanted`` coming registrations from readers with room under their cap;
        the first ``capacity`` in time order get seats, the rest wait."""
        event, rng = plan.event, self.rng
        pool = self.pool(plan.pool, coming=True)
        if plan.course:  # a course's readers register for each of its sessions
            if plan.course not in self.courses:
                self.courses[plan.course] = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
            chosen = [pk for pk in self.courses[plan.course] if pk in self.active]
        else:
            rng.shuffle(pool)
            fresh = [pk for pk in pool if pk in self.leading and not self.coming[pk]]
            chosen = fresh[:1] + [pk for pk in pool if pk not in fresh[:1]]
        chosen = [
            pk
            for pk in chosen
            if pk != last_in_queue
            and self.coming[pk] < self.cap(pk)
            and event.title not in self.coming_titles[pk]  # the same story at two branches
        ]
        chosen = chosen[:wanted]
        if last_in_queue is not None and self.coming[last_in_queue] < self.cap(last_in_queue):
            chosen.append(last_in_queue)
        days = sorted(self.today - timedelta(days=rng.randint(1, 12)) for _ in chosen)
        for position, (patron_id, day) in enumerate(zip(chosen, days, strict=True)):
            registration = self.registration(plan, patron_id, day)
            registration.registered_at += timedelta(seconds=position)  # keep the queue order
            if event.capacity is not None and position >= event.capacity:
                registration.status = RegistrationStatus.WAITLISTED
            self.coming[patron_id] += 1
            self.coming_titles[patron_id].add(event.title)

    def cap(self, patron_id: int) -> int:
        return LEADING_CAP if patron_id in self.leading else COMING_CAP

    # -- the whole year -----------------------------------------------------------------

    def build(self) -> dict[str, int]:
        schedule(self)
        self.plans.sort(key=lambda plan: (plan.event.starts_at, plan.event.org_unit.code))
        self.load_readers()
        past = [p for p in self.plans if p.event.status == EventStatus.FINISHED]
        coming = [p for p in self.plans if p.event.status == EventStatus.PUBLISHED]
        self.mark_past_cancelled(past)
        for plan in past:
            self.attend_past(plan)
        for plan in coming:
            if plan.event.kind == EventKind.EXHIBITION:
                self.visitors(plan, self.today - timedelta(days=1))
        self.plan_coming(coming)
        return self.save()

    def mark_past_cancelled(self, past: list[Plan]) -> None:
        lectures = [p for p in past if p.event.kind == EventKind.LECTURE and p.event.capacity]
        if lectures:
            plan = lectures[len(lectures) // 3]
            plan.event.status = EventStatus.CANCELLED
            plan.event.cancel_reason = "受台风红色预警影响，活动取消，改期另行通知"

    def plan_coming(self, coming: list[Plan]) -> None:
        rng = self.rng
        ahead = {
            id(p): (timezone.localtime(p.event.starts_at).date() - self.today).days for p in coming
        }
        taking = [p for p in coming if p.event.registration_required and ahead[id(p)] > 0]
        later = [p for p in taking if not p.course and ahead[id(p)] > 40]
        for plan in rng.sample(later, min(DRAFTS, len(later))):
            plan.event.status = EventStatus.DRAFT
        soon = [
            p
            for p in taking
            if not p.course
            and p.event.status == EventStatus.PUBLISHED
            and ahead[id(p)] <= 30
            and p.event.kind != EventKind.LECTURE
        ]
        full = rng.sample(soon, min(FULL_EVENTS, len(soon)))
        for plan in full:
            plan.event.capacity = rng.randint(8, 12)
            if len(self.pool(plan.pool, coming=True)) < 16:  # too few for seats and a queue
                plan.pool = "general"
        adult = next((pk for pk in self.by_category["adult"] if pk in self.leading), None)
        for plan in taking:
            if plan.event.status != EventStatus.PUBLISHED:
                continue
            if plan in full:
                self.register_coming(
                    plan,
                    plan.event.capacity + rng.randint(1, 3),
                    adult if plan is full[0] else None,
                )
            elif plan.course:
                self.register_coming(plan, len(self.courses.get(plan.course, ())) or 3)
            else:
                self.register_coming(plan, rng.choice((0, 0, 1, 1, 2, 3)))
        lectures = [
            p
            for p in taking
            if p.event.kind == EventKind.LECTURE and 5 <= ahead[id(p)] <= 20 and p.registrations
        ]
        if lectures:  # the speaker fell ill: registered readers are told
            plan = lectures[0]
            plan.event.status = EventStatus.CANCELLED
            plan.event.cancel_reason = "主讲嘉宾临时有事，活动取消，改期另行通知"
            when = max(r.registered_at for r in plan.registrations) + timedelta(hours=1)
            for registration in plan.registrations:
                registration.status = RegistrationStatus.CANCELLED
                registration.cancelled_at = when
                self.coming[registration.patron_id] -= 1

    def save(self) -> dict[str, int]:
        """Write everything, with each event's counters set from its rows."""
        EventSeries.objects.bulk_create(self.series.values())
        for plan in self.plans:
            event = plan.event
            event.seats_taken = sum(
                r.status == RegistrationStatus.CONFIRMED for r in plan.registrations
            )
            event.waitlisted = sum(
                r.status == RegistrationStatus.WAITLISTED for r in plan.registrations
            )
            event.checked_in = sum(r.checked_in_at is not None for r in plan.registrations)
            event.counted = sum(c.count for c in plan.counts)
            event.attendance = policies.attendance_figure(None, event.checked_in, event.counted)
        Event.objects.bulk_create([p.event for p in self.plans], batch_size=500)
        links = [
            Event.partners.through(event_id=plan.event.pk, partner_id=partner)
            for plan in self.plans
            for partner in plan.partners
        ]
        Event.partners.through.objects.bulk_create(links, batch_size=1000)
        Registration.objects.bulk_create(
            [r for p in self.plans for r in p.registrations], batch_size=1000
        )
        AttendanceCount.objects.bulk_create(
            [c for p in self.plans for c in p.counts], batch_size=1000
        )
        return {
            "events": len(self.plans),
            "registrations": sum(len(p.registrations) for p in self.plans),
            "attendance": sum(p.event.attendance for p in self.plans),
        }


def build_events(actor: Actor, rng: random.Random, today: date, leading: set[int]) -> dict:
    """Build the demo's year of events; ``leading`` are the readers the manifest lists
    first, who get a few coming registrations (and no more than a few)."""
    return YearBuilder(actor, rng, today, leading).build()


def leading_readers(entries: list[dict[str, Any]], per_category: int = 2) -> set[int]:
    """The patrons behind the first manifest readers in good standing of each category."""
    barcodes: list[str] = []
    seen: dict[str, int] = defaultdict(int)
    for entry in entries:
        if entry["good_standing"] and seen[entry["category"]] < per_category:
            seen[entry["category"]] += 1
            barcodes.append(entry["barcode"])
    return set(Card.objects.filter(barcode__in=barcodes).values_list("patron_id", flat=True))


def manifest_registrations(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add each manifest reader's coming event registrations (what the reader portal
    shows under "My events")."""
    now = timezone.now()
    by_barcode: dict[str, list[dict[str, Any]]] = defaultdict(list)
    found = (
        Registration.objects.filter(
            status__in=ACTIVE_REGISTRATION_STATUSES,
            event__ends_at__gte=now,
            patron__cards__barcode__in=[e["barcode"] for e in entries],
        )
        .order_by("event__starts_at", "pk")
        .values_list(
            "patron__cards__barcode", "event_id", "event__title", "event__starts_at", "status"
        )
    )
    for barcode, event_id, title, starts_at, status in found:
        by_barcode[barcode].append(
            {
                "event_id": event_id,
                "title": title,
                "starts_at": timezone.localtime(starts_at).isoformat(),
                "status": status,
            }
        )
    return [{**entry, "event_registrations": by_barcode[entry["barcode"]]} for entry in entries]
