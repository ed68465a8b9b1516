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
    from wenjin.network.models import OrgUnit


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; X-Forwarded-For only when the deployment says to trust it."""
    if settings.WENJIN_TRUST_X_FORWARDED_FOR:
        # Our own proxy appends the address it saw last; earlier entries are the client's
        # own claims and cannot be trusted.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def units_in_scope(actor: Actor, perm: str) -> list[OrgUnit]:
    """The units where the actor holds ``perm`` (their subtrees), in tree order: the
    choices of a form's unit field."""
    from wenjin.network.models import OrgUnit

    paths = actor.scope(perm)
    units = OrgUnit.objects.order_by("path")
    if paths is None:
        return list(units)
    if not paths:
        return []
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return list(units.filter(condition))


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
