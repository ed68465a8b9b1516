"""Public event pages and iCalendar feeds: the list, an event, registering and cancelling,
the reader's own events and tickets, posters, and the feeds (network, library, event)."""

from django.urls import path

from wenjin.events import public_views as views

app_name = "events_public"

urlpatterns = [
    path("events/", views.event_list, name="list"),
    path("events/<int:pk>/", views.event_detail, name="detail"),
    path("events/<int:pk>/register/", views.event_register, name="register"),
    path("events/<int:pk>/cancel/", views.event_cancel, name="cancel"),
    path("events/<int:pk>.ics", views.event_ics, name="event_ics"),
    path("events/image/<int:pk>/", views.event_image, name="image"),
    path("events.ics", views.feed, name="feed"),
    path("account/events/", views.my_events, name="mine"),
    path("account/events/<int:reg_pk>/ticket/", views.ticket, name="ticket"),
]
