"""``wenjin daily [--date YYYY-MM-DD]``: the nightly job. Today it moves readers into the
category for their age and marks cards past their expiry; later issues add holds and
fees to it. Safe to run more than once a day."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from wenjin.patrons.services import expire_cards, follow_age


class Command(BaseCommand):
    help = "Run the daily job (reader categories by age, card expiry)."

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
        self.stdout.write(f"readers moved by age: {moved}; cards expired: {expired}")
