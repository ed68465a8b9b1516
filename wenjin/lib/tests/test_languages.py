"""Language names for MARC codes, in the active language."""

from django.utils import translation

from wenjin.lib.languages import language_name


def test_known_codes_are_named_in_the_active_language():
    with translation.override("zh-hans"):
        assert language_name("chi") == "中文" and language_name("ENG") == "英文"
    with translation.override("en"):
        assert language_name("chi") == "Chinese"


def test_unknown_or_empty_codes_are_shown_as_they_are():
    assert language_name("xyz") == "xyz"
    assert language_name("") == ""
