"""Reading ISO 2709: splitting, structure checks with specific errors, encodings."""

import io
from pathlib import Path

import pytest

from wenjin.lib.marc.reader import MarcError, decode, iter_iso2709, to_iso2709
from wenjin.lib.tests.marc_factory import CNMARC_LEADER, cnmarc, iso2709, marc21

FIXTURES = Path(__file__).resolve().parents[2] / "catalog" / "tests" / "fixtures"


def test_splits_on_record_terminators_and_keeps_positions():
    data = cnmarc(control="A") + b"\n" + cnmarc(control="B") + cnmarc(control="C")
    raws = list(iter_iso2709(io.BytesIO(data), block_size=100))
    assert [raw.position for raw in raws] == [1, 2, 3]
    assert [decode(raw.data).record["001"].data for raw in raws] == ["A", "B", "C"]
    assert raws[1].offset == len(cnmarc(control="A")) + 1


def test_lc_fixture_reads_cleanly():
    with (FIXTURES / "lc-sample.mrc").open("rb") as stream:
        decoded = [decode(raw.data) for raw in iter_iso2709(stream)]
    assert len(decoded) == 50
    assert {d.flavour for d in decoded} == {"marc21"}


@pytest.mark.parametrize(
    ("mangle", "code"),
    [
        (lambda d: b"12x45" + d[5:], "BAD_LEADER"),
        (lambda d: f"{len(d) + 7:05d}".encode() + d[5:], "BAD_RECORD_LENGTH"),
        (lambda d: d[:12] + b"00030" + d[17:], "BAD_BASE_ADDRESS"),
        (lambda d: d[:27] + b"x" + d[28:], "BAD_DIRECTORY"),
        (lambda d: d[:27] + b"9999" + d[31:], "BAD_DIRECTORY"),
        (lambda d: d[:-1], "TRUNCATED_RECORD"),
        (lambda d: d[:20], "TRUNCATED_RECORD"),
        (lambda d: d[:5] + "头".encode() + d[8:], "BAD_LEADER"),
    ],
)
def test_broken_structure_gets_a_specific_error(mangle, code):
    with pytest.raises(MarcError) as caught:
        decode(mangle(cnmarc()))
    assert caught.value.code == code
    assert caught.value.message


def test_a_broken_record_does_not_swallow_the_next_one():
    broken = b"00099" + cnmarc(control="X")[5:]  # wrong length in the leader
    data = cnmarc(control="A") + broken + cnmarc(control="B")
    results = []
    for raw in iter_iso2709(io.BytesIO(data)):
        try:
            results.append(decode(raw.data).record["001"].data)
        except MarcError as error:
            results.append(error.code)
    assert results == ["A", "BAD_RECORD_LENGTH", "B"]


def test_gb18030_needs_the_option_and_then_reads():
    data = cnmarc(title="廣州風物誌", encoding="gb18030")
    with pytest.raises(MarcError) as caught:
        decode(data)
    assert caught.value.code == "ENCODING_ERROR" and "gb18030" in caught.value.message
    decoded = decode(data, encoding="gb18030")
    assert decoded.record["200"]["a"] == "廣州風物誌"
    assert decode(decoded.utf8).record["200"]["a"] == "廣州風物誌"  # stored as UTF-8


def test_marc21_with_blank_leader_09_is_read_as_marc8():
    # MARC-8: ESC ( N switches nothing here; plain ASCII plus a MARC-8 combining acute (0xE2).
    leader = "00000nam  2200000 a 4500"
    fields = [("001", "M8"), ("245", "10", [("a", "Caf\xe2e")])]
    raw = iso2709(leader, fields, "latin-1")
    decoded = decode(raw)
    assert decoded.record["245"]["a"] == "Café"
    assert decoded.utf8[9:10] == b"a"


def test_flavour_is_detected_or_forced():
    assert decode(cnmarc()).flavour == "cnmarc"
    assert decode(marc21()).flavour == "marc21"
    assert decode(cnmarc(), flavour="marc21").flavour == "marc21"


def test_fields_too_long_for_iso2709_are_refused():
    record = decode(cnmarc()).record
    import pymarc

    record.add_field(
        pymarc.Field(
            tag="330",
            indicators=pymarc.Indicators(" ", " "),
            subfields=[pymarc.Subfield("a", "长" * 4000)],
        )
    )
    with pytest.raises(MarcError) as caught:
        to_iso2709(record)
    assert caught.value.code == "FIELD_TOO_LONG"


def test_leader_template_is_24_characters():
    assert len(CNMARC_LEADER) == 24
