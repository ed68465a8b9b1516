"""Editing the network-wide circulation settings and the fee-free periods (network admins
with the rules permission)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import audit_record
from wenjin.circulation import fee_rules
from wenjin.circulation.models import CirculationSettings, FeeFreePeriod
from wenjin.lib.errors import NotFound, ValidationFailed
from wenjin.network.models import OrgUnit

MONEY = ("debt_limit", "lost_processing_fee", "default_replacement_price")
COUNTS = {"stale_transit_days": (1, 365), "lost_after_days": (0, 3650)}
FLAGS = ("overdue_blocks", "refund_when_found")
CHOICES = {"out_of_scheme_return": CirculationSettings.OutOfSchemeReturn.values}


def _require_network_wide(actor: Actor) -> None:
    """Network-wide settings need the rules right on every root of the network."""
    for root in OrgUnit.objects.filter(parent=None):
        actor.require(Perm.RULES_EDIT, root)


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: message}, code="INVALID_SETTINGS")


def _clean(name: str, value: object) -> object:
    if name in MONEY:
        if value in (0, "0", "0.00") and name != "default_replacement_price":
            return Decimal("0.00")
        try:
            return fee_rules.parse_amount(value)
        except fee_rules.AmountError as error:
            raise _invalid(name, str(error)) from None
    if name in COUNTS:
        low, high = COUNTS[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _invalid(
                name, _("A whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
            )
        return value
    if name in FLAGS:
        if not isinstance(value, bool):
            raise _invalid(name, _("true or false."))
        return value
    if name in CHOICES:
        if value not in CHOICES[name]:
            raise _invalid(name, _("One of: %(choices)s.") % {"choices": ", ".join(CHOICES[name])})
        return value
    raise _invalid(name, _("Unknown field."))


def circulation_settings_update(*, actor: Actor, values: Mapping[str, Any]) -> CirculationSettings:
    """Change some of the settings; every value is checked before any is written."""
    _require_network_wide(actor)
    cleaned = {name: _clean(name, value) for name, value in values.items()}
    with transaction.atomic():
        current = CirculationSettings.objects.select_for_update().first() or CirculationSettings()
        before = {name: str(getattr(current, name)) for name in cleaned}
        for name, value in cleaned.items():
            setattr(current, name, value)
        current.updated_by = actor.user
        current.save()
        audit_record(
            actor,
            "circulation.settings",
            target=current,
            changes={name: [before[name], str(value)] for name, value in cleaned.items()},
        )
    return current


def fee_free_period_add(
    *, actor: Actor, name: str, start: date, end: date, every_year: bool = False
) -> FeeFreePeriod:
    """A period without overdue fees (e.g. the reading month)."""
    _require_network_wide(actor)
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise _invalid("name", _("Give the period a name of up to 100 characters."))
    if end < start:
        raise _invalid("end", _("The period ends before it starts."))
    if every_year and (end - start).days >= 366:
        raise _invalid("end", _("A period repeated every year lasts less than a year."))
    with transaction.atomic():
        period = FeeFreePeriod.objects.create(
            name=name, start=start, end=end, every_year=every_year
        )
        audit_record(
            actor,
            "circulation.fee_free_period_add",
            target=period,
            changes={"name": name, "start": str(start), "end": str(end), "every_year": every_year},
        )
    return period


def fee_free_period_delete(*, actor: Actor, period_id: int) -> None:
    _require_network_wide(actor)
    with transaction.atomic():
        period = FeeFreePeriod.objects.filter(pk=period_id).first()
        if period is None:
            raise NotFound("PERIOD_NOT_FOUND", _("There is no such fee-free period."))
        audit_record(
            actor,
            "circulation.fee_free_period_delete",
            target=period,
            changes={"name": period.name, "start": str(period.start), "end": str(period.end)},
        )
        period.delete()
