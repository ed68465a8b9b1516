from django.urls import path

from wenjin.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.catalog_home, name="home"),
    path("records/new/", views.record_create, name="record-create"),
    path("records/isbn/", views.isbn_quick_add, name="isbn"),
    path("records/<int:record_id>/", views.record_view, name="record"),
    path("records/<int:record_id>/edit/", views.record_edit, name="record-edit"),
    path("records/<int:record_id>/marc/", views.marc_edit, name="marc"),
    path("records/<int:record_id>/items/new/", views.items_add_view, name="items-add"),
    path("records/<int:record_id>/print/", views.record_print, name="print"),
    path("items/<str:barcode>/", views.item_view, name="item"),
    path("locations/<str:code>/", views.locations_view, name="locations"),
    path(
        "locations/<str:code>/<int:location_id>/delete/",
        views.location_delete_view,
        name="location-delete",
    ),
]
