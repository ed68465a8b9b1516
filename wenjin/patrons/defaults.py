"""The reader categories every network starts with (editable afterwards)."""

CATEGORIES = [
    # code, 中文, English, follows age, from age, below age, guardian, days, extensions,
    # fee waiver, free deliveries, family
    ("child", "少儿读者", "Child", True, 0, 12, True, 1826, 0, False, 0, False),
    ("teen", "青少年读者", "Teen", True, 12, 18, False, 1826, 0, False, 0, False),
    ("adult", "成人读者", "Adult", True, 18, None, False, 1826, 0, False, 0, False),
    ("family", "家庭读者", "Family", False, None, None, False, 1826, 0, False, 0, True),
    ("temporary", "临时读者", "Temporary", False, None, None, False, 60, 1, False, 0, False),
    ("concession", "优惠读者", "Concession", False, None, None, False, 1826, 0, True, 12, False),
    (
        "visually_impaired",
        "视障读者",
        "Visually impaired",
        False,
        None,
        None,
        False,
        1826,
        0,
        True,
        24,
        False,
    ),
]


def ensure_categories(category_model: type) -> None:
    """Create (or restore) the default categories (``category_model``: PatronCategory, or
    its historical version in a migration)."""
    for order, row in enumerate(CATEGORIES):
        code, zh, en, follows, low, high, guardian, days, extensions, waiver, free, family = row
        category_model.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "follows_age": follows,
                "min_age": low,
                "max_age": high,
                "requires_guardian": guardian,
                "validity_days": days,
                "extensions_allowed": extensions,
                "fee_waiver": waiver,
                "free_delivery_quota": free,
                "is_family": family,
                "sort_order": order,
            },
        )
