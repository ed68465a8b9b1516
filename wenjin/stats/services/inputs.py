"""Annual inputs: the yearly figures no transaction records (shelf length, computers,
e-books by source, website visits …), entered per org unit and year by a statistician.

The keys sent are replaced and the others kept; a key sent as None is cleared. Either
every key sent is stored or none is: one bad key refuses the whole request, naming the
key. Each row keeps who entered it and when; one audit entry holds old → new values.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import audit_record
from wenjin.lib.errors import ValidationFailed
from wenjin.network.models import OrgUnit
from wenjin.network.selectors import get_unit
from wenjin.stats import policies
from wenjin.stats.models import AnnualInput
from wenjin.stats.policies import INPUT_KEYS, InputError


def _refusal(problems: list[InputError]) -> ValidationFailed:
    """One error naming every bad key (the code and, alone, the message of the first)."""
    fields = {problem.key or "year": problem.message for problem in problems}
    if len(problems) == 1:
        message = problems[0].message
    else:
        message = _("Nothing was saved: %(count)d items are invalid (%(keys)s).") % {
            "count": len(problems),
            "keys": ", ".join(fields),
        }
    error = ValidationFailed(message, fields=fields)
    # VALIDATION_ERROR as every bad input; the specific reason for programs that care.
    error.details["reason"] = f"INPUT_{problems[0].code}"
    return error


def check_input_year(year: int) -> None:
    """Refuse (400 VALIDATION_ERROR, reason INPUT_BAD_YEAR) a year outside the range."""
    try:
        policies.check_year(year)
    except InputError as error:
        raise _refusal([error]) from None


def clean_inputs(year: int, values: Mapping[str, object]) -> dict[str, Decimal | None]:
    """The values to store for ``year`` (None clears a key), or ``ValidationFailed``
    naming each key that is unknown, not asked for by the year's form, or not a valid
    figure (no database access)."""
    check_input_year(year)
    if not values:
        raise ValidationFailed(_("Send at least one statistics item."), fields={})
    cleaned: dict[str, Decimal | None] = {}
    problems: list[InputError] = []
    for key, value in values.items():
        spec = INPUT_KEYS.get(key)
        try:
            if spec is not None and not spec.since <= year <= spec.until:
                raise InputError(
                    "NOT_ASKED",
                    _("The %(year)d form does not ask for %(label)s (%(key)s).")
                    % {"year": year, "label": spec.label, "key": key},
                    key,
                )
            if value is None and spec is not None:
                cleaned[key] = None
            else:
                cleaned[key] = policies.clean_input(key, value)  # refuses an unknown key
        except InputError as error:
            problems.append(error)
    if problems:
        raise _refusal(problems)
    return cleaned


def _decimal_text(value: Decimal | None) -> str | None:
    """A value for the audit log: the figure as typed, without trailing zeros."""
    return None if value is None else format(value.normalize(), "f")


@transaction.atomic
def annual_inputs_set(
    *, actor: Actor, org_code: str, year: int, values: Mapping[str, object]
) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """Store the unit's inputs for ``year``: the keys sent replace their values (None
    clears one), the others are kept. Needs stats.inputs on the unit. Returns what
    changed, ``{key: (old, new)}`` (an unchanged value is left out)."""
    unit = get_unit((org_code or "").strip())
    actor.require(Perm.STATS_INPUTS, unit)
    cleaned = clean_inputs(year, values)
    # Serialise writers for the unit so two statisticians saving at once cannot both
    # insert the same key (no_key: rows merely referencing the unit are not blocked).
    OrgUnit.objects.select_for_update(no_key=True).filter(pk=unit.pk).first()
    rows = {
        row.key: row
        for row in AnnualInput.objects.filter(org_unit=unit, year=year, key__in=list(cleaned))
    }
    now = timezone.now()
    changes: dict[str, tuple[Decimal | None, Decimal | None]] = {}
    for key, value in cleaned.items():
        row = rows.get(key)
        old = row.value if row is not None else None
        if old == value:
            continue  # Decimal("3.000") == Decimal("3"): the same figure, nothing to record
        changes[key] = (old, value)
        if value is None:
            row.delete()
            continue
        _save(unit, year, key, value, row, actor=actor, now=now)
    if changes:
        audit_record(
            actor,
            "stats.inputs",
            org_unit=unit,
            changes={
                "year": year,
                "values": {
                    key: [_decimal_text(old), _decimal_text(new)]
                    for key, (old, new) in changes.items()
                },
            },
        )
    return changes


def _save(
    unit: OrgUnit,
    year: int,
    key: str,
    value: Decimal,
    row: AnnualInput | None,
    *,
    actor: Actor,
    now: datetime,
) -> None:
    if row is None:
        try:
            with transaction.atomic():  # a savepoint: a collision keeps the other keys
                AnnualInput.objects.create(
                    org_unit=unit,
                    year=year,
                    key=key,
                    value=value,
                    entered_at=now,
                    entered_by=actor.user,
                    entered_by_label=actor.label,
                )
            return
        except IntegrityError:
            # Inserted meanwhile by a writer that skipped the unit lock: update it instead.
            row = AnnualInput.objects.select_for_update().get(org_unit=unit, year=year, key=key)
    row.value, row.entered_at = value, now
    row.entered_by, row.entered_by_label = actor.user, actor.label
    row.save(update_fields=["value", "entered_at", "entered_by", "entered_by_label"])
