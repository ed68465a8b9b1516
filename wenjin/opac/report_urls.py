"""URLs of the reader's reading report and its shared summary (joined to the `opac` namespace)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
