"""The reading report pages: only for a logged-in reader who keeps a history, the year's
numbers from real loans (made through checkout and checkin), sharing a summary that
names nobody, stopping sharing, and CSRF on every form."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from wenjin.accounts.models import AuditEntry
from wenjin.circulation.services.lending import checkout
from wenjin.circulation.services.returns import checkin
from wenjin.lib.errors import Conflict
from wenjin.opac.models import ReadingReportShare
from wenjin.opac.report_services import report_share, report_shares_forget
from wenjin.opac.services import session_stamp
from wenjin.opac.tests import data
from wenjin.patrons.models import Card
from wenjin.patrons.services import register
from wenjin.patrons.services.registration import patron_update
from wenjin.patrons.tests.ids import resident_id

SHANGHAI = ZoneInfo("Asia/Shanghai")
NAME, PHONE = "林黛玉", "13900001111"
ID_NUMBER = resident_id(date(1990, 2, 3), 321)
INLINE_STYLE = re.compile(r"<style|\sstyle=", re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)", re.I)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


def borrow(system, card: Card, barcode: str, org: str, out: datetime, back: datetime) -> None:
    checkout(actor=system, item_barcode=barcode, patron_barcode=card.barcode, org_code=org, at=out)
    checkin(actor=system, item_barcode=barcode, org_code=org, at=back)


def log_in(client: Client, card: Card) -> None:
    response = client.post("/login/", {"identifier": card.barcode, "pin": data.PIN})
    assert response.status_code == 302


def in_english(client: Client) -> Client:
    # The report's texts are checked in English: the Chinese translations come later.
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


@pytest.fixture
def catalogue(tree, system) -> data.Catalogue:
    return data.build(system)


@pytest.fixture
def reader(catalogue, system) -> Card:
    """林黛玉, who keeps a reading history: four loans in 2025 and one in late 2024.

    2025: 红楼梦 (I, 曹雪芹) on Wed 5 March 20:15 at YX-GT and again on 3 November 20:05;
    红楼梦人物论 (I, 王昆仑) on 12 March 20:40 at YX-GT; The Story of the Stone (no class)
    on 1 July 10:00 at YX-DS. 2024: 红楼梦 on Mon 30 December 15:00.
    """
    card = register(
        actor=system,
        name=NAME,
        identity_type="resident_id",
        identity_number=ID_NUMBER,
        phone=PHONE,
        home_org_code="YX-GT",
        pin=data.PIN,
    ).card
    patron_update(actor=system, barcode=card.barcode, changes={"keeps_history": True})
    borrow(system, card, "T0001", "YX-GT", at(2024, 12, 30, 15, 0), at(2025, 1, 10, 10, 0))
    borrow(system, card, "T0001", "YX-GT", at(2025, 3, 5, 20, 15), at(2025, 3, 20, 10, 0))
    borrow(system, card, "T0003", "YX-GT", at(2025, 3, 12, 20, 40), at(2025, 3, 25, 10, 0))
    borrow(system, card, "T0004", "YX-DS", at(2025, 7, 1, 10, 0), at(2025, 7, 10, 10, 0))
    borrow(system, card, "T0001", "YX-GT", at(2025, 11, 3, 20, 5), at(2025, 11, 15, 10, 0))
    card.refresh_from_db()
    return card


def numbers_of(html: str) -> list[str]:
    return re.findall(r'<span class="report-number">([^<]*)</span>', html)


def assert_names_nobody(text: str, card: Card) -> None:
    for secret in (NAME, PHONE, ID_NUMBER, card.barcode, card.patron.phone_masked):
        assert secret not in text, secret


def test_the_report_needs_a_login(db, client):
    assert client.get("/account/report/")["Location"] == "/login/?next=/account/report/"
    assert client.post("/account/report/share/", {"year": "2025"})["Location"].startswith("/login/")
    assert not ReadingReportShare.objects.exists()


def test_a_reader_without_history_is_told_how_to_turn_it_on_and_cannot_share(
    catalogue, client, system
):
    in_english(client)
    log_in(client, catalogue.reader)
    response = client.get("/account/report/")
    html = response.content.decode()
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    assert "Your reading history is off" in html and 'href="/account/"' in html
    assert "<svg" not in html and "report-number" not in html
    refused = client.post("/account/report/share/", {"year": "2026"}, follow=True)
    assert 'class="message error"' in refused.content.decode()
    assert not ReadingReportShare.objects.exists()
    with pytest.raises(Conflict) as error:
        report_share(catalogue.reader.patron, 2026)
    assert error.value.code == "HISTORY_OFF"


def test_the_year_report_counts_the_readers_loans(reader, client):
    in_english(client)
    log_in(client, reader)
    response = client.get("/account/report/", {"year": "2025"})
    html = response.content.decode()
    assert response.status_code == 200
    # 4 books, 3 titles, 4 days, 2 libraries, a 2-week streak (weeks of 3 and 10 March),
    # busiest at 20:00 (three loans), busiest month March.
    assert numbers_of(html) == ["4", "3", "4", "2", "2", "20:00–21:00", "March"]
    assert "曹雪芹" in html and "王昆仑" in html and "I Literature" in html
    assert "(2 times)" in html  # 红楼梦, borrowed most often
    assert '<th scope="row">Not classified</th><td>1</td>' in html  # The Story of the Stone
    assert "2025-03-03 to 2025-03-16" in html
    # Year links for every year with loans and this year; the chosen one is current.
    assert 'href="/account/report/?year=2024"' in html
    assert re.search(r'href="/account/report/\?year=2025" aria-current="page"', html)
    # Charts with a table of the same numbers, accessible, and no inline style or script.
    assert html.count('role="img"') == 4 and html.count("<details>") == 4
    assert html.count("<table>") == 4 and 'aria-labelledby="chart-months-title' in html
    assert not INLINE_STYLE.search(html) and not INLINE_SCRIPT.search(html)
    assert "/static/opac/report.css" in html
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert reader.barcode not in html and "no-cache" in response["Cache-Control"]


def test_another_year_and_this_year_are_reported_apart(reader, client, system):
    log_in(client, reader)
    last_year = client.get("/account/report/", {"year": "2024"}).content.decode()
    assert numbers_of(last_year)[:2] == ["1", "1"]
    # This year: T0002, lent by data.build today (an open loan) — not the reader's.
    this_year = client.get("/account/report/").content.decode()
    assert numbers_of(this_year) == [] and "王昆仑" not in this_year
    # A book on loan now counts for this year too.
    checkout(actor=system, item_barcode="T0001", patron_barcode=reader.barcode, org_code="YX-GT")
    assert numbers_of(client.get("/account/report/").content.decode())[:2] == ["1", "1"]
    # A year that is not a year falls back to this one.
    for odd in ("abc", "²", "２０２５", "0"):
        assert client.get("/account/report/", {"year": odd}).status_code == 200


def test_another_reader_sees_only_their_own_report(reader, client, system):
    other = data.make_reader(system)
    patron_update(actor=system, barcode=other.barcode, changes={"keeps_history": True})
    report_share(reader.patron, 2025)
    log_in(client, other)
    html = client.get("/account/report/", {"year": "2025"}).content.decode()
    assert "王昆仑" not in html and numbers_of(html) == []
    assert ReadingReportShare.objects.get().token not in html
    # Their "stop sharing" touches only their own shares.
    client.post("/account/report/unshare/", {"year": "2025"})
    assert ReadingReportShare.objects.filter(patron=reader.patron, year=2025).exists()


def test_a_shared_summary_names_nobody_and_stops_when_unshared(reader, client):
    in_english(client)
    log_in(client, reader)
    client.post("/account/report/share/", {"year": "2025"})
    share = ReadingReportShare.objects.get(patron=reader.patron, year=2025)
    assert len(share.token) >= 32
    report = client.get("/account/report/", {"year": "2025"}).content.decode()
    assert f"/shared/reading/{share.token}/" in report

    visitor = in_english(Client())
    page = visitor.get(f"/shared/reading/{share.token}/")
    html = page.content.decode()
    assert page.status_code == 200 and "noindex" in page["X-Robots-Tag"]
    assert "My 2025 reading report" in html and numbers_of(html)[0] == "4"
    assert "红楼梦" in html and "王昆仑" in html and "I Literature" in html
    assert_names_nobody(html, reader)
    assert "YX-GT馆" not in html and "YX-DS馆" not in html  # where they borrow is private
    assert not INLINE_STYLE.search(html) and not INLINE_SCRIPT.search(html)
    assert_names_nobody(str(share.snapshot), reader)

    image = visitor.get(f"/shared/reading/{share.token}.svg")
    assert image.status_code == 200 and image["Content-Type"].startswith("image/svg+xml")
    assert image["Content-Security-Policy"] == "default-src 'none'"
    svg = image.content.decode()
    root = ET.fromstring(svg.encode())  # well-formed XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("role") == "img"
    words = [node.text for node in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "4" in words and "Wenjin" in words and "20:00–21:00" in words
    assert "My 2025 reading report" in words and "Literature" in words
    assert_names_nobody(svg, reader)

    # The audit log notes the share without its secret address.
    entry = AuditEntry.objects.get(action="opac.report_share")
    assert share.token not in str(entry.changes) + entry.object_repr

    client.post("/account/report/unshare/", {"year": "2025"})
    assert not ReadingReportShare.objects.exists()
    assert visitor.get(f"/shared/reading/{share.token}/").status_code == 404
    assert visitor.get(f"/shared/reading/{share.token}.svg").status_code == 404


def test_sharing_again_refreshes_the_snapshot_at_the_same_address(reader, system):
    first = report_share(reader.patron, 2025)
    borrow(system, reader, "T0004", "YX-DS", at(2025, 12, 1, 9, 0), at(2025, 12, 5, 9, 0))
    again = report_share(reader.patron, 2025)
    assert again.pk == first.pk and again.token == first.token
    assert again.snapshot["total"] == 5 and ReadingReportShare.objects.count() == 1


def test_nothing_to_share_for_a_year_without_loans_or_without_a_year(reader, client):
    log_in(client, reader)
    for year in ("2019", "", "abc", "99999", "²", "２０２５"):
        response = client.post("/account/report/share/", {"year": year}, follow=True)
        assert 'class="message error"' in response.content.decode(), year
    assert not ReadingReportShare.objects.exists()


def test_a_share_ends_with_the_readers_consent(reader, client, system):
    share = report_share(reader.patron, 2025)
    other = report_share(reader.patron, 2024)
    url = f"/shared/reading/{share.token}/"
    assert client.get(url).status_code == 200
    # History turned off by any path (here at the desk): every share of the reader goes.
    patron_update(actor=system, barcode=reader.barcode, changes={"keeps_history": False})
    assert client.get(url).status_code == 404
    assert not ReadingReportShare.objects.filter(pk__in=[share.pk, other.pk]).exists()
    assert report_shares_forget(reader.patron) == 0


def test_unknown_or_malformed_addresses_are_404(db, client):
    assert client.get("/shared/reading/" + "A" * 32 + "/").status_code == 404
    assert client.get("/shared/reading/short/").status_code == 404
    assert client.get("/shared/reading/" + "A" * 32 + ".svg").status_code == 404


def test_share_and_unshare_need_the_csrf_token(reader):
    strict = Client(enforce_csrf_checks=True)
    session = strict.session
    session["opac_card_id"] = reader.pk
    session["opac_card_stamp"] = session_stamp(reader)
    session.save()
    assert strict.get("/account/report/", {"year": "2025"}).status_code == 200
    assert strict.post("/account/report/share/", {"year": "2025"}).status_code == 403
    assert not ReadingReportShare.objects.exists()
    report_share(reader.patron, 2025)
    assert strict.post("/account/report/unshare/", {"year": "2025"}).status_code == 403
    assert ReadingReportShare.objects.count() == 1
    html = strict.get("/account/report/", {"year": "2025"}).content.decode()
    # Every form on the page carries the token.
    assert html.count("<form") == html.count('name="csrfmiddlewaretoken"')


def test_the_report_pages_answer_only_get_or_post(reader, client):
    log_in(client, reader)
    assert client.post("/account/report/").status_code == 405
    assert client.get("/account/report/share/").status_code == 405
    assert client.get("/account/report/unshare/").status_code == 405
