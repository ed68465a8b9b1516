"""The public catalogue's URLs (no login needed; no reader identifier in any of them)."""

from django.urls import include, path

from wenjin.opac import account_views, branch_views, self_views, views

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
    path("account/fees/", self_views.fees_page, name="fees"),
    path("account/card/", self_views.card_page, name="card"),
    path("account/card/lost/", self_views.card_lost, name="card-lost"),
    path("account/settings/", self_views.settings_page, name="settings"),
    path("account/settings/pin/", self_views.pin_change, name="pin"),
    path("account/settings/history/", self_views.history_keep, name="history-keep"),
    path("account/history/", self_views.history_page, name="history"),
    path("account/history.csv", self_views.history_csv, name="history-csv"),
    path("account/history/forget/", self_views.history_forget, name="history-forget"),
    path("account/privacy/", self_views.privacy_page, name="privacy"),
    path("account/privacy/export/", self_views.privacy_export, name="privacy-export"),
    path("account/privacy/delete/", self_views.privacy_delete, name="privacy-delete"),
    path("", include("wenjin.opac.report_urls")),
    path("", include("wenjin.opac.register_urls")),
]
