"""REST endpoints for staff: who am I, API tokens, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from wenjin.accounts import selectors, services
from wenjin.accounts.actor import Actor
from wenjin.accounts.models import ApiToken, AuditEntry, StaffUser
from wenjin.api.core import ERROR_RESPONSES, Page, paginate
from wenjin.network.selectors import get_unit

router = Router(tags=["staff"])


class RoleOut(Schema):
    role: str
    org_code: str


class MeOut(Schema):
    username: str
    display_name: str
    home_org: str | None
    roles: list[RoleOut]


class TokenIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=200)
    name: str = Field("api", max_length=100, description="what the token is for")
    expires_at: datetime | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="shown once; only its digest is stored")


class AuditOut(Schema):
    id: int
    at: datetime
    actor: str
    via: str
    action: str
    org_code: str | None
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]


class AuditQuery(Schema):
    org_code: str | None = Field(None, description="this unit and its subtree")
    action: str | None = None
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


def _token_out(token: ApiToken) -> dict:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": timezone.localtime(token.created_at),
        "expires_at": timezone.localtime(token.expires_at) if token.expires_at else None,
        "last_used_at": timezone.localtime(token.last_used_at) if token.last_used_at else None,
        "revoked_at": timezone.localtime(token.revoked_at) if token.revoked_at else None,
    }


def _me(user: StaffUser) -> dict:
    return {
        "username": user.username,
        "display_name": str(user),
        "home_org": user.home_org.code if user.home_org else None,
        "roles": [
            {"role": grant.role, "org_code": grant.org_unit.code}
            for grant in selectors.roles_of(user)
        ],
    }


@router.get("/me", response={200: MeOut, **ERROR_RESPONSES}, summary="The staff user of the token")
def me(request: HttpRequest) -> dict:
    return _me(request.auth.user)


@router.post(
    "/auth/tokens",
    auth=None,
    response={201: NewTokenOut, **ERROR_RESPONSES},
    summary="Log in with username and password and get an API token (rate-limited)",
)
def create_token(request: HttpRequest, payload: TokenIn) -> Status:
    ip = selectors.client_ip(request)
    user = services.staff_login(
        username=payload.username, password=payload.password, ip=ip, via="api"
    )
    expires_at = payload.expires_at
    if expires_at is not None and timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at)  # read in library time (Asia/Shanghai)
    token, raw = services.token_create(
        actor=Actor(user=user, via="api", ip=ip),
        user=user,
        name=payload.name,
        expires_at=expires_at,
    )
    return Status(201, {**_token_out(token), "token": raw})


@router.get("/auth/tokens", response={200: Page[TokenOut], **ERROR_RESPONSES})
def list_tokens(request: HttpRequest, page: int = Query(1, ge=1)) -> dict:
    tokens = ApiToken.objects.filter(user=request.auth.user)
    return paginate(tokens, page, 50, _token_out)


@router.delete(
    "/auth/tokens/{token_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Revoke a token (yours, or one of staff you manage)",
)
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    services.token_revoke(actor=request.auth, token_id=token_id)
    return HttpResponse(status=204)


def _audit_out(entry: AuditEntry) -> dict:
    return {
        "id": entry.pk,
        "at": timezone.localtime(entry.at),
        "actor": entry.actor_label,
        "via": entry.via,
        "action": entry.action,
        "org_code": entry.org_unit.code if entry.org_unit else None,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "changes": entry.changes,
    }


@router.get(
    "/audit",
    response={200: Page[AuditOut], **ERROR_RESPONSES},
    summary="Audit log entries within your part of the network, newest first",
)
def audit_log(request: HttpRequest, query: Query[AuditQuery]) -> dict:
    entries = selectors.audit_entries_visible_to(request.auth)
    if query.org_code:
        entries = entries.filter(org_path__startswith=get_unit(query.org_code).path)
    if query.action:
        entries = entries.filter(action=query.action)
    return paginate(entries, query.page, query.page_size, _audit_out)
