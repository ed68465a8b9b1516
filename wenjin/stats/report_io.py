"""What the report's outputs share (the command, the API and the staff pages): which unit
and period a request names, the report as JSON text, values ready for JSON and display,
and the name of a downloaded file. No rendering here (see ``render_xlsx``/``render_html``).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from wenjin.lib.errors import NotFound, ValidationFailed
from wenjin.network.models import OrgUnit
from wenjin.network.selectors import get_unit
from wenjin.stats import policies

FORMATS = ("json", "xlsx", "html")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xlsx": XLSX_TYPE,
    "html": "text/html; charset=utf-8",
}


def root_unit() -> OrgUnit:
    """The network's root (the unit without a parent). With several roots the caller must
    name a unit: picking one would report on part of the data without saying so."""
    roots = list(OrgUnit.objects.filter(parent__isnull=True).order_by("code")[:2])
    if not roots:
        raise NotFound("ORG_UNIT_NOT_FOUND", _("The network has no org units yet."))
    if len(roots) > 1:
        raise ValidationFailed(
            _("The network has several top-level units: name one with org (a unit code)."),
            fields={"org": _("required when the network has several top-level units")},
        )
    return roots[0]


def report_unit(code: str | None) -> OrgUnit:
    """The unit named by ``code`` (ORG_UNIT_NOT_FOUND if none), or the root without one."""
    code = (code or "").strip()
    return get_unit(code) if code else root_unit()


def check_period(year: int, month: int | None = None) -> None:
    """Refuse a year outside the form's range or a month outside 1–12 (VALIDATION_ERROR)."""
    try:
        policies.check_year(year)
    except policies.InputError as error:
        raise ValidationFailed(error.message, fields={"year": error.message}) from None
    if month is not None and not 1 <= month <= 12:
        message = _("The month must be between 1 and 12.")
        raise ValidationFailed(message, fields={"month": message})


def parse_int(text: str | None, name: str) -> int:
    """A whole number from a form or query value, or VALIDATION_ERROR naming the field."""
    try:
        return int((text or "").strip())
    except ValueError:
        message = _("%(name)s must be a whole number.") % {"name": name}
        raise ValidationFailed(message, fields={name: message}) from None


def plain_number(value: Any) -> int | float | None:
    """A figure as a JSON number: whole numbers as int, others as float, None kept."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain_number(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def jsonable(report: dict[str, Any]) -> dict[str, Any]:
    """The report with Decimals as numbers and dates as ISO text (what the API returns)."""
    return json.loads(json.dumps(report, default=_default))


def report_json_text(report: dict[str, Any]) -> str:
    """The report as UTF-8 JSON text: Chinese unescaped, indented by 2, ending in a newline."""
    return json.dumps(report, default=_default, ensure_ascii=False, indent=2) + "\n"


def period_slug(report: dict[str, Any]) -> str:
    """``2025`` for an annual report, ``2025-03`` for a monthly one."""
    month = report.get("month")
    return f"{report['year']}-{month:02d}" if month else str(report["year"])


def filename(report: dict[str, Any], extension: str) -> str:
    """The download's file name, e.g. ``report-YX-2025.xlsx`` or ``report-YX-2025-03.html``
    (ASCII: org codes are capital letters, digits and hyphens)."""
    return f"report-{report['org']['code']}-{period_slug(report)}.{extension}"


# ---- display: the same wording in the workbook and the html ------------------------------


def decimals_by_key(year: int) -> dict[str, int]:
    """How many decimals each 综合统计 row shows (shelf length 1, TB 3 …)."""
    return {row.key: row.decimals for row in policies.comprehensive_rows(year)}


def number_text(value: Any, decimals: int = 0) -> str:
    """``1,234`` or ``1,234.5`` (``decimals`` places); an empty string for no value."""
    number = plain_number(value)
    if number is None:
        return ""
    return f"{Decimal(str(number)):,.{decimals}f}"


def share_text(share: Any) -> str:
    """A share as the form prints it: ``9.05%``."""
    return policies.percent_text(Decimal(str(share or 0)))


def source_text(row: dict[str, Any]) -> str:
    """Where a 综合统计 figure comes from: computed, entered by whom (unit, date), missing."""
    source = row.get("source")
    if source == "computed":
        return _("Computed")
    if source == "entered":
        entries = [
            " ".join(
                part
                for part in (entry.get("org_code", ""), entry.get("by", ""), _day(entry.get("at")))
                if part
            )
            for entry in row.get("entered") or []
        ]
        if not entries:
            return _("Entered")
        return _("Entered: %(who)s") % {"who": "; ".join(entries)}
    return _("Not entered")


def _day(moment: Any) -> str:
    if isinstance(moment, datetime | date):
        return moment.isoformat()[:10]
    return str(moment or "")[:10]


def definition_texts(definitions: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's configurable definitions as (what, chosen) pairs in words."""
    from wenjin.stats.models import StatsSettings

    texts = []
    for key, value in definitions.items():
        if key == "items_lent_includes_renewals":
            texts.append(
                (
                    _("Items lent (书刊文献外借册次)"),
                    _("checkouts and renewals")
                    if value
                    else _("checkouts only, renewals excluded"),
                )
            )
        elif key == "valid_cards":
            labels = dict(StatsSettings.ValidCards.choices)
            texts.append((_("Valid cards (有效借书证数)"), str(labels.get(value, value))))
        else:
            texts.append((key, str(value)))
    return texts


def report_title(report: dict[str, Any]) -> str:
    """``越秀区图书馆 2025 annual statistics`` / ``… 2025-03 monthly statistics``."""
    values = {"org": report["org"]["name"], "year": report["year"], "month": report.get("month")}
    if report.get("month"):
        return _("%(org)s statistics for %(year)d-%(month)02d") % values
    return _("%(org)s annual statistics %(year)d") % values


def branch_name(branch: dict[str, Any]) -> str:
    """A per-branch entry's name; the unit's own figures (without its children) say so."""
    if branch.get("own"):
        return _("%(name)s (itself, without its branches)") % {"name": branch["name"]}
    return branch["name"]
