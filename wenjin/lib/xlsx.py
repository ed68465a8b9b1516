"""Spreadsheet helpers shared by the exports (pure: openpyxl objects, no ORM)."""

from __future__ import annotations

from openpyxl import Workbook


def no_formulas(book: Workbook) -> Workbook:
    """Keep every text cell as text. openpyxl stores a string starting with "=" as a
    formula, and a catalogue title or a unit name typed that way would run when the file
    is opened; our exports never write formulas."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    return book
