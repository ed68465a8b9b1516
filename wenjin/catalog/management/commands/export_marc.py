"""``wenjin export-marc OUT``: write catalogue records as ISO 2709 or MARCXML."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wenjin.catalog.exporter import FORMATS, export_records
from wenjin.catalog.selectors import QueryError, records_matching


class Command(BaseCommand):
    help = (
        "Export records. --query takes space-separated filters: id:N or id:N-M, "
        "isbn:…, clc:I24 (class prefix), year:2020 or year:2000-2010, lang:chi, "
        "type:book, org:YX-GT (records with items in that subtree), title:word."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="output file, or - for standard output")
        parser.add_argument("--format", choices=FORMATS, default="iso2709")
        parser.add_argument("--query", default="")
        parser.add_argument("--with-items", action="store_true", help="add 852/905 holdings")

    def handle(self, *args: object, **options: object) -> None:
        try:
            records = records_matching(options["query"])
        except QueryError as error:
            raise CommandError(str(error)) from error
        if options["out"] == "-":
            count = export_records(
                records,
                sys.stdout.buffer,
                format=options["format"],
                with_items=options["with_items"],
            )
        else:
            with Path(options["out"]).open("wb") as out:
                count = export_records(
                    records, out, format=options["format"], with_items=options["with_items"]
                )
        self.stderr.write(f"exported {count} records")
