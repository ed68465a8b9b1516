"""Editing the loan rules matrix and the circulation settings (network admins)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import audit_record
from wenjin.catalog.models import MaterialType
from wenjin.circulation.models import LoanRule
from wenjin.lib.errors import NotFound, ValidationFailed
from wenjin.network.models import OrgUnit
from wenjin.network.selectors import get_unit
from wenjin.patrons.models import PatronCategory

COUNT_FIELDS = {
    "loan_days": (1, 3650),
    "renewals_allowed": (0, 50),
    "renewal_days": (1, 3650),
    "max_items": (0, 10_000),
    "grace_days": (0, 365),
    "max_holds": (0, 1000),
    "hold_shelf_days": (1, 60),
}
MONEY_FIELDS = ("fee_per_day", "fee_cap")
FLAG_FIELDS = ("is_children", "is_rare", "network_lending")  # None, True or False
RULE_FIELDS = (
    "name",
    "checkout_org_code",
    "owning_org_code",
    "patron_category",
    "material_type",
    "loanable",
    "holds_allowed",
    "max_items_of_type",
    *COUNT_FIELDS,
    *MONEY_FIELDS,
    *FLAG_FIELDS,
)


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: message}, code="INVALID_RULE")


def _apply(rule: LoanRule, values: Mapping[str, Any]) -> None:
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise _invalid(sorted(unknown)[0], _("Unknown field."))
    for name, value in values.items():
        if name == "name":
            value = " ".join(str(value or "").split())
            if not value or len(value) > 100:
                raise _invalid(name, _("Give the rule a name of up to 100 characters."))
            rule.name = value
        elif name in ("checkout_org_code", "owning_org_code"):
            unit = get_unit(str(value)) if value else None
            setattr(rule, name.removesuffix("_code"), unit)
        elif name == "patron_category":
            category = PatronCategory.objects.filter(code=value).first() if value else None
            if value and category is None:
                raise _invalid(name, _("There is no reader category %(code)s.") % {"code": value})
            rule.patron_category = category
        elif name == "material_type":
            if value and value not in MaterialType.values:
                raise _invalid(name, _("Unknown material type %(value)s.") % {"value": value})
            rule.material_type = value or ""
        elif name in ("loanable", "holds_allowed"):
            setattr(rule, name, bool(value))
        elif name in FLAG_FIELDS:
            setattr(rule, name, None if value is None else bool(value))
        elif name in COUNT_FIELDS or name == "max_items_of_type":
            if value is None and name == "max_items_of_type":
                rule.max_items_of_type = None
                continue
            low, high = COUNT_FIELDS.get(name, (0, 10_000))
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise _invalid(
                    name,
                    _("A whole number from %(low)d to %(high)d.") % {"low": low, "high": high},
                )
            setattr(rule, name, value)
        elif name in MONEY_FIELDS:
            try:
                amount = Decimal(str(value)).quantize(Decimal("0.01"))
            except (InvalidOperation, ValueError):
                raise _invalid(name, _("An amount in yuan, like 0.10.")) from None
            if amount < 0 or amount > Decimal("10000"):
                raise _invalid(name, _("An amount from 0 to 10000 yuan."))
            setattr(rule, name, amount)


def _require(actor: Actor, rule: LoanRule) -> None:
    """Rules for a unit are edited by those who may edit rules there; network-wide rules
    need the right on every root of the network."""
    if rule.checkout_org is not None:
        actor.require(Perm.RULES_EDIT, rule.checkout_org)
        return
    for root in OrgUnit.objects.filter(parent=None):
        actor.require(Perm.RULES_EDIT, root)


def loan_rule_save(
    *, actor: Actor, values: Mapping[str, Any], rule_id: int | None = None
) -> LoanRule:
    """Create a loan rule, or change the fields given of rule ``rule_id``. Loans already
    made keep the terms they were made under."""
    with transaction.atomic():
        if rule_id is None:
            rule = LoanRule()
            if "name" not in values:
                raise _invalid("name", _("Give the rule a name of up to 100 characters."))
        else:
            rule = LoanRule.objects.select_for_update().filter(pk=rule_id).first()
            if rule is None:
                raise NotFound("RULE_NOT_FOUND", _("There is no such loan rule."))
            _require(actor, rule)  # the scope it is in now, and below the scope it moves to
        _apply(rule, values)
        _require(actor, rule)
        rule.save()
        audit_record(
            actor,
            "circulation.rule_save",
            org_unit=rule.checkout_org,
            target=rule,
            changes={key: str(value) for key, value in values.items()},
        )
    return rule


def loan_rule_delete(*, actor: Actor, rule_id: int) -> None:
    with transaction.atomic():
        rule = LoanRule.objects.select_for_update().filter(pk=rule_id).first()
        if rule is None:
            raise NotFound("RULE_NOT_FOUND", _("There is no such loan rule."))
        _require(actor, rule)
        rule.delete()  # loans keep their own copy of the terms
        audit_record(
            actor, "circulation.rule_delete", org_unit=rule.checkout_org, changes={"id": rule_id}
        )
