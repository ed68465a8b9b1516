"""``wenjin stats rebuild --from D --to D``: recompute the statistics rollups for a date
range (idempotent: running it again writes the same rows). Without ``--to`` the range
ends yesterday; without ``--from`` it starts on 1 January of the ``--to`` year."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from wenjin.stats.services.rollups import rollup_rebuild

# A rebuild is meant for a few years at most; a typo like 0202 should not start a
# rebuild of eighteen centuries.
MAX_DAYS = 366 * 10


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(_("Not a date (YYYY-MM-DD): %s") % text) from None


class Command(BaseCommand):
    help = "Statistics rollups: `rebuild --from YYYY-MM-DD --to YYYY-MM-DD`."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        rebuild = actions.add_parser("rebuild", help=_("recompute the rollups for a date range"))
        rebuild.add_argument("--from", dest="first", help="first day (YYYY-MM-DD)")
        rebuild.add_argument("--to", dest="last", help="last day (YYYY-MM-DD), default yesterday")

    def handle(self, *args: object, **options: object) -> None:
        last = (
            _day(str(options["last"]))
            if options.get("last")
            else timezone.localdate() - timedelta(days=1)
        )
        first = _day(str(options["first"])) if options.get("first") else date(last.year, 1, 1)
        if last < first:
            raise CommandError(_("--to is before --from."))
        if (last - first).days > MAX_DAYS:
            raise CommandError(_("The range is longer than ten years; rebuild it in parts."))
        result = rollup_rebuild(first=first, last=last, by="cli")
        self.stdout.write(
            _("Rollups rebuilt for %(first)s to %(last)s: %(rows)d figures in %(seconds).1f s.")
            % {
                "first": result.first_day,
                "last": result.last_day,
                "rows": result.rows,
                "seconds": result.seconds,
            }
        )
