"""The search form shared by the staff catalogue page and (later) the public catalogue: the
one box, the advanced fields, the filters and the sort order."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wenjin.catalog.models import MaterialType
from wenjin.lib.clc import CLC_TOP_CLASSES
from wenjin.search.query import ADVANCED_FIELDS, MAX_QUERY_CHARS, compose
from wenjin.search.selectors import SearchFilters

SORT_CHOICES = [
    ("relevance", _("Relevance")),
    ("-year", _("Year published, newest first")),
    ("year", _("Year published, oldest first")),
    ("title", _("Title (pinyin order)")),
]
CHILDREN_CHOICES = [("", _("All")), ("1", _("Children's")), ("0", _("General"))]


class SearchForm(forms.Form):
    """A catalogue search as the URL carries it (GET parameters)."""

    q = forms.CharField(required=False, max_length=MAX_QUERY_CHARS, label=_("Search"))
    title = forms.CharField(required=False, max_length=200, label=_("Title"))
    author = forms.CharField(required=False, max_length=200, label=_("Author"))
    subject = forms.CharField(required=False, max_length=200, label=_("Subject"))
    series = forms.CharField(required=False, max_length=200, label=_("Series"))
    isbn = forms.CharField(required=False, max_length=40, label=_("ISBN"))
    callno = forms.CharField(required=False, max_length=64, label=_("Call number starts with"))
    org = forms.CharField(required=False, max_length=40, label=_("Held at (unit code)"))
    available = forms.BooleanField(required=False, label=_("Available now only"))
    type = forms.ChoiceField(
        required=False,
        choices=[("", _("All")), *MaterialType.choices],
        label=_("Material type"),
    )
    clc = forms.ChoiceField(
        required=False,
        choices=[("", _("All"))] + [(k, f"{k} {v[0]}") for k, v in CLC_TOP_CLASSES.items()],
        label=_("CLC class"),
    )
    lang = forms.CharField(required=False, max_length=3, label=_("Language code (chi, eng…)"))
    year_from = forms.IntegerField(
        required=False, min_value=0, max_value=9999, label=_("Published from")
    )
    year_to = forms.IntegerField(required=False, min_value=0, max_value=9999, label=_("to"))
    children = forms.ChoiceField(required=False, choices=CHILDREN_CHOICES, label=_("Readership"))
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES, label=_("Sort by"))
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("year_from"), data.get("year_to")
        if start is not None and end is not None and start > end:
            self.add_error("year_to", _("The end year is before the start year."))
        return data

    @property
    def uses_advanced(self) -> bool:
        """Whether any advanced field or filter is set (the page shows them open)."""
        data = getattr(self, "cleaned_data", {})
        names = [*ADVANCED_FIELDS, "org", "available", "type", "clc", "lang"]
        names += ["year_from", "year_to", "children"]
        return any(data.get(name) not in (None, "", False) for name in names)

    def query_text(self) -> str:
        data = self.cleaned_data
        return compose(
            data.get("q") or "", {name: data.get(name) or "" for name in ADVANCED_FIELDS}
        )

    def filters(self) -> SearchFilters:
        data = self.cleaned_data
        children = data.get("children")
        return SearchFilters(
            org=data.get("org") or None,
            available=data.get("available") or None,
            material_type=data.get("type") or None,
            clc=data.get("clc") or None,
            language=data.get("lang") or None,
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
            children=None if not children else children == "1",
        )

    def sort_order(self, has_query: bool) -> str:
        return self.cleaned_data.get("sort") or ("relevance" if has_query else "-year")
