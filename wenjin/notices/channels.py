"""Ways of reaching a reader. A channel sends one message or raises ``ChannelError``;
the notices service records the outcome either way.

Email goes through Django's ``send_mail`` (whatever ``EMAIL_BACKEND`` is configured).
SMS goes through an ``SmsProvider`` chosen by ``WENJIN_SMS_BACKEND``: ``file`` (one JSON
line per message in ``WENJIN_SMS_OUTBOX``, the demo's default), ``console`` (the log), or
the dotted path of a class implementing ``SmsProvider`` (a real gateway, one day).
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string

from wenjin.lib import crypto
from wenjin.notices.models import NoticeChannel

logger = logging.getLogger("wenjin.notices")


class ChannelError(Exception):
    """A message could not be handed over; the text says why."""


class Channel(Protocol):
    name: str

    def send(self, to: str, subject: str, body: str) -> None:
        """Send one message to ``to`` or raise ``ChannelError``."""


class SmsProvider(Protocol):
    def deliver(self, phone: str, text: str) -> None:
        """Hand one text message to the gateway or raise ``ChannelError``."""


class EmailChannel:
    name = NoticeChannel.EMAIL

    def send(self, to: str, subject: str, body: str) -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
        except Exception as error:  # SMTP, socket and backend errors alike
            raise ChannelError(f"email not sent: {error}") from error


class SmsChannel:
    name = NoticeChannel.SMS

    def __init__(self, provider: SmsProvider) -> None:
        self.provider = provider

    def send(self, to: str, subject: str, body: str) -> None:
        # A text message has no subject line: the body says it all.
        try:
            self.provider.deliver(to, body)
        except ChannelError:
            raise
        except Exception as error:
            raise ChannelError(f"SMS not sent: {error}") from error


class ConsoleSmsProvider:
    """Writes each message to the log (for development). The number is masked: logs are
    not a place for personal data."""

    def deliver(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", crypto.mask_phone(phone), text)


class FileSmsProvider:
    """Appends one JSON line per message to a file (the demo's outbox, which anyone can
    read to see what would have gone out). The number is stored masked, because the
    data directory is not encrypted."""

    _lock = threading.Lock()

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path or settings.WENJIN_SMS_OUTBOX)

    def deliver(self, phone: str, text: str) -> None:
        line = json.dumps(
            {"at": timezone.now().isoformat(), "to": crypto.mask_phone(phone), "text": text},
            ensure_ascii=False,
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One write of one line in append mode: lines from several processes do not
            # interleave.
            with self._lock, self.path.open("a", encoding="utf-8") as outbox:
                outbox.write(line + "\n")
        except OSError as error:
            raise ChannelError(f"SMS outbox not writable: {error}") from error


SMS_PROVIDERS: dict[str, type] = {"console": ConsoleSmsProvider, "file": FileSmsProvider}


def sms_provider() -> SmsProvider:
    name = settings.WENJIN_SMS_BACKEND
    if name in SMS_PROVIDERS:
        return SMS_PROVIDERS[name]()
    return import_string(name)()


def channel(name: str) -> Channel:
    """The channel called ``name`` (``email`` or ``sms``), configured from settings."""
    if name == NoticeChannel.EMAIL:
        return EmailChannel()
    if name == NoticeChannel.SMS:
        return SmsChannel(sms_provider())
    raise ValueError(f"no channel {name!r}")
