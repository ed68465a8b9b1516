"""Staff page for remote registrations waiting for a desk: the reader shows their
identity document and quotes the reference; staff confirm (a card is issued, the PIN is
shown once and texted) or reject with a reason (texted). Only registrations homed where
the staff member may register readers are listed, and the services check it again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.lib.errors import DomainError
from wenjin.patrons import remote_rules, selectors
from wenjin.patrons.services import pending as pending_desk


def _pending_id(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("pending", ""))
    except ValueError:
        raise Http404(_("There is no such registration.")) from None


@login_required
@require_http_methods(["GET", "POST"])
def pending(request: HttpRequest) -> HttpResponse:
    """The list (optionally one reference), and the confirm and reject actions (POST)."""
    actor = Actor.from_request(request, request.user)
    if actor.scope(Perm.PATRONS_EDIT) == []:
        raise Http404(_("Your roles do not allow registering readers."))
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "confirm":
                registration = pending_desk.pending_confirm(
                    actor=actor, pending_id=_pending_id(request)
                )
                response = render(
                    request,
                    "patrons/pending_confirmed.html",
                    {
                        "registration": registration,
                        "patron": selectors.summary(registration.patron),
                    },
                )
                add_never_cache_headers(response)  # the PIN is on it
                return response
            if action == "reject":
                rejected = pending_desk.pending_reject(
                    actor=actor,
                    pending_id=_pending_id(request),
                    reason=request.POST.get("reason", ""),
                )
                messages.success(
                    request,
                    _("Registration %(reference)s rejected; the reader has been told.")
                    % {"reference": rejected.reference},
                )
                return redirect("patrons:pending")
            raise Http404(_("There is no such action."))
        except DomainError as error:
            messages.error(request, error.message)
            status = error.status
    waiting = pending_desk.pending_list(actor)
    reference = remote_rules.normalise_reference(request.GET.get("reference", ""))
    if reference:
        waiting = waiting.filter(reference=reference)
    response = render(
        request,
        "patrons/pending.html",
        {"waiting": list(waiting[:200]), "reference": reference},
        status=status,
    )
    add_never_cache_headers(response)
    return response
