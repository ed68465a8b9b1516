"""The pure rules: date windows of the daily notices, email checks and masking."""

from datetime import date

import pytest

from wenjin.lib.errors import ValidationFailed
from wenjin.notices import policies

ON = date(2026, 5, 10)


def test_exact_day_windows_without_catch_up():
    soon = policies.due_soon_window(ON, 3, 1)
    assert (soon.first, soon.last) == (date(2026, 5, 13), date(2026, 5, 13))
    windows = {w.kind: (w.first, w.last) for w in policies.overdue_windows(ON, 1)}
    assert windows == {
        "overdue_1": (date(2026, 5, 9), date(2026, 5, 9)),
        "overdue_7": (date(2026, 5, 3), date(2026, 5, 3)),
        "overdue_30": (date(2026, 4, 10), date(2026, 4, 10)),
    }
    card = policies.card_expiry_window(ON, 30, 1)
    assert (card.first, card.last) == (date(2026, 6, 9), date(2026, 6, 9))


def test_catch_up_windows_stop_at_the_next_stage_and_never_reach_back_past_today():
    soon = policies.due_soon_window(ON, 3, 7)
    assert (soon.first, soon.last) == (ON, date(2026, 5, 13))  # due today still counts
    windows = {w.kind: (w.first, w.last) for w in policies.overdue_windows(ON, 7)}
    # 1–6 days overdue, 7–13 days, 30–36 days.
    assert windows["overdue_1"] == (date(2026, 5, 4), date(2026, 5, 9))
    assert windows["overdue_7"] == (date(2026, 4, 27), date(2026, 5, 3))
    assert windows["overdue_30"] == (date(2026, 4, 4), date(2026, 4, 10))
    card = policies.card_expiry_window(ON, 3, 7)
    assert card.first == date(2026, 5, 11)  # an expired card is not "expiring"


def test_email_is_checked_cleaned_and_masked():
    assert policies.check_email("  Zhang.Wei@Example.COM ") == "Zhang.Wei@example.com"
    assert policies.mask_email("zhang.wei@example.com") == "zh*******@example.com"
    assert policies.mask_email("ab@qq.com") == "a***@qq.com"
    for bad in ("zhang", "zhang@", "@example.com", "a b@example.com", "x" * 250 + "@a.cn"):
        with pytest.raises(ValidationFailed) as caught:
            policies.check_email(bad)
        assert "email" in caught.value.details["fields"]


def test_unknown_preferences_name_their_fields():
    with pytest.raises(ValidationFailed) as caught:
        policies.check_preferences("fr", ["fax"], ["due_soon", "spam"])
    assert set(caught.value.details["fields"]) == {"language", "channels", "opt_outs"}
    policies.check_preferences("en", ["email", "sms"], ["due_soon"])
