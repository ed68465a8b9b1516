"""Staff pages of the statistics: data entry (mounted by wenjin.stats.urls)."""

from django.urls import path

from wenjin.stats import views_entry

urlpatterns: list = [
    path("entry/gate/", views_entry.gate_entry, name="entry-gate"),
    path("entry/gate/import/", views_entry.gate_import, name="entry-gate-import"),
    path("entry/inputs/", views_entry.inputs_entry, name="entry-inputs"),
]
