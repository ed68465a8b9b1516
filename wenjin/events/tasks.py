"""Event notices sent in the background (`wenjin db_worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_event_notice(kind: str, registration_id: int) -> int | None:
    """Send one event notice; its key keeps it to one."""
    from wenjin.events.notify import event_notice

    notice = event_notice(kind, registration_id)
    return notice.pk if notice else None
