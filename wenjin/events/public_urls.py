"""Public event pages and iCalendar feeds."""

from django.urls import path  # noqa: F401

app_name = "events_public"

urlpatterns: list = []
