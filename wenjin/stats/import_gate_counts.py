"""Importing entrance gate counts from a CSV file (``wenjin import-gate-counts FILE`` and
the staff page's upload).

The canonical columns are ``org_code,date,count`` for daily figures or
``org_code,date,hour,count`` for hourly ones (a file may hold both kinds, for different
days). A header row is required; its names are compared without case or spaces and may
also be the Chinese ones counter software exports (馆代码, 日期, 小时/时段, 人次 …).
The file may be UTF-8 (with or without a BOM) or GB18030. Dates are written 2025-03-07,
2025/3/7, 2025.3.7 or 2025年3月7日; hours 9, 09, 9:00, 09:00-10:00 or 9时/9点.

A bad row is reported with its line number and skipped; the others are stored. Only a
file that cannot be read at all (undecodable, no header, a required column missing)
raises ``GateFileError``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.lib import tabular
from wenjin.lib.errors import DomainError
from wenjin.stats.services.gate_counts import GateSlot, gate_counts_set

COLUMNS = ("org_code", "date", "hour", "count")
REQUIRED = ("org_code", "date", "count")
_CHINESE = {
    "org_code": "馆代码 机构代码 单位代码 分馆代码 代码",
    "date": "日期",
    "hour": "小时 时段 时间 时",
    "count": "人次 人数 进馆人次 进馆人数 客流 客流量 计数 数量",
}
HEADER_NAMES: dict[str, str] = {name: name for name in COLUMNS} | {
    alias: column for column, aliases in _CHINESE.items() for alias in aliases.split()
}
# The largest file the staff page accepts (a year of hourly counts for a district is ~5 MB).
MAX_BYTES = 20 * 1024 * 1024

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_HOUR = re.compile(
    r"^(\d{1,2})(?:\s*[:：]\s*00(?:\s*[:：]\s*00)?)?\s*(?:[时點点])?(?:\s*[-~—至到].*)?$"
)


class GateFileError(DomainError):
    """The file cannot be imported at all; nothing was imported."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__("GATE_IMPORT_FILE", message, details={"line": line})
        self.line = line


@dataclass(frozen=True)
class GateRow:
    """A data row read from the file, with the line it starts on."""

    line: int
    slot: GateSlot


@dataclass
class GateFile:
    """The rows read, the rows refused while reading (line, reason), the encoding."""

    rows: list[GateRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    encoding: str = "utf-8"


@dataclass
class GateImportResult:
    """What an import did: rows read, slots created/updated/unchanged, and each skipped
    row as (line, reason), in line order."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    encoding: str = "utf-8"
    dry_run: bool = False

    @property
    def stored(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def skipped(self) -> int:
        return len(self.errors)


def _decode(data: bytes) -> tuple[str, str]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, "gb18030" if encoding == "gb18030" else "utf-8"
    raise GateFileError(_("The file is neither UTF-8 nor GB18030 text."))


def parse_date(text: str) -> date:
    """2025-03-07, 2025/3/7, 2025.3.7 or 2025年3月7日; ValueError otherwise."""
    match = _DATE.match(text.strip())
    if not match:
        raise ValueError(_("“%(text)s” is not a date (write 2025-03-07).") % {"text": text})
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(_("%(text)s is not a day of the calendar.") % {"text": text}) from None


def parse_hour(text: str) -> int | None:
    """9, 09, 9:00, 09:00-10:00, 9时: the hour the slot starts; None for an empty cell."""
    text = text.strip()
    if not text:
        return None
    match = _HOUR.match(text)
    if not match or int(match.group(1)) > 23:
        raise ValueError(_("“%(text)s” is not an hour from 0 to 23.") % {"text": text})
    return int(match.group(1))


def parse_count(text: str) -> int:
    """A whole number, thousands separators allowed; ValueError otherwise."""
    cleaned = text.strip().replace(",", "").replace("，", "").replace(" ", "")
    if not cleaned.isascii() or not cleaned.isdigit():
        raise ValueError(_("“%(text)s” is not a whole number of visitors.") % {"text": text})
    return int(cleaned)


def _header(cells: list[str], line: int) -> dict[str, int]:
    try:
        return tabular.header_columns(
            cells, HEADER_NAMES, REQUIRED, "org_code, date, count, and hour for hourly counts"
        )
    except tabular.HeaderError as error:
        raise GateFileError(error.message, line=line) from None


def read_gate_file(data: bytes) -> GateFile:
    """The slots of a gate-count CSV file and the rows that could not be read."""
    text, encoding = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    parsed = GateFile(encoding=encoding)
    positions: dict[str, int] | None = None
    while True:
        line = reader.line_num + 1  # a quoted cell may span lines: a row starts here
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            if positions is None:
                raise GateFileError(
                    _("The CSV file cannot be read: %(error)s") % {"error": error}, line=line
                ) from error
            parsed.errors.append((line, str(error)))
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if positions is None:
            positions = _header(cells, line)
            continue
        try:
            parsed.rows.append(GateRow(line, _slot(cells, positions)))
        except ValueError as error:
            parsed.errors.append((line, str(error)))
    if positions is None:
        raise GateFileError(
            _(
                "The file is empty: it needs a header row (org_code,date,count or "
                "org_code,date,hour,count) and data rows."
            )
        )
    return parsed


def _slot(cells: list[str], positions: dict[str, int]) -> GateSlot:
    def cell(column: str) -> str:
        index = positions.get(column)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    code = cell("org_code")
    if not code:
        raise ValueError(_("The org_code is empty."))
    if not cell("date"):
        raise ValueError(_("The date is empty."))
    if not cell("count"):
        raise ValueError(_("The count is empty."))
    return GateSlot(
        org_code=code,
        day=parse_date(cell("date")),
        hour=parse_hour(cell("hour")),
        count=parse_count(cell("count")),
    )


def import_gate_counts(
    data: bytes, *, actor: Actor, dry_run: bool = False, source: str = "import"
) -> GateImportResult:
    """Read a gate-count CSV file and store its slots (see the module's docstring);
    ``dry_run`` checks every row against the database and writes nothing."""
    parsed = read_gate_file(data)
    outcome = gate_counts_set(
        actor=actor, slots=[row.slot for row in parsed.rows], source=source, dry_run=dry_run
    )
    result = GateImportResult(
        rows=len(parsed.rows) + len(parsed.errors),
        created=outcome.count("created"),
        updated=outcome.count("updated"),
        unchanged=outcome.count("unchanged"),
        encoding=parsed.encoding,
        dry_run=dry_run,
    )
    result.errors = sorted(
        parsed.errors
        + [(parsed.rows[index].line, error.message) for index, error in outcome.errors]
    )
    return result
