"""Staff pages of the statistics: the dashboard and its xlsx (mounted by wenjin.stats.urls)."""

from django.urls import path

from wenjin.stats import views_dashboard

urlpatterns: list = [
    path("", views_dashboard.dashboard_page, name="dashboard"),
    path("dashboard.xlsx", views_dashboard.dashboard_xlsx, name="dashboard-xlsx"),
]
