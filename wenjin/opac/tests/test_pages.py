"""The public catalogue's pages through the whole Django stack (no login)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from wenjin.network import services as network
from wenjin.network.models import OrgUnit
from wenjin.opac import selectors
from wenjin.opac.tests import data

PAGE_BUDGET_BYTES = 200 * 1024


@pytest.fixture
def catalogue(tree, system) -> data.Catalogue:
    return data.build(system)


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_home_has_one_labelled_search_box_new_arrivals_and_a_login_link(catalogue, client):
    html = html_of(client.get("/"))
    assert '<label for="q">' in html and 'role="search"' in html
    assert 'hx-get="/search/suggest/"' in html
    assert "新书通报" in html and f'href="/records/{catalogue.novel.pk}/"' in html
    assert 'href="/login/"' in html and "登录" in html
    assert 'lang="zh-Hans"' in html and 'href="#main"' in html


def test_open_now_lists_the_libraries_open_at_that_moment(tree):
    units = selectors.public_units()
    noon = timezone.make_aware(datetime(2026, 11, 25, 12, 0))
    night = timezone.make_aware(datetime(2026, 11, 25, 23, 0))
    assert {unit.code for unit, _state in selectors.open_now(units, noon)} == set(tree)
    assert selectors.open_now(units, night) == []


def test_suggestions_answer_pinyin_initials_with_links(catalogue, client):
    html = html_of(client.get("/search/suggest/", {"q": "hlm"}))
    assert "红楼梦" in html and "/search/?q=" in html
    assert html_of(client.get("/search/suggest/", {"q": ""})).strip() == ""


def test_chinese_pinyin_and_initials_searches_find_the_novel(catalogue, client):
    for query in ("红楼梦", "hongloumeng", "hlm"):
        html = html_of(client.get("/search/", {"q": query}))
        assert f'href="/records/{catalogue.novel.pk}/"' in html, query
    html = html_of(client.get("/search/", {"q": "红楼梦"}))
    assert f'href="/records/{catalogue.study.pk}/"' in html
    assert "共 2 条结果" in html
    assert "1 个馆可借" in html  # the novel: one copy on the shelf, one on loan


def test_facets_narrow_the_search_and_show_the_filter_with_a_way_back(catalogue, client):
    html = html_of(client.get("/search/", {"q": "红楼梦"}))
    # Facet links carry the narrowing parameter and go back to page 1.
    links = re.findall(r'href="\?([^"]*available=1[^"]*)"', html)
    assert links, "an availability facet link"
    narrowed = html_of(client.get("/search/?" + links[0].replace("&amp;", "&")))
    assert f'href="/records/{catalogue.novel.pk}/"' in narrowed
    assert f'href="/records/{catalogue.study.pk}/"' in narrowed  # its copy is on the shelf too
    by_library = html_of(client.get("/search/", {"q": "红楼梦", "org": "YX-GT"}))
    assert f'href="/records/{catalogue.study.pk}/"' not in by_library
    assert 'class="chip"' in by_library and "q=%E7%BA%A2%E6%A5%BC%E6%A2%A6" in by_library


def test_htmx_facet_requests_get_only_the_results_region(catalogue, client):
    response = client.get(
        "/search/", {"q": "红楼梦", "lang": "chi"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    html = html_of(response)
    assert "<html" not in html and 'id="results"' in html
    assert 'hx-swap-oob="true"' in html and "共 2 条结果" in html


def test_bad_search_input_is_a_clear_400_not_a_crash(catalogue, client):
    response = client.get("/search/", {"q": "红楼梦", "year_from": "2010", "year_to": "1990"})
    assert response.status_code == 400
    assert "结束年份早于起始年份。" in response.content.decode()
    assert client.get("/search/", {"sort": "nonsense"}).status_code == 400
    unknown_unit = client.get("/search/", {"q": "红楼梦", "org": "NOPE"})
    assert unknown_unit.status_code == 400 and "NOPE" in unknown_unit.content.decode()


def test_record_page_groups_copies_by_library_with_shelf_and_due_date(catalogue, client):
    html = html_of(client.get(f"/records/{catalogue.novel.pk}/"))
    assert "<h1" in html and "红楼梦" in html and "曹雪芹" in html
    gt = html.index('id="lib-YX-GT"')
    ds = html.index('id="lib-YX-DS"')
    assert gt < ds  # the library with a copy on the shelf first
    assert "3楼 B区 第12排 第4层" in html and "在架可借" in html
    due = catalogue.on_loan.loans.get().due_date
    assert f"已借出，应还日期 {due:%Y-%m-%d}" in html
    assert f'href="/records/{catalogue.novel.pk}/shelf/T0001/"' in html
    assert f'href="/login/?next=/records/{catalogue.novel.pk}/"' in html
    # Similar titles: the same CLC class.
    assert f'href="/records/{catalogue.study.pk}/"' in html


def test_record_page_draws_the_shelf_finder_for_the_first_copy_on_a_shelf(catalogue, client):
    html = html_of(client.get(f"/records/{catalogue.novel.pk}/"))
    finder = html[html.index('id="finder-heading"') :]
    assert "I242.4/12" in finder and 'role="img"' in finder
    assert 'class="plan-shelf plan-marked"' in finder and "plan-area plan-here" in finder
    assert "3楼平面图：图书位于 3楼 B区 第12排 第4层" in finder


def test_a_record_without_copies_says_so(catalogue, client, system):
    catalogue.english.items.all().delete()
    html = html_of(client.get(f"/records/{catalogue.english.pk}/"))
    assert "全网暂无馆藏" in html and "finder-heading" not in html
    assert "/login/?next=" not in html  # nothing to hold


def test_unknown_records_and_copies_are_404(catalogue, client):
    assert client.get("/records/999999/").status_code == 404
    assert client.get(f"/records/{catalogue.novel.pk}/shelf/NOPE/").status_code == 404
    # A real barcode under another record's URL is not found either.
    assert client.get(f"/records/{catalogue.study.pk}/shelf/T0001/").status_code == 404


def test_the_shelf_page_of_a_copy_on_loan_says_it_is_not_on_the_shelf(catalogue, client):
    html = html_of(client.get(f"/records/{catalogue.novel.pk}/shelf/T0002/"))
    assert "此册目前不在架上" in html and "没有登记书架位置" in html
    shelf = html_of(client.get(f"/records/{catalogue.novel.pk}/shelf/T0001/"))
    assert "plan-marked" in shelf and "I242.4/12" in shelf


def test_library_list_and_library_page(catalogue, client, system):
    network.org_unit_update(
        actor=system,
        code="YX-GT",
        changes={"address": "光塔路 1 号", "latitude": "23.125", "longitude": "113.258"},
    )
    network.org_unit_update(
        actor=system, code="YX", changes={"latitude": "23.129", "longitude": "113.264"}
    )
    html = html_of(client.get("/branches/"))
    assert 'href="/branches/YX-GT/"' in html and "光塔路 1 号" in html
    assert 'class="map"' in html and 'aria-label="YX-GT馆"' in html
    page = html_of(client.get("/branches/YX-GT/"))
    assert "开放时间" in page and "09:00" in page and "21:00" in page
    assert "光塔路 1 号" in page and 'href="/search/?org=YX-GT"' in page
    assert "全城通借通还" in page
    assert client.get("/branches/NOPE/").status_code == 404


def test_a_planned_library_has_no_public_page(tree, client):
    OrgUnit.objects.filter(code="HZ-A").update(status="planned")
    assert client.get("/branches/HZ-A/").status_code == 404
    assert 'href="/branches/HZ-A/"' not in html_of(client.get("/branches/"))


def test_display_settings_stick_in_a_cookie_and_only_redirect_locally(db, client):
    response = client.post("/display/", {"toggle": "large", "next": "/branches/"})
    assert response.status_code == 302 and response["Location"] == "/branches/"
    assert response.cookies["wenjin_display"].value == "large"
    assert response.cookies["wenjin_display"]["httponly"]
    html = html_of(client.get("/"))
    assert 'class="text-large"' in html and 'aria-pressed="true"' in html
    client.post("/display/", {"toggle": "contrast", "next": "/"})
    assert 'class="text-large contrast-high"' in html_of(client.get("/"))
    client.post("/display/", {"toggle": "large", "next": "/"})
    assert 'class="contrast-high"' in html_of(client.get("/"))
    away = client.post("/display/", {"toggle": "large", "next": "https://evil.example/"})
    assert away["Location"] == "/"
    assert client.get("/display/").status_code == 405


def test_the_display_switch_needs_the_csrf_token(db):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/display/", {"toggle": "large"}).status_code == 403


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"\sstyle=", re.IGNORECASE)


def public_pages(catalogue: data.Catalogue) -> list[str]:
    return [
        "/",
        "/search/?q=%E7%BA%A2%E6%A5%BC%E6%A2%A6",
        f"/records/{catalogue.novel.pk}/",
        f"/records/{catalogue.novel.pk}/shelf/T0001/",
        "/branches/",
        "/branches/YX-GT/",
        "/login/",
        "/register/",
        "/register/privacy/",
        "/recover/",
    ]


def test_every_public_page_has_a_strict_csp_and_no_inline_script_or_style(catalogue, client):
    for path in public_pages(catalogue):
        response = client.get(path)
        html = html_of(response)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, path
        assert "frame-ancestors 'none'" in policy
        assert not INLINE_SCRIPT.search(html), path
        assert not INLINE_HANDLER.search(html), path
        assert not INLINE_STYLE.search(html), path
        assert "http://" not in html.replace('xmlns="http://', "") and "https://" not in html


def _asset_bytes(html: str) -> int:
    total = 0
    for url in re.findall(r'(?:href|src)="/static/([^"]+\.(?:css|js))"', html):
        found = finders.find(url)
        assert found, url
        total += Path(found).stat().st_size
    return total


def test_each_page_with_its_css_and_js_weighs_under_200_kb(catalogue, client):
    for path in public_pages(catalogue):
        html = html_of(client.get(path))
        weight = len(html.encode()) + _asset_bytes(html)
        assert weight <= PAGE_BUDGET_BYTES, (path, weight)


def test_english_is_available_for_the_public_pages(catalogue):
    english = Client()
    english.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = html_of(english.get(f"/records/{catalogue.novel.pk}/"))
    assert 'lang="en"' in html and "Where to find it" in html and "On the shelf" in html


def test_languages_and_libraries_are_shown_by_name_not_code(catalogue, client):
    html = html_of(client.get("/search/", {"q": "红楼梦", "lang": "chi", "org": "YX"}))
    facets = html[html.index('id="facets-heading"') :]
    assert ">中文</a>" in facets
    chips = html[html.index('class="chips"') : html.index('id="facets-heading"')]
    assert "中文" in chips and "YX馆" in chips and ">chi<" not in chips
    record = html_of(client.get(f"/records/{catalogue.english.pk}/"))
    assert "<dd>英文</dd>" in record
