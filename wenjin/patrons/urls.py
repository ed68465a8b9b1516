from django.urls import path

from wenjin.patrons import views, views_pending

app_name = "patrons"
urlpatterns = [
    path("", views.find, name="find"),
    path("register/", views.register, name="register"),
    path("pending/", views_pending.pending, name="pending"),
    path("<int:patron_id>/", views.detail, name="detail"),
    path("<int:patron_id>/act/", views.act, name="act"),
    path("<int:patron_id>/credit/", views.credit_adjust, name="credit_adjust"),
]
