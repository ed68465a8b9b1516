"""Every change to readers and cards: registration, card life, PINs, reveals of personal
data, the daily jobs, export and deletion, the credit ledger. Each runs in one transaction, checks the
actor's scope and writes the audit log."""

from wenjin.patrons.services.cards import (
    PinLocked,
    card_cancel,
    card_extend,
    card_renew,
    card_report_lost,
    card_set_blocked,
    expire_cards,
    pin_check,
    pin_matches,
    pin_set,
)
from wenjin.patrons.services.common import (
    card_by_barcode,
    guardian_barcode,
    identity_hash,
    live_card,
    phone_hash,
    today,
)
from wenjin.patrons.services.credit import (
    credit_adjust,
    credit_note_found,
    credit_note_lost,
    credit_note_return,
    credit_settings_update,
)
from wenjin.patrons.services.privacy import (
    export_data,
    patron_delete,
    patron_export,
    reveal,
)
from wenjin.patrons.services.registration import (
    EDITABLE_FIELDS,
    FAMILY_MIN_MEMBERS,
    Registration,
    family_create,
    family_leave,
    follow_age,
    patron_update,
    register,
)

__all__ = [
    "EDITABLE_FIELDS",
    "FAMILY_MIN_MEMBERS",
    "PinLocked",
    "Registration",
    "card_by_barcode",
    "card_cancel",
    "card_extend",
    "card_renew",
    "card_report_lost",
    "card_set_blocked",
    "credit_adjust",
    "credit_note_found",
    "credit_note_lost",
    "credit_note_return",
    "credit_settings_update",
    "expire_cards",
    "export_data",
    "family_create",
    "family_leave",
    "follow_age",
    "guardian_barcode",
    "identity_hash",
    "live_card",
    "patron_delete",
    "patron_export",
    "patron_update",
    "phone_hash",
    "pin_check",
    "pin_matches",
    "pin_set",
    "register",
    "reveal",
    "today",
]
