"""Writes about staff: login with throttling, API tokens, accounts and roles, the audit log."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wenjin.accounts.actor import Actor
from wenjin.accounts.models import (
    ApiToken,
    AuditEntry,
    LoginThrottle,
    Role,
    RoleGrant,
    StaffUser,
)
from wenjin.accounts.policies import Perm, throttle_address
from wenjin.lib.errors import DomainError, Forbidden, NotFound, ValidationFailed
from wenjin.network.models import OrgUnit

TOKEN_PREFIX = "wj_"  # noqa: S105 (a visible marker, not a secret)
# Writing last_used_at on every request would turn every API read into a write.
TOKEN_USE_RESOLUTION = timedelta(minutes=5)


# --- Audit log ----------------------------------------------------------------------------


def audit_record(
    actor: Actor,
    action: str,
    *,
    org_unit: OrgUnit | None = None,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry; call inside the transaction of the change it records."""
    return AuditEntry.objects.create(
        actor=actor.user,
        actor_label=actor.label,
        via=actor.via,
        ip_address=actor.ip,
        action=action,
        org_unit=org_unit,
        org_path=org_unit.path if org_unit is not None else "",
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        changes=changes or {},
    )


# --- Login --------------------------------------------------------------------------------


def _throttle_keys(username: str, ip: str | None) -> list[tuple[str, int]]:
    keys = [(f"user:{username.strip().lower()}", settings.WENJIN_LOGIN_MAX_FAILURES)]
    if ip:
        keys.append((f"ip:{throttle_address(ip)}", settings.WENJIN_LOGIN_IP_MAX_FAILURES))
    return keys


def _record_failure(key: str, limit: int, now: datetime) -> None:
    """Count one failure for ``key`` (safe under concurrent failures) and lock at the limit."""
    window = timedelta(minutes=settings.WENJIN_LOGIN_WINDOW_MINUTES)
    lockout = timedelta(minutes=settings.WENJIN_LOGIN_LOCKOUT_MINUTES)
    with transaction.atomic():
        row = LoginThrottle.objects.select_for_update().filter(key=key).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = LoginThrottle.objects.create(key=key, window_started_at=now)
            except IntegrityError:  # another request created it first; count on theirs
                row = LoginThrottle.objects.select_for_update().get(key=key)
        still_locked = row.locked_until is not None and row.locked_until > now
        if row.window_started_at < now - window and not still_locked:
            row.failures, row.window_started_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + lockout
        row.save(update_fields=["failures", "window_started_at", "locked_until"])


def throttle_failure(key: str, limit: int) -> None:
    """Count one failed attempt for ``key`` (any secret: a reader's PIN at a kiosk, say)."""
    _record_failure(key, limit, timezone.now())


def throttle_locked_until(key: str) -> datetime | None:
    """When the lockout of ``key`` ends, if one is in force."""
    row = LoginThrottle.objects.filter(key=key, locked_until__gt=timezone.now()).first()
    return row.locked_until if row else None


def throttle_state(key: str) -> LoginThrottle | None:
    """``key``'s failures and lockout, if it has any (one query)."""
    return LoginThrottle.objects.filter(key=key).first()


def throttle_prune(on: date) -> int:
    """The daily job: forget failure counts whose window and lockout ended before ``on``
    (the keys name people: a username, an address, a phone's or an identity's hash)."""
    start_of_day = timezone.make_aware(datetime.combine(on, time()))
    window = timedelta(minutes=settings.WENJIN_LOGIN_WINDOW_MINUTES)
    stale = LoginThrottle.objects.filter(window_started_at__lt=start_of_day - window).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=start_of_day)
    )
    deleted, _rows = stale.delete()
    return deleted


def throttle_clear(key: str) -> None:
    """Forget ``key``'s failures (after a success)."""
    LoginThrottle.objects.filter(key=key).delete()


def login_locked_until(username: str, ip: str | None) -> datetime | None:
    """When the lockout for this account name or address ends, if one is in force."""
    keys = [key for key, _limit in _throttle_keys(username, ip)]
    row = (
        LoginThrottle.objects.filter(key__in=keys, locked_until__gt=timezone.now())
        .order_by("-locked_until")
        .first()
    )
    return row.locked_until if row else None


def staff_login(*, username: str, password: str, ip: str | None, via: str) -> StaffUser:
    """Check a username and password, with lockout after repeated failures.

    The same answer for an unknown user and a wrong password, so the login form cannot be
    used to find out which accounts exist.
    """
    locked_until = login_locked_until(username, ip)
    if locked_until is not None:
        minutes = max(1, int((locked_until - timezone.now()).total_seconds() // 60) + 1)
        raise DomainError(
            "LOGIN_LOCKED",
            ngettext(
                "Too many failed logins. Try again in %(minutes)d minute.",
                "Too many failed logins. Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            status=429,
            details={"retry_after_seconds": minutes * 60},
        )
    user = authenticate(username=username, password=password)
    now = timezone.now()
    if user is None:
        for key, limit in _throttle_keys(username, ip):
            _record_failure(key, limit, now)
        known = StaffUser.objects.filter(username=username).select_related("home_org").first()
        home = known.home_org if known else None
        with transaction.atomic():
            AuditEntry.objects.create(
                actor_label=username[:150],
                via=via,
                ip_address=ip,
                action="accounts.login_failed",
                org_unit=home,
                org_path=home.path if home else "",
            )
        raise DomainError("INVALID_CREDENTIALS", _("Wrong username or password."), status=401)
    with transaction.atomic():
        LoginThrottle.objects.filter(key=_throttle_keys(username, ip)[0][0]).delete()
        audit_record(
            Actor(user=user, via=via, ip=ip), "accounts.login", org_unit=user.home_org, target=user
        )
    return user


# --- API tokens ---------------------------------------------------------------------------


def _digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


def token_create(
    *, actor: Actor, user: StaffUser, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; the raw token is returned once and never stored.

    Only the user (or the system) may: a token acts with all of the user's rights, which
    may reach further than any manager's.
    """
    if not actor.is_system and actor.user != user:
        raise Forbidden(_("Only the account's owner can create API tokens for it."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed(
            _("The expiry time is already past."), fields={"expires_at": str(expires_at)}
        )
    name = name.strip()
    if not name:
        raise ValidationFailed(_("Give the token a name."), fields={"name": _("Required.")})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name[:100], prefix=raw[:10], digest=_digest(raw), expires_at=expires_at
        )
        audit_record(actor, "accounts.token_create", org_unit=user.home_org, target=token)
    return token, raw


def token_revoke(*, actor: Actor, token_id: int) -> ApiToken:
    """Revoke a token; the owner and staff managers of the owner's unit may."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().select_related("user").filter(pk=token_id)
        token = token.first()
        if token is None:
            raise NotFound("TOKEN_NOT_FOUND", _("No such API token."))
        if not actor.is_system and actor.user != token.user:
            _require_staff_manage(actor, token.user)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(actor, "accounts.token_revoke", org_unit=token.user.home_org, target=token)
    return token


def token_authenticate(raw_token: str) -> ApiToken:
    """The active token for a raw bearer value, or an UNAUTHENTICATED error saying why."""
    token = (
        ApiToken.objects.select_related("user").filter(digest=_digest(raw_token.strip())).first()
    )
    now = timezone.now()
    if token is None:
        raise DomainError("UNAUTHENTICATED", _("The API token is not valid."), status=401)
    if token.revoked_at is not None:
        raise DomainError(
            "UNAUTHENTICATED",
            _("The API token was revoked."),
            status=401,
            details={"reason": "token_revoked"},
        )
    if token.expires_at is not None and token.expires_at <= now:
        raise DomainError(
            "UNAUTHENTICATED",
            _("The API token has expired."),
            status=401,
            details={"reason": "token_expired"},
        )
    if not token.user.is_active:
        raise DomainError(
            "UNAUTHENTICATED",
            _("The account of this API token is disabled."),
            status=401,
            details={"reason": "account_disabled"},
        )
    if token.last_used_at is None or token.last_used_at < now - TOKEN_USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


# --- Staff accounts and roles -------------------------------------------------------------


def _require_staff_manage(actor: Actor, user: StaffUser) -> None:
    """The actor must manage staff at the user's home unit and at every unit where the
    user holds a role, so nobody can act on an account more powerful than their own."""
    units = [
        grant.org_unit for grant in RoleGrant.objects.filter(user=user).select_related("org_unit")
    ]
    if user.home_org is not None:
        units.append(user.home_org)
    if not units and not actor.is_system:
        raise Forbidden(_("Only the system may manage accounts without a home unit."))
    for unit in units:
        actor.require(Perm.STAFF_MANAGE, unit)


def _org_by_code(code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise NotFound(
            "ORG_UNIT_NOT_FOUND", _("There is no org unit with code %(code)s.") % {"code": code}
        )
    return unit


def staff_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    home_org_code: str,
    display_name: str = "",
    email: str = "",
    check_password: bool = True,
) -> StaffUser:
    """Create a staff account at a unit; the actor needs ``staff.manage`` there."""
    home = _org_by_code(home_org_code)
    actor.require(Perm.STAFF_MANAGE, home)
    username = username.strip()
    if not username:
        raise ValidationFailed(_("A username is required."), fields={"username": _("Required.")})
    user = StaffUser(username=username, display_name=display_name, email=email, home_org=home)
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationFailed(
                " ".join(error.messages), fields={"password": " ".join(error.messages)}
            ) from None
    user.set_password(password)
    with transaction.atomic():
        if StaffUser.objects.filter(username__iexact=username).exists():
            raise DomainError(
                "USERNAME_TAKEN",
                _("The username %(username)s is already taken.") % {"username": username},
                status=409,
            )
        user.save()
        audit_record(actor, "accounts.staff_create", org_unit=home, target=user)
    return user


def role_grant(*, actor: Actor, user: StaffUser, role: str, org_code: str) -> RoleGrant:
    """Give ``user`` a role on a unit's subtree; the actor needs ``staff.manage`` there."""
    if role not in Role.values:
        raise ValidationFailed(
            _("Unknown role %(role)s.") % {"role": role}, fields={"role": _("Unknown role.")}
        )
    unit = _org_by_code(org_code)
    actor.require(Perm.STAFF_MANAGE, unit)
    with transaction.atomic():
        grant, created = RoleGrant.objects.get_or_create(user=user, role=role, org_unit=unit)
        if created:
            audit_record(
                actor,
                "accounts.role_grant",
                org_unit=unit,
                target=user,
                changes={"role": role, "org_code": unit.code},
            )
    return grant


def role_revoke(*, actor: Actor, user: StaffUser, role: str, org_code: str) -> None:
    unit = _org_by_code(org_code)
    actor.require(Perm.STAFF_MANAGE, unit)
    with transaction.atomic():
        deleted, _rows = RoleGrant.objects.filter(user=user, role=role, org_unit=unit).delete()
        if not deleted:
            raise NotFound("ROLE_GRANT_NOT_FOUND", _("That role is not granted there."))
        audit_record(
            actor,
            "accounts.role_revoke",
            org_unit=unit,
            target=user,
            changes={"role": role, "org_code": unit.code},
        )
