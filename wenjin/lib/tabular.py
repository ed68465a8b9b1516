"""Reading the header row of an imported table (CSV or XLSX), shared by the imports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _


class HeaderError(ValueError):
    """The header row cannot be used; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def header_columns(
    cells: Sequence[Any], names: Mapping[str, str], required: Sequence[str], columns: str
) -> dict[str, int]:
    """Each known column's position: a cell is matched to ``names`` (header text → column)
    without spaces, a byte-order mark or case. ``HeaderError`` when a required column is
    missing or a column is named twice; ``columns`` lists the columns for the message."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = "".join(str(cell or "").replace("\ufeff", "").split()).lower()
        column = names.get(key)
        if column is None:
            continue
        if column in positions:
            raise HeaderError(
                _("The column %(column)s appears twice in the header.") % {"column": column}
            )
        positions[column] = index
    missing = [column for column in required if column not in positions]
    if missing:
        raise HeaderError(
            _("The header lacks the columns %(missing)s (the columns are %(columns)s).")
            % {"missing": ", ".join(missing), "columns": columns}
        )
    return positions
