from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key: Any) -> Any:
    """``{{ states|get_item:unit.pk }}``: look a key up in a dict from a template."""
    return mapping.get(key) if mapping else None
