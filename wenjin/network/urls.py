from django.urls import path

from wenjin.network import views

app_name = "network"
urlpatterns = [
    path("", views.tree_view, name="tree"),
    path("<str:code>/", views.unit_view, name="unit"),
    path("<str:code>/edit/", views.unit_edit_view, name="edit"),
    path("<str:code>/new/", views.unit_create_view, name="create"),
    path("<str:code>/delete/", views.unit_delete_view, name="delete"),
    path("<str:code>/hours/", views.hours_view, name="hours"),
    path("<str:code>/closures/", views.exception_add_view, name="exception-add"),
    path(
        "<str:code>/closures/<int:exception_id>/delete/",
        views.exception_delete_view,
        name="exception-delete",
    ),
    path("<str:code>/partners/", views.partnership_add_view, name="partner-add"),
    path(
        "<str:code>/partners/<int:partnership_id>/delete/",
        views.partnership_remove_view,
        name="partner-remove",
    ),
]
