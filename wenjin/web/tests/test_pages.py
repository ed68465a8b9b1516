"""Site shell: health check, home page language, language switch."""

from unittest import mock

from django.test import Client


def test_healthz_reports_ok(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_healthz_reports_a_broken_database(db, client):
    with mock.patch("wenjin.web.views.connection.cursor", side_effect=RuntimeError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "error"


def test_home_page_is_chinese_by_default_with_a_login(db, client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "文津" in html and "登录" in html
    assert 'name="username"' in html and 'href="#main"' in html


def test_english_is_one_click_away(db):
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html and "Staff login" in html


def test_browser_language_is_honoured(db):
    html = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").get("/").content.decode()
    assert '<html lang="en">' in html


def test_no_cdn_links_in_pages(db, client):
    html = client.get("/").content.decode()
    assert "http://" not in html.replace('xmlns="http://', "") and "https://" not in html
