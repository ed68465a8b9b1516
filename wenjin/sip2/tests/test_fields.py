"""Composite fixed fields and dates."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from wenjin.sip2.fields import (
    PATRON_STATUS_FLAGS,
    DateError,
    Sip2FormatError,
    format_datetime,
    parse_datetime,
    parse_patron_status,
    patron_status,
    summary,
    summary_selection,
    supported_messages,
)
from wenjin.sip2.messages import REQUEST_CODES

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_patron_status_positions():
    assert patron_status() == " " * 14
    assert patron_status(charge_privileges_denied=True) == "Y" + " " * 13
    assert patron_status(too_many_items_billed=True) == " " * 13 + "Y"
    assert (
        patron_status(too_many_items_charged=True, excessive_outstanding_fines=True)
        == "     Y    Y   "
    )
    assert patron_status(card_reported_lost=False) == " " * 14
    with pytest.raises(TypeError):
        patron_status(charge_priviledges_denied=True)


def test_parse_patron_status_round_trip():
    flags = dict.fromkeys(PATRON_STATUS_FLAGS, False) | {"recall_overdue": True}
    assert parse_patron_status(patron_status(**flags)) == flags
    assert not any(parse_patron_status("NNNN").values())


def test_summary():
    assert summary() == " " * 10
    assert summary("charged_items") == "  Y       "
    assert summary("unavailable_holds") == "     Y    "
    assert summary_selection("  Y       ") == ("charged_items", "AU")
    assert summary_selection("Y Y       ") == ("hold_items", "AS")
    assert summary_selection("          ") is None
    assert summary_selection("") is None
    with pytest.raises(ValueError):
        summary("everything")


def test_supported_messages():
    assert supported_messages(REQUEST_CODES) == "Y" * 16
    assert supported_messages(set()) == "N" * 16
    # Position 13 (0-based 12) is patron enable.
    assert supported_messages(REQUEST_CODES - {"25"}) == "Y" * 12 + "N" + "YYY"


def test_format_datetime():
    when = datetime(2026, 1, 28, 6, 30, 5, tzinfo=UTC)
    assert format_datetime(when, SHANGHAI) == "20260128    143005"
    assert format_datetime(when) == "20260128   Z063005"
    assert format_datetime(when, ZoneInfo("UTC")) == "20260128   Z063005"
    assert format_datetime(datetime(2026, 1, 28, 14, 30, 5)) == "20260128    143005"
    with pytest.raises(ValueError):
        format_datetime(datetime(2026, 1, 28), SHANGHAI)


@pytest.mark.parametrize(
    "text",
    ["", " " * 18, "                  ", "00000000    000000", "\x00" * 18],
)
def test_parse_blank_dates(text):
    assert parse_datetime(text, SHANGHAI) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20260128    143005", datetime(2026, 1, 28, 14, 30, 5, tzinfo=SHANGHAI)),
        ("20260128   Z063005", datetime(2026, 1, 28, 14, 30, 5, tzinfo=SHANGHAI)),
        ("20260128 143005", datetime(2026, 1, 28, 14, 30, 5, tzinfo=SHANGHAI)),
        ("20260128143005", datetime(2026, 1, 28, 14, 30, 5, tzinfo=SHANGHAI)),
        ("20260128", datetime(2026, 1, 28, tzinfo=SHANGHAI)),
        ("20260128          ", datetime(2026, 1, 28, tzinfo=SHANGHAI)),
        ("20260128    1430  ", datetime(2026, 1, 28, 14, 30, tzinfo=SHANGHAI)),
        ("202601280800143005", datetime(2026, 1, 28, 14, 30, 5, tzinfo=SHANGHAI)),
    ],
)
def test_parse_tolerant_dates(text, expected):
    assert parse_datetime(text, SHANGHAI) == expected


def test_parse_without_zone():
    assert parse_datetime("20260128    143005") == datetime(2026, 1, 28, 14, 30, 5)
    assert parse_datetime("20260128   Z063005") == datetime(2026, 1, 28, 6, 30, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["2026012", "20261328    000000", "tomorrow", "20260128    25xx00"]
)
def test_parse_bad_dates(text):
    with pytest.raises(DateError) as info:
        parse_datetime(text)
    assert isinstance(info.value, Sip2FormatError) and info.value.reason == "date"
