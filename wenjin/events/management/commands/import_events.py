"""``wenjin import-events FILE [--dry-run]``: import historical and planned events from a
CSV or XLSX file (see ``wenjin.events.importer`` for the columns and the rules).

The report (a summary, then each skipped row as ``line N: reason`` and each note) goes to
standard output, so ``> report.txt`` keeps all of it. The command fails (exit status 1)
only when the file cannot be imported at all: missing, unreadable, or without the
required columns.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.events import importer


class Command(BaseCommand):
    help = (
        "Import events from a CSV or XLSX file (UTF-8 or GB18030) with the columns kind, "
        "title, series, org_code, venue, start, end, capacity, attendance. An event is "
        "identified by org_code, title and start, so importing a file again changes "
        "nothing; an empty end means two hours after the start; attendance replaces the "
        "event's counted figure. Bad rows are reported with their line number and skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a .csv or .xlsx file")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check every row and report what would happen, writing nothing",
        )

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["file"]
        dry_run = bool(options["dry_run"])
        try:
            result = importer.import_events(path, actor=Actor.system(via="cli"), dry_run=dry_run)
        except importer.EventFileError as error:
            if error.line:
                raise CommandError(
                    _("line %(line)d: %(reason)s") % {"line": error.line, "reason": error.message}
                ) from error
            raise CommandError(error.message) from error
        self.stdout.write(
            _(
                "%(rows)d rows read: %(created)d events created, %(updated)d updated, "
                "%(unchanged)d unchanged, %(skipped)d rows skipped."
            )
            % {
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "skipped": result.skipped,
            }
        )
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
        for line, reason in result.errors:
            self.stdout.write(_("line %(line)d: %(reason)s") % {"line": line, "reason": reason})
        for line, note in result.notes:
            self.stdout.write(
                _("line %(line)d (note): %(reason)s") % {"line": line, "reason": note}
            )
