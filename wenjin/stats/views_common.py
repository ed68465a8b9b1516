"""What the statistics pages share: which unit a request asks about, within the user's
``stats.view`` scope."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.selectors import units_in_scope
from wenjin.network.models import OrgUnit


class Refused(Exception):
    """The user may not see this unit's statistics (or any)."""


def chosen_unit(request: HttpRequest) -> tuple[OrgUnit, list[OrgUnit]]:
    """The unit named by ``?org=`` (default: the top of the user's scope) and the units
    the user may pick; ``Refused`` outside the scope, 404 for an unknown code."""
    actor = Actor.from_request(request, request.user)
    units = units_in_scope(actor, Perm.STATS_VIEW)
    if not units:
        raise Refused(_("Your roles do not include seeing statistics."))
    code = request.GET.get("org", "").strip()
    if not code:
        return units[0], units  # tree order: the top of the (first) subtree in scope
    org = OrgUnit.objects.filter(code=code).first()
    if org is None:
        raise Http404(_("There is no such library."))
    if not actor.can(Perm.STATS_VIEW, org):
        raise Refused(
            _("The statistics of %(unit)s are outside the part of the network your roles cover.")
            % {"unit": f"{org.code} {org.name}"}
        )
    return org, units
