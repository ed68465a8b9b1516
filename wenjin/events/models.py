"""Events (活动): lectures, exhibitions, trainings and reading promotions, their series,
venues, readers' registrations and the attendance the statistics count.

One event is one session (场次): a ten-session course is ten events in one series. The
counters on ``Event`` (seats taken, waiting list, attendance) are kept by the services
under the event's row lock, so a calendar of thousands of events never has to count
hundreds of thousands of registrations.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EventKind(models.TextChoices):
    """The kinds the national activity statistics count (活动统计)."""

    LECTURE = "lecture", _("Lecture")
    EXHIBITION = "exhibition", _("Exhibition")
    TRAINING = "training", _("Training")
    READING_PROMOTION = "reading_promotion", _("Reading promotion")
    OTHER = "other", _("Other")


class EventStatus(models.TextChoices):
    # The context keeps these apart from a card's "Cancelled" (注销) and the like.
    DRAFT = "draft", pgettext_lazy("event", "Draft")
    PUBLISHED = "published", pgettext_lazy("event", "Published")
    CANCELLED = "cancelled", pgettext_lazy("event", "Cancelled")
    FINISHED = "finished", pgettext_lazy("event", "Finished")


class Audience(models.TextChoices):
    CHILDREN = "children", _("Children")
    TEENS = "teens", _("Teens")
    ADULTS = "adults", _("Adults")
    FAMILIES = "families", _("Families")
    ELDERLY = "elderly", _("Older readers")
    VISUALLY_IMPAIRED = "visually_impaired", _("Visually impaired readers")
    MIGRANT_WORKERS = "migrant_workers", _("Migrant workers")
    STUDENTS = "students", _("Students")


class EventSeries(models.Model):
    """A series or brand of events (系列活动品牌), such as a lecture series that runs all
    year or the sessions of one course."""

    name = models.CharField(_("name"), max_length=150)
    org_unit = models.ForeignKey(
        "network.OrgUnit",
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="event_series",
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("event series")
        verbose_name_plural = _("event series")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "name"], name="eventseries_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Venue(models.Model):
    """Where events happen: a room or space in a library (``org_unit`` set) or an outside
    venue with its address (a school hall, a museum)."""

    name = models.CharField(_("name"), max_length=150)
    org_unit = models.ForeignKey(
        "network.OrgUnit",
        verbose_name=_("library"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="venues",
        help_text=_("empty for a venue outside the libraries"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    seats = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    accessible = models.BooleanField(_("step-free access"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "name"], name="venue_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class EventImage(models.Model):
    """An event's poster, kept in the database so a single-file demo and a replicated
    production database carry it alike; checked to be a JPEG, PNG or WebP image and
    served with its own content type."""

    content_type = models.CharField(max_length=32)
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("event image")
        verbose_name_plural = _("event images")

    def __str__(self) -> str:
        return f"image {self.pk}"


class Event(models.Model):
    """One event session (场次) organised by a unit: what, when, where, for whom, how
    many may come and how many came.

    ``audiences`` holds audience codes between commas (``",children,families,"``) so
    either database filters by one with a plain ``LIKE``. ``capacity`` empty means no
    limit. An event takes registrations when ``registration_required`` (set by default
    when it has a capacity, whoever creates it), from ``registration_opens_at`` (empty: at once) until
    ``registration_closes_at`` (empty: the start). ``seats_taken``/``waitlisted`` count
    confirmed and waiting registrations; ``attendance`` is the figure the statistics
    use: ``attendance_total`` when someone set the total (an import, a correction),
    otherwise check-ins plus the day counts.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    series = models.ForeignKey(
        EventSeries,
        verbose_name=_("series"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    org_unit = models.ForeignKey(
        "network.OrgUnit",
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    partners = models.ManyToManyField(
        "network.Partner", verbose_name=_("co-organisers"), blank=True, related_name="events"
    )
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("venue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    image = models.ForeignKey(
        EventImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    image_alt = models.CharField(_("image description"), max_length=200, blank=True)
    audiences = models.CharField(_("audiences"), max_length=200, blank=True, default="")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    registration_required = models.BooleanField(_("registration"), default=False)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    online = models.BooleanField(_("online"), default=False)
    stream_url = models.URLField(_("live-stream link"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=EventStatus.choices, default=EventStatus.PUBLISHED
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    seats_taken = models.PositiveIntegerField(default=0)
    waitlisted = models.PositiveIntegerField(default=0)
    checked_in = models.PositiveIntegerField(default=0)
    counted = models.PositiveIntegerField(default=0, help_text="sum of the day counts")
    attendance_total = models.PositiveIntegerField(
        _("attendance (set total)"), null=True, blank=True
    )
    attendance = models.PositiveIntegerField(_("attendance"), default=0)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"
            ),
        ]
        indexes = [
            # Lists ask "touching these days" (ends_at >= since) in start order: with
            # ends_at and status in the index both are checked without reading the rows.
            models.Index(fields=["starts_at", "id", "ends_at", "status"], name="event_by_start"),
            models.Index(fields=["ends_at"], name="event_by_end"),
            models.Index(fields=["org_unit", "starts_at"], name="event_by_org_start"),
            models.Index(fields=["status", "starts_at"], name="event_by_status_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audience_codes(self) -> list[str]:
        return [code for code in self.audiences.split(",") if code]


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", pgettext_lazy("event registration", "Confirmed")
    WAITLISTED = "waitlisted", pgettext_lazy("event registration", "On the waiting list")
    CANCELLED = "cancelled", pgettext_lazy("event registration", "Cancelled")


ACTIVE_REGISTRATION_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)

# 12 random bytes: a 16-character ticket code, printed in the QR code.
TICKET_BYTES = 12


def new_ticket() -> str:
    return secrets.token_urlsafe(TICKET_BYTES)


class Registration(models.Model):
    """A reader's place at an event: confirmed, on the waiting list (in the order of
    ``registered_at``), or cancelled. ``ticket`` is the code in the reader's QR code;
    ``checked_in_at`` is set at the door; ``no_show`` is recorded when a confirmed
    reader never came. A reader checked in without registering is a walk-in."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    patron = models.ForeignKey(
        "patrons.Patron", on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices)
    registered_at = models.DateTimeField(_("registered"))
    promoted_at = models.DateTimeField(_("moved up"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    walk_in = models.BooleanField(_("walk-in"), default=False)
    no_show = models.BooleanField(_("did not come"), default=False)
    via = models.CharField(max_length=16, blank=True, help_text="opac, desk, api, import")
    ticket = models.CharField(max_length=32, unique=True, default=new_ticket)

    class Meta:
        ordering = ["registered_at", "pk"]
        verbose_name = _("event registration")
        verbose_name_plural = _("event registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "patron"],
                condition=Q(status__in=["confirmed", "waitlisted"]),
                name="registration_one_active_per_reader",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "registered_at"], name="registration_queue"),
            models.Index(fields=["patron", "status"], name="registration_by_reader"),
        ]

    def __str__(self) -> str:
        return f"registration {self.pk} for event {self.event_id}"


class AttendanceSource(models.TextChoices):
    MANUAL = "manual", _("Counted by staff")
    GATE = "gate", _("Gate counter")
    IMPORT = "import", _("Imported")


class AttendanceCount(models.Model):
    """Visitors counted on one day of an event (an exhibition's visitors, an open event's
    crowd, walk-ins nobody scanned): entered by staff or taken from a gate counter. A day
    has one figure; entering it again replaces it (the audit log keeps the old one)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="counts")
    day = models.DateField(_("date"))
    count = models.PositiveIntegerField(_("visitors"))
    source = models.CharField(
        _("source"), max_length=8, choices=AttendanceSource.choices, default=AttendanceSource.MANUAL
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["event", "day"]
        verbose_name = _("attendance count")
        verbose_name_plural = _("attendance counts")
        constraints = [
            models.UniqueConstraint(fields=["event", "day"], name="attendance_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.count}"
