from django.urls import path

from wenjin.notices import views

app_name = "notices"
urlpatterns = [
    path("<int:patron_id>/notices/", views.reader_notices, name="reader"),
]
