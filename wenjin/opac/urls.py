"""The public catalogue's URLs (no login needed; no reader identifier in any of them)."""

from django.urls import include, path

from wenjin.opac import account_views, branch_views, views

app_name = "opac"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("search/suggest/", views.suggestions, name="suggest"),
    path("records/<int:record_id>/", views.record_page, name="record"),
    path("records/<int:record_id>/shelf/<str:barcode>/", views.shelf_page, name="shelf"),
    path("branches/", branch_views.branch_list, name="branches"),
    path("branches/<str:code>/", branch_views.branch_page, name="branch"),
    path("records/<int:record_id>/hold/", account_views.hold_page, name="hold"),
    path("display/", views.display_settings, name="display"),
    path("login/", account_views.login_page, name="login"),
    path("logout/", account_views.logout_page, name="logout"),
    path("account/", account_views.account_page, name="account"),
    path("account/renew/", account_views.renew_page, name="renew"),
    path("account/holds/<int:hold_id>/cancel/", account_views.hold_cancel_page, name="hold-cancel"),
    path("", include("wenjin.opac.report_urls")),
    path("", include("wenjin.opac.register_urls")),
]
