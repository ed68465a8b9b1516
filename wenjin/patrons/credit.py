"""Credit borrowing (信用借阅) as pure rules: how events move a reader's score, what a score
is worth (deposit-free borrowing, extra quota), and what deposit is still needed. No
database access here; every number comes from ``CreditPolicy``.

The default numbers (all configuration, kept in ``CreditSettings``):

- a new reader starts at 100; scores stay between 0 and 120;
- an on-time return earns +1 (never above the maximum);
- an overdue return costs by days late: −2 for 1–7 days, −5 for 8–30 days, −10 beyond;
- a lost item costs −20; finding it again gives back exactly what the loss cost;
- at 90 or more the reader borrows without a deposit; at 110 or more they may borrow 5
  items more than their quota; below the floor of 60 every credit privilege is gone,
  whatever the thresholds say (so a threshold set below the floor cannot hand them out).

Scores from an external provider are taken to be on the same scale; an adapter for a
platform with another scale converts in its provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


class Reason:
    """Why a score moved (the codes stored on each ledger row and shown by the API)."""

    ON_TIME_RETURN = "on_time_return"
    OVERDUE_RETURN = "overdue_return"
    LOST = "lost"
    FOUND_AFTER_LOST = "found_after_lost"
    STAFF_ADJUSTMENT = "staff_adjustment"
    EXTERNAL = "external"


REASONS = (
    Reason.ON_TIME_RETURN,
    Reason.OVERDUE_RETURN,
    Reason.LOST,
    Reason.FOUND_AFTER_LOST,
    Reason.STAFF_ADJUSTMENT,
    Reason.EXTERNAL,
)


class Band:
    """What a score is worth, from best to worst."""

    EXCELLENT = "excellent"  # deposit-free and extra quota
    GOOD = "good"  # deposit-free
    FAIR = "fair"  # at or above the floor, no privileges yet
    POOR = "poor"  # below the floor: no credit privileges at all


BAND_LABELS = {
    Band.EXCELLENT: _("Excellent"),
    Band.GOOD: _("Good"),
    Band.FAIR: _("Fair"),
    Band.POOR: _("Poor"),
}

MONEY = Decimal("0.01")


@dataclass(frozen=True)
class CreditPolicy:
    """The numbers of credit borrowing. Penalties are given as positive points lost."""

    starting_score: int = 100
    min_score: int = 0
    max_score: int = 120
    on_time_points: int = 1
    overdue_short_days: int = 7  # 1..this many days late: the short penalty
    overdue_short_penalty: int = 2
    overdue_medium_days: int = 30  # up to this many days late: the medium penalty
    overdue_medium_penalty: int = 5
    overdue_long_penalty: int = 10  # later still
    lost_penalty: int = 20
    deposit_free_at: int = 90
    extra_quota_at: int = 110
    extra_quota: int = 5
    floor: int = 60
    max_adjustment: int = 1000  # a staff adjustment larger than this is a typing mistake


DEFAULT_POLICY = CreditPolicy()


def policy_problems(policy: CreditPolicy) -> dict[str, str]:
    """What is inconsistent in a policy (field → message); empty when it is usable."""
    problems: dict[str, str] = {}
    if policy.min_score > policy.max_score:
        problems["max_score"] = str(_("The maximum score is below the minimum score."))
    if not policy.min_score <= policy.starting_score <= policy.max_score:
        problems["starting_score"] = str(
            _("The starting score must lie between the minimum and maximum scores.")
        )
    if policy.overdue_short_days > policy.overdue_medium_days:
        problems["overdue_medium_days"] = str(
            _("The medium overdue period must not end before the short one.")
        )
    points = (
        "on_time_points",
        "overdue_short_penalty",
        "overdue_medium_penalty",
        "overdue_long_penalty",
        "lost_penalty",
        "extra_quota",
        "overdue_short_days",
        "max_adjustment",
    )
    for name in points:
        if getattr(policy, name) < 0:
            problems[name] = str(_("This number cannot be negative."))
    return problems


def score_change(event: str, overdue_days: int = 0, policy: CreditPolicy = DEFAULT_POLICY) -> int:
    """The points an event is worth before the score limits apply (a penalty is negative).

    Returns are judged by ``overdue_days``: 0 is on time, whatever ``event`` says, so a
    caller cannot reward a late return by naming it wrongly. Lost items cost the lost
    penalty. Found items, staff adjustments and external events carry their own amount
    and are not priced here (0)."""
    if overdue_days < 0:
        raise ValueError("overdue_days cannot be negative")
    if event in (Reason.ON_TIME_RETURN, Reason.OVERDUE_RETURN):
        if overdue_days == 0:
            return policy.on_time_points
        if overdue_days <= policy.overdue_short_days:
            return -policy.overdue_short_penalty
        if overdue_days <= policy.overdue_medium_days:
            return -policy.overdue_medium_penalty
        return -policy.overdue_long_penalty
    if event == Reason.LOST:
        return -policy.lost_penalty
    if event in REASONS:
        return 0
    raise ValueError(f"unknown credit event {event!r}")


def apply_change(score: int, change: int, policy: CreditPolicy = DEFAULT_POLICY) -> int:
    """The score after ``change``, kept within the policy's limits. A score already outside
    them (the limits were changed) is not pulled in by an event moving the other way."""
    moved = score + change
    if change > 0:
        return max(score, min(moved, policy.max_score))
    if change < 0:
        return min(score, max(moved, policy.min_score))
    return score


@dataclass(frozen=True)
class CreditStanding:
    """What a score is worth now, and which provider the score came from."""

    score: int
    deposit_free: bool
    extra_quota: int
    band: str
    provider: str = "local"

    @property
    def band_label(self) -> str:
        return str(BAND_LABELS[self.band])


def standing(
    score: int, policy: CreditPolicy = DEFAULT_POLICY, provider: str = "local"
) -> CreditStanding:
    """The privileges a score gives. The floor overrides the thresholds: below it there
    are none."""
    above_floor = score >= policy.floor
    deposit_free = above_floor and score >= policy.deposit_free_at
    extra = above_floor and score >= policy.extra_quota_at
    if not above_floor:
        band = Band.POOR
    elif deposit_free and extra:
        band = Band.EXCELLENT
    elif deposit_free or extra:
        band = Band.GOOD
    else:
        band = Band.FAIR
    return CreditStanding(
        score=score,
        deposit_free=deposit_free,
        extra_quota=policy.extra_quota if extra else 0,
        band=band,
        provider=provider,
    )


def deposit_needed(
    category_deposit: Decimal, deposit_held: Decimal, standing: CreditStanding
) -> Decimal:
    """The deposit (yuan) a reader still has to pay before borrowing: none when their credit
    makes them deposit-free, otherwise what their category asks minus what is held."""
    if isinstance(category_deposit, float) or isinstance(deposit_held, float):
        raise TypeError("money is Decimal, never float")
    if standing.deposit_free:
        return Decimal("0.00")
    missing = Decimal(category_deposit) - Decimal(deposit_held)
    return max(missing, Decimal("0")).quantize(MONEY)
