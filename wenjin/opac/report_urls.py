"""URLs of the reader's reading report and its shared summary (joined to the `opac` namespace).

The shared summary's address carries only its random token, never a reader identifier.
"""

from django.urls import path, re_path

from wenjin.opac import report_views

# secrets.token_urlsafe's alphabet; a bounded length so nothing else reaches the lookup.
SHARE_KEY = r"(?P<token>[A-Za-z0-9_-]{16,64})"

urlpatterns: list = [
    path("account/report/", report_views.report_page, name="report"),
    path("account/report/share/", report_views.share_page, name="report-share"),
    path("account/report/unshare/", report_views.unshare_page, name="report-unshare"),
    re_path(rf"^shared/reading/{SHARE_KEY}/$", report_views.shared_page, name="report-shared"),
    re_path(
        rf"^shared/reading/{SHARE_KEY}\.svg$", report_views.shared_image, name="report-shared-image"
    ),
]
