"""Export: round trip keeps every field, indicator and subfield; yaz-marcdump reads it."""

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pymarc
import pytest
from django.core.management import call_command

from wenjin.catalog.exporter import export_records
from wenjin.catalog.models import Record
from wenjin.catalog.selectors import QueryError, records_matching
from wenjin.lib.marc.reader import decode, iter_iso2709
from wenjin.lib.tests.marc_factory import cnmarc

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fields_of(record: pymarc.Record) -> list:
    return [
        (f.tag, f.data)
        if f.is_control_field()
        else (f.tag, f.indicator1, f.indicator2, [(s.code, s.value) for s in f.subfields])
        for f in record.fields
    ]


@pytest.fixture
def imported(tree, tmp_path):
    mixed = tmp_path / "mixed.mrc"
    mixed.write_bytes(
        (FIXTURES / "lc-sample.mrc").read_bytes()
        + cnmarc(control="CN1")
        + cnmarc(control="CN2", title="广府文化")
    )
    call_command("import_marc", str(mixed), "--quiet-progress")
    return mixed


def test_iso2709_round_trip_preserves_everything(imported, tmp_path):
    out = tmp_path / "out.mrc"
    call_command("export_marc", str(out))
    with imported.open("rb") as original, out.open("rb") as exported:
        before = [fields_of(decode(raw.data).record) for raw in iter_iso2709(original)]
        after = [fields_of(decode(raw.data).record) for raw in iter_iso2709(exported)]
    assert len(after) == 52 and after == before


def test_marcxml_round_trip_preserves_everything(imported, tmp_path):
    out = tmp_path / "out.xml"
    call_command("export_marc", str(out), "--format", "marcxml")
    with imported.open("rb") as original:
        before = [fields_of(decode(raw.data).record) for raw in iter_iso2709(original)]
    after = [fields_of(record) for record in pymarc.parse_xml_to_array(str(out))]
    assert after == before


def test_export_with_items_adds_holdings_that_import_reads(tree, system, tmp_path):
    from wenjin.catalog.services import items_add

    call_command("import_marc", str(FIXTURES / "lc-sample.mrc"), "--quiet-progress")
    record = Record.objects.order_by("pk").first()
    items_add(
        actor=system,
        record_id=record.pk,
        owning_org_code="YX-GT",
        barcodes=["E1", "E2"],
        call_number="K296/3",
    )
    buffer = io.BytesIO()
    export_records(Record.objects.filter(pk=record.pk), buffer, with_items=True)
    exported = decode(buffer.getvalue()).record
    assert [f["p"] for f in exported.get_fields("852")] == ["E1", "E2"]
    assert exported.get_fields("852")[0]["h"] == "K296"


@pytest.mark.django_db
def test_query_filters():
    assert records_matching("") is not None
    for bad in ("color:red", "year:abc", "isbn:123", "org:NOPE", "id:"):
        with pytest.raises(QueryError):
            records_matching(bad)


def test_query_selects_records(imported):
    chinese = records_matching("lang:chi").count()
    assert chinese >= 20
    assert records_matching("title:广府文化").count() == 1


def test_yaz_marcdump_reads_our_export(imported, tmp_path):
    if not shutil.which("yaz-marcdump"):
        if os.environ.get("CI"):
            pytest.fail("yaz-marcdump (Debian package yaz) is needed in CI")
        pytest.skip("yaz-marcdump is not installed; CI checks this")
    for fmt, flag in (("iso2709", "marc"), ("marcxml", "marcxml")):
        out = tmp_path / f"out.{fmt}"
        call_command("export_marc", str(out), "--format", fmt, "--with-items")
        result = subprocess.run(
            ["yaz-marcdump", "-i", flag, "-o", "line", str(out)], capture_output=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        leaders = re.findall(rb"^\d{5}[a-z ]{2}", result.stdout, re.MULTILINE)
        assert len(leaders) == Record.objects.count() == 52
        assert b"error" not in result.stderr.lower() and b"warning" not in result.stderr.lower()
