"""Signal receivers: circulation announces, notices tells the reader."""

from __future__ import annotations

import logging
from typing import Any

from wenjin.circulation.models import Hold

logger = logging.getLogger("wenjin.notices")


def on_hold_ready(sender: Any, hold: Hold, **kwargs: Any) -> None:
    """A held copy is on the hold shelf. The signal comes after the checkin committed,
    from the desk's request: the notice is queued (mail and SMS gateways can be slow), and
    a problem queueing it must never fail the checkin, so every error ends here, in the
    log (the daily job sends what was missed)."""
    from wenjin.notices.tasks import send_hold_ready_notice

    try:
        send_hold_ready_notice.enqueue(hold.pk)
    except Exception:
        logger.exception("hold_ready notice for hold %s failed", hold.pk)
