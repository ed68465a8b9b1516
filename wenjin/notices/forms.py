"""The staff form for a reader's notice settings."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wenjin.notices.models import NoticeKind, NoticeLanguage
from wenjin.notices.policies import READER_CHANNELS

CHANNEL_LABELS = {"email": _("Email"), "sms": _("SMS (to the reader's phone)")}


class ContactForm(forms.Form):
    # A plain text field: the service checks the address and says what is wrong with it.
    email = forms.CharField(
        max_length=254,
        required=False,
        label=_("New email address"),
        help_text=_("Leave empty to keep the current address."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    remove_email = forms.BooleanField(required=False, label=_("Remove the email address"))
    language = forms.ChoiceField(
        choices=NoticeLanguage.choices, widget=forms.RadioSelect, label=_("Language of notices")
    )
    channels = forms.MultipleChoiceField(
        required=False,
        choices=[(c, CHANNEL_LABELS[c]) for c in READER_CHANNELS],
        widget=forms.CheckboxSelectMultiple,
        label=_("Channels"),
    )
    opt_outs = forms.MultipleChoiceField(
        required=False,
        choices=NoticeKind.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("Notices the reader does not want"),
    )
