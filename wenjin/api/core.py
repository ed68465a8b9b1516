"""The REST API object: JSON rendering, authentication, error handlers and list envelopes.

Each domain app defines a router in its ``api.py``; ``wenjin.api.urls`` mounts them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer

from wenjin.accounts.actor import Actor
from wenjin.accounts.selectors import client_ip
from wenjin.accounts.services import token_authenticate
from wenjin.api.errors import STATUS_CODES, error_response, status_message
from wenjin.lib.errors import DomainError

T = TypeVar("T")
MAX_PAGE_SIZE = 200


class Utf8JsonRenderer(JSONRenderer):
    """JSON with Chinese left readable (no \\u escapes) and the charset stated."""

    media_type = "application/json"  # Django adds "; charset=utf-8"
    json_dumps_params = {"ensure_ascii": False}


class StaffBearer(HttpBearer):
    """``Authorization: Bearer <token>``; the request's ``auth`` becomes an ``Actor``."""

    def authenticate(self, request: HttpRequest, token: str) -> Actor:
        api_token = token_authenticate(token)  # raises DomainError(UNAUTHENTICATED)
        return Actor(user=api_token.user, via="api", ip=client_ip(request))


class ErrorDetail(Schema):
    code: str = Field(examples=["ORG_UNIT_NOT_FOUND"])
    message: str
    details: dict[str, Any] | None = None


class ErrorOut(Schema):
    """The body of every 4xx answer."""

    error: ErrorDetail


class Page(Schema, Generic[T]):
    """The list envelope."""

    count: int
    page: int
    page_size: int
    results: list[T]


def paginate(
    items: Any, page: int, page_size: int, serialize: Callable[[Any], Any] | None = None
) -> dict:
    """Slice a queryset or list into the list envelope (``page`` counts from 1)."""
    count = items.count() if hasattr(items, "count") and not isinstance(items, list) else len(items)
    start = (page - 1) * page_size
    window: Iterable = items[start : start + page_size]
    results = [serialize(item) for item in window] if serialize else list(window)
    return {"count": count, "page": page, "page_size": page_size, "results": results}


api = NinjaAPI(
    title="Wenjin 文津 API",
    version="1",
    description=(
        "REST API of the Wenjin library services platform. Staff calls send "
        "`Authorization: Bearer <token>`. Errors are "
        '`{"error": {"code": "UPPER_SNAKE", "message": "…"}}` with a 4xx status.'
    ),
    urls_namespace="api",
    renderer=Utf8JsonRenderer(),
    auth=StaffBearer(),
    openapi_url="/openapi.json",
    docs_url="/docs",
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return error_response(error.status, error.code, error.message, error.details)


def _field_name(location: Iterable[Any]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "payload")]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for problem in error.errors:
        fields.setdefault(_field_name(problem.get("loc", ())), str(problem.get("msg", "")))
    return error_response(
        400, "VALIDATION_ERROR", _("Some fields are missing or invalid."), {"fields": fields}
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    response = error_response(401, "UNAUTHENTICATED", status_message(401))
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    status = error.status_code
    if status == 400 and isinstance(error.__cause__, ValueError):
        # ninja wraps a body it cannot parse as JSON in a bare 400
        return error_response(400, "MALFORMED_JSON", _("The request body is not valid JSON."))
    message = str(error) if str(error) else status_message(status)
    return error_response(status, STATUS_CODES.get(status, "CLIENT_ERROR"), message)


@api.exception_handler(DataError)
def _data_error(request: HttpRequest, error: DataError) -> HttpResponse:
    # A value the database cannot hold that validation let through: still the client's input.
    return error_response(400, "INVALID_VALUE", _("A value is too long or out of range."))


@api.exception_handler(IntegrityError)
def _integrity_error(request: HttpRequest, error: IntegrityError) -> HttpResponse:
    return error_response(409, "CONFLICT", _("The change conflicts with existing data."))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return error_response(404, "NOT_FOUND", status_message(404))


ERROR_RESPONSES = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
