"""The national public calendar (public holidays and make-up working days): validating and
loading it. Units that observe public holidays read it through their schedules."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import audit_record
from wenjin.lib.errors import ValidationFailed
from wenjin.network.models import CalendarDayKind, OrgUnit, PublicCalendarDay

# Calendars shipped with Wenjin, one file per year: public_calendar_cn_YYYY.csv.
BUILTIN_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class CalendarLine:
    """One day of a calendar file, checked."""

    day: date
    kind: str
    name: str
    hours_of_weekday: int


def parse_calendar(rows: Iterable[Mapping[str, str]]) -> list[CalendarLine]:
    """Check calendar rows (``date,kind,name,hours_of_weekday``); the first bad row raises
    an error naming its line, so a file is loaded whole or not at all."""
    lines: list[CalendarLine] = []
    seen: set[date] = set()
    for number, row in enumerate(rows, start=2):
        where = _("line %(n)d") % {"n": number}
        try:
            day = date.fromisoformat((row.get("date") or "").strip())
        except ValueError:
            raise ValidationFailed(
                _("%(where)s: the date must look like 2026-10-01.") % {"where": where},
                fields={"date": row.get("date") or ""},
                code="INVALID_CALENDAR",
            ) from None
        kind = (row.get("kind") or "").strip()
        if kind not in CalendarDayKind.values:
            raise ValidationFailed(
                _("%(where)s: the kind must be holiday or workday.") % {"where": where},
                fields={"kind": kind},
                code="INVALID_CALENDAR",
            )
        weekday_text = (row.get("hours_of_weekday") or "").strip() or "0"
        if not weekday_text.isdigit() or int(weekday_text) > 6:
            raise ValidationFailed(
                _("%(where)s: hours_of_weekday is 0 (Monday) to 6 (Sunday).") % {"where": where},
                fields={"hours_of_weekday": weekday_text},
                code="INVALID_CALENDAR",
            )
        if day in seen:
            raise ValidationFailed(
                _("%(where)s: %(day)s appears twice.") % {"where": where, "day": day},
                fields={"date": str(day)},
                code="INVALID_CALENDAR",
            )
        seen.add(day)
        name = (row.get("name") or "").strip()[:50] or kind
        lines.append(CalendarLine(day, kind, name, int(weekday_text)))
    return lines


def read_calendar_csv(text: str) -> list[CalendarLine]:
    return parse_calendar(csv.DictReader(io.StringIO(text)))


def calendar_load(*, actor: Actor, lines: list[CalendarLine]) -> int:
    """Replace the calendar days of the years the lines cover with the lines (the State
    Council publishes a whole year at once). Needs network.manage on every root unit."""
    for root in OrgUnit.objects.filter(parent=None):
        actor.require(Perm.NETWORK_MANAGE, root)
    years = sorted({line.day.year for line in lines})
    with transaction.atomic():
        for year in years:
            PublicCalendarDay.objects.filter(day__year=year).delete()
        PublicCalendarDay.objects.bulk_create(
            PublicCalendarDay(
                day=line.day, kind=line.kind, name=line.name, hours_of_weekday=line.hours_of_weekday
            )
            for line in lines
        )
        audit_record(actor, "calendar.load", changes={"years": years, "days": len(lines)})
    return len(lines)
