"""A reader's display settings (large text, high contrast), kept in a cookie so they stick
on a shared library PC session after session without an account."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.http import HttpRequest

DISPLAY_COOKIE = "wenjin_display"
OPTIONS = ("large", "contrast")


@dataclass(frozen=True)
class DisplayPrefs:
    """Which display options are on."""

    large: bool = False
    contrast: bool = False

    @classmethod
    def from_cookie(cls, value: str) -> DisplayPrefs:
        chosen = set(value.split("."))
        return cls(**{name: name in chosen for name in OPTIONS})

    def to_cookie(self) -> str:
        return ".".join(name for name in OPTIONS if getattr(self, name))

    def toggled(self, name: str) -> DisplayPrefs:
        if name not in OPTIONS:
            return self
        return replace(self, **{name: not getattr(self, name)})

    @property
    def classes(self) -> str:
        """Classes for the root element: ``text-large``, ``contrast-high``."""
        names = []
        if self.large:
            names.append("text-large")
        if self.contrast:
            names.append("contrast-high")
        return " ".join(names)


def display(request: HttpRequest) -> dict:
    """Context processor: the reader's display settings, and whether a reader is logged in."""
    session = getattr(request, "session", None)
    return {
        "display": DisplayPrefs.from_cookie(request.COOKIES.get(DISPLAY_COOKIE, "")),
        # Only whether: the card itself is looked up by the pages that need it.
        "reader_logged_in": bool(session is not None and session.get("opac_card_id")),
    }
