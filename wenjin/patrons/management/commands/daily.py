"""``wenjin daily [--date YYYY-MM-DD]``: the nightly job. It moves readers into the
category for their age, marks cards past their expiry and expires holds not collected
from the hold shelf (their copies go to the next reader or home); the fees issue adds its
work here. Safe to run more than once a day."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from wenjin.patrons.services import expire_cards, follow_age


class Command(BaseCommand):
    help = "Run the daily job (reader categories by age, card expiry, hold-shelf expiry)."

    def add_arguments(self, parser: object) -> None:
        parser.add_argument("--date", help="run as of this date (default: today)")

    def handle(self, *args: object, **options: object) -> None:
        on = None
        if options.get("date"):
            try:
                on = date.fromisoformat(str(options["date"]))
            except ValueError as error:
                raise CommandError(f"--date takes YYYY-MM-DD: {error}") from None
        moved = follow_age(on)
        expired = expire_cards(on)
        # Circulation builds on readers; its share of the nightly work runs here too.
        from wenjin.circulation.services.holds import expire_holds

        holds_expired = expire_holds(on)
        self.stdout.write(
            f"readers moved by age: {moved}; cards expired: {expired}; "
            f"holds expired on the shelf: {holds_expired}"
        )
