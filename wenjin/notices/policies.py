"""Pure rules for notices: which due dates each daily notice covers, how an email
address is checked and masked, which template a kind uses. No database here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from wenjin.lib.errors import ValidationFailed
from wenjin.notices.models import NoticeChannel, NoticeKind, NoticeLanguage

# Overdue notices go out at these stages (days past the due date), each once.
OVERDUE_STAGES: tuple[tuple[int, str], ...] = (
    (1, NoticeKind.OVERDUE_1),
    (7, NoticeKind.OVERDUE_7),
    (30, NoticeKind.OVERDUE_30),
)
READER_CHANNELS = (NoticeChannel.EMAIL, NoticeChannel.SMS)
EMAIL_MAX_LENGTH = 254


@dataclass(frozen=True)
class Window:
    """A closed range of dates (``first`` ≤ d ≤ ``last``) a daily notice covers."""

    kind: str
    first: date
    last: date


def _catch_up(catch_up_days: int) -> int:
    # One day means "exactly on the day"; less makes no sense.
    return max(1, catch_up_days)


def due_soon_window(on: date, days_before: int, catch_up_days: int) -> Window:
    """Loans due ``days_before`` days after ``on``; when the job did not run for a few
    days, loans whose reminder day fell in those days (still not overdue) are covered
    too, so a missed run delays a reminder instead of dropping it."""
    last = on + timedelta(days=days_before)
    first = max(on, last - timedelta(days=_catch_up(catch_up_days) - 1))
    return Window(NoticeKind.DUE_SOON, first, last)


def overdue_windows(on: date, catch_up_days: int) -> list[Window]:
    """For each overdue stage N, the due dates of loans overdue by at least N days but
    not yet by the next stage, and by at most N + catch-up − 1 days.

    So a missed run still sends each stage once (the dedupe key makes the later run a
    no-op for loans already told), a reader several stages behind after an outage gets
    only the latest stage, and loans overdue long before notices were switched on do not
    all get a first notice at once.
    """
    windows: list[Window] = []
    span = _catch_up(catch_up_days)
    for index, (stage, kind) in enumerate(OVERDUE_STAGES):
        following = OVERDUE_STAGES[index + 1][0] if index + 1 < len(OVERDUE_STAGES) else None
        most = stage + span - 1
        if following is not None:
            most = min(most, following - 1)
        windows.append(Window(kind, on - timedelta(days=most), on - timedelta(days=stage)))
    return windows


def card_expiry_window(on: date, days_before: int, catch_up_days: int) -> Window:
    """Cards that expire ``days_before`` days after ``on`` (with the same catch-up as
    loans), and that have not expired yet."""
    last = on + timedelta(days=days_before)
    first = max(on + timedelta(days=1), last - timedelta(days=_catch_up(catch_up_days) - 1))
    return Window(NoticeKind.CARD_EXPIRING, first, last)


def template_family(kind: str) -> str:
    """The template a kind is written with: the overdue stages share one text."""
    return "overdue" if kind.startswith("overdue_") else kind


def check_email(raw: str) -> str:
    """A cleaned email address, or ``ValidationFailed`` naming the field."""
    email = (raw or "").strip()
    try:
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        message = _("This is not a valid email address.")
        raise ValidationFailed(message, fields={"email": message}) from None
    local, _at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def mask_email(email: str) -> str:
    """zhang.wei@example.com → zh*******@example.com (domain kept, so the reader can
    recognise which address it is)."""
    local, _at, domain = email.rpartition("@")
    keep = 1 if len(local) <= 3 else 2
    return f"{local[:keep]}{'*' * max(3, len(local) - keep)}@{domain}"


def check_preferences(language: str, channels: list[str], opt_outs: list[str]) -> None:
    """Raise ``ValidationFailed`` naming each field with an unknown value."""
    fields: dict[str, str] = {}
    if language not in NoticeLanguage.values:
        fields["language"] = _("Choose Chinese or English.")
    if any(channel not in READER_CHANNELS for channel in channels):
        fields["channels"] = _("Notices go by email or SMS.")
    if any(kind not in NoticeKind.values for kind in opt_outs):
        fields["opt_outs"] = _("There is no such kind of notice.")
    if fields:
        raise ValidationFailed(_("Some of the notice settings are not valid."), fields=fields)


def card_tail(barcode: str) -> str:
    """The last four characters of a card number: enough for the reader to know the card,
    too little to use it."""
    return barcode[-4:]


_BLANK_RUNS = re.compile(r"\n{3,}")


def tidy_text(text: str) -> str:
    """Template output as a message: no trailing spaces, at most one blank line."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
