"""Staff forms for the network pages; they only collect input, the services validate."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wenjin.lib.errors import ValidationFailed
from wenjin.network.models import ExceptionKind, OrgUnit, OrgUnitKind, OrgUnitStatus, PartnerKind
from wenjin.network.policies import Period, parse_periods

WEEKDAY_LABELS = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitDetailsForm(forms.Form):
    """A unit's details; the structure fields are removed for users who may not use them."""

    code = forms.CharField(
        label=_("Code"), max_length=32, help_text=_("e.g. YX-GT; cannot change later.")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=OrgUnitKind.choices)
    parent_code = forms.CharField(label=_("Parent unit code"), max_length=32, required=False)
    name_zh = forms.CharField(label=_("Chinese name"), max_length=100)
    name_en = forms.CharField(label=_("English name"), max_length=150, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, max_digits=9, decimal_places=6
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=9, decimal_places=6
    )
    floor_area_m2 = forms.DecimalField(
        label=_("Floor area (m²)"), required=False, max_digits=10, decimal_places=1
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=OrgUnitStatus.choices)
    status_from = forms.DateField(label=_("Status from"), required=False, widget=DATE_INPUT)
    status_until = forms.DateField(label=_("Status until"), required=False, widget=DATE_INPUT)
    themed_collection = forms.CharField(
        label=_("Themed collection (一街一品牌)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    observes_public_holidays = forms.BooleanField(
        label=_("Closed on public holidays (open on make-up working days)"), required=False
    )
    director_username = forms.CharField(
        label=_("Branch director (username)"), max_length=150, required=False
    )

    def __init__(
        self, *args: object, creating: bool = False, may_restructure: bool = False, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["code"]
        if not may_restructure:
            for name in ("kind", "parent_code", "director_username"):
                self.fields.pop(name, None)

    @staticmethod
    def initial_for(unit: OrgUnit) -> dict:
        return {
            "kind": unit.kind,
            "parent_code": unit.parent.code if unit.parent else "",
            "name_zh": unit.name_zh,
            "name_en": unit.name_en,
            "address": unit.address,
            "latitude": unit.latitude,
            "longitude": unit.longitude,
            "floor_area_m2": unit.floor_area_m2,
            "phone": unit.phone,
            "status": unit.status,
            "status_from": unit.status_from,
            "status_until": unit.status_until,
            "themed_collection": unit.themed_collection,
            "observes_public_holidays": unit.observes_public_holidays,
            "director_username": unit.director.username if unit.director else "",
        }


class WeeklyHoursForm(forms.Form):
    """One text box per weekday: ``09:00-12:00, 14:00-21:00``; empty means closed."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for day, label in enumerate(WEEKDAY_LABELS):
            self.fields[f"weekday_{day}"] = forms.CharField(
                label=label,
                required=False,
                max_length=200,
                help_text=_("e.g. 09:00-12:00, 14:00-21:00; leave empty when closed"),
            )

    @staticmethod
    def initial_for(hours: dict[int, list[Period]]) -> dict:
        return {
            f"weekday_{day}": ", ".join(str(p) for p in periods) for day, periods in hours.items()
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        self.hours: dict[int, list[Period]] = {}
        for day in range(7):
            name = f"weekday_{day}"
            try:
                self.hours[day] = parse_periods(cleaned.get(name) or "", field_name=name)
            except ValidationFailed as error:
                self.add_error(name, error.message)
        return cleaned


class ScheduleExceptionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ExceptionKind.choices)
    start_date = forms.DateField(label=_("First day"), widget=DATE_INPUT)
    end_date = forms.DateField(label=_("Last day"), widget=DATE_INPUT)
    hours = forms.CharField(
        label=_("Hours (special hours only)"),
        required=False,
        max_length=20,
        help_text=_("e.g. 10:00-16:00"),
    )
    reason = forms.CharField(label=_("Reason (shown to readers)"), max_length=200)
    applies_to_subtree = forms.BooleanField(label=_("Also for every unit below"), required=False)


class PartnershipForm(forms.Form):
    partner_name_zh = forms.CharField(label=_("Partner (Chinese name)"), max_length=150)
    partner_kind = forms.ChoiceField(label=_("Kind of partner"), choices=PartnerKind.choices)
    role = forms.CharField(label=_("What the partner does"), max_length=200, required=False)
    started_on = forms.DateField(label=_("Since"), required=False, widget=DATE_INPUT)
