"""URL map: the public catalogue at the root, staff pages per domain under /staff/, the REST
API under /api/v1/."""

from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from wenjin.api.urls import api
from wenjin.web import views as web_views

web_patterns = (
    [
        path("staff/", web_views.staff_home, name="staff-home"),
    ],
    "web",
)

urlpatterns = [
    path("healthz", web_views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/catalog.js", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
    path("staff/network/", include("wenjin.network.urls")),
    path("staff/catalog/", include("wenjin.catalog.urls")),
    path("staff/readers/", include("wenjin.patrons.urls")),
    path("staff/readers/", include("wenjin.notices.urls")),
    path("staff/desk/", include("wenjin.circulation.urls")),
    path("staff/devices/", include("wenjin.sip2.urls")),
    path("staff/events/", include("wenjin.events.urls")),
    path("staff/stats/", include("wenjin.stats.urls")),
    path("staff/", include("wenjin.accounts.urls")),
    path("", include(web_patterns)),
    path("", include("wenjin.events.public_urls")),
    path("", include("wenjin.opac.urls")),
]
