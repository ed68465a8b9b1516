"""The iCalendar feeds (RFC 5545), parsed back with the ``icalendar`` package: the
network's and a library's subtree, one event's, which events they hold, their times,
stable UIDs, Chinese text, line folding and CRLF line ends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import translation
from icalendar import Calendar

from wenjin.events.models import EventKind
from wenjin.events.services.events import event_cancel
from wenjin.events.tests.conftest import soon

LONG_DESCRIPTION = "岭南建筑以骑楼、镬耳屋和西关大屋最为人熟知，本讲从广州老城的街巷讲起。" * 4


@pytest.fixture
def events(make_event, system) -> dict:
    made = {
        "branch": make_event(
            org="YX-GT",
            title="岭南建筑漫谈：从骑楼到镬耳屋",
            description=LONG_DESCRIPTION,
            capacity=40,
            venue="报告厅",
            series="岭南讲坛",
        ),
        "below": make_event(org="YX-GT-SP", title="绘本故事会", kind="reading_promotion"),
        "sibling": make_event(
            org="YX-DS",
            title="东山展览",
            kind="exhibition",
            starts_at=soon(days=-5),
            ends_at=soon(days=25),
        ),
        "other": make_event(org="HZ", title="海珠电脑课", kind="training"),
        "draft": make_event(org="YX-GT", title="还在筹备", status="draft"),
        "cancelled": make_event(org="YX-GT-SP", title="取消的活动", capacity=10),
        "long_ago": make_event(org="YX-GT", title="很久以前", starts_at=soon(days=-60)),
        "far_ahead": make_event(org="YX-GT", title="两年以后", starts_at=soon(days=800)),
        "outside": make_event(
            org="YX-GT",
            title="博物馆里的讲座",
            venue="广州博物馆",
            venue_address="越秀区解放北路",
            starts_at=soon(days=8),
        ),
    }
    event_cancel(actor=system, event_id=made["cancelled"].pk, reason="台风停课")
    return made


def fetch(path: str, **headers: str):
    response = Client().get(path, **headers)
    return response


def parsed(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def by_summary(calendar: Calendar) -> dict[str, object]:
    return {str(entry["SUMMARY"]): entry for entry in calendar.walk("VEVENT")}


def test_the_network_feed_is_a_valid_calendar_of_public_events(events):
    calendar = parsed(fetch("/events.ics"))
    assert str(calendar["VERSION"]) == "2.0"
    assert "Wenjin" in str(calendar["PRODID"])
    assert str(calendar["X-WR-CALNAME"])
    found = by_summary(calendar)
    assert set(found) == {
        "岭南建筑漫谈：从骑楼到镬耳屋",
        "绘本故事会",
        "东山展览",
        "海珠电脑课",
        "取消的活动",
        "博物馆里的讲座",
    }  # no draft, nothing from two months ago or two years ahead
    assert str(found["取消的活动"]["STATUS"]) == "CANCELLED"
    assert "台风停课" in str(found["取消的活动"]["DESCRIPTION"])
    assert str(found["绘本故事会"]["STATUS"]) == "CONFIRMED"
    # The time zone its times name is defined in the calendar itself.
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_a_library_feed_holds_its_subtree_only(events):
    found = by_summary(parsed(fetch("/events.ics?org=YX-GT")))
    assert set(found) == {
        "岭南建筑漫谈：从骑楼到镬耳屋",
        "绘本故事会",
        "取消的活动",
        "博物馆里的讲座",
    }
    district = by_summary(parsed(fetch("/events.ics?org=YX")))
    assert "东山展览" in district and "海珠电脑课" not in district


def test_an_unknown_library_is_404(events):
    assert fetch("/events.ics?org=NOWHERE").status_code == 404


def test_times_text_and_links_match_the_event(events):
    event = events["branch"]
    entry = by_summary(parsed(fetch("/events.ics")))[event.title]
    start, end = entry.decoded("DTSTART"), entry.decoded("DTEND")
    assert start == event.starts_at and end == event.ends_at
    assert str(start.tzinfo) == "Asia/Shanghai"
    assert entry["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert str(entry["SUMMARY"]) == "岭南建筑漫谈：从骑楼到镬耳屋"
    assert LONG_DESCRIPTION in str(entry["DESCRIPTION"])
    assert "岭南讲坛" in str(entry["DESCRIPTION"])
    assert "报告厅" in str(entry["LOCATION"])
    assert str(entry["URL"]) == f"http://testserver/events/{event.pk}/"
    with translation.override("zh-hans"):  # the site's default language
        assert entry["CATEGORIES"].cats == [str(EventKind.LECTURE.label)]
    assert entry.decoded("LAST-MODIFIED") is not None
    assert entry.decoded("DTSTAMP") is not None
    outside = by_summary(parsed(fetch("/events.ics")))["博物馆里的讲座"]
    assert str(outside["LOCATION"]) == "广州博物馆, 越秀区解放北路"


def test_uids_are_unique_and_stable_whatever_the_host(events, settings):
    settings.ALLOWED_HOSTS = ["testserver", "library.example"]
    first = [str(e["UID"]) for e in parsed(fetch("/events.ics")).walk("VEVENT")]
    again = [
        str(e["UID"])
        for e in parsed(fetch("/events.ics", HTTP_HOST="library.example")).walk("VEVENT")
    ]
    assert len(first) == len(set(first)) == 6
    assert first == again
    assert f"event-{events['branch'].pk}@127.0.0.1" in first


def test_lines_are_folded_at_75_octets_with_crlf_ends(events):
    body = fetch("/events.ics").content
    assert body.endswith(b"\r\n")
    lines = body.split(b"\r\n")[:-1]
    assert b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # the long description was folded
    body.decode("utf-8")  # folding never splits a Chinese character's bytes
    for line in lines:
        line.decode("utf-8")


def test_one_event_feed(events):
    event = events["cancelled"]
    response = fetch(f"/events/{event.pk}.ics")
    calendar = parsed(response)
    entries = calendar.walk("VEVENT")
    assert len(entries) == 1
    assert str(entries[0]["UID"]) == f"event-{event.pk}@127.0.0.1"
    assert str(entries[0]["STATUS"]) == "CANCELLED"
    assert str(calendar["X-WR-CALNAME"]) == "取消的活动"
    assert f"event-{event.pk}.ics" in response["Content-Disposition"]


def test_one_event_feed_of_a_draft_or_unknown_event_is_404(events):
    assert fetch(f"/events/{events['draft'].pk}.ics").status_code == 404
    assert fetch("/events/999999.ics").status_code == 404


def test_an_exhibition_running_on_is_in_the_feed_with_its_whole_span(events):
    entry = by_summary(parsed(fetch("/events.ics?org=YX-DS")))["东山展览"]
    assert entry.decoded("DTEND") - entry.decoded("DTSTART") == timedelta(days=30)


def test_a_change_shows_in_the_feed_at_once_despite_the_kept_copy(events, make_event, system):
    before = by_summary(parsed(fetch("/events.ics?org=YX-DS")))
    assert str(before["东山展览"]["STATUS"]) == "CONFIRMED"
    event_cancel(actor=system, event_id=events["sibling"].pk, reason="布展延期")
    after = by_summary(parsed(fetch("/events.ics?org=YX-DS")))
    assert str(after["东山展览"]["STATUS"]) == "CANCELLED"
    make_event(org="YX-DS", title="新加的讲座")
    assert "新加的讲座" in by_summary(parsed(fetch("/events.ics?org=YX-DS")))
