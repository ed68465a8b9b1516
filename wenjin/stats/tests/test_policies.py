"""Pure rules of the statistics: inputs, forms by year, shares, flags."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wenjin.stats import policies


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("computers", 40, Decimal(40)),
        ("computers", "40", Decimal(40)),
        ("shelf_length_m", "1200.5", Decimal("1200.5")),
        ("digital_text_tb", 0.125, Decimal("0.125")),
        ("website_visits", 0, Decimal(0)),
    ],
)
def test_clean_input_accepts_numbers(key, value, expected):
    assert policies.clean_input(key, value) == expected


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [
        ("computer", 1, "UNKNOWN_KEY"),
        ("computers", True, "NOT_A_NUMBER"),
        ("computers", None, "NOT_A_NUMBER"),
        ("computers", "forty", "NOT_A_NUMBER"),
        ("computers", "NaN", "NOT_A_NUMBER"),
        ("computers", "Infinity", "NOT_A_NUMBER"),
        ("computers", -1, "NEGATIVE"),
        ("computers", 1.5, "TOO_PRECISE"),
        ("shelf_length_m", "3.25", "TOO_PRECISE"),
        ("website_visits", 10**13, "TOO_LARGE"),
    ],
)
def test_clean_input_refuses_bad_values(key, value, code):
    with pytest.raises(policies.InputError) as refused:
        policies.clean_input(key, value)
    assert refused.value.code == code
    assert refused.value.status == 400
    if code != "UNKNOWN_KEY":
        assert refused.value.details == {"key": key}


def test_year_bounds():
    policies.check_year(2025)
    for year in (1949, 2101):
        with pytest.raises(policies.InputError):
            policies.check_year(year)


def test_the_form_by_year():
    old, new = policies.comprehensive_rows(2019), policies.comprehensive_rows(2020)
    old_keys, new_keys = [r.key for r in old], [r.key for r in new]
    assert policies.schema_for(2019) == "2011" and policies.schema_for(2020) == "2020"
    assert {"ebooks_total", "ebooks_self_built", "ebooks_purchased", "ebooks_shared"} <= set(
        old_keys
    )
    assert not [key for key in new_keys if key.startswith("ebooks")]
    assert set(new_keys) - set(old_keys) == {
        "av_resources_khours",
        "digital_text_tb",
        "online_service_visits",
    }
    assert old_keys[0] == new_keys[0] == "holdings_total"
    assert len(set(old_keys)) == len(old_keys)
    # every entered row is an input a statistician can enter (the e-book total is a sum)
    for row in old + new:
        if row.source == "entered" and row.key != "ebooks_total":
            assert row.key in policies.INPUT_KEYS


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1, 1, 1], ["33.34", "33.33", "33.33"]),
        ([1, 5, 4, 1], ["9.09", "45.46", "36.36", "9.09"]),
        ([0, 7, 0], ["0.00", "100.00", "0.00"]),
        ([0, 0], ["0.00", "0.00"]),
        ([2, 1], ["66.67", "33.33"]),
        ([], []),
    ],
)
def test_shares_sum_to_exactly_100(values, expected):
    got = policies.shares(values)
    assert [str(share) for share in got] == expected
    if sum(values):
        assert sum(got) == Decimal("100.00")


def test_shares_sum_to_100_for_many_awkward_splits():
    for n in range(1, 40):
        values = [(i * 7919) % 97 + 1 for i in range(n)]
        assert sum(policies.shares(values)) == Decimal("100.00")


def test_percent_text():
    assert policies.percent_text(Decimal("9.05")) == "9.05%"
    assert policies.percent_text(Decimal("100")) == "100.00%"


def test_activity_kinds_order():
    assert policies.activity_kinds(["other", "lecture", "film"]) == [
        "exhibition",
        "lecture",
        "training",
        "reading_promotion",
        "film",
        "other",
    ]


def test_subset_flags():
    labels = {"computers": "计算机台数", "reader_terminals": "供读者使用的终端数"}
    flags = policies.subset_flags({"computers": 10, "reader_terminals": 11}, labels, "YX")
    assert [flag.code for flag in flags] == ["SUBSET_EXCEEDS_TOTAL"]
    assert flags[0].org_code == "YX" and "计算机台数" in flags[0].message
    assert not policies.subset_flags({"computers": 10, "reader_terminals": 10}, labels)
    assert not policies.subset_flags({"computers": None, "reader_terminals": 3}, labels)
    assert not policies.subset_flags({"visits": 0, "lending_visits": 3}, labels)
    assert policies.subset_flags({"visits": 2, "lending_visits": 3}, labels)


def test_visits_dropped():
    assert policies.visits_dropped(100, 1000, 90)
    assert not policies.visits_dropped(101, 1000, 90)
    assert not policies.visits_dropped(0, 0, 90)
    assert policies.visits_dropped(0, 5, 90)
