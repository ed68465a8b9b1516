"""Gate-count CSV files: encodings, headers, date and hour formats, bad rows reported by
line, and ``wenjin import-gate-counts`` with its summary, --dry-run and exit status."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from wenjin.stats.import_gate_counts import (
    GateFileError,
    import_gate_counts,
    parse_count,
    parse_date,
    parse_hour,
    read_gate_file,
)
from wenjin.stats.models import GateCount


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the catalogue translates them to Chinese)."""
    with translation.override("en"):
        yield


class TestCells:
    @pytest.mark.parametrize(
        "text", ["2025-03-07", "2025/3/7", "2025.03.07", "2025年3月7日", " 2025-3-7 "]
    )
    def test_dates(self, text):
        assert parse_date(text) == date(2025, 3, 7)

    @pytest.mark.parametrize("text", ["07/03/2025", "2025-02-30", "20250307", "yesterday"])
    def test_not_dates(self, text):
        with pytest.raises(ValueError, match=text.strip()):
            parse_date(text)

    @pytest.mark.parametrize(
        ("text", "hour"),
        [
            ("9", 9),
            ("09", 9),
            ("9:00", 9),
            ("09:00-10:00", 9),
            ("23:00:00", 23),
            ("9时", 9),
            ("0", 0),
            ("", None),
        ],
    )
    def test_hours(self, text, hour):
        assert parse_hour(text) == hour

    @pytest.mark.parametrize("text", ["24", "9:30", "-1", "nine", "9.5"])
    def test_not_hours(self, text):
        with pytest.raises(ValueError, match="0 to 23"):
            parse_hour(text)

    def test_counts(self):
        assert parse_count("1,234") == 1234
        assert parse_count(" 0 ") == 0
        for text in ("-3", "12.5", "１２", "many"):
            with pytest.raises(ValueError):
                parse_count(text)


class TestReading:
    def test_utf8_with_a_bom_and_hourly_columns_in_any_order(self):
        data = "\ufeffcount,org_code,hour,date\n30,YX-GT,9,2025-03-07\n\n45,YX-GT,10,2025/3/7\n"
        parsed = read_gate_file(data.encode("utf-8"))
        assert parsed.encoding == "utf-8" and parsed.errors == []
        assert [(row.line, row.slot.hour, row.slot.count) for row in parsed.rows] == [
            (2, 9, 30),
            (4, 10, 45),
        ]

    def test_gb18030_with_the_chinese_headers_of_counter_software(self):
        data = "馆代码,日期,时段,进馆人次\nYX-GT,2025年3月7日,09:00-10:00,30\n"
        parsed = read_gate_file(data.encode("gb18030"))
        assert parsed.encoding == "gb18030"
        slot = parsed.rows[0].slot
        assert (slot.org_code, slot.day, slot.hour, slot.count) == (
            "YX-GT",
            date(2025, 3, 7),
            9,
            30,
        )

    def test_bad_rows_are_reported_with_their_line_and_the_rest_read(self):
        data = (
            "org_code,date,count\n"
            "YX-GT,2025-03-07,100\n"
            "YX-GT,2025-13-01,100\n"
            ",2025-03-07,5\n"
            "YX-GT,2025-03-08,-4\n"
            "YX-GT,2025-03-09\n"
            '"YX-DS","2025-03-07","1,204"\n'
        )
        parsed = read_gate_file(data.encode())
        assert [row.line for row in parsed.rows] == [2, 7]
        assert parsed.rows[1].slot.count == 1204
        assert [line for line, _reason in parsed.errors] == [3, 4, 5, 6]
        assert "2025-13-01" in parsed.errors[0][1]
        assert "count is empty" in parsed.errors[3][1]

    @pytest.mark.parametrize(
        ("data", "needle"),
        [
            (b"", "empty"),
            (b"\n\n", "empty"),
            (b"org_code,count\nYX,5\n", "date"),
            (b"unit,day,visitors\nYX,2025-03-07,5\n", "org_code"),
            (b"org_code,date,count,count\n", "twice"),
            ("馆代码,日期,人次\n".encode("utf-16"), "UTF-8"),
        ],
    )
    def test_files_that_cannot_be_read_at_all(self, data, needle):
        with pytest.raises(GateFileError, match=needle):
            read_gate_file(data)


@pytest.mark.django_db
class TestImport:
    def test_rows_are_stored_and_refused_rows_reported_by_line(self, tree, system):
        future = (timezone.localdate() + timedelta(days=2)).isoformat()
        data = (
            "org_code,date,hour,count\n"
            "YX-GT,2025-03-07,,400\n"
            "YX-GT,2025-03-07,9,30\n"  # mixes with the line above
            "NOPE,2025-03-07,,1\n"
            "YX-GT-SP,2025-03-07,9,30\n"
            "YX-GT-SP,2025-03-07,10,31\n"
            f"YX-GT,{future},,5\n"
            "YX-GT,2025-03-07,,410\n"  # the same slot again: replaces line 2
        ).encode()
        result = import_gate_counts(data, actor=system)
        assert (result.rows, result.created, result.updated, result.skipped) == (7, 3, 1, 3)
        assert [line for line, _reason in result.errors] == [3, 4, 7]
        assert "daily count" in result.errors[0][1]
        assert GateCount.objects.get(org_unit__code="YX-GT").count == 410
        assert set(GateCount.objects.values_list("source", flat=True)) == {"import"}

    def test_a_scoped_actor_imports_only_its_units(self, tree, actor_with):
        desk = actor_with("desk_staff", "YX-GT")
        data = b"org_code,date,count\nYX-GT,2025-03-07,1\nHZ-A,2025-03-07,2\n"
        result = import_gate_counts(data, actor=desk)
        assert result.created == 1
        assert result.errors[0][0] == 3 and "outside" in result.errors[0][1]


def _write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "counts.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.django_db
class TestCommand:
    def test_a_file_is_imported_with_a_summary_and_the_skipped_lines(self, tree, tmp_path):
        path = _write(
            tmp_path,
            "馆代码,日期,小时,人数\nYX-GT,2025/3/7,9,30\nYX-GT,2025/3/7,25,30\n",
            "gb18030",
        )
        out = StringIO()
        call_command("import_gate_counts", str(path), stdout=out)
        text = out.getvalue()
        assert "2 rows read (gb18030): 1 counts created" in text
        assert "line 3:" in text and "25" in text
        row = GateCount.objects.get()
        assert (row.hour, row.count, row.recorded_by) == (9, 30, "system:cli")

    def test_a_dry_run_writes_nothing(self, tree, tmp_path):
        path = _write(tmp_path, "org_code,date,count\nYX-GT,2025-03-07,30\n")
        out = StringIO()
        call_command("import_gate_counts", str(path), "--dry-run", stdout=out)
        assert "1 counts created" in out.getvalue()
        assert "Dry run" in out.getvalue()
        assert GateCount.objects.count() == 0

    def test_a_missing_file_fails(self, tree, tmp_path):
        with pytest.raises(CommandError, match="no file"):
            call_command("import_gate_counts", str(tmp_path / "none.csv"), stdout=StringIO())

    def test_a_file_without_the_columns_fails_naming_the_line(self, tree, tmp_path):
        path = _write(tmp_path, "\nunit,day,visitors\nYX,2025-03-07,5\n")
        with pytest.raises(CommandError, match=r"line 2: .*org_code"):
            call_command("import_gate_counts", str(path), stdout=StringIO())

    def test_a_file_where_no_row_could_be_stored_fails_after_listing_them(self, tree, tmp_path):
        path = _write(tmp_path, "org_code,date,count\nNOPE,2025-03-07,5\nYX,2025-99-01,5\n")
        out = StringIO()
        with pytest.raises(CommandError, match="No row"):
            call_command("import_gate_counts", str(path), stdout=out)
        assert "line 2:" in out.getvalue() and "line 3:" in out.getvalue()

    def test_a_header_only_file_is_not_a_failure(self, tree, tmp_path):
        out = StringIO()
        call_command(
            "import_gate_counts", str(_write(tmp_path, "org_code,date,count\n")), stdout=out
        )
        assert "0 rows read" in out.getvalue()
