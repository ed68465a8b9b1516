"""Every write of circulation: checkout, renewal, checkin, transits, rules.

Each service checks the actor's scoped permission, runs in one transaction with the rows
it changes locked, and writes the audit log.
"""

from wenjin.circulation.services.common import Refused
from wenjin.circulation.services.lending import LoanResult, checkout, renew
from wenjin.circulation.services.returns import (
    CheckinResult,
    ReceiveResult,
    checkin,
    transit_receive,
)
from wenjin.circulation.services.rules import loan_rule_delete, loan_rule_save

__all__ = [
    "CheckinResult",
    "LoanResult",
    "ReceiveResult",
    "Refused",
    "checkin",
    "checkout",
    "loan_rule_delete",
    "loan_rule_save",
    "renew",
    "transit_receive",
]
