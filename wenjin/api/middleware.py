"""Give every 4xx answer under /api/ the error shape, including ones Django or the router
produce before our handlers run (unknown path, wrong method, CSRF, body too large)."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from wenjin.api.errors import STATUS_CODES, error_response, status_message

API_PREFIX = "/api/"


def _has_error_shape(response: HttpResponse) -> bool:
    if "json" not in response.get("Content-Type", "") or getattr(response, "streaming", False):
        return False
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("error"), dict)


class ApiErrorShapeMiddleware:
    """Rewrite non-conforming 4xx answers on API paths into ``{"error": {code, message}}``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and 400 <= response.status_code < 500
            and not _has_error_shape(response)
        ):
            status = response.status_code
            shaped = error_response(
                status, STATUS_CODES.get(status, "CLIENT_ERROR"), status_message(status)
            )
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    shaped[header] = response[header]
            return shaped
        return response
