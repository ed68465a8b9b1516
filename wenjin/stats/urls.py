"""Staff statistics pages under /staff/stats/: dashboards, reports, data entry, settings."""

from wenjin.stats import urls_dashboard, urls_entry, urls_report, urls_settings

app_name = "stats"

urlpatterns = (
    urls_dashboard.urlpatterns
    + urls_report.urlpatterns
    + urls_entry.urlpatterns
    + urls_settings.urlpatterns
)
