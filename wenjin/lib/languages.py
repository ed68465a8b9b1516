"""Names for the MARC language codes readers meet most often (MARC Code List for
Languages); any other code is shown as it is."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

# A context of their own: "English" the language of a book is not "English" the site's
# language switch.
LANGUAGE_NAMES = {
    "chi": pgettext_lazy("language of a text", "Chinese"),
    "eng": pgettext_lazy("language of a text", "English"),
    "jpn": pgettext_lazy("language of a text", "Japanese"),
    "kor": pgettext_lazy("language of a text", "Korean"),
    "fre": pgettext_lazy("language of a text", "French"),
    "ger": pgettext_lazy("language of a text", "German"),
    "rus": pgettext_lazy("language of a text", "Russian"),
    "spa": pgettext_lazy("language of a text", "Spanish"),
    "ita": pgettext_lazy("language of a text", "Italian"),
    "por": pgettext_lazy("language of a text", "Portuguese"),
    "ara": pgettext_lazy("language of a text", "Arabic"),
    "lat": pgettext_lazy("language of a text", "Latin"),
    "vie": pgettext_lazy("language of a text", "Vietnamese"),
    "tha": pgettext_lazy("language of a text", "Thai"),
    "mon": pgettext_lazy("language of a text", "Mongolian"),
    "tib": pgettext_lazy("language of a text", "Tibetan"),
    "uig": pgettext_lazy("language of a text", "Uighur"),
    "mul": pgettext_lazy("language of a text", "Multiple languages"),
    "zxx": pgettext_lazy("language of a text", "No linguistic content"),
    "und": pgettext_lazy("language of a text", "Undetermined"),
}


def language_name(code: str) -> str:
    """The name of a MARC language code in the active language (the code if unknown)."""
    name = LANGUAGE_NAMES.get((code or "").strip().lower())
    return str(name) if name is not None else code
