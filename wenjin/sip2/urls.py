from django.urls import path

from wenjin.sip2 import views

app_name = "sip2"
urlpatterns = [path("", views.devices, name="devices")]
