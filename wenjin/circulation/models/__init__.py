"""Circulation's models: loans and the rules matrix, holds, fees and payments."""

from wenjin.circulation.models.fees import (
    Fee,
    FeeAction,
    FeeAllocation,
    FeeFreePeriod,
    FeeKind,
    FeeStatus,
    Payment,
    PaymentMethod,
)
from wenjin.circulation.models.holds import ACTIVE_HOLD_STATUSES, Hold, HoldStatus
from wenjin.circulation.models.jobs import DailyRun
from wenjin.circulation.models.loans import (
    CirculationSettings,
    FloatingGroup,
    LendingVisit,
    Loan,
    LoanFact,
    LoanRenewal,
    LoanRule,
    Transit,
    TransitReason,
)

__all__ = [
    "ACTIVE_HOLD_STATUSES",
    "CirculationSettings",
    "DailyRun",
    "Fee",
    "FeeAction",
    "FeeAllocation",
    "FeeFreePeriod",
    "FeeKind",
    "FeeStatus",
    "FloatingGroup",
    "Hold",
    "HoldStatus",
    "LendingVisit",
    "Loan",
    "LoanFact",
    "LoanRenewal",
    "LoanRule",
    "Payment",
    "PaymentMethod",
    "Transit",
    "TransitReason",
]
