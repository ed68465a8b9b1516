"""The one error type that domain services raise.

Every front end translates it: the web pages show the message, the REST API answers
``{"error": {"code", "message"}}`` with ``status``, the SIP2 server puts the message on
the screen line.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refused or invalid request, with a stable machine code and a human message.

    ``status`` is the HTTP status an API answers with; ``details`` carries structured
    context (for example which field was wrong).
    """

    status: int = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        if status is not None:
            self.status = status
        self.details = details or {}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class NotFound(DomainError):
    """The named object does not exist (HTTP 404)."""

    status = 404


class Forbidden(DomainError):
    """The actor may not do this here (HTTP 403)."""

    status = 403

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__("FORBIDDEN", message, details=details)


class Conflict(DomainError):
    """The request clashes with the current state of the data (HTTP 409)."""

    status = 409


class ValidationFailed(DomainError):
    """Input failed validation; ``details["fields"]`` maps field names to messages."""

    status = 400

    def __init__(
        self, message: str, *, fields: dict[str, str] | None = None, code: str = "VALIDATION_ERROR"
    ) -> None:
        super().__init__(code, message, details={"fields": fields or {}})
