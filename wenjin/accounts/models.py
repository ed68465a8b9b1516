"""Staff users, their roles on parts of the network, API tokens, login throttling and the
audit log."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NETWORK_ADMIN = "network_admin", _("Network administrator")
    BRANCH_DIRECTOR = "branch_director", _("Branch director")
    DESK_STAFF = "desk_staff", _("Desk staff")
    CATALOGUER = "cataloguer", _("Cataloguer")
    EVENTS_ORGANISER = "events_organiser", _("Events organiser")
    STATISTICIAN = "statistician", _("Statistician")


class StaffUser(AbstractUser):
    """A member of staff who logs in to the staff pages or the API.

    What they may do comes only from their ``RoleGrant`` rows, each scoped to a subtree of
    the network; Django's own is_superuser/permissions are not used.
    """

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    home_org = models.ForeignKey(
        "network.OrgUnit",
        verbose_name=_("home unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )

    class Meta:
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleGrant(models.Model):
    """A role held by a staff user on an org unit; it applies to that unit's whole subtree."""

    user = models.ForeignKey(StaffUser, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    org_unit = models.ForeignKey(
        "network.OrgUnit", on_delete=models.PROTECT, related_name="role_grants"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "role"]
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "org_unit"], name="rolegrant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role}@{self.org_unit.code}"


class ApiToken(models.Model):
    """A staff member's bearer token for the REST API.

    Only a SHA-256 digest of the token is stored (tokens are long random strings, so a
    fast digest is enough); ``prefix`` lets staff recognise a token in lists.
    """

    user = models.ForeignKey(StaffUser, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class LoginThrottle(models.Model):
    """Failed login attempts for one key (an account name or a client address) in the
    current window, and the lockout they caused. Kept in the database so every web worker
    and API process counts the same failures."""

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("login throttle")

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"


class AuditEntry(models.Model):
    """One recorded action: who did what, where in the network, to which object, when.

    ``actor_label`` keeps the name even if the account is later removed; ``via`` says which
    front end (web, api, cli, sip2, system) carried the action.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        StaffUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    actor_label = models.CharField(max_length=150)
    via = models.CharField(max_length=16)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    org_unit = models.ForeignKey(
        "network.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    org_path = models.CharField(max_length=400, blank=True, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
