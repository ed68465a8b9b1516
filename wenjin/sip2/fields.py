"""SIP2 field definitions and the helpers for the composite fixed fields.

Fixed-length fields have no identifier: their position and length come from the
message layout (:mod:`wenjin.sip2.messages`). Variable-length fields carry a
two-character identifier and end with ``|``. Both are described here as data,
with a *kind* that says how a Python value is written on the wire.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from enum import StrEnum


class Kind(StrEnum):
    """How a value is represented on the wire."""

    TEXT = "text"  # free text; fixed ones padded with spaces / truncated
    FLAG = "flag"  # Y/N (some fields also allow U for unknown)
    BIT = "bit"  # 0/1 (the "ok" fields)
    NUMBER = "number"  # zero-padded decimal when fixed, plain decimal when variable
    DATE = "date"  # YYYYMMDDZZZZHHMMSS
    MONEY = "money"  # decimal amount, two places


@dataclass(frozen=True, slots=True)
class Fixed:
    """A fixed-length field of a message: its name, length and kind."""

    name: str
    length: int
    kind: Kind = Kind.TEXT


@dataclass(frozen=True, slots=True)
class Field:
    """A variable-length field: identifier, name, kind, whether it repeats, and the
    width an integer is zero-padded to (the specification fixes a few, e.g. BZ at 4)."""

    id: str
    name: str
    kind: Kind = Kind.TEXT
    repeatable: bool = False
    width: int = 0


def _f(
    field_id: str, name: str, kind: Kind = Kind.TEXT, repeatable: bool = False, width: int = 0
) -> Field:
    return Field(field_id, name, kind, repeatable, width)


# Every variable field of SIP2 2.00, plus the 3M extensions the checkin response
# needs (CT destination, CV alert type, CY/DA hold patron).
FIELDS: dict[str, Field] = {
    f.id: f
    for f in (
        _f("AA", "patron_identifier"),
        _f("AB", "item_identifier"),
        _f("AC", "terminal_password"),
        _f("AD", "patron_password"),
        _f("AE", "personal_name"),
        _f("AF", "screen_message", repeatable=True),
        _f("AG", "print_line", repeatable=True),
        _f("AH", "due_date"),
        _f("AJ", "title_identifier"),
        _f("AL", "blocked_card_msg"),
        _f("AM", "library_name"),
        _f("AN", "terminal_location"),
        _f("AO", "institution_id"),
        _f("AP", "current_location"),
        _f("AQ", "permanent_location"),
        _f("AS", "hold_items", repeatable=True),
        _f("AT", "overdue_items", repeatable=True),
        _f("AU", "charged_items", repeatable=True),
        _f("AV", "fine_items", repeatable=True),
        _f("BD", "home_address"),
        _f("BE", "email_address"),
        _f("BF", "home_phone_number"),
        _f("BG", "owner"),
        _f("BH", "currency_type"),
        _f("BI", "cancel", Kind.FLAG),
        _f("BK", "transaction_id"),
        _f("BL", "valid_patron", Kind.FLAG),
        _f("BM", "renewed_items", repeatable=True),
        _f("BN", "unrenewed_items", repeatable=True),
        _f("BO", "fee_acknowledged", Kind.FLAG),
        _f("BP", "start_item", Kind.NUMBER),
        _f("BQ", "end_item", Kind.NUMBER),
        _f("BR", "queue_position", Kind.NUMBER),
        _f("BS", "pickup_location"),
        _f("BT", "fee_type"),
        _f("BU", "recall_items", repeatable=True),
        _f("BV", "fee_amount", Kind.MONEY),
        _f("BW", "expiration_date", Kind.DATE),
        _f("BX", "supported_messages"),
        _f("BY", "hold_type"),
        _f("BZ", "hold_items_limit", Kind.NUMBER, width=4),
        _f("CA", "overdue_items_limit", Kind.NUMBER, width=4),
        _f("CB", "charged_items_limit", Kind.NUMBER, width=4),
        _f("CC", "fee_limit", Kind.MONEY),
        _f("CD", "unavailable_hold_items", repeatable=True),
        _f("CF", "hold_queue_length", Kind.NUMBER),
        _f("CG", "fee_identifier"),
        _f("CH", "item_properties"),
        _f("CI", "security_inhibit", Kind.FLAG),
        _f("CJ", "recall_date", Kind.DATE),
        _f("CK", "media_type"),
        _f("CL", "sort_bin"),
        _f("CM", "hold_pickup_date", Kind.DATE),
        _f("CN", "login_user_id"),
        _f("CO", "login_password"),
        _f("CP", "location_code"),
        _f("CQ", "valid_patron_password", Kind.FLAG),
        # 3M SIP2 extensions used by sorters and hold-shelf alerts.
        _f("CT", "destination_location"),
        _f("CV", "alert_type"),
        _f("CY", "hold_patron_id"),
        _f("DA", "hold_patron_name"),
    )
}

# Error-detection fields: never part of a message body, handled by framing.
TRAILER_IDS = frozenset({"AY", "AZ"})
# Secrets that must not be trimmed when decoding (a space may be part of them) and
# must be redacted in logs.
SECRET_IDS = frozenset({"AC", "AD", "CO"})

# --- code tables (values written as given; names for readable server code) ---

CIRCULATION_STATUS = {
    "other": "01",
    "on_order": "02",
    "available": "03",
    "charged": "04",
    "charged_not_recallable": "05",  # not to be recalled until the earliest recall date
    "in_process": "06",
    "recalled": "07",
    "waiting_on_hold_shelf": "08",
    "waiting_to_be_reshelved": "09",
    "in_transit": "10",
    "claimed_returned": "11",
    "lost": "12",
    "missing": "13",
}
SECURITY_MARKER = {"other": "00", "none": "01", "tattle_tape": "02", "whisper_tape": "03"}
FEE_TYPE = {
    "other": "01",
    "administrative": "02",
    "damage": "03",
    "overdue": "04",
    "processing": "05",
    "rental": "06",
    "replacement": "07",
    "computer_access": "08",
    "hold_fee": "09",
}
PAYMENT_TYPE = {"cash": "00", "visa": "01", "credit_card": "02"}
MEDIA_TYPE = {
    "other": "000",
    "book": "001",
    "magazine": "002",
    "bound_journal": "003",
    "audio_tape": "004",
    "video_tape": "005",
    "cd": "006",
    "diskette": "007",
    "book_with_diskette": "008",
    "book_with_cd": "009",
    "book_with_audio_tape": "010",
}
# CV values of the 3M extension; sorters use them to pick a bin.
ALERT_TYPE = {
    "unknown": "00",
    "hold_local": "01",
    "hold_remote": "02",
    "ill": "03",
    "transit": "04",
    "other": "99",
}
# Hold mode (fixed field of 15).
HOLD_MODE = {"add": "+", "delete": "-", "change": "*"}

# --- patron status: 14 Y/blank flags (fixed field of 24, 26 and 64) ---

PATRON_STATUS_FLAGS: tuple[str, ...] = (
    "charge_privileges_denied",
    "renewal_privileges_denied",
    "recall_privileges_denied",
    "hold_privileges_denied",
    "card_reported_lost",
    "too_many_items_charged",
    "too_many_items_overdue",
    "too_many_renewals",
    "too_many_claims_of_items_returned",
    "too_many_items_lost",
    "excessive_outstanding_fines",
    "excessive_outstanding_fees",
    "recall_overdue",
    "too_many_items_billed",
)


def patron_status(**flags: bool) -> str:
    """The 14-character patron status: ``Y`` where a flag is set, else a space.

    Unknown flag names raise TypeError, so a typo never silently clears a block.
    """
    unknown = set(flags) - set(PATRON_STATUS_FLAGS)
    if unknown:
        raise TypeError(f"unknown patron status flags: {sorted(unknown)}")
    return "".join("Y" if flags.get(name) else " " for name in PATRON_STATUS_FLAGS)


def parse_patron_status(text: str) -> dict[str, bool]:
    """The flags of a patron status field (anything but space/N counts as set)."""
    text = text.ljust(len(PATRON_STATUS_FLAGS))
    return {name: text[i] not in " Nn" for i, name in enumerate(PATRON_STATUS_FLAGS)}


# --- summary: 10 characters, a Y in one position selects an item list (63) ---

SUMMARY_LISTS: tuple[tuple[str, str], ...] = (
    ("hold_items", "AS"),
    ("overdue_items", "AT"),
    ("charged_items", "AU"),
    ("fine_items", "AV"),
    ("recall_items", "BU"),
    ("unavailable_holds", "CD"),
)
SUMMARY_LENGTH = 10


def summary(selected: str | None = None) -> str:
    """The summary field with ``Y`` at the position of list ``selected`` (or none)."""
    names = [name for name, _ in SUMMARY_LISTS]
    if selected is not None and selected not in names:
        raise ValueError(f"unknown summary list {selected!r}")
    return "".join("Y" if name == selected else " " for name in names).ljust(SUMMARY_LENGTH)


def summary_selection(text: str) -> tuple[str, str] | None:
    """The (list name, field id) a summary field asks for, or None.

    The specification allows one ``Y``; when a kiosk sets several, the first wins,
    which keeps the reply small and deterministic.
    """
    for i, (name, field_id) in enumerate(SUMMARY_LISTS):
        if i < len(text) and text[i] in "Yy":
            return name, field_id
    return None


# --- supported messages (BX of 98): 16 Y/N positions in this order ---

SUPPORTED_MESSAGES: tuple[tuple[str, str], ...] = (
    ("patron_status", "23"),
    ("checkout", "11"),
    ("checkin", "09"),
    ("block_patron", "01"),
    ("sc_acs_status", "99"),
    ("request_resend", "97"),
    ("login", "93"),
    ("patron_information", "63"),
    ("end_patron_session", "35"),
    ("fee_paid", "37"),
    ("item_information", "17"),
    ("item_status_update", "19"),
    ("patron_enable", "25"),
    ("hold", "15"),
    ("renew", "29"),
    ("renew_all", "65"),
)


def supported_messages(codes: set[str] | frozenset[str]) -> str:
    """The BX map: ``Y`` for each request message code in ``codes``, else ``N``."""
    return "".join("Y" if code in codes else "N" for _, code in SUPPORTED_MESSAGES)


# --- dates: YYYYMMDDZZZZHHMMSS ---

DATE_LENGTH = 18
BLANK_DATE = " " * DATE_LENGTH
_UTC_KEYS = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Zulu", "Zulu", "Universal"})


def _is_utc(tz: tzinfo | None) -> bool:
    return tz is UTC or getattr(tz, "key", None) in _UTC_KEYS


def format_datetime(value: datetime, tz: tzinfo | None = None) -> str:
    """``YYYYMMDDZZZZHHMMSS`` for ``value``, shown in zone ``tz``.

    The zone part is ``"   Z"`` when the zone is UTC and four spaces (local time of
    the device) otherwise. Without ``tz`` an aware value is shown in its own zone and
    a naive one is taken as local time.
    """
    if tz is not None:
        if value.tzinfo is None:
            raise ValueError("format_datetime needs an aware datetime to convert")
        value = value.astimezone(tz)
    zone = "   Z" if _is_utc(value.tzinfo) else "    "
    return f"{value:%Y%m%d}{zone}{value:%H%M%S}"


class Sip2FormatError(ValueError):
    """A frame (or a field of it) that cannot be read as SIP2.

    The one error the codec raises for bad input; ``reason`` is a short stable code
    for logs and metrics (``empty``, ``unknown_code``, ``short_fixed``, ``encoding``,
    ``date``), the message says more.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class DateError(Sip2FormatError):
    """A date field that is neither blank nor readable."""

    def __init__(self, detail: str) -> None:
        super().__init__("date", detail)


_DIGITS = re.compile(r"[0-9]+\Z")


def parse_datetime(text: str, tz: tzinfo | None = None) -> datetime | None:
    """Read a SIP2 date; None for blanks (and for the all-zero date some SCs send).

    Accepts the 18-character form with blank or ``Z`` zone, and the forms kiosks
    actually send: ``YYYYMMDD HHMMSS``, ``YYYYMMDDHHMMSS``, ``YYYYMMDD`` alone
    (midnight), blanks for the time. A ``Z`` zone gives a UTC time (converted to
    ``tz`` when given); otherwise the time is local, made aware in ``tz`` when given.
    Raises :class:`DateError` for anything else.
    """
    stripped = text.strip(" \x00")
    if not stripped or set(stripped) <= {"0", " "}:
        return None
    if len(text) == DATE_LENGTH and text[8:12].strip() not in ("", "Z", "z"):
        # A non-standard zone (e.g. "0800"): the position still says where the time
        # is; the zone is ignored and the time read as local.
        compact = (text[:8] + text[12:]).replace(" ", "")
        utc = False
    else:
        compact = stripped.replace(" ", "")
        utc = "Z" in compact or "z" in compact
        compact = compact.replace("Z", "").replace("z", "")
    if not _DIGITS.match(compact) or len(compact) not in (8, 12, 14):
        raise DateError(f"unreadable SIP2 date {text!r}")
    compact = compact.ljust(14, "0")
    try:
        value = datetime.strptime(compact, "%Y%m%d%H%M%S")  # zone set below
    except ValueError as exc:
        raise DateError(f"unreadable SIP2 date {text!r}") from exc
    if utc:
        value = value.replace(tzinfo=UTC)
        return value.astimezone(tz) if tz is not None else value
    return value.replace(tzinfo=tz) if tz is not None else value
