"""Who is acting: the staff user (or the system), through which front end, from where.

Every service that changes data takes an ``Actor``; it checks permissions against the
actor's scoped role grants and writes the audit log in the actor's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from wenjin.accounts.policies import Grant, grants_allow, scope_paths
from wenjin.lib.errors import Forbidden

if TYPE_CHECKING:
    from django.http import HttpRequest

    from wenjin.accounts.models import StaffUser
    from wenjin.network.models import OrgUnit


@dataclass
class Actor:
    """A staff user acting via ``via`` (web, api, cli, sip2), or the system itself when
    ``user`` is None (demo data, the daily job, command-line maintenance)."""

    user: StaffUser | None
    via: str
    ip: str | None = None
    # For the system acting through a machine: which one (a SIP2 device's login id).
    agent: str = ""
    _grants: list[Grant] | None = field(default=None, repr=False)

    @classmethod
    def system(cls, via: str = "system", agent: str = "") -> Actor:
        return cls(user=None, via=via, agent=agent)

    @classmethod
    def from_request(cls, request: HttpRequest, user: StaffUser, via: str = "web") -> Actor:
        from wenjin.accounts.selectors import client_ip

        return cls(user=user, via=via, ip=client_ip(request))

    @property
    def is_system(self) -> bool:
        return self.user is None

    @property
    def label(self) -> str:
        if self.user is None:
            return f"{self.via}:{self.agent}" if self.agent else f"system:{self.via}"
        return self.user.username

    @property
    def grants(self) -> list[Grant]:
        if self._grants is None:
            from wenjin.accounts.models import RoleGrant

            if self.user is None or not self.user.is_active:
                self._grants = []
            else:
                self._grants = list(
                    RoleGrant.objects.filter(user=self.user).values_list("role", "org_unit__path")
                )
        return self._grants

    def can(self, perm: str, unit: OrgUnit) -> bool:
        return self.is_system or grants_allow(self.grants, perm, unit.path)

    def require(self, perm: str, unit: OrgUnit) -> None:
        """Raise ``Forbidden`` unless the actor holds ``perm`` on ``unit``'s part of the tree."""
        if not self.can(perm, unit):
            raise Forbidden(
                _(
                    "You may not do this at %(unit)s: it is outside the part of the network "
                    "your roles cover."
                )
                % {"unit": f"{unit.code} {unit.name}"},
                details={"permission": perm, "org_code": unit.code},
            )

    def require_anywhere(self, perm: str) -> None:
        """Raise ``Forbidden`` unless the actor holds ``perm`` somewhere in the network (for
        network-wide objects such as catalogue records)."""
        if not self.is_system and not self.scope(perm):
            raise Forbidden(_("Your roles do not allow this."), details={"permission": perm})

    def scope(self, perm: str) -> list[str] | None:
        """Subtree paths where ``perm`` holds; None means everywhere (the system)."""
        if self.is_system:
            return None
        return scope_paths(self.grants, perm)
