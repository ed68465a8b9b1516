from django.urls import path

from wenjin.circulation import views

app_name = "circulation"
urlpatterns = [
    path("", views.checkout, name="checkout"),
    path("checkin/", views.checkin, name="checkin"),
    path("transits/", views.transits, name="transits"),
    path("rules/", views.rules, name="rules"),
]
