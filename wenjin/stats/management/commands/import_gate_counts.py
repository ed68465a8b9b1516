"""``wenjin import-gate-counts FILE [--dry-run]``: store entrance gate counts from a CSV
file (see ``wenjin.stats.import_gate_counts`` for the columns and formats).

A summary, then each skipped row as ``line N: reason``, goes to standard output. The
command fails (exit status 1) only when nothing could be read: the file is missing,
undecodable or lacks the header, or none of its data rows could be stored.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.stats.import_gate_counts import GateFileError, import_gate_counts


class Command(BaseCommand):
    help = (
        "Import entrance gate counts from a CSV file (UTF-8 or GB18030) with the header "
        "org_code,date,count (daily) or org_code,date,hour,count (hourly, hour 0-23). "
        "Sending a slot again replaces its count; a unit reports a day either daily or "
        "hourly, not both. Bad rows are reported with their line number and skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a .csv file")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check every row against the database and report, writing nothing",
        )

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["file"]
        dry_run = bool(options["dry_run"])
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        try:
            result = import_gate_counts(
                path.read_bytes(), actor=Actor.system(via="cli"), dry_run=dry_run
            )
        except GateFileError as error:
            if error.line:
                raise CommandError(
                    _("line %(line)d: %(reason)s") % {"line": error.line, "reason": error.message}
                ) from error
            raise CommandError(error.message) from error
        self.stdout.write(
            _(
                "%(rows)d rows read (%(encoding)s): %(created)d counts created, %(updated)d "
                "replaced, %(unchanged)d unchanged, %(skipped)d rows skipped."
            )
            % {
                "rows": result.rows,
                "encoding": result.encoding,
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
        if result.rows and not result.stored:
            raise CommandError(_("No row of the file could be stored."))
