"""URLs of remote self-registration (远程自助办证) and card recovery (joined to the `opac` namespace)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
