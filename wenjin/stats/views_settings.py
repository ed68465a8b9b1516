"""The statistics settings page: the definitions the reports use, the history of rollup
rebuilds and a form to rebuild a range."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.lib.errors import DomainError
from wenjin.stats.forms_settings import RebuildForm, SettingsForm
from wenjin.stats.models import RollupRun, StatsSettings
from wenjin.stats.services import settings as services

RUNS_SHOWN = 20


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request, request.user)
    if not actor.scope(Perm.STATS_VIEW) and not actor.is_system:
        return render(
            request,
            "stats/forbidden.html",
            {"message": _("Your roles do not allow this.")},
            status=403,
        )
    current = StatsSettings.load()
    yesterday = timezone.localdate() - timedelta(days=1)
    settings_form = SettingsForm(
        initial={
            "items_lent_includes_renewals": current.items_lent_includes_renewals,
            "valid_cards": current.valid_cards,
            "visits_drop_alert_percent": current.visits_drop_alert_percent,
        }
    )
    rebuild_form = RebuildForm(initial={"first": date(yesterday.year, 1, 1), "last": yesterday})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        form = SettingsForm(request.POST) if action == "settings" else RebuildForm(request.POST)
        if form.is_valid():
            try:
                if action == "settings":
                    services.stats_settings_update(actor=actor, **form.cleaned_data)
                    messages.success(request, _("The definitions were saved."))
                else:
                    services.rollup_rebuild_request(
                        actor=actor,
                        first=form.cleaned_data["first"],
                        last=form.cleaned_data["last"],
                    )
                    messages.success(
                        request,
                        _("The rebuild was queued; it appears below when it has finished."),
                    )
                return redirect("stats:settings")
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status
        else:
            status = 400
        if action == "settings":
            settings_form = form
        else:
            rebuild_form = form
    return render(
        request,
        "stats/settings.html",
        {
            "settings_form": settings_form,
            "rebuild_form": rebuild_form,
            "runs": RollupRun.objects.all()[:RUNS_SHOWN],
            "current": current,
        },
        status=status,
    )
