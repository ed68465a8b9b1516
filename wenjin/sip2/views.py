"""Staff page for self-service devices: each device with where it stands, when it was
last seen, today's transactions and errors; register a device; switch one off or on."""

from __future__ import annotations

from datetime import datetime, time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.lib.errors import DomainError
from wenjin.network.devices import device_create, device_set_enabled
from wenjin.network.models import DEVICE_OPERATIONS, Device, DeviceEncoding, DeviceKind
from wenjin.sip2.models import Sip2Transaction
from wenjin.sip2.server import OUTCOME_CHECKSUM, OUTCOME_ERROR, OUTCOME_MALFORMED, OUTCOME_TOO_LONG

# Outcomes that mean something is wrong with the machine or the system (a refusal is a
# reader's business, counted apart): handler errors and frames that could not be read.
ERROR_OUTCOMES = [OUTCOME_ERROR, OUTCOME_CHECKSUM, OUTCOME_MALFORMED, OUTCOME_TOO_LONG]


def _scope(actor: Actor) -> Q:
    paths = actor.scope(Perm.NETWORK_EDIT)
    if paths is None:
        return Q()
    if not paths:
        raise Http404(_("Your roles do not include managing devices."))
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(org_unit__path__startswith=path)
    return condition


@login_required
@require_http_methods(["GET", "POST"])
def devices(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request, request.user)
    scope = _scope(actor)
    if request.method == "POST":
        post = request.POST
        try:
            if post.get("action") == "enable":
                device = Device.objects.filter(scope, code=post.get("code", "")).first()
                if device is None:
                    raise Http404
                device_set_enabled(actor=actor, code=device.code, enabled=post.get("on") == "1")
                messages.success(request, _("Saved."))
            else:
                device_create(
                    actor=actor,
                    code=post.get("code", ""),
                    name=post.get("name", ""),
                    kind=post.get("kind", ""),
                    org_code=post.get("org_code", ""),
                    password=post.get("password", ""),
                    encoding=post.get("encoding", "utf-8"),
                    operations=post.getlist("operations"),
                    time_zone=post.get("time_zone", ""),
                )
                messages.success(request, _("Device registered."))
        except DomainError as error:
            messages.error(request, f"{error.message} ({error.code})")
        return redirect("sip2:devices")
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    today = (
        Sip2Transaction.objects.filter(at__gte=start)
        .values("device_id")
        .annotate(
            total=Count("pk"),
            errors=Count("pk", filter=Q(outcome__in=ERROR_OUTCOMES)),
            refused=Count("pk", filter=Q(outcome="refused")),
        )
    )
    counts = {row["device_id"]: row for row in today}
    rows = [
        {"device": device, **counts.get(device.pk, {"total": 0, "errors": 0, "refused": 0})}
        for device in Device.objects.filter(scope).select_related("org_unit")
    ]
    return render(
        request,
        "sip2/devices.html",
        {
            "rows": rows,
            "kinds": DeviceKind.choices,
            "encodings": DeviceEncoding.choices,
            "operations": DEVICE_OPERATIONS,
            "default_time_zone": settings.TIME_ZONE,
        },
    )
