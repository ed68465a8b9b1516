"""Mount every domain router on the one API object."""

from wenjin.accounts.api import router as accounts_router
from wenjin.api.core import api
from wenjin.catalog.api import router as catalog_router
from wenjin.circulation.api import router as circulation_router
from wenjin.circulation.api_fees import router as fees_router
from wenjin.circulation.api_holds import router as holds_router
from wenjin.events.api import router as events_router
from wenjin.network.api import router as network_router
from wenjin.patrons.api import router as patrons_router
from wenjin.search.api import router as search_router
from wenjin.stats.api import router as stats_router
from wenjin.stats.api_reports import router as reports_router

api.add_router("/org-units", network_router)
api.add_router("", accounts_router)
api.add_router("", catalog_router)
api.add_router("", search_router)
api.add_router("", patrons_router)
api.add_router("", circulation_router)
api.add_router("", holds_router)
api.add_router("", fees_router)
api.add_router("", events_router)
api.add_router("", stats_router)
api.add_router("", reports_router)

urlpatterns = api.urls
