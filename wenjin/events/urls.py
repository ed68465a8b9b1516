"""Staff event pages, under /staff/events/."""

from django.urls import path  # noqa: F401

app_name = "events"

urlpatterns: list = []
