"""Staff pages of the statistics: settings and rebuilds (mounted by wenjin.stats.urls)."""

from django.urls import path

from wenjin.stats import views_settings

urlpatterns = [path("settings/", views_settings.settings_page, name="settings")]
