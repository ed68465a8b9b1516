"""Staff forms for readers: find, register, the card actions and credit adjustments."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wenjin.patrons.models import IdentityType, PatronCategory


class FindForm(forms.Form):
    """The desk's one box; sent by POST so identity and phone numbers never enter a URL."""

    q = forms.CharField(
        max_length=100,
        label=_("Card number, identity number, phone or name"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )


class RegisterForm(forms.Form):
    name = forms.CharField(max_length=100, label=_("Name"))
    identity_type = forms.ChoiceField(choices=IdentityType.choices, label=_("Identity document"))
    identity_number = forms.CharField(
        max_length=40,
        label=_("Document number"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        required=False,
        label=_("Date of birth"),
        help_text=_("Only for documents that do not carry it (a resident ID does)."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    phone = forms.CharField(max_length=30, label=_("Phone"))
    address = forms.CharField(max_length=300, required=False, label=_("Address"))
    home_org_code = forms.ChoiceField(label=_("Home library"))
    local_residence = forms.BooleanField(
        required=False, initial=True, label=_("Local residence (hukou or residence permit)")
    )
    category = forms.ChoiceField(
        required=False,
        label=_("Category"),
        help_text=_("Leave empty to choose by age and residence."),
    )
    guardian_barcode = forms.CharField(
        max_length=20, required=False, label=_("Guardian's card number (children)")
    )

    def __init__(self, *args: object, units: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_org_code"].choices = units
        self.fields["category"].choices = [("", _("By age"))] + [
            (c.code, c.name) for c in PatronCategory.objects.all()
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=200, label=_("Reason"))


class CreditAdjustForm(forms.Form):
    """Staff move a reader's credit score by hand; the service checks the numbers."""

    prefix = "credit"

    change = forms.IntegerField(
        label=_("Points"), help_text=_("Positive to raise the score, negative to lower it.")
    )
    note = forms.CharField(max_length=200, label=_("Why"))


class EditForm(forms.Form):
    """A reader's changeable details (identity documents are not edited: a wrong one means
    a new registration checked again)."""

    name = forms.CharField(max_length=100, label=_("Name"))
    phone = forms.CharField(
        max_length=30, required=False, label=_("Phone"), help_text=_("Leave empty to keep it.")
    )
    address = forms.CharField(max_length=300, required=False, label=_("Address"))
    local_residence = forms.BooleanField(
        required=False, label=_("Local residence (hukou or residence permit)")
    )
    keeps_history = forms.BooleanField(
        required=False, label=_("Keep the reading history (the reader's choice)")
    )
    category = forms.ChoiceField(label=_("Category"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c.code, c.name) for c in PatronCategory.objects.all()]
