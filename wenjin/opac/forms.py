"""Forms of the reader's own pages. They only collect input; the services check it and
say what is wrong (the PIN rules, the email address, the notice settings)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wenjin.notices.models import NoticeKind, NoticeLanguage
from wenjin.notices.policies import READER_CHANNELS

PIN_WIDGET = forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
NEW_PIN_ATTRS = {"inputmode": "numeric", "autocomplete": "new-password"}


def new_pin_field(required: bool = True) -> forms.CharField:
    """A new PIN, with the PIN rules told (changing the PIN, recovering a card)."""
    return forms.CharField(
        label=_("New password"),
        max_length=32,
        required=required,
        widget=forms.PasswordInput(attrs=NEW_PIN_ATTRS),
        help_text=_("Six digits, not all the same and not in a row (such as 123456)."),
    )


def repeated_pin_field(required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=_("New password again"),
        max_length=32,
        required=required,
        widget=forms.PasswordInput(attrs=NEW_PIN_ATTRS),
    )


class PinChangeForm(forms.Form):
    current_pin = forms.CharField(label=_("Current password"), max_length=32, widget=PIN_WIDGET)
    new_pin = new_pin_field()
    repeated = repeated_pin_field()


class PinConfirmForm(forms.Form):
    """The PIN again, before handing over or deleting personal data."""

    pin = forms.CharField(label=_("Your password"), max_length=32, widget=PIN_WIDGET)


class NoticeSettingsForm(forms.Form):
    email = forms.CharField(
        label=_("New email address"),
        max_length=254,
        required=False,
        help_text=_("Leave empty to keep the address you have."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    remove_email = forms.BooleanField(label=_("Remove my email address"), required=False)
    language = forms.ChoiceField(
        label=_("Language of notices"), choices=NoticeLanguage.choices, widget=forms.RadioSelect
    )
    channels = forms.MultipleChoiceField(
        label=_("Tell me by"),
        required=False,
        choices=[("sms", _("SMS to my phone")), ("email", _("Email"))],
        widget=forms.CheckboxSelectMultiple,
    )
    wanted = forms.MultipleChoiceField(
        label=_("Tell me about"),
        required=False,
        choices=NoticeKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_channels(self) -> list[str]:
        return [c for c in self.cleaned_data["channels"] if c in READER_CHANNELS]


class HistoryForm(forms.Form):
    keep = forms.BooleanField(
        label=_("Keep my reading history"),
        required=False,
        help_text=_(
            "Only you can see it. Turning it off deletes the history kept so far; the library "
            "keeps only anonymous counts."
        ),
    )
