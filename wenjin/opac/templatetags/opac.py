"""Template filters for the public pages."""

from django import template

from wenjin.lib.languages import language_name

register = template.Library()


@register.filter(name="language_name")
def language_name_filter(code: str) -> str:
    """``{{ record.language|language_name }}`` → 中文 for "chi"."""
    return language_name(code)
