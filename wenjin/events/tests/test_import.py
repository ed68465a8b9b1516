"""``wenjin import-events``: good rows land, bad rows are reported with their line and
skipped, re-importing changes nothing, GB18030 and XLSX files, dry runs and the command."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation
from openpyxl import Workbook

from wenjin.accounts.actor import Actor
from wenjin.accounts.models import AuditEntry
from wenjin.events import importer
from wenjin.events.models import Event, EventSeries, Venue
from wenjin.events.services import registrations as regs
from wenjin.events.tests.conftest import soon

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = "kind,title,series,org_code,venue,start,end,capacity,attendance"
CLI = Actor.system(via="cli")


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English (the default language is Simplified Chinese)."""
    with translation.override("en"):
        yield


def local(text: str) -> datetime:
    return timezone.make_aware(datetime.strptime(text, "%Y-%m-%d %H:%M"))


def write_csv(tmp_path: Path, *lines: str, encoding: str = "utf-8", name: str = "ev.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def run(path: Path, **options: object) -> importer.ImportResult:
    return importer.import_events(path, actor=CLI, **options)


def test_good_file_imports_every_event(tree):
    result = run(FIXTURES / "events_utf8.csv")
    assert (result.created, result.updated, result.unchanged, result.errors) == (5, 0, 0, [])
    assert result.encoding == "utf-8"

    talk = Event.objects.get(title="岭南建筑漫谈")
    assert talk.kind == "lecture" and talk.org_unit.code == "YX"
    assert talk.series.name == "越秀讲坛" and talk.venue.name == "报告厅"
    assert talk.venue.org_unit.code == "YX"  # a room of the organiser
    assert talk.starts_at == local("2024-03-02 14:30")
    assert talk.ends_at == local("2024-03-02 16:30")
    assert (talk.capacity, talk.registration_required) == (120, True)
    assert (talk.attendance_total, talk.attendance) == (98, 98)
    assert talk.status == "finished"  # held in the past

    show = Event.objects.get(title="广府民俗图片展")
    assert (show.kind, show.series, show.capacity, show.registration_required) == (
        "exhibition",
        None,
        None,
        False,
    )
    assert show.attendance == 5230

    course = Event.objects.get(title="长者智能手机课（第一讲）")
    assert course.ends_at == local("2024-05-10 12:00")  # empty end: two hours

    # Chinese kind names, future events published and taking registrations.
    story = Event.objects.get(title="亲子共读绘本会")
    assert (story.kind, story.status, story.registration_required) == (
        "reading_promotion",
        "published",
        True,
    )
    assert (story.attendance_total, story.venue) == (None, None)
    other = Event.objects.get(title="读书会年终分享")
    assert (other.kind, other.org_unit.code, other.capacity) == ("other", "HZ-A", None)
    assert other.ends_at == local("2099-12-20 21:00")


def test_reimporting_the_same_file_changes_nothing(tree):
    run(FIXTURES / "events_utf8.csv")
    stamps = dict(Event.objects.values_list("pk", "updated_at"))
    audits = AuditEntry.objects.count()
    counts = (Event.objects.count(), EventSeries.objects.count(), Venue.objects.count())

    again = run(FIXTURES / "events_utf8.csv")

    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 5, [])
    assert dict(Event.objects.values_list("pk", "updated_at")) == stamps
    assert AuditEntry.objects.count() == audits
    assert (Event.objects.count(), EventSeries.objects.count(), Venue.objects.count()) == counts


def test_changed_rows_update_the_event_and_empty_cells_clear_nothing(tree, tmp_path):
    run(FIXTURES / "events_utf8.csv")
    path = write_csv(
        tmp_path,
        HEADER,
        # Finished: only the attendance is taken; the new capacity is a note.
        "lecture,岭南建筑漫谈,越秀讲坛,YX,报告厅,2024-03-02 14:30,2024-03-02 16:30,200,105",
        # Published: kind, series, venue, end and capacity change.
        "training,亲子共读绘本会,绘本时光,YX-GT-SP,儿童区,2099-06-01 10:00,2099-06-01 12:00,40,",
        # Empty cells leave what is there.
        "exhibition,广府民俗图片展,,YX-GT,,2024-04-01 09:00,,,",
    )
    result = run(path)
    assert (result.created, result.updated, result.unchanged, result.errors) == (0, 2, 1, [])
    assert result.notes == [
        (2, "The event has finished: only its attendance is taken from the file (capacity differ).")
    ]
    talk = Event.objects.get(title="岭南建筑漫谈")
    assert (talk.capacity, talk.attendance) == (120, 105)
    story = Event.objects.get(title="亲子共读绘本会")
    assert (story.kind, story.series.name, story.venue.name, story.capacity) == (
        "training",
        "绘本时光",
        "儿童区",
        40,
    )
    assert story.ends_at == local("2099-06-01 12:00") and story.registration_required
    show = Event.objects.get(title="广府民俗图片展")
    assert (show.venue.name, show.attendance, show.ends_at) == (
        "展厅",
        5230,
        local("2024-04-30 17:00"),
    )
    reasons = AuditEntry.objects.filter(action="event.attendance.total").values_list(
        "changes", flat=True
    )
    assert any("ev.csv line 2" in str(changes) for changes in reasons)


def test_bad_rows_are_reported_by_line_and_skipped(tree, tmp_path):
    path = write_csv(
        tmp_path,
        HEADER,
        "lecture,好讲座,,YX,,2024-01-05 14:00,,,",  # 2: good
        "concert,音乐会,,YX,,2024-01-06 14:00,,,",  # 3: unknown kind
        "lecture,外馆讲座,,NOPE,,2024-01-07 14:00,,,",  # 4: unknown org code
        "lecture,日期错,,YX,,2024-13-40 14:00,,,",  # 5: bad date
        "lecture,倒着的,,YX,,2024-01-08 14:00,2024-01-08 12:00,,",  # 6: end before start
        "lecture,负容量,,YX,,2024-01-09 14:00,,-5,",  # 7: negative capacity
        "lecture,字母容量,,YX,,2024-01-10 14:00,,many,",  # 8: non-numeric capacity
        "lecture,,,YX,,2024-01-11 14:00,,,",  # 9: empty title
        "lecture,人次错,,YX,,2024-01-12 14:00,,,lots",  # 10: non-numeric attendance
        "",  # 11: a blank line is no row
        'training,"两行的',  # 12-13: a quoted title over two lines, good
        '标题",,YX-DS,,2024-01-13 09:00,2024-01-13 10:00,10,8',
        "lecture,好讲座,,YX,,2024-01-05 14:00,,,",  # 14: the event of line 2 again
        "lecture,只有日期,,YX,,2024-01-14,,,",  # 15: no time
    )
    result = run(path)
    lines = dict(result.errors)
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 9, 10, 14, 15]
    assert "Unknown event kind “concert”" in lines[3]
    assert "no org unit with code NOPE" in lines[4]
    assert "start “2024-13-40 14:00” is not a time" in lines[5]
    assert lines[6] == "The end must be after the start."
    assert "capacity “-5”" in lines[7]
    assert "capacity “many”" in lines[8]
    assert lines[9] == "The title is empty."
    assert "attendance “lots”" in lines[10]
    assert "same event (org_code, title, start) as line 2" in lines[14]
    assert "start “2024-01-14” is not a time" in lines[15]
    assert (result.created, result.rows, result.skipped) == (2, 12, 10)
    assert sorted(Event.objects.values_list("title", flat=True)) == ["两行的 标题", "好讲座"]
    assert Event.objects.get(title="两行的 标题").attendance == 8


def test_one_row_with_several_problems_names_them_all(tree, tmp_path):
    path = write_csv(tmp_path, HEADER, "concert,,,YX,,tomorrow,,0,-1")
    (line, reason), *rest = run(path).errors
    assert line == 2 and not rest
    for part in ("concert", "title is empty", "“tomorrow”", "capacity “0”", "attendance “-1”"):
        assert part in reason


def test_gb18030_file_with_chinese_headers(tree):
    result = run(FIXTURES / "events_gb18030.csv")
    assert result.encoding == "gb18030"
    assert (result.created, result.errors) == (3, [])
    show = Event.objects.get(title="粤剧服饰展")
    assert (show.kind, show.venue.name, show.attendance) == ("exhibition", "一楼展厅", 8120)
    assert show.starts_at == local("2024-10-01 09:00")  # 2024/10/01 accepted
    course = Event.objects.get(title="长者智能手机课（第二讲）")
    assert (course.kind, course.series.name, course.status) == (
        "training",
        "银龄数字课堂",
        "published",
    )


def test_utf8_with_bom_and_columns_in_any_order(tree, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(
        "\ufefftitle,org_code,start,kind,note\n讲座甲,YX,2024-02-01 10:00,讲座,ignored\n".encode()
    )
    result = run(path)
    assert (result.created, result.errors) == (1, [])
    assert Event.objects.get().kind == "lecture"


def test_xlsx_with_datetime_and_text_cells(tree, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["类型", "标题", "系列", "组织馆代码", "场地", "开始", "结束", "容量", "参与人次"])
    sheet.append(
        [
            "展览",
            "书法展",
            None,
            "YX",
            "展厅",
            datetime(2024, 5, 1, 9, 0),
            datetime(2024, 5, 20, 17, 0),
            None,
            3200,
        ]
    )
    sheet.append(
        ["lecture", "文本时间讲座", "越秀讲坛", "YX", None, "2099-03-01 14:30", None, 80.0, None]
    )
    sheet.append([None] * 9)  # an empty row is skipped
    sheet.append(["lecture", "坏容量", None, "YX", None, "2099-03-02 14:30", None, 2.5, None])
    path = tmp_path / "events.xlsx"
    book.save(path)

    result = run(path)

    assert result.encoding == "xlsx"
    assert result.created == 2
    assert [line for line, _ in result.errors] == [5]
    show = Event.objects.get(title="书法展")
    assert (show.starts_at, show.ends_at) == (local("2024-05-01 09:00"), local("2024-05-20 17:00"))
    assert (show.kind, show.attendance, show.status) == ("exhibition", 3200, "finished")
    talk = Event.objects.get(title="文本时间讲座")
    assert (talk.starts_at, talk.capacity, talk.series.name) == (
        local("2099-03-01 14:30"),
        80,
        "越秀讲坛",
    )
    assert run(path).unchanged == 2  # the same workbook again changes nothing


def test_missing_header_columns_import_nothing(tree, tmp_path):
    path = write_csv(tmp_path, "kind,title,venue,start", "lecture,讲座,,2024-01-05 14:00")
    with pytest.raises(importer.EventFileError) as raised:
        run(path)
    assert "org_code" in raised.value.message and raised.value.line == 1
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("events.txt", b"kind\n", "Import a .csv or .xlsx file."),
        ("empty.csv", b"\n\n", "The file is empty"),
        ("broken.xlsx", b"not a zip", "not a readable XLSX workbook"),
        ("binary.csv", b"\xff\xfe\x00\x81\x30\x81", "neither UTF-8 nor GB18030"),
    ],
)
def test_unreadable_files_fail_whole(tree, tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(importer.EventFileError) as raised:
        run(path)
    assert message in raised.value.message


def test_attendance_replaces_check_in_figures(tree, make_event, make_reader, system, tmp_path):
    starts = soon(days=1, hour=10)
    event = make_event(org="YX-GT", title="科普讲座", starts_at=starts, capacity=10)
    card = make_reader()
    regs.registration_create(actor=system, event_id=event.pk, patron=card.patron, via="desk")
    regs.checkin(actor=system, event_id=event.pk, code=card.barcode, now=starts)
    event.refresh_from_db()
    assert (event.checked_in, event.attendance) == (1, 1)

    start_text = timezone.localtime(starts).strftime("%Y-%m-%d %H:%M")
    path = write_csv(tmp_path, HEADER, f"lecture,科普讲座,,YX-GT,,{start_text},,,40")
    result = run(path)

    assert (result.created, result.updated) == (0, 1)
    event.refresh_from_db()
    assert (event.checked_in, event.attendance_total, event.attendance) == (1, 40, 40)
    # Its end, registrations and capacity were not touched by the empty cells.
    assert (event.capacity, event.seats_taken) == (10, 1)


def test_capacity_below_the_seats_taken_is_a_row_error(
    tree, make_event, make_reader, system, tmp_path
):
    event = make_event(org="YX-GT", title="满座讲座", starts_at=soon(days=5), capacity=2)
    for _ in range(2):
        card = make_reader()
        regs.registration_create(actor=system, event_id=event.pk, patron=card.patron, via="desk")
    start_text = timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M")
    path = write_csv(tmp_path, HEADER, f"lecture,满座讲座,,YX-GT,,{start_text},,1,")
    result = run(path)
    assert result.errors[0][0] == 2 and "already hold seats" in result.errors[0][1]
    event.refresh_from_db()
    assert event.capacity == 2


def test_rows_outside_the_actors_scope_are_refused(tree, make_staff, actor_for, tmp_path):
    organiser = make_staff("gt_events", "events_organiser", "YX-GT")
    path = write_csv(
        tmp_path,
        HEADER,
        "lecture,本馆讲座,,YX-GT,,2099-01-05 14:00,,,",
        "lecture,别馆讲座,,YX-DS,,2099-01-05 14:00,,,",
    )
    result = importer.import_events(path, actor=actor_for(organiser))
    assert result.created == 1
    assert [line for line, _ in result.errors] == [3]
    assert "outside the part of the network" in result.errors[0][1]


def test_dry_run_writes_nothing(tree):
    result = run(FIXTURES / "events_utf8.csv", dry_run=True)
    assert (result.created, result.errors, result.dry_run) == (5, [], True)
    assert not Event.objects.exists()
    assert not EventSeries.objects.exists() and not Venue.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="event.").exists()


def test_cancelled_events_are_left_alone(tree, make_event, system, tmp_path):
    from wenjin.events.services.events import event_cancel

    event = make_event(org="YX", title="取消的讲座", starts_at=soon(days=4))
    event_cancel(actor=system, event_id=event.pk, reason="台风")
    start_text = timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M")
    same = write_csv(tmp_path, HEADER, f"lecture,取消的讲座,,YX,,{start_text},,,", name="a.csv")
    assert run(same).unchanged == 1
    changed = write_csv(
        tmp_path, HEADER, f"lecture,取消的讲座,,YX,,{start_text},,50,", name="b.csv"
    )
    assert run(changed).errors == [(2, "The event was cancelled: it is not changed.")]


def test_command_prints_summary_and_errors(tree, tmp_path):
    path = write_csv(
        tmp_path,
        HEADER,
        "lecture,好讲座,,YX,,2024-01-05 14:00,,,",
        "concert,坏讲座,,YX,,2024-01-06 14:00,,,",
    )
    out = StringIO()
    call_command("import_events", str(path), stdout=out)
    text = out.getvalue()
    assert "2 rows read: 1 events created, 0 updated, 0 unchanged, 1 rows skipped." in text
    assert "line 3: Unknown event kind “concert”" in text
    assert Event.objects.count() == 1

    out = StringIO()
    call_command("import_events", str(path), "--dry-run", stdout=out)
    assert "0 events created, 0 updated, 1 unchanged, 1 rows skipped." in out.getvalue()
    assert "Dry run: nothing was written." in out.getvalue()


def test_command_fails_when_the_file_cannot_be_read(tree, tmp_path):
    with pytest.raises(CommandError, match="There is no file"):
        call_command("import_events", str(tmp_path / "missing.csv"), stdout=StringIO())
    path = write_csv(tmp_path, "title,start", "讲座,2024-01-05 14:00")
    with pytest.raises(CommandError, match=r"line 1: The header lacks the columns kind, org_code"):
        call_command("import_events", str(path), stdout=StringIO())


def test_a_year_of_events_imports_quickly(tree, tmp_path):
    """2,266 rows is a district's year: not timed here, but it must run in one go."""
    first = local("2024-01-01 09:00")
    rows = [
        f"{kind},活动{n},系列{n % 7},{org},场地{n % 5},"
        f"{(first + timedelta(hours=5 * n)).strftime('%Y-%m-%d %H:%M')},,{30 + n % 50},{n % 90}"
        for n, (kind, org) in enumerate(
            [("training", "YX-GT"), ("lecture", "YX"), ("reading_promotion", "YX-DS")] * 100
        )
    ]
    path = write_csv(tmp_path, HEADER, *rows)
    result = run(path)
    assert (result.created, result.errors) == (300, [])
    assert run(path).unchanged == 300
