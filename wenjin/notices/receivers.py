"""Signal receivers: circulation announces, notices tells the reader."""

from __future__ import annotations

import logging
from typing import Any

from wenjin.circulation.models import Hold

logger = logging.getLogger("wenjin.notices")


def on_hold_ready(sender: Any, hold: Hold, **kwargs: Any) -> None:
    """A held copy is on the hold shelf. The signal comes after the checkin committed,
    from the desk's request: a notice problem must never fail the checkin, so every
    error ends here, in the log (the daily job sends what was missed)."""
    from wenjin.notices.services import hold_ready_notice

    try:
        hold_ready_notice(hold.pk)
    except Exception:
        logger.exception("hold_ready notice for hold %s failed", hold.pk)
