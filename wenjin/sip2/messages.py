"""The SIP2 2.00 message layouts, as data.

Each message is its two-digit code, fixed-length fields in order, then variable
fields in the order the specification lists them (the encoder sends them in that
order; the decoder accepts any order). ``required`` marks the fields the
specification requires: the encoder always sends them, empty when no value is
known, because SCs index on their presence.
"""

from __future__ import annotations

from dataclasses import dataclass

from wenjin.sip2.fields import DATE_LENGTH, FIELDS, SUMMARY_LENGTH, Field, Fixed, Kind


@dataclass(frozen=True, slots=True)
class Layout:
    """The layout of one message."""

    code: str
    name: str
    fixed: tuple[Fixed, ...]
    fields: tuple[Field, ...]
    required: frozenset[str]

    @property
    def fixed_length(self) -> int:
        """Characters of the fixed part after the two-digit code."""
        return sum(f.length for f in self.fixed)

    @property
    def fixed_names(self) -> tuple[str, ...]:
        """Names of the fixed fields, in order."""
        return tuple(f.name for f in self.fixed)

    @property
    def field_ids(self) -> tuple[str, ...]:
        """Identifiers of the variable fields, in the specification's order."""
        return tuple(f.id for f in self.fields)


def _layout(code: str, name: str, fixed: tuple[Fixed, ...], spec: str) -> Layout:
    """Build a layout from a compact field list: ``"AO! AA! AC AD"`` (``!`` = required)."""
    fields = []
    required = set()
    for token in spec.split():
        field_id = token.rstrip("!")
        fields.append(FIELDS[field_id])
        if token.endswith("!"):
            required.add(field_id)
    return Layout(code, name, fixed, tuple(fields), frozenset(required))


# Fixed fields shared by many messages.
DATE = Fixed("transaction_date", DATE_LENGTH, Kind.DATE)
LANGUAGE = Fixed("language", 3, Kind.NUMBER)  # 000 unknown, 001 English, 019 Chinese
PATRON_STATUS = Fixed("patron_status", 14)
OK = Fixed("ok", 1, Kind.BIT)
MAGNETIC = Fixed("magnetic_media", 1, Kind.FLAG)  # Y, N or U (unknown)
SCREEN = "AF AG"  # screen messages and print lines end every response


def _count(name: str) -> Fixed:
    return Fixed(name, 4, Kind.NUMBER)


def _flag(name: str) -> Fixed:
    return Fixed(name, 1, Kind.FLAG)


LAYOUTS: dict[str, Layout] = {
    layout.code: layout
    for layout in (
        # --- requests from the SC ---
        _layout(
            "93", "login", (Fixed("uid_algorithm", 1), Fixed("pwd_algorithm", 1)), "CN! CO! CP"
        ),
        _layout(
            "99",
            "sc_status",
            (
                Fixed("status_code", 1),
                Fixed("max_print_width", 3, Kind.NUMBER),
                Fixed("protocol_version", 4),
            ),
            "",
        ),
        _layout(
            "63",
            "patron_information",
            (LANGUAGE, DATE, Fixed("summary", SUMMARY_LENGTH)),
            "AO! AA! AC AD BP BQ",
        ),
        _layout("23", "patron_status_request", (LANGUAGE, DATE), "AO! AA! AC! AD!"),
        _layout(
            "11",
            "checkout",
            (
                _flag("sc_renewal_policy"),
                _flag("no_block"),
                DATE,
                Fixed("nb_due_date", 18, Kind.DATE),
            ),
            "AO! AA! AB! AC! CH AD BO BI",
        ),
        _layout(
            "09",
            "checkin",
            (_flag("no_block"), DATE, Fixed("return_date", 18, Kind.DATE)),
            "AP! AO! AB! AC! CH BI",
        ),
        _layout(
            "29",
            "renew",
            (
                _flag("third_party_allowed"),
                _flag("no_block"),
                DATE,
                Fixed("nb_due_date", 18, Kind.DATE),
            ),
            "AO! AA! AD AB AJ AC CH BO",
        ),
        _layout("65", "renew_all", (DATE,), "AO! AA! AD AC BO"),
        _layout("17", "item_information", (DATE,), "AO! AB! AC"),
        _layout("15", "hold", (Fixed("hold_mode", 1), DATE), "BW BS BY AO! AA! AD AB AJ AC BO"),
        _layout("19", "item_status_update", (DATE,), "AO! AB! AC CH!"),
        _layout("25", "patron_enable", (DATE,), "AO! AA! AC AD"),
        _layout(
            "37",
            "fee_paid",
            (
                DATE,
                Fixed("fee_type", 2, Kind.NUMBER),
                Fixed("payment_type", 2, Kind.NUMBER),
                Fixed("currency_type", 3),
            ),
            "BV! AO! AA! AC AD CG BK",
        ),
        _layout("35", "end_patron_session", (DATE,), "AO! AA! AC AD"),
        _layout("01", "block_patron", (_flag("card_retained"), DATE), "AO! AL! AA! AC!"),
        _layout("97", "request_acs_resend", (), ""),
        # --- responses from the ACS ---
        _layout("94", "login_response", (OK,), ""),
        _layout(
            "98",
            "acs_status",
            (
                _flag("online_status"),
                _flag("checkin_ok"),
                _flag("checkout_ok"),
                _flag("acs_renewal_policy"),
                _flag("status_update_ok"),
                _flag("offline_ok"),
                Fixed("timeout_period", 3, Kind.NUMBER),
                Fixed("retries_allowed", 3, Kind.NUMBER),
                Fixed("date_time_sync", 18, Kind.DATE),
                Fixed("protocol_version", 4),
            ),
            f"AO! AM BX! AN {SCREEN}",
        ),
        _layout(
            "64",
            "patron_information_response",
            (
                PATRON_STATUS,
                LANGUAGE,
                DATE,
                _count("hold_items_count"),
                _count("overdue_items_count"),
                _count("charged_items_count"),
                _count("fine_items_count"),
                _count("recall_items_count"),
                _count("unavailable_holds_count"),
            ),
            f"AO! AA! AE! BZ CA CB BL CQ BH BV CC AS AT AU AV BU CD BD BE BF {SCREEN}",
        ),
        _layout(
            "24",
            "patron_status_response",
            (PATRON_STATUS, LANGUAGE, DATE),
            f"AO! AA! AE! BL CQ BH BV {SCREEN}",
        ),
        _layout(
            "12",
            "checkout_response",
            (OK, _flag("renewal_ok"), MAGNETIC, _flag("desensitize"), DATE),
            f"AO! AA! AB! AJ! AH! BT CI BH BV CK CH BK {SCREEN}",
        ),
        _layout(
            "10",
            "checkin_response",
            (OK, _flag("resensitize"), MAGNETIC, _flag("alert"), DATE),
            f"AO! AB! AQ! AJ CL AA CK CH CT CV CY DA {SCREEN}",
        ),
        _layout(
            "30",
            "renew_response",
            (OK, _flag("renewal_ok"), MAGNETIC, _flag("desensitize"), DATE),
            f"AO! AA! AB! AJ! AH! BT CI BH BV CK CH BK {SCREEN}",
        ),
        _layout(
            "66",
            "renew_all_response",
            (OK, _count("renewed_count"), _count("unrenewed_count"), DATE),
            f"AO! BM BN {SCREEN}",
        ),
        _layout(
            "18",
            "item_information_response",
            (
                Fixed("circulation_status", 2, Kind.NUMBER),
                Fixed("security_marker", 2, Kind.NUMBER),
                Fixed("fee_type", 2, Kind.NUMBER),
                DATE,
            ),
            f"CF AH CJ CM AB! AJ! BG BH BV CK AQ AP CH {SCREEN}",
        ),
        _layout(
            "16",
            "hold_response",
            (OK, _flag("available"), DATE),
            f"BW BR BS AO! AA! AB AJ {SCREEN}",
        ),
        _layout(
            "20",
            "item_status_update_response",
            (Fixed("item_properties_ok", 1, Kind.BIT), DATE),
            f"AB! AJ CH {SCREEN}",
        ),
        _layout(
            "26",
            "patron_enable_response",
            (PATRON_STATUS, LANGUAGE, DATE),
            f"AO! AA! AE! BL CQ {SCREEN}",
        ),
        _layout(
            "38", "fee_paid_response", (_flag("payment_accepted"), DATE), f"AO! AA! BK {SCREEN}"
        ),
        _layout("36", "end_session_response", (_flag("end_session"), DATE), f"AO! AA! {SCREEN}"),
        _layout("96", "request_sc_resend", (), ""),
    )
}

# Which response answers which request. 01 block patron is answered with 24; 97 is
# answered by resending the last response, and 96 by the SC resending its request.
REPLY_TO: dict[str, str] = {
    "93": "94",
    "99": "98",
    "63": "64",
    "23": "24",
    "11": "12",
    "09": "10",
    "29": "30",
    "65": "66",
    "17": "18",
    "15": "16",
    "19": "20",
    "25": "26",
    "37": "38",
    "35": "36",
    "01": "24",
}
REQUEST_CODES = frozenset({*REPLY_TO, "97"})
RESPONSE_CODES = frozenset(LAYOUTS) - REQUEST_CODES
