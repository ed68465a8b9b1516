from django.urls import path

from wenjin.circulation import views, views_fees, views_holds

app_name = "circulation"
urlpatterns = [
    path("", views.checkout, name="checkout"),
    path("checkin/", views.checkin, name="checkin"),
    path("transits/", views.transits, name="transits"),
    path("rules/", views.rules, name="rules"),
    path("fees/", views_fees.reader_fees, name="fees"),
    path("fees/summary/", views_fees.day_summary, name="fees-summary"),
    path("pull-list/", views_holds.pull_list, name="pull-list"),
    path("hold-shelf/", views_holds.hold_shelf, name="hold-shelf"),
    path("records/<int:record_id>/holds/", views_holds.record_holds, name="record-holds"),
    path("holds/<int:hold_id>/cancel/", views_holds.hold_cancel, name="hold-cancel"),
]
