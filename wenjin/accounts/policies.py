"""Which role may do what, and where: pure functions over (role, subtree path) grants."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from wenjin.network.policies import is_in_subtree


class Perm:
    """Permission names. A role grants a set of them on a subtree of the network."""

    NETWORK_MANAGE = "network.manage"  # create, move and delete units
    NETWORK_EDIT = "network.edit"  # edit a unit's details, hours, closures, partners
    AUDIT_VIEW = "audit.view"
    STAFF_MANAGE = "staff.manage"  # create staff accounts, grant and revoke roles
    CATALOG_EDIT = "catalog.edit"  # create, edit and import bibliographic records (network-wide)
    ITEMS_EDIT = "catalog.items"  # add, edit, move and withdraw items owned in the subtree
    PATRONS_EDIT = "patrons.edit"  # register readers, manage cards of readers homed in the subtree
    PATRONS_REVEAL = "patrons.reveal"  # see full identity and phone numbers (audited)
    CREDIT_ADJUST = "patrons.credit"  # adjust a reader's credit score by hand (audited)
    CIRCULATE = "circulation.desk"  # check out, check in, renew, receive transits at the units
    CIRC_OVERRIDE = "circulation.override"  # override a refusal, with a reason (audited)
    RULES_EDIT = "circulation.rules"  # edit the loan rules matrix and circulation settings
    FEES_WAIVE = "circulation.fees_waive"  # waive fees and refund payments, with a reason
    EVENTS_EDIT = "events.edit"  # create, edit, cancel and repeat events organised in the subtree
    EVENTS_DESK = "events.desk"  # register readers, check them in, count and correct attendance
    STATS_VIEW = "stats.view"  # see statistics, reports and dashboards of the subtree
    STATS_GATE = "stats.gate"  # enter and import entrance gate counts for units in the subtree
    STATS_INPUTS = "stats.inputs"  # enter the annual inputs; rebuild the rollups


ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "network_admin": frozenset(
        {
            Perm.NETWORK_MANAGE,
            Perm.NETWORK_EDIT,
            Perm.AUDIT_VIEW,
            Perm.STAFF_MANAGE,
            Perm.CATALOG_EDIT,
            Perm.ITEMS_EDIT,
            Perm.PATRONS_EDIT,
            Perm.PATRONS_REVEAL,
            Perm.CREDIT_ADJUST,
            Perm.CIRCULATE,
            Perm.CIRC_OVERRIDE,
            Perm.RULES_EDIT,
            Perm.FEES_WAIVE,
            Perm.EVENTS_EDIT,
            Perm.EVENTS_DESK,
            Perm.STATS_VIEW,
            Perm.STATS_GATE,
            Perm.STATS_INPUTS,
        }
    ),
    "branch_director": frozenset(
        {
            Perm.NETWORK_EDIT,
            Perm.AUDIT_VIEW,
            Perm.ITEMS_EDIT,
            Perm.PATRONS_EDIT,
            Perm.PATRONS_REVEAL,
            Perm.CREDIT_ADJUST,
            Perm.CIRCULATE,
            Perm.CIRC_OVERRIDE,
            Perm.FEES_WAIVE,
            Perm.EVENTS_EDIT,
            Perm.EVENTS_DESK,
            Perm.STATS_VIEW,
            Perm.STATS_GATE,
        }
    ),
    "desk_staff": frozenset({Perm.PATRONS_EDIT, Perm.CIRCULATE, Perm.EVENTS_DESK, Perm.STATS_GATE}),
    "cataloguer": frozenset({Perm.CATALOG_EDIT, Perm.ITEMS_EDIT}),
    "events_organiser": frozenset({Perm.EVENTS_EDIT, Perm.EVENTS_DESK}),
    "statistician": frozenset(
        {Perm.AUDIT_VIEW, Perm.STATS_VIEW, Perm.STATS_GATE, Perm.STATS_INPUTS}
    ),
}

Grant = tuple[str, str]  # (role, path of the unit the role is granted on)


def role_allows(role: str, perm: str) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())


def grants_allow(grants: Iterable[Grant], perm: str, unit_path: str) -> bool:
    """Whether any grant gives ``perm`` on the unit at ``unit_path`` (its subtree counts)."""
    return any(
        role_allows(role, perm) and is_in_subtree(unit_path, grant_path)
        for role, grant_path in grants
    )


def scope_paths(grants: Iterable[Grant], perm: str) -> list[str]:
    """The subtree roots where ``perm`` holds, with nested ones folded into their parents."""
    paths = sorted({path for role, path in grants if role_allows(role, perm)})
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return kept


def throttle_address(ip: str) -> str:
    """The part of a client address that rate limits count. An IPv6 client usually holds a
    whole /64 and can change its address within it at will, so the /64 is counted as one;
    an IPv4 address is counted as it is."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
