"""The MARC editor's text form."""

import pytest

from wenjin.lib.marc.mnemonic import MnemonicError, from_text, to_text
from wenjin.lib.marc.reader import decode
from wenjin.lib.tests.marc_factory import cnmarc


def test_round_trip_including_dollar_signs():
    record = decode(cnmarc()).record
    record["010"]["d"] = "US$12.00"
    text = to_text(record)
    assert "$dUS{$}12.00" in text and text.startswith("LDR ")
    assert from_text(text).as_marc() == record.as_marc()


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("001 x\n", 1, "头标区"),
        ("LDR short\n", 1, "24"),
        ("LDR 00000nam0 2200000   450 \n24 x\n", 2, "字段号"),
        ("LDR 00000nam0 2200000   450 \n200 1 title without subfields\n", 2, "子字段"),
        ("LDR 00000nam0 2200000   450 \n200 1# $\n", 2, "代码"),
    ],
)
def test_errors_name_the_line(text, line, fragment):
    with pytest.raises(MnemonicError) as caught:
        from_text(text)
    assert caught.value.line == line and fragment in caught.value.message


def test_blank_indicators_in_any_spelling():
    record = from_text("LDR 00000nam0 2200000   450 \n200 1_ $a书名\n606 \\# $a主题\n")
    assert (record["200"].indicator1, record["200"].indicator2) == ("1", " ")
    assert record["606"].indicator1 == " " and record["606"].indicator2 == " "
