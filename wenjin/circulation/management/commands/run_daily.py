"""``wenjin run-daily [--date YYYY-MM-DD] [--force]``: the daily job, for cron or a systemd
timer (``5 0 * * *``). See ``wenjin.circulation.services.daily``."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from wenjin.circulation.services.daily import run_daily


class Command(BaseCommand):
    help = (
        "Run the daily job once a day: reader categories by age, card expiry, hold-shelf "
        "expiry, long-overdue items declared lost, notices and fee reminders."
    )

    def add_arguments(self, parser: object) -> None:
        parser.add_argument("--date", help="run as of this date (default: today)")
        parser.add_argument(
            "--force", action="store_true", help="run again although the day has run"
        )

    def handle(self, *args: object, **options: object) -> None:
        on = None
        if options.get("date"):
            try:
                on = date.fromisoformat(str(options["date"]))
            except ValueError as error:
                raise CommandError(f"--date takes YYYY-MM-DD: {error}") from None
        outcome = run_daily(on, force=bool(options.get("force")))
        run = outcome.run
        if not outcome.ran:
            state = "finished" if run.finished_at else "started (running, or failed: --force)"
            self.stdout.write(f"{run.day}: the daily job already {state} at {run.started_at}")
            return
        self.stdout.write(f"{run.day}: daily job done")
        for name, value in run.counts.items():
            self.stdout.write(f"  {name}: {value}")
