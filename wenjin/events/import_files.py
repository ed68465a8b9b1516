"""Reading an events file for ``wenjin import-events``: CSV (UTF-8 with or without a BOM,
else GB18030) or XLSX (the first sheet), and the header row's columns (English or Chinese
names, in any order)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from wenjin.lib import tabular
from wenjin.lib.errors import DomainError

COLUMNS = tuple(
    ["kind", "title", "series", "org_code", "venue", "start", "end", "capacity", "attendance"]
)
REQUIRED = ("kind", "title", "org_code", "start")
# The Chinese header names each column may go by.
_CHINESE = {
    "kind": "类型 活动类型",
    "title": "名称 标题 活动名称",
    "series": "系列",
    "org_code": "组织馆代码 馆代码",
    "venue": "场地 地点",
    "start": "开始 开始时间",
    "end": "结束 结束时间",
    "capacity": "容量",
    "attendance": "参与人次 人次",
}
# Header names (compared without case and spaces) and the column each one means.
HEADER_NAMES: dict[str, str] = {name: name for name in COLUMNS} | {
    alias: column for column, aliases in _CHINESE.items() for alias in aliases.split()
}


class EventFileError(DomainError):
    """The file cannot be imported at all (missing, unreadable, or without the required
    columns); nothing was imported. ``line`` is the line at fault, when there is one."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__("EVENT_IMPORT_FILE", message, details={"line": line})
        self.line = line


def _decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and its encoding: UTF-8 (BOM or not), else GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), "gb18030" if encoding == "gb18030" else "utf-8"
        except UnicodeDecodeError:
            continue
    raise EventFileError(_("The file is neither UTF-8 nor GB18030 text."))


def _csv_rows(path: Path) -> tuple[list[tuple[int, list[Any]]], str]:
    text, encoding = _decode(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[Any]]] = []
    while True:
        # A quoted cell may span lines: a row is numbered by the line it starts on.
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise EventFileError(
                _("The CSV file cannot be read: %(error)s") % {"error": error}, line=line
            ) from error
        rows.append((line, cells))
    return rows, encoding


def _xlsx_rows(path: Path) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zip, XML and its own errors alike
        raise EventFileError(
            _("The file is not a readable XLSX workbook: %(error)s") % {"error": error}
        ) from error
    try:
        sheet = book.worksheets[0]
        return [
            (number, list(cells))
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        book.close()


def read_rows(path: Path) -> tuple[list[tuple[int, list[Any]]], str]:
    """The file's rows as (line number, cells) and how it was read (``utf-8``,
    ``gb18030`` or ``xlsx``)."""
    if not path.is_file():
        raise EventFileError(_("There is no file %(path)s.") % {"path": path})
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(path)
    if suffix == ".xlsx":
        return _xlsx_rows(path), "xlsx"
    raise EventFileError(_("Import a .csv or .xlsx file."))


def is_blank(cells: list[Any]) -> bool:
    """A row with nothing in it (skipped wherever it is)."""
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def header_columns(cells: list[Any], line: int = 1) -> dict[str, int]:
    """Each known column's position in the header row; EventFileError when a required
    column is missing or a column is named twice."""
    try:
        return tabular.header_columns(
            cells,
            HEADER_NAMES,
            REQUIRED,
            "kind, title, series, org_code, venue, start, end, capacity, attendance",
        )
    except tabular.HeaderError as error:
        raise EventFileError(error.message, line=line) from None
