"""The daily job (``wenjin run-daily``): every step of the network's nightly work, in order,
once per day.

Each step is idempotent by itself (a reader already moved, a notice already recorded under
its key, an item already declared lost are not done again) and works row by row under
locks, so even a forced second run does nothing twice. The ``DailyRun`` row for the day
keeps a second copy started at the same moment, or later the same day, from running at
all, and records what the run did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from wenjin.circulation.models import DailyRun


def _steps() -> list[tuple[str, Callable[[date], int | dict[str, int]]]]:
    # Imported here: the job reaches into readers, holds, losses and notices, which all
    # build on circulation's models.
    from wenjin.accounts.services import throttle_prune
    from wenjin.circulation.services.holds import expire_holds
    from wenjin.circulation.services.losses import (
        declare_long_overdue_lost,
        forget_recent_borrowers,
    )
    from wenjin.events.services.events import events_daily
    from wenjin.notices.services import fee_reminders, notices_due
    from wenjin.patrons.services import expire_cards, follow_age
    from wenjin.patrons.services.remote_housekeeping import remote_housekeeping
    from wenjin.stats.services.daily import stats_daily

    return [
        ("readers_moved_by_age", follow_age),
        ("cards_expired", expire_cards),
        ("holds_expired", expire_holds),
        ("items_declared_lost", declare_long_overdue_lost),
        ("borrowers_forgotten", forget_recent_borrowers),
        ("notices", notices_due),
        ("fee_reminders", fee_reminders),
        ("tasks_pruned", prune_finished_tasks),
        ("remote_registration", remote_housekeeping),
        ("throttles_pruned", throttle_prune),
        ("events", events_daily),
        # Last: the rollups then count what the other steps did (cards expired, events
        # finished).
        ("statistics", stats_daily),
    ]


# Finished background tasks (sent notices) are kept this long for looking into problems.
TASK_RESULT_DAYS = 30


def prune_finished_tasks(on: date) -> int:
    """Delete background-task rows finished more than TASK_RESULT_DAYS before ``on``."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.make_aware(datetime.combine(on - timedelta(days=TASK_RESULT_DAYS), time()))
    deleted, _ = DBTaskResult.objects.filter(finished_at__lt=cutoff).delete()
    return deleted


@dataclass
class DailyOutcome:
    """What a call did: ``ran`` is False when the day's run had already started or run."""

    run: DailyRun
    ran: bool


def run_daily(on: date | None = None, *, force: bool = False) -> DailyOutcome:
    """Run the daily job for ``on`` (default today) unless it has run or is running for
    that day; ``force`` runs the steps again all the same (after a failed run)."""
    on = on or timezone.localdate()
    try:
        with transaction.atomic():
            run = DailyRun.objects.create(day=on, started_at=timezone.now())
    except IntegrityError:
        run = DailyRun.objects.get(day=on)
        if not force:
            return DailyOutcome(run, ran=False)
        run.started_at, run.finished_at, run.error = timezone.now(), None, ""
        run.save(update_fields=["started_at", "finished_at", "error"])
    counts: dict[str, int] = {}
    try:
        for name, step in _steps():
            result = step(on)
            if isinstance(result, dict):
                counts.update({f"{name}.{key}": value for key, value in result.items()})
            else:
                counts[name] = result
    except Exception as error:
        run.counts, run.error = counts, f"{type(error).__name__}: {error}"
        run.save(update_fields=["counts", "error"])
        raise
    run.counts, run.finished_at = counts, timezone.now()
    run.save(update_fields=["counts", "finished_at"])
    return DailyOutcome(run, ran=True)
