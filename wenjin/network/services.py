"""Writes to the network: units (create, edit, move, delete), hours, closures, partners.

Every function checks the actor's scoped permission, validates before writing, runs in one
transaction and writes the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, ProtectedError, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.models import StaffUser
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import audit_record
from wenjin.lib.errors import Conflict, DomainError, NotFound, ValidationFailed
from wenjin.network import policies
from wenjin.network.models import (
    ORG_CODE_PATTERN,
    ExceptionKind,
    OrgUnit,
    OrgUnitKind,
    OrgUnitStatus,
    Partner,
    PartnerKind,
    Partnership,
    ScheduleException,
    WeeklyHours,
)
from wenjin.network.policies import Period
from wenjin.network.selectors import get_unit

# Units that stand for a single machine or counter and so hold no units of their own.
LEAF_KINDS = frozenset({OrgUnitKind.LENDING_ATM})

# Fields a unit's editors (branch directors included) may change.
DETAIL_FIELDS = (
    "name_zh",
    "name_en",
    "address",
    "latitude",
    "longitude",
    "floor_area_m2",
    "phone",
    "status",
    "status_from",
    "status_until",
    "themed_collection",
    "observes_public_holidays",
    "sort_order",
)
# Fields that reshape the network; they need network.manage.
STRUCTURE_FIELDS = ("kind", "parent_code", "director_username")


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: message})


def _clean_decimal(
    field: str, value: Any, low: Decimal | None, high: Decimal | None, places: int = 6
) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _invalid(field, _("Not a number: %(value)s") % {"value": value}) from None
    if (
        not number.is_finite()
        or (low is not None and number < low)
        or (high is not None and number > high)
    ):
        raise _invalid(field, _("%(value)s is out of range for this field.") % {"value": value})
    return number


def _clean_date(field: str, value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _invalid(field, _("Not a date (YYYY-MM-DD): %(value)s") % {"value": value}) from None


def _clean_details(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and normalise detail fields present in ``values``."""
    cleaned: dict[str, Any] = {}
    for name in DETAIL_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if name == "name_zh":
            value = (value or "").strip()
            if not value:
                raise _invalid(name, _("The Chinese name is required."))
        elif name in ("name_en", "address", "phone", "themed_collection"):
            value = (value or "").strip()
        elif name == "latitude":
            value = _clean_decimal(name, value, Decimal(-90), Decimal(90))
        elif name == "longitude":
            value = _clean_decimal(name, value, Decimal(-180), Decimal(180))
        elif name == "floor_area_m2":
            value = _clean_decimal(name, value, Decimal(0), Decimal("1e8"), places=1)
        elif name == "status":
            if value not in OrgUnitStatus.values:
                raise _invalid(name, _("Unknown status %(value)s.") % {"value": value})
        elif name in ("status_from", "status_until"):
            value = _clean_date(name, value)
        elif name == "observes_public_holidays":
            value = value in (True, "true", "on", "1", 1)
        elif name == "sort_order":
            try:
                value = int(value or 0)
            except (TypeError, ValueError):
                raise _invalid(
                    name, _("Not a whole number: %(value)s") % {"value": value}
                ) from None
            if not 0 <= value <= 1_000_000:
                raise _invalid(
                    name, _("%(value)s is out of range for this field.") % {"value": value}
                )
        limit = OrgUnit._meta.get_field(name).max_length
        if isinstance(value, str) and limit and len(value) > limit:
            raise _invalid(name, _("At most %(limit)d characters.") % {"limit": limit})
        cleaned[name] = value
    return cleaned


def _check_status_dates(status_from: date | None, status_until: date | None) -> None:
    if status_from and status_until and status_until < status_from:
        raise _invalid("status_until", _("The status cannot end before it starts."))


def _check_kind(kind: str) -> None:
    if kind not in OrgUnitKind.values:
        raise _invalid("kind", _("Unknown kind of unit: %(kind)s.") % {"kind": kind})


def _check_parent_accepts_children(parent: OrgUnit) -> None:
    if parent.kind in LEAF_KINDS:
        raise DomainError(
            "PARENT_CANNOT_HOLD_UNITS",
            _("Units of this kind cannot have units below them: %(kind)s.")
            % {"kind": parent.get_kind_display()},
            status=409,
        )


def _director(username: str | None) -> StaffUser | None:
    if not username:
        return None
    user = StaffUser.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise _invalid(
            "director_username", _("No active staff user %(name)s.") % {"name": username}
        )
    return user


def _snapshot(unit: OrgUnit, names: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(unit, name) for name in names}


def org_unit_create(
    *,
    actor: Actor,
    code: str,
    kind: str,
    name_zh: str,
    parent_code: str | None,
    director_username: str | None = None,
    **details: Any,
) -> OrgUnit:
    """Add a unit under ``parent_code`` (or a new root when None; only the system may)."""
    code = (code or "").strip().upper()
    if not re.match(ORG_CODE_PATTERN, code):
        raise _invalid(
            "code", _("Codes use capital letters, digits and hyphens, up to 32 characters.")
        )
    _check_kind(kind)
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise _invalid(sorted(unknown)[0], _("Unknown field."))
    cleaned = _clean_details({"name_zh": name_zh, **details})
    _check_status_dates(cleaned.get("status_from"), cleaned.get("status_until"))
    with transaction.atomic():
        parent = None
        if parent_code:
            parent = get_unit(parent_code)
            actor.require(Perm.NETWORK_MANAGE, parent)
            _lock_chain(parent)
            parent.refresh_from_db(fields=["path", "depth"])
            _check_parent_accepts_children(parent)
        elif not actor.is_system:
            raise DomainError(
                "ROOT_UNIT_NOT_ALLOWED", _("Only the system can add a unit at the top."), status=403
            )
        if OrgUnit.objects.filter(code=code).exists():
            raise Conflict(
                "ORG_CODE_TAKEN", _("The code %(code)s is already in use.") % {"code": code}
            )
        unit = OrgUnit(
            code=code,
            kind=kind,
            parent=parent,
            depth=(parent.depth + 1) if parent else 0,
            path="",
            director=_director(director_username),
            **cleaned,
        )
        unit.save()
        unit.path = policies.path_for(parent.path if parent else None, unit.pk)
        OrgUnit.objects.filter(pk=unit.pk).update(path=unit.path)
        audit_record(
            actor,
            "network.unit_create",
            org_unit=unit,
            target=unit,
            changes={"code": code, "kind": kind, "parent": parent_code, **cleaned},
        )
    return unit


def _lock_chain(*units: OrgUnit) -> None:
    """Lock every unit on the given units' root paths, in primary-key order, so that two
    concurrent moves cannot together make a cycle."""
    ids = sorted({pk for unit in units for pk in policies.path_ids(unit.path)})
    list(OrgUnit.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def _move(unit: OrgUnit, new_parent: OrgUnit) -> None:
    _lock_chain(unit, new_parent)
    unit.refresh_from_db(fields=["path", "depth", "parent"])
    new_parent.refresh_from_db(fields=["path", "depth"])
    if policies.is_in_subtree(new_parent.path, unit.path):
        raise DomainError(
            "TREE_CYCLE",
            _("%(unit)s cannot move under %(parent)s: %(parent)s is %(unit)s itself or below it.")
            % {"unit": unit.code, "parent": new_parent.code},
            status=409,
        )
    _check_parent_accepts_children(new_parent)
    old_path, new_path = unit.path, policies.path_for(new_parent.path, unit.pk)
    depth_change = new_parent.depth + 1 - unit.depth
    OrgUnit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_change,
    )
    OrgUnit.objects.filter(pk=unit.pk).update(parent=new_parent)
    unit.refresh_from_db()


def _locked_unit(code: str) -> OrgUnit:
    """The unit, row-locked for the rest of the transaction (fresh path and depth)."""
    get_unit(code)  # the specific not-found error
    return (
        OrgUnit.objects.select_for_update(of=("self",))
        .select_related("parent", "director")
        .get(code=code)
    )


def org_unit_update(*, actor: Actor, code: str, changes: Mapping[str, Any]) -> OrgUnit:
    """Change a unit's details (``network.edit``) or structure (``network.manage``).

    ``changes`` may hold any of DETAIL_FIELDS plus ``kind``, ``parent_code`` (moves the unit
    with its subtree) and ``director_username`` (empty to clear). The move happens first,
    then the other changes, and only the changed columns are written, so a concurrent move
    of an ancestor never gets a stale path written back.
    """
    unknown = set(changes) - set(DETAIL_FIELDS) - set(STRUCTURE_FIELDS)
    if unknown:
        raise _invalid(sorted(unknown)[0], _("This field cannot be changed."))
    cleaned = _clean_details(changes)
    with transaction.atomic():
        unit = get_unit(code)
        actor.require(Perm.NETWORK_EDIT, unit)
        if set(changes) & set(STRUCTURE_FIELDS):
            actor.require(Perm.NETWORK_MANAGE, unit)
        moving = "parent_code" in changes and changes["parent_code"] != (
            unit.parent.code if unit.parent else None
        )
        new_parent = None
        if moving:
            if not changes["parent_code"]:
                raise _invalid("parent_code", _("A unit cannot be moved to the top."))
            new_parent = get_unit(changes["parent_code"])
            actor.require(Perm.NETWORK_MANAGE, new_parent)
            _lock_chain(unit, new_parent)
        unit = _locked_unit(code)
        before = _snapshot(unit, [*cleaned, "kind"])
        before["parent_code"] = unit.parent.code if unit.parent else None
        before["director_username"] = unit.director.username if unit.director else None
        _check_status_dates(
            cleaned.get("status_from", unit.status_from),
            cleaned.get("status_until", unit.status_until),
        )
        after: dict[str, Any] = dict(cleaned)
        if new_parent is not None:
            _move(unit, new_parent)
            after["parent_code"] = new_parent.code
        update_fields = list(cleaned)
        if "kind" in changes:
            _check_kind(changes["kind"])
            if changes["kind"] in LEAF_KINDS and unit.children.exists():
                raise DomainError(
                    "UNIT_HAS_CHILDREN",
                    _("A unit with units below it cannot become a lending ATM."),
                    status=409,
                )
            unit.kind = after["kind"] = changes["kind"]
            update_fields.append("kind")
        if "director_username" in changes:
            unit.director = _director(changes["director_username"])
            after["director_username"] = unit.director.username if unit.director else None
            update_fields.append("director")
        for name, value in cleaned.items():
            setattr(unit, name, value)
        if update_fields:
            unit.save(update_fields=[*update_fields, "updated_at"])
        diff = {
            name: [before.get(name), value]
            for name, value in after.items()
            if before.get(name) != value
        }
        if diff:
            audit_record(actor, "network.unit_update", org_unit=unit, target=unit, changes=diff)
    return unit


def org_unit_delete(*, actor: Actor, code: str) -> None:
    """Delete a unit that nothing depends on (no units below, no items, staff or roles)."""
    with transaction.atomic():
        unit = get_unit(code)
        actor.require(Perm.NETWORK_MANAGE, unit)
        if unit.children.exists():
            raise DomainError(
                "UNIT_HAS_CHILDREN",
                _("%(code)s still has units below it; move or delete them first.")
                % {"code": unit.code},
                status=409,
            )
        audit_record(
            actor,
            "network.unit_delete",
            org_unit=unit.parent,
            target=unit,
            changes={"code": unit.code, "name_zh": unit.name_zh},
        )
        try:
            with transaction.atomic():
                unit.delete()
        except ProtectedError as error:
            kinds = sorted({obj._meta.verbose_name_plural for obj in error.protected_objects})
            raise DomainError(
                "UNIT_IN_USE",
                _("%(code)s is still in use (%(what)s); it cannot be deleted.")
                % {"code": unit.code, "what": ", ".join(str(kind) for kind in kinds)},
                status=409,
            ) from None


def weekly_hours_set(*, actor: Actor, code: str, hours: Mapping[int, Sequence[Period]]) -> OrgUnit:
    """Replace a unit's weekly opening hours; ``hours`` maps weekday (0 = Monday) to periods.
    Weekdays missing from ``hours`` become closed days."""
    validated: dict[int, list[Period]] = {}
    for weekday, periods in hours.items():
        if weekday not in range(7):
            raise _invalid("weekday", _("Weekdays are 0 (Monday) to 6 (Sunday)."))
        validated[weekday] = policies.validate_periods(periods, field_name=f"weekday_{weekday}")
    with transaction.atomic():
        actor.require(Perm.NETWORK_EDIT, get_unit(code))
        unit = _locked_unit(code)  # one hours edit at a time per unit
        before = {str(day): [str(p) for p in periods] for day, periods in _weekly(unit).items()}
        WeeklyHours.objects.filter(org_unit=unit).delete()
        WeeklyHours.objects.bulk_create(
            WeeklyHours(
                org_unit=unit, weekday=day, opens_minute=period.opens, closes_minute=period.closes
            )
            for day, periods in sorted(validated.items())
            for period in periods
        )
        after = {
            str(day): [str(p) for p in periods] for day, periods in validated.items() if periods
        }
        audit_record(
            actor,
            "network.hours_set",
            org_unit=unit,
            target=unit,
            changes={"before": before, "after": after},
        )
    return unit


def _weekly(unit: OrgUnit) -> dict[int, list[Period]]:
    hours: dict[int, list[Period]] = {}
    for row in WeeklyHours.objects.filter(org_unit=unit):
        hours.setdefault(row.weekday, []).append(Period(row.opens_minute, row.closes_minute))
    return hours


def schedule_exception_add(
    *,
    actor: Actor,
    code: str,
    kind: str,
    start_date: date | str,
    end_date: date | str,
    reason: str,
    period: Period | None = None,
    applies_to_subtree: bool = False,
) -> ScheduleException:
    """Record a closure or special hours for a date range (inclusive)."""
    start = _clean_date("start_date", start_date)
    end = _clean_date("end_date", end_date)
    if start is None:
        raise _invalid("start_date", _("The first day is required."))
    if end is None:
        raise _invalid("end_date", _("The last day is required."))
    if end < start:
        raise ValidationFailed(
            _("The closure ends (%(end)s) before it starts (%(start)s).")
            % {"start": start, "end": end},
            fields={"end_date": _("Before the first day.")},
            code="INVERTED_DATES",
        )
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("Give a reason; readers see it."))
    if kind not in ExceptionKind.values:
        raise _invalid("kind", _("Unknown kind: %(kind)s.") % {"kind": kind})
    if kind == ExceptionKind.SPECIAL_HOURS:
        if period is None:
            raise _invalid("hours", _("Special hours need an opening period."))
        policies.validate_periods([period])
    elif period is not None:
        raise _invalid("hours", _("A closure has no opening hours."))
    with transaction.atomic():
        unit = get_unit(code)
        actor.require(Perm.NETWORK_EDIT, unit)
        exception = ScheduleException.objects.create(
            org_unit=unit,
            kind=kind,
            start_date=start,
            end_date=end,
            reason=reason[:200],
            opens_minute=period.opens if period else None,
            closes_minute=period.closes if period else None,
            applies_to_subtree=applies_to_subtree,
        )
        audit_record(
            actor,
            "network.exception_add",
            org_unit=unit,
            target=exception,
            changes={
                "kind": kind,
                "start_date": start,
                "end_date": end,
                "reason": reason,
                "hours": str(period) if period else None,
                "applies_to_subtree": applies_to_subtree,
            },
        )
    return exception


def schedule_exception_delete(*, actor: Actor, exception_id: int) -> None:
    with transaction.atomic():
        exception = (
            ScheduleException.objects.select_related("org_unit").filter(pk=exception_id).first()
        )
        if exception is None:
            raise NotFound("EXCEPTION_NOT_FOUND", _("No such closure or special hours."))
        actor.require(Perm.NETWORK_EDIT, exception.org_unit)
        audit_record(
            actor,
            "network.exception_delete",
            org_unit=exception.org_unit,
            target=exception,
            changes={"start_date": exception.start_date, "end_date": exception.end_date},
        )
        exception.delete()


def partnership_add(
    *,
    actor: Actor,
    code: str,
    partner_name_zh: str,
    partner_kind: str,
    role: str = "",
    started_on: date | str | None = None,
    partner_name_en: str = "",
) -> Partnership:
    """Record that a partner co-runs a unit; the partner is created if new."""
    partner_name_zh = (partner_name_zh or "").strip()
    if not partner_name_zh:
        raise _invalid("partner_name_zh", _("The partner's name is required."))
    if partner_kind not in PartnerKind.values:
        raise _invalid("partner_kind", _("Unknown kind: %(kind)s.") % {"kind": partner_kind})
    started = _clean_date("started_on", started_on)
    with transaction.atomic():
        unit = get_unit(code)
        actor.require(Perm.NETWORK_EDIT, unit)
        partner, _created = Partner.objects.get_or_create(
            name_zh=partner_name_zh, defaults={"kind": partner_kind, "name_en": partner_name_en}
        )
        if Partnership.objects.filter(org_unit=unit, partner=partner).exists():
            raise Conflict(
                "PARTNERSHIP_EXISTS",
                _("%(partner)s is already a partner of %(unit)s.")
                % {"partner": partner.name_zh, "unit": unit.code},
            )
        partnership = Partnership.objects.create(
            org_unit=unit, partner=partner, role=(role or "").strip()[:200], started_on=started
        )
        audit_record(
            actor,
            "network.partnership_add",
            org_unit=unit,
            target=partnership,
            changes={"partner": partner.name_zh, "role": partnership.role},
        )
    return partnership


def partnership_remove(*, actor: Actor, partnership_id: int) -> None:
    with transaction.atomic():
        partnership = (
            Partnership.objects.select_related("org_unit", "partner")
            .filter(pk=partnership_id)
            .first()
        )
        if partnership is None:
            raise NotFound("PARTNERSHIP_NOT_FOUND", _("No such partnership."))
        actor.require(Perm.NETWORK_EDIT, partnership.org_unit)
        audit_record(
            actor,
            "network.partnership_remove",
            org_unit=partnership.org_unit,
            target=partnership,
            changes={"partner": partnership.partner.name_zh},
        )
        partnership.delete()
