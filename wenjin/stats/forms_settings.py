"""Forms of the statistics settings page."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wenjin.stats.models import StatsSettings


class SettingsForm(forms.Form):
    items_lent_includes_renewals = forms.BooleanField(
        label=_("Count renewals as items lent (书刊文献外借册次)"), required=False
    )
    valid_cards = forms.ChoiceField(
        label=_("Valid cards (有效借书证数) are"), choices=StatsSettings.ValidCards.choices
    )
    visits_drop_alert_percent = forms.IntegerField(
        label=_("Flag a unit whose visits fell by at least (%)"), min_value=1, max_value=100
    )


class RebuildForm(forms.Form):
    first = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if isinstance(first, date) and isinstance(last, date) and last < first:
            raise forms.ValidationError(_("The last day is before the first."))
        return data
