"""One SIP2 connection's state, shared by the server and the handlers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wenjin.sip2.codec import Request, Response


@dataclass
class Session:
    """A device's connection: who logged in, the character set, the handlers' scratch
    space, and the last reply (for 97 resend)."""

    peer: str
    encoding: str = "utf-8"
    device: Any | None = None
    state: dict[str, Any] = field(default_factory=dict)
    last_reply: bytes | None = None


Dispatch = Callable[[Session, Request], Response]
