"""Staff forms for statistics data entry: a day's gate counts (daily or hour by hour),
the upload of a gate-count CSV file, and a unit's annual inputs for a year. The forms
only collect input; the services check and store it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wenjin.network.models import OrgUnit
from wenjin.stats import policies
from wenjin.stats.import_gate_counts import MAX_BYTES
from wenjin.stats.selectors_inputs import InputValue
from wenjin.stats.services.gate_counts import FIRST_DAY, GATE_COUNT_MAX

HOURS = range(24)
# Indents a unit under its parent in a select (browsers collapse plain spaces there).
NBSP = "\u00a0"


def unit_choices(units: Sequence[OrgUnit]) -> list[tuple[str, str]]:
    depth = min((unit.depth for unit in units), default=0)
    return [
        (unit.code, f"{NBSP * 2 * (unit.depth - depth)}{unit.code} {unit.name}") for unit in units
    ]


def yesterday() -> date:
    return timezone.localdate() - timedelta(days=1)


def hour_field(hour: int) -> str:
    return f"h{hour:02d}"


class GateCountForm(forms.Form):
    """A unit's visitors on one day: the daily count, or some of the 24 hourly counts.
    ``units`` are the units the user may enter gate counts for."""

    # Picked with the page's GET form (which loads the stored counts), sent back hidden.
    org = forms.ChoiceField(label=pgettext_lazy("statistics", "Library"), widget=forms.HiddenInput)
    day = forms.DateField(label=_("Date"), widget=forms.HiddenInput)
    count = forms.IntegerField(
        label=_("Visitors that day"),
        required=False,
        min_value=0,
        max_value=GATE_COUNT_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Or give the counts hour by hour below, not both."),
    )

    def __init__(self, *args: Any, units: Sequence[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = unit_choices(units)
        for hour in HOURS:
            self.fields[hour_field(hour)] = forms.IntegerField(
                label=f"{hour:02d}:00–{hour + 1:02d}:00",
                required=False,
                min_value=0,
                max_value=GATE_COUNT_MAX,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def hour_fields(self) -> list[forms.BoundField]:
        return [self[hour_field(hour)] for hour in HOURS]

    def hours_have_errors(self) -> bool:
        return any(self[hour_field(hour)].errors for hour in HOURS)

    def clean_day(self) -> date:
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Visitors cannot be counted for a day still to come."))
        if day < FIRST_DAY:
            raise forms.ValidationError(
                _("Counts before %(first)s are not accepted.") % {"first": FIRST_DAY.isoformat()}
            )
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        hourly = self.hourly()
        if data.get("count") is not None and hourly:
            raise forms.ValidationError(
                _("Give either the day's count or hourly counts, not both."), code="mixed"
            )
        if data.get("count") is None and not hourly and not self.has_error_in_counts():
            raise forms.ValidationError(
                _("Give the day's count or at least one hourly count."), code="empty"
            )
        return data

    def has_error_in_counts(self) -> bool:
        return "count" in self.errors or self.hours_have_errors()

    def hourly(self) -> dict[int, int]:
        """The hourly counts given (an empty field is not sent)."""
        data = getattr(self, "cleaned_data", {})
        return {
            hour: data[hour_field(hour)] for hour in HOURS if data.get(hour_field(hour)) is not None
        }


class GateImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Header org_code,date,count or org_code,date,hour,count; UTF-8 or GB18030."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    dry_run = forms.BooleanField(label=_("Only check the file, store nothing"), required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB: import it with wenjin import-gate-counts.")
                % {"mb": MAX_BYTES // (1024 * 1024)}
            )
        return upload


class InputsPickForm(forms.Form):
    """Which unit and year the inputs page shows (a GET form)."""

    org = forms.ChoiceField(label=pgettext_lazy("statistics", "Library"))
    year = forms.IntegerField(
        label=pgettext_lazy("statistics", "Year"),
        min_value=policies.YEAR_MIN,
        max_value=policies.YEAR_MAX,
    )

    def __init__(self, *args: Any, units: Sequence[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = unit_choices(units)


class AnnualInputsForm(forms.Form):
    """One text field per input the year's form asks for, checked with the input rules
    (so the messages are the ones the API gives); empty clears a value."""

    def __init__(self, *args: Any, values: Sequence[InputValue], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {item.key: item.display for item in values})
        super().__init__(*args, **kwargs)
        self.values = {item.key: item for item in values}
        for item in values:
            spec = item.spec
            field = forms.CharField(
                label=spec.label,
                required=False,
                max_length=30,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal" if spec.decimals else "numeric"}
                ),
            )
            field.unit = spec.unit  # shown beside the input
            field.widget.attrs["aria-describedby"] = f"id_{spec.key}_help"
            self.fields[spec.key] = field

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for key, text in list(data.items()):
            text = (text or "").strip()
            if not text:
                data[key] = None
                continue
            try:
                data[key] = policies.clean_input(key, text)
            except policies.InputError as error:
                self.add_error(key, error.message)
        return data

    def changed_values(self) -> dict[str, Decimal | None]:
        """The values that differ from the stored ones (None clears one)."""
        return {
            key: value
            for key, value in self.cleaned_data.items()
            if value != self.values[key].value
        }

    def rows(self) -> list[tuple[forms.BoundField, InputValue]]:
        return [(self[key], item) for key, item in self.values.items()]
