"""The rules matrix every network starts with (Guangzhou practice; every number can be
changed): books 31 days, periodicals and audiovisual 15 days, one renewal counted from the
due date, 30 items network-wide (a family card shares 90), ¥0.10 a day capped at ¥10 an
item; rare books are for the reading room."""

from decimal import Decimal

# (name, category code or None, material type, is_rare, loanable, days, max items)
DEFAULT_RULES = [
    ("图书（默认）", None, "", None, True, 31, 30),
    ("期刊", None, "periodical", None, True, 15, 30),
    ("视听资料", None, "audiovisual", None, True, 15, 30),
    ("善本：仅馆内阅览", None, "", True, False, 31, 30),
    ("家庭证：图书", "family", "", None, True, 31, 90),
    ("家庭证：期刊", "family", "periodical", None, True, 15, 90),
    ("家庭证：视听资料", "family", "audiovisual", None, True, 15, 90),
]


def ensure_default_rules(rule_model: type, category_model: type, settings_model: type) -> None:
    """Create the default rules and settings row when there are none (models passed in, so
    a migration can call it with its historical models)."""
    if not rule_model.objects.exists():
        for name, category, material, rare, loanable, days, max_items in DEFAULT_RULES:
            rule_model.objects.create(
                name=name,
                patron_category=category_model.objects.filter(code=category).first()
                if category
                else None,
                material_type=material,
                is_rare=rare,
                loanable=loanable,
                loan_days=days,
                renewals_allowed=1,
                renewal_days=days,
                max_items=max_items,
                fee_per_day=Decimal("0.10"),
                fee_cap=Decimal("10.00"),
            )
    if not settings_model.objects.exists():
        settings_model.objects.create()
