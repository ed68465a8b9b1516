"""URLs of remote self-registration (远程自助办证) and card recovery (joined to the `opac` namespace)."""

from django.urls import path

from wenjin.opac import register_views

urlpatterns = [
    path("register/", register_views.register_page, name="register"),
    path("register/done/", register_views.register_done, name="register-done"),
    path("register/privacy/", register_views.privacy_notice, name="register-privacy"),
    path("recover/", register_views.recover_page, name="recover"),
    path("recover/done/", register_views.recover_done, name="recover-done"),
]
