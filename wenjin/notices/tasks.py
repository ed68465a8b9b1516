"""Notices sent in the background: a request that announces something (a checkin that
shelves a held copy) queues the notice and answers at once; `wenjin db_worker` sends it."""

from __future__ import annotations

from django_tasks import task


@task()
def send_hold_ready_notice(hold_id: int) -> int | None:
    """Tell the reader their hold is on the hold shelf (once: the notice key decides)."""
    from wenjin.notices.services import hold_ready_notice

    notice = hold_ready_notice(hold_id)
    return notice.pk if notice else None
