"""Staff event pages, under /staff/events/."""

from django.urls import path

from wenjin.events import views_calendar, views_desk, views_staff

app_name = "events"

urlpatterns = [
    path("", views_staff.event_list, name="list"),
    path("calendar/", views_calendar.calendar, name="calendar"),
    path("new/", views_staff.event_create, name="create"),
    path("<int:pk>/", views_staff.event_detail, name="detail"),
    path("<int:pk>/edit/", views_staff.event_edit, name="edit"),
    path("<int:pk>/image/", views_staff.event_image, name="image"),
    path("<int:pk>/duplicate/", views_staff.event_duplicate, name="duplicate"),
    path("<int:pk>/repeat/", views_staff.event_repeat, name="repeat"),
    path("<int:pk>/cancel/", views_staff.event_cancel, name="cancel"),
    path("<int:pk>/publish/", views_staff.event_publish, name="publish"),
    path("<int:pk>/register/", views_desk.register, name="register"),
    path(
        "<int:pk>/registrations/<int:reg_pk>/cancel/",
        views_desk.unregister,
        name="unregister",
    ),
    path("<int:pk>/checkin/", views_desk.checkin, name="checkin"),
    path("<int:pk>/attendance/", views_desk.attendance_page, name="attendance"),
]
