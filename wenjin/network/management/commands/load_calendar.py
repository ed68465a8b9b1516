"""``wenjin load-calendar FILE``: load the national public calendar (holidays and make-up
working days) from a CSV file ``date,kind,name,hours_of_weekday``; the years in the file
are replaced whole. ``wenjin load-calendar --builtin 2026`` loads a calendar shipped with
Wenjin."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wenjin.accounts.actor import Actor
from wenjin.lib.errors import DomainError
from wenjin.network import calendar


class Command(BaseCommand):
    help = "Load public holidays and make-up working days from a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?")
        parser.add_argument("--builtin", metavar="YEAR", help="a calendar shipped with Wenjin")

    def handle(self, *args: object, **options: object) -> None:
        if options["builtin"]:
            path = calendar.BUILTIN_DIR / f"public_calendar_cn_{options['builtin']}.csv"
        elif options["file"]:
            path = Path(str(options["file"]))
        else:
            raise CommandError("Name a CSV file or --builtin YEAR.")
        if not path.is_file():
            raise CommandError(f"No such calendar file: {path}")
        try:
            lines = calendar.read_calendar_csv(path.read_text(encoding="utf-8-sig"))
            count = calendar.calendar_load(actor=Actor.system("cli"), lines=lines)
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        self.stdout.write(f"Loaded {count} calendar days.")
