"""Shared steps of the circulation services: locking, the acting unit, refusals."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.catalog.models import Item
from wenjin.circulation import policies, rows, selectors
from wenjin.lib.errors import Conflict, NotFound, ValidationFailed
from wenjin.network import policies as network_policies
from wenjin.network.models import OrgUnit
from wenjin.network.policies import UnitSchedule


class Refused(Conflict):
    """A circulation refusal (409): the failed check's code and message, the matched rule
    and whether staff with the override permission may override it."""

    def __init__(self, refusal: policies.Refusal, rule: policies.RuleTerms | None = None) -> None:
        details: dict[str, object] = {"check": refusal.code, "overridable": refusal.overridable}
        if rule is not None:
            details["rule"] = policies.describe_rule(rule)
        super().__init__(refusal.code, refusal.message, details=details)
        self.refusal = refusal


def moment(at: datetime | None) -> datetime:
    """When the action happens: now, or a given time for back-dated work (offline kiosk
    transactions uploaded later, the demo's year of history)."""
    return at or timezone.now()


def acting_unit(actor: Actor, org_code: str, when: datetime) -> OrgUnit:
    """The unit where the action happens: it must exist, be in service (its status, not
    the time of day: staff work before opening and machines around the clock), and lie
    in the actor's circulation scope."""
    unit = selectors.unit_by_code((org_code or "").strip())
    actor.require(Perm.CIRCULATE, unit)
    schedule = UnitSchedule(unit.status, unit.status_from, unit.status_until)
    if not network_policies.in_service_on(schedule, timezone.localdate(when)):
        raise Conflict(
            "ORG_NOT_IN_SERVICE",
            _("%(unit)s is not in service: no circulation happens there.") % {"unit": unit.name_zh},
        )
    return unit


def locked_item(barcode: str) -> Item:
    barcode = (barcode or "").strip()
    if not barcode:
        raise ValidationFailed(_("Scan or type an item barcode."), fields={"item_barcode": ""})
    item = rows.lock_item(barcode)
    if item is None:
        raise NotFound("ITEM_NOT_FOUND", _("There is no item with barcode %(b)s.") % {"b": barcode})
    return item


def check_overrides(
    actor: Actor, unit: OrgUnit, overrides: Iterable[str], reason: str
) -> frozenset:
    """The override codes asked for, after checking that the actor may override at
    ``unit`` and gave a reason."""
    codes = frozenset(code for code in overrides if code)
    if codes:
        actor.require(Perm.CIRC_OVERRIDE, unit)
        if not (reason or "").strip():
            raise ValidationFailed(_("An override needs a reason."), fields={"override_reason": ""})
    return codes


def refuse_unless_overridden(
    refusals: list[policies.Refusal],
    overrides: frozenset[str],
    rule: policies.RuleTerms | None = None,
) -> list[str]:
    """Raise the first refusal not overridden; return the codes that were overridden."""
    blocking = policies.first_blocking(refusals, overrides)
    if blocking is not None:
        raise Refused(blocking, rule)
    return [refusal.code for refusal in refusals]
