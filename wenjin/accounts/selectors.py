"""Reads about staff: client address, audit log lists scoped to the reader's subtree."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q, QuerySet

from wenjin.accounts.models import AuditEntry, RoleGrant, StaffUser
from wenjin.accounts.policies import Perm

if TYPE_CHECKING:
    from django.http import HttpRequest

    from wenjin.accounts.actor import Actor


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; X-Forwarded-For only when the deployment says to trust it."""
    if settings.WENJIN_TRUST_X_FORWARDED_FOR:
        # Our own proxy appends the address it saw last; earlier entries are the client's
        # own claims and cannot be trusted.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def audit_entries_visible_to(actor: Actor) -> QuerySet[AuditEntry]:
    """Audit entries about units in the actor's ``audit.view`` scope (and their own)."""
    entries = AuditEntry.objects.select_related("org_unit")
    paths = actor.scope(Perm.AUDIT_VIEW)
    if paths is None:
        return entries
    condition = Q(actor=actor.user)
    for path in paths:
        condition |= Q(org_path__startswith=path)
        if path.count("/") == 2:  # a root unit's admin also sees entries tied to no unit
            condition |= Q(org_path="")
    return entries.filter(condition)


def roles_of(user: StaffUser) -> list[RoleGrant]:
    return list(RoleGrant.objects.filter(user=user).select_related("org_unit"))
