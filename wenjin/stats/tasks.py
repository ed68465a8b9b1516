"""Statistics work run in the background (`wenjin db_worker`)."""

from __future__ import annotations

from datetime import date

from django_tasks import task


@task()
def rebuild_rollups(first: str, last: str, by: str) -> int:
    """Rebuild the rollups for a range asked for on the staff pages."""
    from wenjin.stats.services.rollups import rollup_rebuild

    result = rollup_rebuild(first=date.fromisoformat(first), last=date.fromisoformat(last), by=by)
    return result.rows
