"""The annual report (综合统计 and 活动统计) and the monthly report, from rollups.

One engine: figures for a date range over a unit's subtree, split into the unit's own
figures and one column per child subtree (the drill-down), with the annual inputs summed
over the subtree, the consistency checks and the definitions used. It reads ``Rollup``
and ``AnnualInput`` rows only, never the loan or item tables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Max, Sum
from django.utils import timezone

from wenjin.network.models import OrgUnit, OrgUnitStatus
from wenjin.stats import policies
from wenjin.stats.models import AnnualInput, Period, Rollup, StatsSettings
from wenjin.stats.services.rollups import covered_through, month_end

# holdings dims (material types) → the form's rows
_HOLDING_ROWS = {
    "book": "books",
    "periodical": "periodicals",
    "audiovisual": "audiovisual",
    "microform": "microforms",
    "ancient": "ancient_books",
    "electronic": "other_holdings",
    "other": "other_holdings",
}
_SNAPSHOT_ROWS = {
    "holdings_braille_books": "braille_books",
    "holdings_rare": "rare_books",
    "holdings_open_shelf": "open_shelf",
    "holdings_children": "childrens_holdings",
    "valid_cards": "valid_cards_year_end",
}
_EVENT_ROWS = {
    "lecture": ("lectures", "lecture_attendance"),
    "exhibition": ("exhibitions", "exhibition_attendance"),
    "training": ("trainings", "training_attendance"),
}
_EBOOK_SOURCES = ("ebooks_self_built", "ebooks_purchased", "ebooks_shared")
OWN = "own"

NOTES = {
    "holdings_total": "藏量：年末（报告期末）未注销的馆藏，按单册的入藏日期（无则编目日期）与注销日期计算；"
    "按单册的文献类型分入图书、古籍、报刊、视听文献、缩微制品与其他（电子出版物计入其他）。",
    "braille_books": "盲文图书：文献类型为图书且标为盲文的馆藏；善本：文献类型为古籍且标为善本的馆藏。",
    "open_shelf": "开架书刊、少儿文献：标为开架、少儿的馆藏，是藏量的子集。",
    "holdings_added": "本年新增藏量：报告期内入藏的单册（入藏日期，无则编目日期），含期内又注销的。",
    "valid_cards_year_end": "有效借书证数：报告期末未过期、未注销、未挂失的读者证，按办证馆统计。",
    "valid_cards_used": "有效借书证数：报告期内借过书的读者数（同一读者只计一次），按借书所在馆的范围统计。",
    "visits": "总流通人次：各馆入口客流计数器（或人工填报）的人次之和；按日或按小时上报。",
    "lending_visits": "书刊文献外借人次：有借书的（读者、日期、服务点）组合数，同一读者同日在同一服务点借多册计一次。",
    "items_lent": "书刊文献外借册次：报告期内的借出册次，不含续借。",
    "items_lent_renewals": "书刊文献外借册次：报告期内的借出册次，含续借。",
    "events": "活动：按开始日期计入报告期，只计已发布或已结束的场次（不计草稿和已取消的）；"
    "人次为设定的总人次，否则为签到人数加按日清点的人数。",
    "inputs": "填报项（书架长度、计算机、电子资源、网站访问量等）由统计员按馆按年填报，上级馆为所辖各馆之和。",
}


@dataclass
class _Figures:
    """Figures of one bucket (the unit itself, or one child's subtree)."""

    flows: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    snapshot: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    inputs: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    entered: dict[str, list[dict[str, str]]] = field(default_factory=lambda: defaultdict(list))
    active_readers: int | None = None


def _buckets(unit: OrgUnit, units: Iterable[OrgUnit]) -> dict[int, str]:
    """Each subtree unit's bucket: ``own`` for the unit itself, else its child's code."""
    children = {child.pk: child.code for child in units if child.parent_id == unit.pk}
    bucket = {}
    for member in units:
        lineage = [*member.ancestor_ids, member.pk]
        below = lineage[lineage.index(unit.pk) + 1 :] if unit.pk in lineage else []
        bucket[member.pk] = children.get(below[0], OWN) if below else OWN
    return bucket


def _gather(
    unit: OrgUnit, first: date, last: date, year: int, with_inputs: bool
) -> tuple[list[OrgUnit], dict[str, _Figures], _Figures, date | None]:
    units = list(OrgUnit.objects.filter(path__startswith=unit.path).order_by("path"))
    ids = [member.pk for member in units]
    bucket_of = _buckets(unit, units)
    buckets: dict[str, _Figures] = defaultdict(_Figures)
    total = _Figures()
    flows = (
        Rollup.objects.filter(period=Period.DAY, day__gte=first, day__lte=last, org_unit_id__in=ids)
        .values_list("org_unit_id", "measure", "dim")
        .annotate(total=Sum("value"))
    )
    for org_id, measure, dim, value in flows:
        buckets[bucket_of[org_id]].flows[(measure, dim)] += value
        total.flows[(measure, dim)] += value
    snapshot_day = (
        Rollup.objects.filter(period=Period.SNAPSHOT, day__gte=first, day__lte=last)
        .aggregate(day=Max("day"))
        .get("day")
    )
    if snapshot_day is not None:
        stock = Rollup.objects.filter(
            period=Period.SNAPSHOT, day=snapshot_day, org_unit_id__in=ids
        ).values_list("org_unit_id", "measure", "dim", "value")
        for org_id, measure, dim, value in stock:
            buckets[bucket_of[org_id]].snapshot[(measure, dim)] += value
            total.snapshot[(measure, dim)] += value
    distinct_period = (
        Period.YEAR
        if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31)
        else Period.MONTH
    )
    readers = dict(
        Rollup.objects.filter(
            period=distinct_period, day=first, measure="active_readers", org_unit_id__in=ids
        ).values_list("org_unit_id", "value")
    )
    total.active_readers = readers.get(unit.pk, 0)
    for member in units:
        if member.parent_id == unit.pk:
            buckets[member.code].active_readers = readers.get(member.pk, 0)
    if with_inputs:
        inputs = AnnualInput.objects.filter(year=year, org_unit_id__in=ids).select_related(
            "org_unit"
        )
        for row in inputs.order_by("org_unit__path", "key"):
            who = {
                "org_code": row.org_unit.code,
                "by": row.entered_by_label,
                "at": timezone.localtime(row.entered_at).isoformat(timespec="seconds"),
            }
            for figures in (buckets[bucket_of[row.org_unit_id]], total):
                figures.inputs[row.key] += row.value
                figures.entered[row.key].append(who)
    return units, buckets, total, snapshot_day


def _values(
    figures: _Figures, rows: Iterable[policies.Row], settings: StatsSettings, has_snapshot: bool
) -> dict[str, Any]:
    """Each row's value for one bucket (None where nothing is known)."""
    values: dict[str, Any] = {}
    flows, snapshot = figures.flows, figures.snapshot

    def flow(measure: str, dim: str = "") -> int:
        return flows.get((measure, dim), 0)

    if has_snapshot:
        holdings: dict[str, int] = defaultdict(int)
        for (measure, dim), value in snapshot.items():
            if measure == "holdings":
                holdings[_HOLDING_ROWS.get(dim, "other_holdings")] += value
        for key in set(_HOLDING_ROWS.values()):
            values[key] = holdings.get(key, 0)
        values["holdings_total"] = sum(holdings.values())
        for measure, key in _SNAPSHOT_ROWS.items():
            values[key] = snapshot.get((measure, ""), 0)
    if settings.valid_cards == StatsSettings.ValidCards.USED:
        values["valid_cards"] = figures.active_readers
    else:
        values["valid_cards"] = values.get("valid_cards_year_end")
    values.pop("valid_cards_year_end", None)
    values["holdings_added"] = flow("items_acquired")
    values["visits"] = flow("visits")
    values["lending_visits"] = flow("lending_visits")
    lent = flow("loans")
    if settings.items_lent_includes_renewals:
        lent += flow("renewals")
    values["items_lent"] = lent
    for kind, (sessions_key, attendance_key) in _EVENT_ROWS.items():
        values[sessions_key] = flow("events", kind)
        values[attendance_key] = flow("event_attendance", kind)
    for key in policies.INPUT_KEYS:
        values[key] = figures.inputs[key] if key in figures.entered else None
    if any(key in figures.entered for key in _EBOOK_SOURCES):
        values["ebooks_total"] = sum(
            (figures.inputs.get(key, Decimal(0)) for key in _EBOOK_SOURCES), Decimal(0)
        )
    else:
        values["ebooks_total"] = None
    wanted = {row.key for row in rows}
    return {key: _number(value) for key, value in values.items() if key in wanted}


def _number(value: Any) -> Any:
    """Decimals as JSON-friendly numbers: whole ones as int, others as float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _activities(figures: _Figures) -> dict[str, Any]:
    sessions: dict[str, int] = defaultdict(int)
    attendance: dict[str, int] = defaultdict(int)
    for (measure, dim), value in figures.flows.items():
        if measure == "events":
            sessions[dim] += value
        elif measure == "event_attendance":
            attendance[dim] += value
    kinds = policies.activity_kinds([kind for kind in sessions if sessions[kind]])
    session_values = [sessions.get(kind, 0) for kind in kinds]
    attendance_values = [attendance.get(kind, 0) for kind in kinds]
    session_shares = policies.shares(session_values)
    attendance_shares = policies.shares(attendance_values)
    rows = [
        {
            "kind": kind,
            "label": policies.ACTIVITY_LABELS.get(kind, kind),
            "sessions": session_values[index],
            "sessions_share": float(session_shares[index]),
            "attendance": attendance_values[index],
            "attendance_share": float(attendance_shares[index]),
        }
        for index, kind in enumerate(kinds)
    ]
    total_sessions, total_attendance = sum(session_values), sum(attendance_values)
    return {
        "rows": rows,
        "total": {
            "kind": "total",
            "label": "合计",
            "sessions": total_sessions,
            "sessions_share": 100.0 if total_sessions else 0.0,
            "attendance": total_attendance,
            "attendance_share": 100.0 if total_attendance else 0.0,
        },
    }


def _source(row: policies.Row, value: Any) -> str:
    if value is None:
        return "missing"
    return row.source


def _year_earlier(day: date) -> date:
    """The same calendar day a year earlier (29 February → 28 February)."""
    if (day.month, day.day) == (2, 29):
        return date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def _closed_days(unit: OrgUnit, first: date, last: date) -> tuple[date, date] | None:
    """The part of [first, last] in which the unit was not in service, if any."""
    if unit.status == OrgUnitStatus.OPEN:
        return None
    start = max(first, unit.status_from) if unit.status_from else first
    end = min(last, unit.status_until) if unit.status_until else last
    return (start, end) if start <= end else None


def _checks(
    unit: OrgUnit,
    units: list[OrgUnit],
    first: date,
    last: date,
    values: Mapping[str, Any],
    branches: list[dict[str, Any]],
    labels: Mapping[str, str],
    settings: StatsSettings,
    rollups_through: date | None,
) -> list[dict[str, str]]:
    flags = policies.subset_flags(values, labels, unit.code)
    for branch in branches:
        if branch["own"] and branch["org_code"] == unit.code and len(branches) == 1:
            continue
        flags += policies.subset_flags(branch["values"], labels, branch["org_code"])
    # visits a year earlier, unit by unit
    earlier_first, earlier_last = _year_earlier(first), _year_earlier(last)
    ids = [member.pk for member in units]
    by_id = {member.pk: member for member in units}

    def visits(start: date, end: date) -> dict[int, int]:
        return dict(
            Rollup.objects.filter(
                period=Period.DAY,
                measure="visits",
                day__gte=start,
                day__lte=end,
                org_unit_id__in=ids,
            )
            .values_list("org_unit_id")
            .annotate(total=Sum("value"))
        )

    now, before = visits(first, last), visits(earlier_first, earlier_last)
    for org_id, earlier in sorted(before.items(), key=lambda pair: by_id[pair[0]].path):
        current = now.get(org_id, 0)
        if policies.visits_dropped(current, earlier, settings.visits_drop_alert_percent):
            member = by_id[org_id]
            flags.append(
                policies.Flag(
                    "VISITS_DROPPED",
                    f"{member.name_zh}的总流通人次由上年同期的 {earlier} 降至 {current}"
                    f"（降幅不低于 {settings.visits_drop_alert_percent}%），请核对客流计数器。",
                    member.code,
                )
            )
    for member in units:
        window = _closed_days(member, first, last)
        if window is None:
            continue
        lent = (
            Rollup.objects.filter(
                period=Period.DAY,
                measure="loans",
                org_unit_id=member.pk,
                day__gte=window[0],
                day__lte=window[1],
            ).aggregate(total=Sum("value"))["total"]
            or 0
        )
        if lent:
            flags.append(
                policies.Flag(
                    "LOANS_WHILE_CLOSED",
                    f"{member.name_zh}在{member.get_status_display()}期间（{window[0]}起）有 {lent} 册次借出。",
                    member.code,
                )
            )
    if rollups_through is None:
        flags.append(
            policies.Flag(
                "NO_ROLLUPS",
                "统计数据尚未生成：请运行 wenjin stats rebuild，或等待每日任务。",
                unit.code,
            )
        )
    elif rollups_through < min(last, timezone.localdate() - timedelta(days=1)):
        flags.append(
            policies.Flag(
                "ROLLUPS_BEHIND",
                f"统计数据只统计到 {rollups_through}，报告期内之后的数据尚未汇总。",
                unit.code,
            )
        )
    return [flag.as_dict() for flag in flags]


def build_report(
    unit: OrgUnit, first: date, last: date, *, year: int, month: int | None = None
) -> dict[str, Any]:
    """The report of ``unit``'s subtree for [first, last] (a year or a month)."""
    settings = StatsSettings.load()
    all_rows = policies.comprehensive_rows(year)
    rows = all_rows if month is None else tuple(row for row in all_rows if row.source == "computed")
    units, buckets, total, snapshot_day = _gather(
        unit, first, last, year, with_inputs=month is None
    )
    has_snapshot = snapshot_day is not None
    values = _values(total, rows, settings, has_snapshot)
    comprehensive = []
    for number, row in enumerate(rows, start=1):
        value = values.get(row.key)
        entry: dict[str, Any] = {
            "no": number,
            "key": row.key,
            "label": row.label,
            "unit": row.unit,
            "value": value,
            "source": _source(row, value),
            "indent": row.indent,
            "definition": row.definition,
        }
        if row.source == "entered":
            keys = _EBOOK_SOURCES if row.key == "ebooks_total" else (row.key,)
            entry["entered"] = [who for key in keys for who in total.entered.get(key, [])]
        comprehensive.append(entry)
    branches = []
    children = [member for member in units if member.parent_id == unit.pk]
    for code, member in [(OWN, unit)] + [(child.code, child) for child in children]:
        figures = buckets.get(code, _Figures())
        if code == OWN:
            figures.active_readers = None  # the unit alone: its distinct readers are not kept
        branches.append(
            {
                "org_code": member.code,
                "name": member.name_zh,
                "own": code == OWN,
                "values": _values(figures, rows, settings, has_snapshot),
            }
        )
    labels = {row.key: row.label.removeprefix("其中：") for row in all_rows}
    rollups_through = covered_through(first, last)
    notes = _notes(settings, month is None)
    return {
        "year": year,
        "month": month,
        "schema": policies.schema_for(year),
        "org": {"code": unit.code, "name": unit.name_zh},
        "period": {"from": first.isoformat(), "to": last.isoformat()},
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "definitions": {
            "items_lent_includes_renewals": settings.items_lent_includes_renewals,
            "valid_cards": settings.valid_cards,
        },
        "comprehensive": comprehensive,
        "activities": _activities(total),
        "branches": branches,
        "checks": _checks(
            unit, units, first, last, values, branches, labels, settings, rollups_through
        ),
        "notes": notes,
        "snapshot_day": snapshot_day.isoformat() if snapshot_day else None,
        "rollups_through": rollups_through.isoformat() if rollups_through else None,
    }


def _notes(settings: StatsSettings, with_inputs: bool) -> list[dict[str, str]]:
    keys = ["holdings_total", "braille_books", "open_shelf", "holdings_added"]
    keys.append(
        "valid_cards_used"
        if settings.valid_cards == StatsSettings.ValidCards.USED
        else "valid_cards_year_end"
    )
    keys += ["visits", "lending_visits"]
    keys.append("items_lent_renewals" if settings.items_lent_includes_renewals else "items_lent")
    keys.append("events")
    if with_inputs:
        keys.append("inputs")
    return [{"key": key, "text": NOTES[key]} for key in keys]


def annual_report(unit: OrgUnit, year: int) -> dict[str, Any]:
    """综合统计 and 活动统计 of ``unit``'s subtree for ``year``."""
    policies.check_year(year)
    return build_report(unit, date(year, 1, 1), date(year, 12, 31), year=year)


def monthly_report(unit: OrgUnit, year: int, month: int) -> dict[str, Any]:
    """The computed rows of the annual report, for one month (entered inputs are yearly)."""
    policies.check_year(year)
    if not 1 <= month <= 12:
        raise policies.InputError("BAD_MONTH", "月份必须在 1 到 12 之间。")
    first = date(year, month, 1)
    return build_report(unit, first, month_end(first), year=year, month=month)
