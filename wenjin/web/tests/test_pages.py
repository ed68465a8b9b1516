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
    assert '<html lang="zh-Hans"' in html
    assert "文津" in html and "登录" in html
    assert 'href="/login/"' in html and 'href="/staff/login/"' in html
    assert 'href="#main"' in html


def test_english_is_one_click_away(db):
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html and "Staff login" in html


def test_pages_stay_chinese_for_a_browser_set_to_english(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/")
    assert '<html lang="zh-Hans"' in response.content.decode()
    assert response["Content-Language"] == "zh-hans"


def test_api_messages_follow_accept_language(tree):
    chinese = Client().get("/api/v1/org-units/NOPE").json()["error"]["message"]
    english = (
        Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/org-units/NOPE").json()["error"]["message"]
    )
    assert chinese == "不存在代码为 NOPE 的单位。"
    assert english == "There is no org unit with code NOPE."


def test_no_cdn_links_in_pages(db, client):
    html = client.get("/").content.decode()
    assert "http://" not in html.replace('xmlns="http://', "") and "https://" not in html
