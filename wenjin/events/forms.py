"""Staff forms for events: the event itself, the list's filters and the small action
forms (duplicate, repeat, cancel, count visitors, correct the total). The forms only
collect input; the services validate the event and write it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wenjin.events import policies
from wenjin.events.models import Audience, Event, EventKind, EventStatus, Venue
from wenjin.events.services.attendance import MAX_DAY_COUNT
from wenjin.events.services.events import IMAGE_MAX_BYTES, EventDetails
from wenjin.lib.errors import DomainError
from wenjin.network.models import OrgUnit, Partner

# What a datetime-local input sends (and shows) — minutes, no seconds, no zone.
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
LOCAL_INPUT_FORMATS = [LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
IMAGE_TYPES = "image/jpeg,image/png,image/webp"
# Indents a unit under its parent in a select (browsers collapse plain spaces there).
NBSP = "\u00a0"


class LocalDateTimeInput(forms.DateTimeInput):
    """A ``datetime-local`` input: phones show their own date and time pickers."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=LOCAL_FORMAT)


def local_datetime_field(label: str, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=LOCAL_INPUT_FORMATS,
        widget=LocalDateTimeInput(),
    )


class DateInput(forms.DateInput):
    input_type = "date"


REGISTRATION_CHOICES = [
    ("", _("When there is a capacity")),
    ("yes", _("Required")),
    ("no", _("Not required")),
]


class EventForm(forms.Form):
    """Everything staff say about an event. ``units`` are the organisers the user may
    create events for (none when editing: the organiser stays); ``venues`` the venues to
    choose from; ``series_names`` feed the series field's suggestions."""

    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    title = forms.CharField(label=pgettext_lazy("event", "Title"), max_length=policies.TITLE_MAX)
    description = forms.CharField(
        label=pgettext_lazy("event", "Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    series = forms.CharField(
        label=pgettext_lazy("event", "Series"),
        max_length=150,
        required=False,
        help_text=_("A lecture series or a course; a new name starts a new series."),
        widget=forms.TextInput(attrs={"list": "series-names", "autocomplete": "off"}),
    )
    org_unit = forms.ChoiceField(label=_("Organiser"))
    venue = forms.TypedChoiceField(
        label=_("Venue"), required=False, coerce=int, empty_value=None, choices=()
    )
    venue_name = forms.CharField(
        label=_("Or a new venue"),
        max_length=150,
        required=False,
        help_text=_("A room of the organiser, or an outside venue when an address is given."),
    )
    venue_address = forms.CharField(
        label=_("Address of an outside venue"), max_length=200, required=False
    )
    audiences = forms.MultipleChoiceField(
        label=_("Audiences"),
        choices=Audience.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_at = local_datetime_field(_("Starts"))
    ends_at = local_datetime_field(_("Ends"))
    capacity = forms.IntegerField(
        label=_("Capacity"),
        required=False,
        min_value=1,
        max_value=policies.CAPACITY_MAX,
        help_text=_("Seats; leave empty for no limit."),
    )
    registration_required = forms.ChoiceField(
        label=_("Registration"), choices=REGISTRATION_CHOICES, required=False
    )
    registration_opens_at = local_datetime_field(_("Registration opens"), required=False)
    registration_closes_at = local_datetime_field(_("Registration closes"), required=False)
    online = forms.BooleanField(label=_("Online (live-streamed)"), required=False)
    stream_url = forms.URLField(label=_("Live-stream link"), required=False, assume_scheme="https")
    partners = forms.ModelMultipleChoiceField(
        label=_("Co-organisers"),
        queryset=Partner.objects.order_by("name_zh"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    image = forms.FileField(
        label=_("Poster image"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_TYPES}),
    )
    remove_image = forms.BooleanField(label=_("Remove the current image"), required=False)
    image_alt = forms.CharField(
        label=_("Image description"),
        max_length=200,
        required=False,
        help_text=_("What the image shows, for readers who cannot see it."),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (EventStatus.DRAFT, EventStatus.DRAFT.label),
            (EventStatus.PUBLISHED, EventStatus.PUBLISHED.label),
        ],
        initial=EventStatus.PUBLISHED,
    )

    def __init__(
        self,
        *args: Any,
        units: list[OrgUnit] | None = None,
        venues: list[Venue] | None = None,
        series_names: list[str] | None = None,
        event: Event | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.event = event
        self.series_names = series_names or []
        if event is None:
            self.fields["org_unit"].choices = [(u.code, f"{u.code} {u.name}") for u in units or []]
            del self.fields["remove_image"]
        else:
            # The organiser of an existing event does not change (its scope decides who
            # may edit it); its own venue stays selectable even when outside the list.
            del self.fields["org_unit"]
            if not event.image_id:
                del self.fields["remove_image"]
        venues = list(venues or [])
        if event is not None and event.venue is not None and event.venue not in venues:
            venues.append(event.venue)
        self.fields["venue"].choices = [("", _("— none or new —"))] + [
            (venue.pk, venue_label(venue)) for venue in venues
        ]

    @classmethod
    def initial_for(cls, event: Event) -> dict[str, Any]:
        """The form's values for an existing event (times in local time)."""

        def local(moment: datetime | None) -> datetime | None:
            return timezone.localtime(moment) if moment else None

        return {
            "kind": event.kind,
            "title": event.title,
            "description": event.description,
            "series": event.series.name if event.series else "",
            "venue": event.venue_id,
            "audiences": event.audience_codes,
            "starts_at": local(event.starts_at),
            "ends_at": local(event.ends_at),
            "capacity": event.capacity,
            "registration_required": "yes" if event.registration_required else "no",
            "registration_opens_at": local(event.registration_opens_at),
            "registration_closes_at": local(event.registration_closes_at),
            "online": event.online,
            "stream_url": event.stream_url,
            "partners": list(event.partners.all()),
            "image_alt": event.image_alt,
            "status": event.status,
        }

    def clean_image(self) -> bytes | None:
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        if upload.size > IMAGE_MAX_BYTES:
            raise forms.ValidationError(_("The image is larger than 2 MB."))
        return upload.read()

    def details(self) -> EventDetails:
        """The checked input as the services take it."""
        data = self.cleaned_data
        required = {"yes": True, "no": False}.get(data.get("registration_required") or "")
        return EventDetails(
            kind=data["kind"],
            title=data["title"],
            description=data.get("description") or "",
            series=data.get("series") or "",
            venue=data.get("venue_name") or "",
            venue_id=data.get("venue"),
            venue_address=data.get("venue_address") or "",
            audiences=tuple(data.get("audiences") or ()),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            capacity=data.get("capacity"),
            registration_required=required,
            registration_opens_at=data.get("registration_opens_at"),
            registration_closes_at=data.get("registration_closes_at"),
            online=bool(data.get("online")),
            stream_url=data.get("stream_url") or "",
            status=data["status"],
            image_alt=data.get("image_alt") or "",
            partner_ids=tuple(partner.pk for partner in data.get("partners") or ()),
        )

    def add_service_error(self, error: DomainError) -> None:
        """Show a service's refusal at the top of the form and, when it names fields,
        each field's own message next to it."""
        fields: dict[str, str] = error.details.get("fields") or {}
        for name, text in fields.items():
            if name in self.fields:
                self.add_error(name, text)
        self.add_error(None, error.message)


def venue_label(venue: Venue) -> str:
    if venue.org_unit_id is None:
        return f"{venue.name} ({venue.address})" if venue.address else venue.name
    return f"{venue.org_unit.code} · {venue.name}"


class EventFilterForm(forms.Form):
    """The list's filters (GET); the page starts "from" at today unless told otherwise."""

    org = forms.ChoiceField(label=_("Library (with its branches)"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *EventKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *EventStatus.choices],
    )
    audience = forms.ChoiceField(
        label=_("Audience"),
        required=False,
        choices=[("", _("All audiences")), *Audience.choices],
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())
    q = forms.CharField(label=_("Title or series"), required=False, max_length=100)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", _("The whole network"))] + [
            (unit.code, f"{NBSP * 2 * unit.depth}{unit.code} {unit.name}") for unit in units
        ]


class DuplicateForm(forms.Form):
    starts_at = local_datetime_field(_("New start (empty: the same time)"), required=False)


class RepeatForm(forms.Form):
    sessions = forms.IntegerField(
        label=_("Weekly sessions to add"), min_value=1, max_value=policies.MAX_REPEATS, initial=4
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (readers are told)"), max_length=200, widget=forms.TextInput()
    )


class CardForm(forms.Form):
    card = forms.CharField(label=_("Card number"), max_length=20)


class DayCountForm(forms.Form):
    day = forms.DateField(widget=forms.HiddenInput)
    count = forms.IntegerField(label=_("Visitors"), min_value=0, max_value=MAX_DAY_COUNT)


class TotalForm(forms.Form):
    total = forms.IntegerField(
        label=_("Attendance total"),
        required=False,
        min_value=0,
        max_value=MAX_DAY_COUNT,
        help_text=_("Replaces check-ins and day counts; leave empty to go back to the counts."),
    )
    reason = forms.CharField(label=_("Reason for the correction"), max_length=200)
