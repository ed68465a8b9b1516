"""Site-wide pages: the staff start page and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from wenjin.accounts.selectors import roles_of


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """``{"status": "ok"}`` when the database answers; 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy", whatever its type
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/staff_home.html", {"grants": roles_of(request.user)})
