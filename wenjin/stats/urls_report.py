"""Staff pages of the statistics: the annual and monthly reports (mounted by
wenjin.stats.urls)."""

from django.urls import path

from wenjin.stats import views_report

urlpatterns: list = [
    path("reports/annual/", views_report.annual_page, name="annual"),
    path("reports/monthly/", views_report.monthly_page, name="monthly"),
]
