"""Batch import: mapping into records, match rules, re-import, holdings, bad records."""

from pathlib import Path

import pytest
from django.core.management import call_command

from wenjin.accounts.models import AuditEntry
from wenjin.catalog.importer import ImportOptions, import_marc
from wenjin.catalog.models import Item, Record, RecordIsbn
from wenjin.catalog.services import location_create
from wenjin.lib.errors import DomainError
from wenjin.lib.tests.marc_factory import cnmarc, marc21

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def write(tmp_path):
    def write(*records: bytes, name: str = "batch.mrc") -> Path:
        path = tmp_path / name
        path.write_bytes(b"".join(records))
        return path

    return write


def run(path, system, **options):
    return import_marc(path, ImportOptions(**options), actor=system)


def test_lc_fixture_imports_and_reimport_changes_nothing(tree, system):
    path = FIXTURES / "lc-sample.mrc"
    first = run(path, system)
    assert (first.read, first.created, first.failed) == (50, 50, 0)
    assert Record.objects.count() == 50
    chinese = Record.objects.exclude(title_romanized="").first()
    assert chinese is not None and any("\u4e00" <= c <= "\u9fff" for c in chinese.title)
    before = list(Record.objects.values_list("pk", "updated_at", "marc_digest"))
    second = run(path, system)
    assert (second.created, second.skipped, second.merged) == (0, 50, 0)
    assert list(Record.objects.values_list("pk", "updated_at", "marc_digest")) == before
    entry = AuditEntry.objects.filter(action="catalog.import").first()
    assert entry.changes["created"] == 0 and entry.changes["skipped"] == 50


def test_records_without_001_are_matched_by_content(tree, system, write):
    from wenjin.lib.tests.marc_factory import CNMARC_LEADER, iso2709

    record = iso2709(CNMARC_LEADER, [("200", "1 ", [("a", "无控制号的书")])])
    path = write(record, record)
    summary = run(path, system)
    assert (summary.created, summary.skipped) == (1, 1)
    assert run(path, system).created == 0


def test_match_by_isbn_and_overlay(tree, system, write):
    run(write(cnmarc(control="A1", title="旧题名", isbn="978-7-218-12345-5")), system)
    record = Record.objects.get()
    overlay = run(
        write(cnmarc(control="B2", title="新题名", isbn="9787218123455"), name="b.mrc"),
        system,
        match="isbn",
        on_match="overlay",
    )
    assert (overlay.merged, overlay.created) == (1, 0)
    record.refresh_from_db()
    assert record.title == "新题名" and record.control_number == "B2"
    assert list(RecordIsbn.objects.values_list("isbn13", flat=True)) == ["9787218123455"]
    new = run(
        write(cnmarc(control="C3", isbn="9787218123455"), name="c.mrc"),
        system,
        match="isbn",
        on_match="new",
    )
    assert new.created == 1 and Record.objects.count() == 2
    none = run(write(cnmarc(control="A1"), name="d.mrc"), system, match="none")
    assert none.created == 1


def test_bad_records_are_reported_and_skipped(tree, system, write):
    good1 = cnmarc(control="G1", title="好记录一")
    broken = b"00099" + cnmarc(control="BAD")[5:]
    no_title = cnmarc(control="NT", title="")
    good2 = cnmarc(control="G2", title="好记录二")
    summary = run(write(good1, broken, no_title, good2), system)
    assert (summary.read, summary.created, summary.failed) == (4, 2, 2)
    assert [(f.position, f.code) for f in summary.failures] == [
        (2, "BAD_RECORD_LENGTH"),
        (3, "MISSING_TITLE"),
    ]
    assert sorted(Record.objects.values_list("control_number", flat=True)) == ["G1", "G2"]


def test_holdings_from_905_create_items_with_scheme_rules(tree, system, write):
    location = location_create(
        actor=system, org_code="YX-GT", kind="shelf", code="S1", name="第1架"
    )
    holdings = [
        [("a", "YX-GT"), ("b", "T0001"), ("c", "S1"), ("d", "K296.5"), ("e", "12")],
        [("a", "YX-DS"), ("b", "T0002"), ("d", "K296.5"), ("e", "12"), ("f", "v.2")],
    ]
    english = cnmarc(
        control="EN",
        title="Guangzhou stories",
        language="eng",
        holdings=[[("a", "YX-GT"), ("b", "T0003")]],
    )
    summary = run(write(cnmarc(holdings=holdings), english), system, items_from="905")
    assert summary.items_created == 3 and summary.failed == 0
    first = Item.objects.get(barcode="T0001")
    assert first.owning_org.code == "YX-GT" and first.location == location
    assert first.call_number == "K296.5/12" and first.in_network_scheme
    assert Item.objects.get(barcode="T0002").volume == "v.2"
    assert not Item.objects.get(barcode="T0003").in_network_scheme  # foreign language: stays home


def test_holdings_problems_fail_the_whole_record(tree, system, write):
    run(
        write(cnmarc(control="OLD", holdings=[[("a", "YX-GT"), ("b", "DUP1")]])),
        system,
        items_from="905",
    )
    duplicate = cnmarc(
        control="N1", holdings=[[("a", "YX-GT"), ("b", "NEW1")], [("a", "YX-GT"), ("b", "DUP1")]]
    )
    unknown_org = cnmarc(control="N2", holdings=[[("a", "NOWHERE"), ("b", "NEW2")]])
    no_org = cnmarc(control="N3", holdings=[[("b", "NEW3")]])
    same_twice = cnmarc(control="N4", holdings=[[("a", "YX-GT"), ("b", "NEW4")]])
    clash_in_file = cnmarc(control="N5", holdings=[[("a", "YX-GT"), ("b", "NEW4")]])
    summary = run(
        write(duplicate, unknown_org, no_org, same_twice, clash_in_file, name="h.mrc"),
        system,
        items_from="905",
    )
    codes = {f.position: f.code for f in summary.failures}
    assert codes == {
        1: "DUPLICATE_BARCODE",
        2: "UNKNOWN_ORG",
        3: "NO_OWNING_ORG",
        5: "DUPLICATE_BARCODE",
    }
    assert not Record.objects.filter(control_number__in=["N1", "N2", "N3", "N5"]).exists()
    assert not Item.objects.filter(barcode="NEW1").exists()
    assert Item.objects.filter(barcode="NEW4", record__control_number="N4").exists()
    with_default = run(write(no_org, name="i.mrc"), system, items_from="905", owning_org="YX-DS")
    assert (
        with_default.items_created == 1
        and Item.objects.get(barcode="NEW3").owning_org.code == "YX-DS"
    )


def test_holdings_from_852(tree, system, write):
    raw = marc21(
        control="M1", holdings=[[("a", "YX"), ("h", "K296.5"), ("i", "7"), ("p", "M0001")]]
    )
    summary = run(write(raw), system, items_from="852")
    assert summary.items_created == 1
    assert Item.objects.get(barcode="M0001").call_number == "K296.5/7"


def test_gb18030_file(tree, system, write):
    path = write(cnmarc(control="GB1", title="廣州風物誌", encoding="gb18030"))
    failed = run(path, system)
    assert failed.failed == 1 and failed.failures[0].code == "ENCODING_ERROR"
    summary = run(path, system, encoding="gb18030")
    assert summary.created == 1 and Record.objects.get().title == "廣州風物誌"


def test_marcxml_input(tree, system, write, tmp_path):
    call_command("import_marc", str(FIXTURES / "lc-sample.mrc"), "--quiet-progress")
    out = tmp_path / "out.xml"
    call_command("export_marc", str(out), "--format", "marcxml")
    Record.objects.all().delete()
    summary = run(out, system)
    assert summary.created == 50 and summary.failed == 0


def test_bad_options_and_permissions(tree, system, write, make_staff, actor_for):
    path = write(cnmarc())
    with pytest.raises(DomainError) as bad:
        run(path, system, match="title")
    assert bad.value.code == "VALIDATION_ERROR"
    with pytest.raises(DomainError) as unknown:
        run(path, system, owning_org="NOPE")
    assert unknown.value.code == "VALIDATION_ERROR"
    desk = actor_for(make_staff("desk", "desk_staff", "YX-GT"))
    with pytest.raises(DomainError) as denied:
        import_marc(path, ImportOptions(), actor=desk)
    assert denied.value.code == "FORBIDDEN"
    assert not Record.objects.exists()


def test_command_reports_summary_and_exits_cleanly_with_failures(tree, write, capsys):
    path = write(cnmarc(control="A"), b"garbage\x1d", cnmarc(control="B"))
    call_command("import_marc", str(path), "--quiet-progress")
    captured = capsys.readouterr()
    assert "read 3, created 2, merged 0, skipped 0, failed 1" in captured.out
    assert "第 2 条记录" in captured.err


def test_consumed_holdings_fields_leave_the_stored_marc(tree, system, write):
    from wenjin.lib.marc.reader import decode

    raw = cnmarc(control="H1", holdings=[[("a", "YX-GT"), ("b", "HB1")]])
    run(write(raw), system, items_from="905")
    stored = decode(bytes(Record.objects.get(control_number="H1").marc)).record
    assert stored.get_fields("905") == [] and stored["200"]["a"] == "岭南文化十讲"
    kept = run(
        write(cnmarc(control="H2", holdings=[[("a", "YX-GT"), ("b", "HB2")]]), name="k.mrc"), system
    )
    assert kept.items_created == 0
    assert decode(bytes(Record.objects.get(control_number="H2").marc)).record.get_fields("905")


def test_surprising_records_fail_alone(tree, system, write):
    from wenjin.lib.tests.marc_factory import CNMARC_LEADER, iso2709

    nul = iso2709(CNMARC_LEADER, [("001", "NUL"), ("200", "1 ", [("a", "题名\x00坏")])])
    odd_code = iso2709(CNMARC_LEADER, [("001", "ODD"), ("200", "1 ", [("a", "题名"), ("中", "x")])])
    weird_isbn = cnmarc(control="WI", isbn="0-19-85266\n-6")
    pricey = cnmarc(
        control="PR", holdings=[[("a", "YX-GT"), ("b", "PX1"), ("9", "CNY123456789012")]]
    )
    summary = run(
        write(cnmarc(control="OK1"), nul, odd_code, weird_isbn, pricey, cnmarc(control="OK2")),
        system,
        items_from="905",
    )
    codes = {f.position: f.code for f in summary.failures}
    assert codes == {2: "CONTROL_CHARACTER", 3: "BAD_SUBFIELD_CODE"}
    assert sorted(Record.objects.values_list("control_number", flat=True)) == [
        "OK1",
        "OK2",
        "PR",
        "WI",
    ]
    assert Item.objects.get(barcode="PX1").price is None  # an impossible price is not kept


def test_reimporting_an_export_with_items_changes_nothing(tree, system, write, tmp_path):
    run(
        write(cnmarc(control="R1", holdings=[[("a", "YX-GT"), ("b", "RB1"), ("9", "CNY45.00")]])),
        system,
        items_from="905",
    )
    out = tmp_path / "with-items.mrc"
    call_command("export_marc", str(out), "--with-items")
    for on_match in ("skip", "overlay"):
        summary = run(out, system, items_from="905", on_match=on_match)
        assert summary.failed == 0, summary.failures
    assert Item.objects.filter(barcode="RB1").count() == 1
    assert str(Item.objects.get(barcode="RB1").price) == "45.00"


@pytest.mark.parametrize(
    "isbns",
    [
        ["0198526636 (pbk.)", "9780198526636", "702000220x", "9791034304806"],  # all bare
        ["0-19-852663-6", "9787020002207"],  # hyphens: read by wenjin.lib.isbn
        ["0198526637", "9787020002208", "9771234567003", "12345", "7218123457"],  # bad ones
        ["ISBN 978 7 02 000220 7", "702000220X (精装)"],
    ],
)
def test_isbns_are_read_as_the_isbn_helpers_read_them(tree, system, write, isbns):
    from wenjin.lib.isbn import split_isbns

    run(write(marc21(control="I1", isbns=isbns)), system)
    record = Record.objects.get()
    valid, invalid = split_isbns(isbns)
    assert record.isbns == valid
    warned = [w["message"] for w in record.warnings if w["code"] == "INVALID_ISBN"]
    assert warned == (["无效的 ISBN：" + "，".join(invalid)] if invalid else [])


def test_batch_settings_are_undone_after_the_import(tree, system, write):
    import gc

    from django.db import connection

    def state():
        pragmas = []
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                for name in ("cache_size", "wal_autocheckpoint"):
                    cursor.execute(f"PRAGMA {name}")
                    pragmas.append(cursor.fetchone()[0])
        return gc.get_threshold(), gc.get_freeze_count(), pragmas

    before = state()
    run(write(cnmarc(control="S1")), system)
    assert state() == before


def test_lookup_statistics_are_kept_up_as_the_tables_grow(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wenjin.catalog.batch import StatisticsUpkeep

    upkeep = StatisticsUpkeep(first=2)
    with CaptureQueriesContext(connection) as queries:
        upkeep.written(1)
        upkeep.written(2)  # analysed (PostgreSQL), next after 4 records
        upkeep.written(3)
        upkeep.written(5)  # analysed, next after 10
    analyses = [q["sql"] for q in queries if q["sql"].startswith("ANALYZE")]
    if connection.vendor == "postgresql":
        assert len(analyses) == 2 and upkeep.due == 10
    else:
        assert analyses == []  # SQLite plans these lookups by the indexes alone
