"""Catalogue staff pages: look up, record form, MARC editor, quick add by ISBN, copies,
item edit/move/withdraw, print list, shelving locations, and who may use them."""

import pytest

from wenjin.catalog.models import Item, Location, Record
from wenjin.catalog.services import items_add, location_create, record_save_fields


@pytest.fixture
def record(tree, system):
    record = record_save_fields(
        actor=system, values={"title": "岭南文化十讲", "isbns": ["9787218123455"], "clc": "K296.5"}
    )
    items_add(actor=system, record_id=record.pk, owning_org_code="YX-GT", barcodes=["V1"])
    return record


def test_lookup_by_title_barcode_and_isbn(record, staff_client):
    client = staff_client("cat", "cataloguer", "YX")
    for query in ("岭南", "V1", "978-7-218-12345-5", str(record.pk)):
        html = client.get("/staff/catalog/", {"q": query}).content.decode()
        assert f"/staff/catalog/records/{record.pk}/" in html, query


def test_create_and_edit_through_the_form(tree, staff_client):
    client = staff_client("cat", "cataloguer", "YX")
    response = client.post(
        "/staff/catalog/records/new/",
        {
            "marc_format": "cnmarc",
            "title": "广府民俗",
            "authors": "王芳\n李娜",
            "isbns": "978-7-218-12345-5",
            "year": "2021",
            "clc": "K892",
        },
    )
    assert response.status_code == 302
    record = Record.objects.get(title="广府民俗")
    assert record.authors == ["王芳", "李娜"] and record.year == 2021 and record.clc_top == "K"
    edit = client.post(
        f"/staff/catalog/records/{record.pk}/edit/",
        {"title": "广府民俗志", "authors": "王芳", "year": "2021"},
    )
    assert edit.status_code == 302
    record.refresh_from_db()
    assert record.title == "广府民俗志" and record.authors == ["王芳"]
    missing_title = client.post(
        "/staff/catalog/records/new/", {"marc_format": "cnmarc", "title": ""}
    )
    assert missing_title.status_code == 400


def test_marc_editor_saves_and_reports_bad_lines(record, staff_client):
    client = staff_client("cat", "cataloguer", "YX")
    page = client.get(f"/staff/catalog/records/{record.pk}/marc/").content.decode()
    assert "200 1# $a岭南文化十讲" in page
    text = page.split('name="text"')[1].split(">", 1)[1].split("</textarea>")[0]
    import html as html_module

    text = html_module.unescape(text).replace("$a岭南文化十讲", "$a岭南文化十二讲")
    saved = client.post(f"/staff/catalog/records/{record.pk}/marc/", {"text": text})
    assert saved.status_code == 302
    record.refresh_from_db()
    assert record.title == "岭南文化十二讲"
    broken = client.post(
        f"/staff/catalog/records/{record.pk}/marc/",
        {"text": "LDR 00000nam0 2200000   450 \n2x 1# $ax\n"},
    )
    assert broken.status_code == 400 and "第 2 行" in broken.content.decode()
    record.refresh_from_db()
    assert record.title == "岭南文化十二讲"


def test_quick_add_by_isbn(record, staff_client):
    client = staff_client("cat", "cataloguer", "YX")
    found = client.get("/staff/catalog/records/isbn/", {"isbn": "9787218123455"})
    assert f"/staff/catalog/records/{record.pk}/items/new/" in found.content.decode()
    new = client.get("/staff/catalog/records/isbn/", {"isbn": "9787020002207"})
    assert new.status_code == 302 and "isbn=9787020002207" in new["Location"]
    assert "9787020002207" in client.get(new["Location"]).content.decode()
    bad = client.get("/staff/catalog/records/isbn/", {"isbn": "9787020002208"})
    assert bad.status_code == 400


def test_add_copies_numbered_from_the_first_barcode(record, staff_client):
    client = staff_client("gt_cat", "cataloguer", "YX-GT")
    response = client.post(
        f"/staff/catalog/records/{record.pk}/items/new/",
        {
            "owning_org": "YX-GT",
            "barcodes": "GT000098",
            "count": "3",
            "material_type": "book",
            "acquisition_source": "purchase",
        },
    )
    assert response.status_code == 302
    assert sorted(
        Item.objects.filter(barcode__startswith="GT").values_list("barcode", flat=True)
    ) == ["GT000098", "GT000099", "GT000100"]
    other = client.post(
        f"/staff/catalog/records/{record.pk}/items/new/",
        {
            "owning_org": "YX-DS",
            "barcodes": "DS1",
            "material_type": "book",
            "acquisition_source": "purchase",
        },
    )
    assert other.status_code == 400  # YX-DS is not offered to a YX-GT cataloguer
    assert not Item.objects.filter(barcode="DS1").exists()


def test_item_page_edit_move_withdraw(record, staff_client, system):
    shelf = location_create(actor=system, org_code="YX-GT", kind="shelf", code="S1", name="第1架")
    client = staff_client("gt_dir", "branch_director", "YX-GT")
    assert (
        client.post(
            "/staff/catalog/items/V1/", {"action": "move", "location": str(shelf.pk)}
        ).status_code
        == 302
    )
    assert Item.objects.get(barcode="V1").location == shelf
    bad = client.post("/staff/catalog/items/V1/", {"action": "withdraw", "reason": ""})
    assert bad.status_code == 400
    assert (
        client.post(
            "/staff/catalog/items/V1/", {"action": "withdraw", "reason": "破损"}
        ).status_code
        == 302
    )
    assert Item.objects.get(barcode="V1").status == "withdrawn"
    assert client.get("/staff/catalog/items/NOPE/").status_code == 404


def test_print_and_locations_pages(record, staff_client):
    client = staff_client("gt_dir", "branch_director", "YX-GT")
    assert "V1" in client.get(f"/staff/catalog/records/{record.pk}/print/").content.decode()
    added = client.post(
        "/staff/catalog/locations/YX-GT/", {"kind": "floor", "code": "F1", "name": "1楼"}
    )
    assert (
        added.status_code == 302
        and Location.objects.filter(org_unit__code="YX-GT", code="F1").exists()
    )
    refused = client.post(
        "/staff/catalog/locations/YX-DS/", {"kind": "floor", "code": "F1", "name": "1楼"}
    )
    assert (
        refused.status_code == 400 and not Location.objects.filter(org_unit__code="YX-DS").exists()
    )


def test_desk_staff_cannot_edit_records(record, staff_client):
    client = staff_client("desk", "desk_staff", "YX-GT")
    response = client.post(f"/staff/catalog/records/{record.pk}/edit/", {"title": "改"})
    assert response.status_code == 400
    record.refresh_from_db()
    assert record.title == "岭南文化十讲"


def test_malformed_marc_is_refused_not_stored(record, staff_client):
    client = staff_client("cat", "cataloguer", "YX")
    for text in (
        "LDR 00000nam0 2200000   450 \n中文字 1# $a题名\n",
        "LDR 00000nam0 2200000   450 \n200 中# $a题名\n",
        "LDR 00000nam0 2200000   450 \n200 1# $a题\x1d名\n",
    ):
        response = client.post(f"/staff/catalog/records/{record.pk}/marc/", {"text": text})
        assert response.status_code == 400, text
    assert client.get(f"/staff/catalog/records/{record.pk}/marc/").status_code == 200
    form = client.post(f"/staff/catalog/records/{record.pk}/edit/", {"title": "Alpha\x1dBeta"})
    assert form.status_code == 400


def test_items_on_loan_can_still_be_edited(record, staff_client):
    Item.objects.filter(barcode="V1").update(status="checked_out")
    client = staff_client("gt_dir", "branch_director", "YX-GT")
    response = client.post(
        "/staff/catalog/items/V1/",
        {
            "action": "edit",
            "material_type": "book",
            "acquisition_source": "purchase",
            "price": "30.00",
        },
    )
    assert response.status_code == 302
    item = Item.objects.get(barcode="V1")
    assert str(item.price) == "30.00" and item.status == "checked_out"


def test_advanced_search_filters_facets_and_sort(record, system, staff_client):
    other = record_save_fields(
        actor=system, values={"title": "安徽民居", "clc": "TU241", "year": "1990"}
    )
    items_add(actor=system, record_id=other.pk, owning_org_code="YX-DS", barcodes=["V2"])
    client = staff_client("cat", "cataloguer", "YX")
    html = client.get("/staff/catalog/", {"title": "民居", "sort": "title"}).content.decode()
    assert f"/staff/catalog/records/{other.pk}/" in html
    assert f"/staff/catalog/records/{record.pk}/" not in html
    assert "<details open>" in html  # the advanced fields stay open when used
    html = client.get("/staff/catalog/", {"org": "YX-DS"}).content.decode()
    assert f"/staff/catalog/records/{other.pk}/" in html
    assert f"/staff/catalog/records/{record.pk}/" not in html
    # titles in pinyin order: an1 (安徽) before ling3 (岭南)
    html = client.get("/staff/catalog/", {"sort": "title"}).content.decode()
    assert html.index("安徽民居") < html.index("岭南文化十讲")
    # facet links carry the filter: a decade and children's/general
    html = client.get("/staff/catalog/").content.decode()
    assert "year_from=1990&amp;year_to=1999" in html and "children=0" in html
    response = client.get("/staff/catalog/", {"year_from": "2000", "year_to": "1990"})
    assert response.status_code == 400
    assert "结束年份早于起始年份。" in response.content.decode()
