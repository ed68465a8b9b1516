"""Notice texts: one small Django template per kind and language,
``notices/<kind>.<language>.txt`` (the overdue stages share ``overdue``). A template
writes the email form (first line the subject, then the body) or, when ``sms`` is true,
one short text message."""

from __future__ import annotations

from typing import Any

from django.template.loader import get_template
from django.utils import translation

from wenjin.notices import policies
from wenjin.notices.models import NoticeChannel


def unit_name(unit: Any, language: str) -> str:
    """A library's name in the reader's language (the Chinese name when it has no
    English one)."""
    if language == "en" and getattr(unit, "name_en", ""):
        return unit.name_en
    return unit.name_zh


def _localised(context: dict[str, Any], language: str) -> dict[str, Any]:
    # Services pass library units as they are; the text needs their name in the
    # reader's language.
    return {
        key: unit_name(value, language) if hasattr(value, "name_zh") else value
        for key, value in context.items()
    }


def render(kind: str, language: str, channel: str, context: dict[str, Any]) -> tuple[str, str]:
    """``(subject, body)`` of a notice; SMS messages have no subject."""
    sms = channel == NoticeChannel.SMS
    template = get_template(f"notices/{policies.template_family(kind)}.{language}.txt")
    with translation.override(language):
        text = template.render(_localised(context, language) | {"sms": sms, "kind": kind})
    text = policies.tidy_text(text)
    if sms:
        return "", " ".join(text.split("\n"))
    subject, _newline, body = text.partition("\n")
    return subject.strip()[:200], body.strip()
