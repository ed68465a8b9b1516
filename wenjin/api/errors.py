"""The API's one error shape: ``{"error": {"code": "UPPER_SNAKE", "message": "…"}}``."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

# Codes for answers produced outside our handlers (Django's 404, 405 from the router …).
STATUS_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMITED",
}


def status_message(status: int) -> str:
    messages = {
        400: _("The request could not be understood."),
        401: _("Authentication is required: send Authorization: Bearer <token>."),
        403: _("You are not allowed to do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        409: _("The request conflicts with the current data."),
        413: _("The request is too large."),
        415: _("Send the body as application/json."),
        429: _("Too many requests; slow down and try again later."),
    }
    return messages.get(status, _("The request failed."))


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return {"error": error}


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> HttpResponse:
    body = json.dumps(error_body(code, message, details), ensure_ascii=False, default=str)
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")
