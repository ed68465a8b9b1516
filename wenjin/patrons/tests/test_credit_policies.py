"""Credit borrowing rules, without a database: what each event is worth, the score limits,
what a score gives (thresholds and floor), the deposit still needed."""

from decimal import Decimal

import pytest

from wenjin.patrons.credit import (
    DEFAULT_POLICY,
    Band,
    CreditPolicy,
    Reason,
    apply_change,
    deposit_needed,
    policy_problems,
    score_change,
    standing,
)


@pytest.mark.parametrize(
    ("overdue_days", "points"),
    [(0, 1), (1, -2), (7, -2), (8, -5), (30, -5), (31, -10), (400, -10)],
)
def test_returns_are_worth_points_by_days_late(overdue_days, points):
    assert score_change(Reason.OVERDUE_RETURN, overdue_days) == points
    # the days decide, not the name the caller gave the event
    assert score_change(Reason.ON_TIME_RETURN, overdue_days) == points


def test_other_events():
    assert score_change(Reason.LOST) == -20
    assert score_change(Reason.FOUND_AFTER_LOST) == 0  # carries the loss's own amount
    assert score_change(Reason.STAFF_ADJUSTMENT) == 0
    with pytest.raises(ValueError):
        score_change("borrowed")
    with pytest.raises(ValueError):
        score_change(Reason.OVERDUE_RETURN, -1)


def test_every_number_is_configuration():
    policy = CreditPolicy(
        on_time_points=3,
        overdue_short_days=3,
        overdue_short_penalty=1,
        overdue_medium_days=10,
        overdue_medium_penalty=4,
        overdue_long_penalty=9,
        lost_penalty=50,
    )
    assert [score_change(Reason.OVERDUE_RETURN, d, policy) for d in (0, 3, 4, 10, 11)] == [
        3,
        -1,
        -4,
        -4,
        -9,
    ]
    assert score_change(Reason.LOST, 0, policy) == -50


def test_score_stays_within_limits():
    assert apply_change(100, 1) == 101
    assert apply_change(120, 1) == 120  # capped at the maximum
    assert apply_change(119, 5) == 120
    assert apply_change(10, -20) == 0  # never below the minimum
    assert apply_change(50, -2) == 48
    # a score outside new limits is not pulled across by an event going the other way
    assert apply_change(130, -2) == 128
    assert apply_change(130, 1) == 130


def test_thresholds_and_floor():
    assert standing(89).deposit_free is False
    good = standing(90)
    assert (good.deposit_free, good.extra_quota, good.band) == (True, 0, Band.GOOD)
    excellent = standing(110)
    assert (excellent.deposit_free, excellent.extra_quota, excellent.band) == (
        True,
        5,
        Band.EXCELLENT,
    )
    assert standing(109).extra_quota == 0
    fair = standing(60)
    assert (fair.deposit_free, fair.extra_quota, fair.band) == (False, 0, Band.FAIR)
    assert standing(59).band == Band.POOR
    assert standing(100, provider="external").provider == "external"
    assert standing(100).band_label  # a label to show


def test_the_floor_overrides_thresholds_set_below_it():
    lax = CreditPolicy(deposit_free_at=10, extra_quota_at=20, floor=50)
    below = standing(49, lax)
    assert (below.deposit_free, below.extra_quota, below.band) == (False, 0, Band.POOR)
    above = standing(50, lax)
    assert (above.deposit_free, above.extra_quota, above.band) == (True, 5, Band.EXCELLENT)


def test_deposit_needed():
    free = standing(100)
    assert deposit_needed(Decimal("100.00"), Decimal("0.00"), free) == Decimal("0.00")
    paying = standing(80)
    assert deposit_needed(Decimal("100.00"), Decimal("30.00"), paying) == Decimal("70.00")
    assert deposit_needed(Decimal("100.00"), Decimal("150.00"), paying) == Decimal("0.00")
    assert deposit_needed(Decimal("0"), Decimal("0"), paying) == Decimal("0.00")
    assert str(deposit_needed(Decimal("99.5"), Decimal("0"), paying)) == "99.50"
    with pytest.raises(TypeError):
        deposit_needed(100.0, Decimal("0"), paying)  # type: ignore[arg-type]


def test_policy_problems():
    assert policy_problems(DEFAULT_POLICY) == {}
    bad = CreditPolicy(min_score=50, max_score=40, starting_score=100, lost_penalty=-1)
    assert set(policy_problems(bad)) == {"max_score", "starting_score", "lost_penalty"}


def test_policy_is_frozen():
    with pytest.raises(AttributeError):
        DEFAULT_POLICY.floor = 1  # type: ignore[misc]
