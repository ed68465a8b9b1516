"""Entrance gate counts (总流通人次): a unit's visitors for a whole day or for one hour,
sent by a counter through the API, imported from a CSV file or typed into the staff form.

A unit reports a day either as one daily figure or hour by hour, never both: mixing the
two would count the same visitors twice. Sending a slot again replaces its figure; the
audit entry keeps the figure it replaced.

Writes for one unit and day run in one transaction that first locks the unit's row, so
a daily and an hourly count racing for the same day cannot both get in (the unique
constraints alone would let one of each through). Should an insert still collide with a
row committed meanwhile (a writer that skipped the lock), it is retried as an update.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import audit_record
from wenjin.lib.errors import Conflict, DomainError, ValidationFailed
from wenjin.network.models import OrgUnit
from wenjin.network.selectors import get_unit
from wenjin.stats.models import GateCount
from wenjin.stats.policies import YEAR_MIN

# A day's (or an hour's) count above this is a counter fault or a typing slip: the
# busiest central libraries see some tens of thousands of visitors a day.
GATE_COUNT_MAX = 1_000_000
FIRST_DAY = date(YEAR_MIN, 1, 1)
SOURCES = ("api", "import", "form")
# How many slots one API request or form may send.
BATCH_MAX = 5000


@dataclass(frozen=True)
class GateSlot:
    """One figure to store: ``hour`` None for a whole day."""

    org_code: str
    day: date
    count: int
    hour: int | None = None


@dataclass(frozen=True)
class GateOutcome:
    """What became of one slot: ``status`` is created, updated or unchanged; ``previous``
    the figure it replaced."""

    row: GateCount
    status: str
    previous: int | None = None


@dataclass
class GateBatchResult:
    """The outcome of each stored slot and, by the slot's position in the batch, the
    error of each refused one."""

    stored: list[tuple[int, GateOutcome]] = field(default_factory=list)
    errors: list[tuple[int, DomainError]] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for _index, outcome in self.stored if outcome.status == status)


def _invalid(message: str, *, fields: dict[str, str], reason: str) -> ValidationFailed:
    """A 400 VALIDATION_ERROR (as every bad input) with the specific reason in details."""
    error = ValidationFailed(message, fields=fields)
    error.details["reason"] = reason
    return error


def check_slot(day: object, hour: object, count: object) -> None:
    """Refuse a slot that cannot be a real count (no database access)."""
    if not isinstance(day, date):
        raise _invalid(
            _("Give the date as YYYY-MM-DD."),
            fields={"date": _("not a date")},
            reason="GATE_DATE",
        )
    if day > timezone.localdate():
        raise _invalid(
            _("Visitors cannot be counted for a day still to come (%(day)s).")
            % {"day": day.isoformat()},
            fields={"date": _("in the future")},
            reason="GATE_DATE_FUTURE",
        )
    if day < FIRST_DAY:
        raise _invalid(
            _("Counts before %(first)s are not accepted.") % {"first": FIRST_DAY.isoformat()},
            fields={"date": _("too early")},
            reason="GATE_DATE_TOO_EARLY",
        )
    if hour is not None and (
        isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23
    ):
        raise _invalid(
            _("The hour is a whole number from 0 to 23 (%(hour)s is not).") % {"hour": hour},
            fields={"hour": _("not 0–23")},
            reason="GATE_HOUR",
        )
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= GATE_COUNT_MAX:
        raise _invalid(
            _("A count is a whole number from 0 to %(max)d (%(count)s is not).")
            % {"max": GATE_COUNT_MAX, "count": count},
            fields={"count": _("out of range")},
            reason="GATE_COUNT_RANGE",
        )


def _mixed(day: date, daily_sent: bool) -> Conflict:
    if daily_sent:
        message = _(
            "%(day)s already has hourly counts: a unit reports a day either hour by hour "
            "or as one daily figure, not both."
        )
    else:
        message = _(
            "%(day)s already has a daily count: a unit reports a day either as one daily "
            "figure or hour by hour, not both."
        )
    return Conflict(
        "GATE_COUNT_MIXED",
        message % {"day": day.isoformat()},
        details={"date": day.isoformat()},
    )


def _slot_label(hour: int | None) -> str:
    return "day" if hour is None else f"{hour:02d}"


def _store(
    unit: OrgUnit,
    day: date,
    hour: int | None,
    count: int,
    existing: GateCount | None,
    *,
    source: str,
    by: str,
) -> GateOutcome:
    """Insert or update one slot (in the caller's transaction, the unit locked)."""
    if existing is not None:
        if existing.count == count:
            return GateOutcome(existing, "unchanged", existing.count)
        previous = existing.count
        existing.count, existing.source, existing.recorded_by = count, source, by
        existing.save(update_fields=["count", "source", "recorded_by", "recorded_at"])
        return GateOutcome(existing, "updated", previous)
    try:
        with transaction.atomic():  # a savepoint: a collision leaves the day's work intact
            row = GateCount.objects.create(
                org_unit=unit, day=day, hour=hour, count=count, source=source, recorded_by=by
            )
        return GateOutcome(row, "created")
    except IntegrityError:
        # Committed by a writer that did not take the unit lock: replace its figure.
        raced = GateCount.objects.select_for_update().get(org_unit=unit, day=day, hour=hour)
        return _store(unit, day, hour, count, raced, source=source, by=by)


@transaction.atomic
def _store_day(
    actor: Actor, unit: OrgUnit, day: date, slots: Sequence[tuple[int, GateSlot]], source: str
) -> tuple[list[tuple[int, GateOutcome]], list[tuple[int, DomainError]]]:
    """Store a unit's slots for one day, in the order sent, with one audit entry."""
    # no_key: conflicts with other gate writers for the unit, not with rows that merely
    # reference the unit (PostgreSQL's foreign-key checks take KEY SHARE locks).
    OrgUnit.objects.select_for_update(no_key=True).filter(pk=unit.pk).first()
    rows = {row.hour: row for row in GateCount.objects.filter(org_unit=unit, day=day)}
    stored: list[tuple[int, GateOutcome]] = []
    errors: list[tuple[int, DomainError]] = []
    changes: dict[str, list[int | None]] = {}
    for index, slot in slots:
        daily_sent = slot.hour is None
        if rows and (daily_sent != (None in rows)):
            errors.append((index, _mixed(day, daily_sent)))
            continue
        outcome = _store(
            unit, day, slot.hour, slot.count, rows.get(slot.hour), source=source, by=actor.label
        )
        rows[slot.hour] = outcome.row
        stored.append((index, outcome))
        if outcome.status != "unchanged":
            label = _slot_label(slot.hour)
            first = changes.get(label, [outcome.previous])[0]
            changes[label] = [first, slot.count]
    if changes:
        audit_record(
            actor,
            "stats.gate_count",
            org_unit=unit,
            target=stored[-1][1].row if len(changes) == 1 else None,
            changes={"date": day.isoformat(), "counts": changes, "source": source},
        )
    return stored, errors


def gate_counts_set(
    *, actor: Actor, slots: Iterable[GateSlot], source: str = "api", dry_run: bool = False
) -> GateBatchResult:
    """Store many slots: each bad one (invalid, unknown unit, outside the actor's
    stats.gate scope, mixing daily and hourly) is refused on its own, the others are
    stored. Each unit and day is one transaction; ``dry_run`` checks everything against
    the database and writes nothing."""
    if source not in SOURCES:
        raise ValueError(f"unknown gate count source {source!r}")
    result = GateBatchResult()
    units: dict[str, OrgUnit | DomainError] = {}
    groups: dict[tuple[int, date], list[tuple[int, GateSlot]]] = {}
    unit_of: dict[int, OrgUnit] = {}
    for index, slot in enumerate(slots):
        code = (slot.org_code or "").strip()
        if code not in units:
            try:
                unit = get_unit(code)
                actor.require(Perm.STATS_GATE, unit)
                units[code] = unit
            except DomainError as error:
                units[code] = error
        try:
            check_slot(slot.day, slot.hour, slot.count)
        except DomainError as error:
            result.errors.append((index, error))
            continue
        found = units[code]
        if isinstance(found, DomainError):
            result.errors.append((index, found))
            continue
        unit_of[found.pk] = found
        groups.setdefault((found.pk, slot.day), []).append((index, slot))
    # A dry run stores in one transaction rolled back at the end, so later slots are
    # checked against the earlier ones as a real run would.
    with transaction.atomic() if dry_run else nullcontext():
        for (unit_id, day), day_slots in groups.items():
            stored, errors = _store_day(actor, unit_of[unit_id], day, day_slots, source)
            result.stored.extend(stored)
            result.errors.extend(errors)
        if dry_run:
            transaction.set_rollback(True)
    result.stored.sort(key=lambda pair: pair[0])
    result.errors.sort(key=lambda pair: pair[0])
    return result


def gate_count_set(
    *,
    actor: Actor,
    org_code: str,
    day: date,
    count: int,
    hour: int | None = None,
    source: str = "api",
) -> GateOutcome:
    """Store one unit's visitors for a day (``hour`` None) or one hour of it, replacing
    the slot's figure; a refusal raises the ``DomainError``."""
    code = (org_code or "").strip()
    unit = get_unit(code)  # unknown code: 404 before anything else is said
    actor.require(Perm.STATS_GATE, unit)
    check_slot(day, hour, count)
    result = gate_counts_set(actor=actor, slots=[GateSlot(code, day, count, hour)], source=source)
    if result.errors:
        raise result.errors[0][1]
    return result.stored[0][1]


def gate_count_days_changed_since(moment: datetime) -> set[date]:
    """The days whose counts were stored or changed at or after ``moment`` (a datetime),
    for the daily job to rebuild the days a counter reported late."""
    changed = GateCount.objects.filter(recorded_at__gte=moment)
    return set(changed.values_list("day", flat=True).distinct())
