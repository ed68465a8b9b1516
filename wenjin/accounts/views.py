"""Staff pages: log in and out, API tokens, the audit log."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wenjin.accounts import selectors, services
from wenjin.accounts.actor import Actor
from wenjin.accounts.forms import LoginForm, TokenForm
from wenjin.accounts.models import ApiToken
from wenjin.lib.errors import DomainError
from wenjin.network.selectors import get_unit


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.staff_login(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip=selectors.client_ip(request),
                via="web",
            )
        except DomainError as error:
            form.add_error(None, error.message)
            status = error.status
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(_safe_next(request) or "web:staff-home")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": _safe_next(request) or ""},
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("You have logged out."))
    return redirect("opac:home")


@login_required
@require_http_methods(["GET", "POST"])
def tokens_view(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request, request.user)
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and "revoke" in request.POST:
        try:
            services.token_revoke(actor=actor, token_id=int(request.POST["revoke"]))
            messages.success(request, _("The token was revoked."))
        except (DomainError, ValueError) as error:
            messages.error(request, getattr(error, "message", _("No such API token.")))
        return redirect("accounts:tokens")
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = (
            timezone.make_aware(datetime.combine(expires_on, time.max)) if expires_on else None
        )
        try:
            _token, new_token = services.token_create(
                actor=actor,
                user=request.user,
                name=form.cleaned_data["name"],
                expires_at=expires_at,
            )
            form = TokenForm()
        except DomainError as error:
            form.add_error(None, error.message)
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token, "now": timezone.now()},
    )


@login_required
def audit_view(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request, request.user)
    entries = selectors.audit_entries_visible_to(actor)
    org_code = request.GET.get("org", "").strip().upper()
    if org_code:
        try:
            entries = entries.filter(org_path__startswith=get_unit(org_code).path)
        except DomainError as error:
            messages.error(request, error.message)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit.html", {"page": page, "org_code": org_code})
