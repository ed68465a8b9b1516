"""Staff forms for the catalogue; they collect input, the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wenjin.catalog.models import (
    AcquisitionSource,
    ItemStatus,
    LocationKind,
    MarcFormat,
    MaterialType,
)

LINES_HELP = _("One per line.")


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class RecordForm(forms.Form):
    """The common fields of a record; each is written into its MARC field."""

    marc_format = forms.ChoiceField(
        label=_("Record format"), choices=MarcFormat.choices, initial=MarcFormat.CNMARC
    )
    title = forms.CharField(label=_("Title proper"), max_length=500)
    other_title = forms.CharField(
        label=_("Other title information"), max_length=500, required=False
    )
    responsibility = forms.CharField(
        label=_("Statement of responsibility"), max_length=500, required=False
    )
    authors = forms.CharField(
        label=_("Authors"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=LINES_HELP,
    )
    publisher = forms.CharField(label=_("Publisher"), max_length=200, required=False)
    place = forms.CharField(label=_("Place of publication"), max_length=100, required=False)
    year = forms.CharField(label=_("Year"), max_length=100, required=False)
    isbns = forms.CharField(
        label=_("ISBNs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=LINES_HELP,
    )
    language = forms.CharField(
        label=_("Language code"), max_length=30, required=False, help_text=_("chi, eng, jpn …")
    )
    clc = forms.CharField(
        label=_("CLC class"), max_length=40, required=False, help_text=_("e.g. I247.5")
    )
    subjects = forms.CharField(
        label=_("Subjects"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=LINES_HELP,
    )
    series = forms.CharField(
        label=_("Series"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=LINES_HELP,
    )
    edition = forms.CharField(label=_("Edition"), max_length=100, required=False)
    physical_description = forms.CharField(
        label=_("Physical description"), max_length=200, required=False
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: object, creating: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["marc_format"]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("marc_format", None)
        for name in ("authors", "isbns", "subjects", "series"):
            data[name] = lines(data[name])
        return data

    @staticmethod
    def initial_for(values: dict) -> dict:
        return {
            name: "\n".join(value) if isinstance(value, list) else value
            for name, value in values.items()
        }


class MarcEditorForm(forms.Form):
    text = forms.CharField(
        label=_("MARC fields"),
        widget=forms.Textarea(attrs={"rows": 24, "class": "marc-editor", "spellcheck": "false"}),
        help_text=_(
            "One field per line: tag, two indicators (# for blank), then $a… subfields. Write a literal dollar sign as {$}."
        ),
    )


class IsbnForm(forms.Form):
    isbn = forms.CharField(
        label=_("ISBN"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autofocus": True}),
    )


class CopiesForm(forms.Form):
    owning_org = forms.ChoiceField(label=_("Owning unit"))
    barcodes = forms.CharField(
        label=_("Barcodes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, or the first barcode and a count below."),
        required=False,
    )
    count = forms.IntegerField(
        label=_("Number of copies (numbered on from the first barcode)"),
        min_value=1,
        max_value=500,
        required=False,
    )
    call_number = forms.CharField(label=_("Call number"), max_length=64, required=False)
    location = forms.ChoiceField(label=_("Shelving location"), required=False)
    material_type = forms.ChoiceField(label=_("Material type"), choices=MaterialType.choices)
    language = forms.CharField(label=_("Language code"), max_length=3, required=False)
    is_children = forms.BooleanField(label=_("Children's"), required=False)
    is_braille = forms.BooleanField(label=_("Braille"), required=False)
    is_rare = forms.BooleanField(label=_("Rare (善本)"), required=False)
    price = forms.DecimalField(
        label=_("Price (yuan)"), max_digits=10, decimal_places=2, required=False, min_value=0
    )
    acquisition_source = forms.ChoiceField(
        label=_("Acquisition source"), choices=AcquisitionSource.choices
    )

    def __init__(self, *args: object, units: list, locations: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owning_org"].choices = [
            (unit.code, f"{unit.code} {unit.name}") for unit in units
        ]
        self.fields["location"].choices = [("", "—"), *locations]

    def barcode_list(self) -> list[str]:
        given = lines(self.cleaned_data.get("barcodes", ""))
        count = self.cleaned_data.get("count")
        if len(given) == 1 and count and count > 1:
            return numbered(given[0], count)
        return given


def numbered(first: str, count: int) -> list[str]:
    """``numbered("YX000123", 3)`` → YX000123, YX000124, YX000125 (keeps the zero padding)."""
    digits = len(first) - len(first.rstrip("0123456789"))
    if digits == 0:
        return [first]
    prefix, number = first[:-digits], int(first[-digits:])
    return [f"{prefix}{number + offset:0{digits}d}" for offset in range(count)]


class ItemForm(forms.Form):
    call_number = forms.CharField(label=_("Call number"), max_length=64, required=False)
    volume = forms.CharField(label=_("Volume"), max_length=40, required=False)
    material_type = forms.ChoiceField(label=_("Material type"), choices=MaterialType.choices)
    language = forms.CharField(label=_("Language code"), max_length=3, required=False)
    is_children = forms.BooleanField(label=_("Children's"), required=False)
    is_braille = forms.BooleanField(label=_("Braille"), required=False)
    is_rare = forms.BooleanField(label=_("Rare (善本)"), required=False)
    is_open_shelf = forms.BooleanField(label=_("Open shelf"), required=False)
    price = forms.DecimalField(
        label=_("Price (yuan)"), max_digits=10, decimal_places=2, required=False, min_value=0
    )
    acquired_on = forms.DateField(
        label=_("Acquired on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    acquisition_source = forms.ChoiceField(
        label=_("Acquisition source"), choices=AcquisitionSource.choices
    )
    rfid = forms.CharField(label=_("RFID tag"), max_length=64, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (s.value, s.label)
            for s in ItemStatus
            if s
            in {
                ItemStatus.IN_PROCESSING,
                ItemStatus.AVAILABLE,
                ItemStatus.MISSING,
                ItemStatus.DAMAGED,
            }
        ],
    )


class MoveForm(forms.Form):
    location = forms.ChoiceField(label=_("New shelving location"), required=False)

    def __init__(self, *args: object, locations: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [("", "—"), *locations]


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawal"), max_length=200)
    on = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class LocationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=LocationKind.choices)
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("As readers see it, e.g. 3楼, B区, 第12排, 第4层"),
    )
    parent = forms.ChoiceField(label=_("Inside"), required=False)
    call_number_from = forms.CharField(label=_("Call numbers from"), max_length=64, required=False)
    call_number_to = forms.CharField(label=_("Call numbers to"), max_length=64, required=False)
    x = forms.IntegerField(
        label=_("Position on the plan, x (dm)"), min_value=0, max_value=100_000, required=False
    )
    y = forms.IntegerField(
        label=_("Position on the plan, y (dm)"), min_value=0, max_value=100_000, required=False
    )
    width = forms.IntegerField(
        label=_("Width on the plan (dm)"), min_value=0, max_value=100_000, required=False
    )
    height = forms.IntegerField(
        label=_("Height on the plan (dm)"), min_value=0, max_value=100_000, required=False
    )

    def __init__(self, *args: object, locations: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("— top level —")), *locations]

    def geometry(self) -> tuple[int, int, int, int] | None:
        values = [self.cleaned_data.get(name) for name in ("x", "y", "width", "height")]
        return None if all(v is None for v in values) else tuple(v or 0 for v in values)
